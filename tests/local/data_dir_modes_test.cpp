// The endpoint's data dir is the user's alone whatever the umask: the dir 0700, state.db and its
// -wal and -shm 0600, blob folders 0700 and blobs 0600; a data dir left readable by an older
// version is made private at the next start.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>

#include "aws/services/s3.hpp"
#include "aws/services/ssm.hpp"
#include "local/endpoint.hpp"
#include "local_client.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

namespace fs = std::filesystem;

// The permission bits of `path` (-1 when it does not exist).
int mode_of(const fs::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return -1;
  return static_cast<int>(status.st_mode & 07777);
}

// Starts an endpoint on `data`, stores a SecureString and an S3 object, and leaves it running.
std::unique_ptr<Endpoint> run_with_secrets(const fs::path& data) {
  EndpointOptions options;
  options.server.port = 0;
  options.data_dir = data;
  auto endpoint = std::make_unique<Endpoint>(options);
  endpoint->start();
  const aws::ClientConfig config = test::client_config(endpoint->url());
  aws::SsmClient(config).put_parameter(
      {{"Name", "/app/token"}, {"Value", "hunter2"}, {"Type", "SecureString"}});
  aws::S3Client s3(config);
  s3.create_bucket({{"Bucket", "code"}});
  s3.put_object({{"Bucket", "code"}, {"Key", "bootstrap.zip"}}, "zip bytes");
  return endpoint;
}

// Expects `data` 0700, state.db and its -wal and -shm 0600, blob folders 0700 and blobs 0600.
void expect_private(const fs::path& data) {
  EXPECT_EQ(mode_of(data), 0700);
  for (const char* file : {"state.db", "state.db-wal", "state.db-shm"})
    EXPECT_EQ(mode_of(data / file), 0600) << file;
  std::size_t blobs = 0;
  for (const auto& entry : fs::recursive_directory_iterator(data / "blobs")) {
    if (entry.is_directory()) {
      EXPECT_EQ(mode_of(entry.path()), 0700) << entry.path();
    } else {
      EXPECT_EQ(mode_of(entry.path()), 0600) << entry.path();
      ++blobs;
    }
  }
  EXPECT_GT(blobs, 0u);
}

TEST(DataDirModes, ANewDataDirIsPrivateUnderUmask022) {
  ::umask(022);
  test::TempDir dir("modes");
  const fs::path data = dir.path() / "nested" / "data";
  auto endpoint = run_with_secrets(data);
  expect_private(data);
  // The folders above are the user's business: made as the umask says.
  EXPECT_EQ(mode_of(dir.path() / "nested"), 0755);
}

TEST(DataDirModes, AnOlderReadableDataDirIsMadePrivateAtStart) {
  ::umask(022);
  test::TempDir dir("modes-upgrade");
  const fs::path data = dir.path() / "data";
  run_with_secrets(data)->stop();
  // As an earlier version left it: everything readable by all.
  fs::permissions(data, fs::perms(0755));
  for (const char* file : {"state.db", "state.db-wal", "state.db-shm"}) {
    if (fs::exists(data / file)) fs::permissions(data / file, fs::perms(0644));
  }
  fs::permissions(data / "blobs", fs::perms(0755));
  EndpointOptions options;
  options.server.port = 0;
  options.data_dir = data;
  Endpoint endpoint(options);
  endpoint.start();
  aws::SsmClient(test::client_config(endpoint.url()))
      .put_parameter({{"Name", "/app/other"}, {"Value", "x"}, {"Type", "SecureString"}});
  EXPECT_EQ(mode_of(data), 0700);
  EXPECT_EQ(mode_of(data / "state.db"), 0600);
  EXPECT_EQ(mode_of(data / "blobs"), 0700);
}

}  // namespace
}  // namespace ld::local
