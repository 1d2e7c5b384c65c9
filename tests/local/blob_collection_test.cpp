// Garbage collection at startup: blobs and unzipped code that no record names go; anything a
// record names, at any depth, stays, and so do folders that are not code.
#include "local/blob_collection.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

namespace fs = std::filesystem;

TEST(BlobCollection, RemovesWhatNoRecordNamesAndKeepsTheRest) {
  test::TempDir dir("blob-collection");
  State state = State::open(dir.path() / "data");
  const BlobRef function_code = state.blobs->put("function code");
  const BlobRef object = state.blobs->put("an s3 object");
  const BlobRef replaced = state.blobs->put("code replaced by an update");
  state.records->put("lambda.function", "fn", {{"code", {{"digest", function_code.digest}}}});
  state.records->put("s3.object", "bucket/key",
                     {{"Parts", nlohmann::json::array({{{"Digest", object.digest}}})}});
  const fs::path tasks = dir.path() / "data" / "tasks";
  fs::create_directories(tasks / function_code.digest);
  fs::create_directories(tasks / replaced.digest);
  fs::create_directories(tasks / ".tmp-123");  // a crash mid-extraction
  fs::create_directories(tasks / "notes");

  const CollectedGarbage removed = collect_garbage(state);
  EXPECT_EQ(removed.blobs, 1u);
  EXPECT_EQ(removed.task_folders, 2u);
  EXPECT_TRUE(state.blobs->exists(function_code.digest));
  EXPECT_TRUE(state.blobs->exists(object.digest));
  EXPECT_FALSE(state.blobs->exists(replaced.digest));
  EXPECT_TRUE(fs::exists(tasks / function_code.digest));
  EXPECT_FALSE(fs::exists(tasks / replaced.digest));
  EXPECT_FALSE(fs::exists(tasks / ".tmp-123"));
  EXPECT_TRUE(fs::exists(tasks / "notes"));
  // A second run finds nothing more.
  EXPECT_EQ(collect_garbage(state).blobs, 0u);
}

}  // namespace
}  // namespace ld::local
