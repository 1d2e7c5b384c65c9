// Zips are data, never paths (issue 11). Hostile deployment packages sent to the whole local
// endpoint (a real ld::local::Endpoint, whose executor unzips new code in the background as soon
// as CreateFunction answers) are refused with Lambda's 400 InvalidParameterValueException before
// anything is written: links that leave the package, absolute and ".." entries, a file that is
// also a directory, and an archive with two end-of-central-directory records whose readers
// disagree. Extraction itself never follows a link, never leaves its directory, and counts the
// bytes it writes against Lambda's unzipped limit; no error names a path of the data dir.
#include <sys/stat.h>
#include <zip.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "aws/error.hpp"
#include "aws/services/lambda.hpp"
#include "core/encoding.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "local/api_call.hpp"
#include "local/endpoint.hpp"
#include "local/task_layout.hpp"
#include "local/zip_archive.hpp"
#include "local_client.hpp"
#include "support/fake_github.hpp"
#include "support/temp_dir.hpp"
#include "tutorial_runtime.hpp"

namespace ld::local {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kCouldNotUnzip =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";

const std::string kEcho = test::tutorial_bootstrap("", R"SH(  respond "$EVENT")SH");

// One entry of a zip built for these tests.
struct Entry {
  enum class Kind { File, Directory, Link };
  std::string name;
  std::string content;  // a file's bytes, or a link's target
  Kind kind = Kind::File;
  std::uint64_t zeros = 0;  // > 0: a deflated file of this many zero bytes (content ignored)
};

Entry file(std::string name, std::string content = "x") {
  return {std::move(name), std::move(content), Entry::Kind::File};
}
Entry link(std::string name, std::string target) {
  return {std::move(name), std::move(target), Entry::Kind::Link};
}
Entry directory(std::string name) {
  return {std::move(name), "", Entry::Kind::Directory};
}
Entry zeros(std::string name, std::uint64_t count) {
  return {std::move(name), "", Entry::Kind::File, count};
}

// How many zero bytes a zero_source makes, and how many are left to read.
struct ZeroCount {
  std::uint64_t total = 0;
  std::uint64_t remaining = 0;
};

// A libzip source of ZeroCount::total zero bytes, made as they are read.
zip_int64_t zero_source(void* state, void* data, zip_uint64_t length, zip_source_cmd_t command) {
  auto* count = static_cast<ZeroCount*>(state);
  switch (command) {
    case ZIP_SOURCE_OPEN:
      count->remaining = count->total;
      return 0;
    case ZIP_SOURCE_READ: {
      const zip_uint64_t n = std::min<zip_uint64_t>(length, count->remaining);
      std::memset(data, 0, n);
      count->remaining -= n;
      return static_cast<zip_int64_t>(n);
    }
    case ZIP_SOURCE_STAT: {
      auto* st = static_cast<zip_stat_t*>(data);
      zip_stat_init(st);
      st->size = count->total;
      st->valid |= ZIP_STAT_SIZE;
      return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR:
      return 2 * sizeof(int);
    case ZIP_SOURCE_FREE:
      delete count;
      return 0;
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                            ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default:
      return 0;
  }
}

// A zip of `entries` in order, with Unix modes (links as S_IFLNK), built in memory by libzip.
std::string zip_of(const std::vector<Entry>& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_t* za = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (za == nullptr) throw std::runtime_error("zip_of: cannot open a buffer");
  zip_source_keep(buffer);
  for (const auto& e : entries) {
    zip_int64_t index = -1;
    std::uint32_t mode = 0100755;
    if (e.kind == Entry::Kind::Directory) {
      index = zip_dir_add(za, e.name.c_str(), ZIP_FL_ENC_UTF_8);
      mode = 040755;
    } else {
      zip_source_t* source = e.zeros > 0
                                 ? zip_source_function(za, zero_source, new ZeroCount{e.zeros, 0})
                                 : zip_source_buffer(za, e.content.data(), e.content.size(), 0);
      index = zip_file_add(za, e.name.c_str(), source, ZIP_FL_ENC_UTF_8);
      if (e.kind == Entry::Kind::Link) mode = 0120777;
    }
    if (index < 0) throw std::runtime_error("zip_of: cannot add " + e.name);
    const auto at = static_cast<zip_uint64_t>(index);
    zip_file_set_external_attributes(za, at, 0, ZIP_OPSYS_UNIX, mode << 16);
    zip_set_file_compression(za, at, e.zeros > 0 ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 9);
  }
  if (zip_close(za) != 0) throw std::runtime_error("zip_of: cannot write");
  zip_stat_t st;
  zip_stat_init(&st);
  std::string bytes;
  if (zip_source_stat(buffer, &st) == 0 && zip_source_open(buffer) == 0) {
    bytes.resize(st.size);
    const zip_int64_t n = zip_source_read(buffer, bytes.data(), st.size);
    bytes.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
    zip_source_close(buffer);
  }
  zip_source_free(buffer);
  return bytes;
}

std::uint32_t u32_at(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return value;
}

void put_u32(std::string& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i)
    bytes[at + static_cast<std::size_t>(i)] = static_cast<char>((value >> (8 * i)) & 0xff);
}

// Two archives in one file: `first` whole (entries, central directory, end record), then
// `second` with its offsets moved past `first`. A reader that takes the last end record sees
// `second`; libzip takes the one whose entries span the most bytes.
std::string two_end_records(const std::string& first, std::string second) {
  const auto shift = static_cast<std::uint32_t>(first.size());
  const std::size_t eocd = second.size() - 22;
  const std::uint32_t cd = u32_at(second, eocd + 16);
  for (std::size_t at = cd; at + 46 <= eocd; at += 46) {
    put_u32(second, at + 42, u32_at(second, at + 42) + shift);
    at += static_cast<std::size_t>(static_cast<unsigned char>(second[at + 28]) |
                                   (static_cast<unsigned char>(second[at + 29]) << 8));
  }
  put_u32(second, eocd + 16, cd + shift);
  return first + second;
}

// The sum of the sizes of every file under `dir` (links not followed).
std::uint64_t bytes_under(const fs::path& dir) {
  std::uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && !e.is_symlink()) total += e.file_size();
  return total;
}

// Every name directly in `dir`.
std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

class HostileZipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(outside());
    EndpointOptions options;
    options.server.port = 0;
    options.data_dir = data_dir();
    options.settle_delay = 0ms;
    endpoint_ = std::make_unique<Endpoint>(options);
    endpoint_->start();
  }

  fs::path data_dir() const { return dir_.path() / "data"; }
  fs::path outside() const { return dir_.path() / "outside"; }
  aws::LambdaClient lambda() const {
    return aws::LambdaClient(test::client_config(endpoint_->url()));
  }

  json create(const std::string& name, const std::string& zip) const {
    return lambda().create_function({{"FunctionName", name},
                                     {"Runtime", "provided.al2023"},
                                     {"Handler", "bootstrap"},
                                     {"Role", "arn:aws:iam::000000000000:role/r"},
                                     {"Code", {{"ZipFile", base64_encode(zip)}}},
                                     {"Timeout", 10}});
  }

  // The error a call answers; fails the test when it succeeds.
  template <typename F>
  aws::AwsError refusal(F&& call) const {
    try {
      call();
    } catch (const aws::AwsError& e) {
      EXPECT_EQ(e.message().find(dir_.path().string()), std::string::npos)
          << "the message names a path of the test's folder: " << e.message();
      return e;
    }
    ADD_FAILURE() << "the call was accepted";
    return aws::AwsError("none", "", 0);
  }

  // CreateFunction, UpdateFunctionCode and PublishLayerVersion each refuse `zip` with a 400
  // InvalidParameterValueException "Could not unzip …" whose message holds every `mentions`.
  void refused_everywhere(const std::string& zip, const std::vector<std::string>& mentions) {
    if (!function_made_) {
      create("good", zip_of({file("bootstrap", kEcho)}));
      function_made_ = true;
    }
    const std::vector<aws::AwsError> errors = {
        refusal([&] { create("hostile", zip); }), refusal([&] {
          lambda().update_function_code(
              {{"FunctionName", "good"}, {"ZipFile", base64_encode(zip)}});
        }),
        refusal([&] {
          lambda().publish_layer_version(
              {{"LayerName", "hostile"}, {"Content", {{"ZipFile", base64_encode(zip)}}}});
        })};
    for (const auto& e : errors) {
      EXPECT_EQ(e.http_status(), 400);
      EXPECT_EQ(e.code(), "InvalidParameterValueException");
      EXPECT_EQ(e.message().rfind(kCouldNotUnzip, 0), 0u) << e.message();
      for (const auto& m : mentions)
        EXPECT_NE(e.message().find(m), std::string::npos) << e.message();
    }
  }

  // Waits for the executor's background unzipping to have had its chance.
  static void let_background_work_run() { std::this_thread::sleep_for(500ms); }

  test::TempDir dir_{"hostile-zip"};
  std::unique_ptr<Endpoint> endpoint_;
  bool function_made_ = false;
};

TEST_F(HostileZipTest, LinksOutOfThePackageAreRefusedBeforeAnythingIsWritten) {
  // An absolute link and a relative one climbing out of <data>/tasks/<tmp>/ to the test's folder,
  // each with a file "inside" it.
  refused_everywhere(zip_of({link("link", outside().string()), file("link/evil", "pwned")}),
                     {"\"link\""});
  refused_everywhere(zip_of({link("link", "../../../outside"), file("link/evil", "pwned")}),
                     {"\"link\""});
  // A relative link alone that climbs out, and one that climbs back in through another link.
  refused_everywhere(zip_of({file("bootstrap", kEcho), link("up", "../../..")}), {"\"up\""});
  refused_everywhere(zip_of({file("bootstrap", kEcho), directory("a/b/"), link("a/b/up", "../.."),
                             link("escape", "a/b/up/..")}),
                     {"\"escape\""});
  let_background_work_run();
  EXPECT_TRUE(fs::is_empty(outside()));
  EXPECT_EQ(names_in(dir_.path()), (std::set<std::string>{"data", "outside"}));
}

TEST_F(HostileZipTest, AbsoluteAndDotDotEntriesAreRefusedAtCreate) {
  refused_everywhere(zip_of({file("bootstrap", kEcho), file("/tmp/lambdeploy-hostile-zip/evil")}),
                     {"\"/tmp/lambdeploy-hostile-zip/evil\""});
  refused_everywhere(zip_of({file("bootstrap", kEcho), file("../../../outside/evil")}),
                     {"\"../../../outside/evil\""});
  refused_everywhere(zip_of({file("bootstrap", kEcho), file("lib/../../evil")}),
                     {"\"lib/../../evil\""});
  let_background_work_run();
  EXPECT_TRUE(fs::is_empty(outside()));
  EXPECT_EQ(names_in(dir_.path()), (std::set<std::string>{"data", "outside"}));
}

TEST_F(HostileZipTest, AFileThatIsAlsoADirectoryIsRefusedAtCreate) {
  refused_everywhere(zip_of({file("bootstrap", kEcho), file("bootstrap/x")}),
                     {"\"bootstrap\"", "\"bootstrap/x\""});
  refused_everywhere(zip_of({file("lib/x"), file("lib")}), {"\"lib\"", "\"lib/x\""});
  refused_everywhere(zip_of({directory("lib/"), file("bootstrap", kEcho), file("lib")}),
                     {"\"lib/\"", "\"lib\""});
  refused_everywhere(zip_of({file("bootstrap", kEcho), link("lib", "bin"), file("lib/x")}),
                     {"\"lib\"", "\"lib/x\""});
}

TEST_F(HostileZipTest, TwoEndOfCentralDirectoryRecordsAreRefused) {
  // libzip sees a 263 MB entry of zeros (about 260 KB deflated); a reader taking the last end
  // record sees one small bootstrap.
  const std::uint64_t big = 263'000'000;
  const std::string zip =
      two_end_records(zip_of({zeros("big", big)}), zip_of({file("bootstrap", kEcho)}));
  ASSERT_LT(zip.size(), 2u << 20);
  {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
    zip_t* za = zip_open_from_source(source, ZIP_RDONLY, &error);
    ASSERT_NE(za, nullptr);
    zip_stat_t st;
    ASSERT_EQ(zip_stat_index(za, 0, 0, &st), 0);
    EXPECT_STREQ(st.name, "big");
    EXPECT_EQ(st.size, big);
    zip_discard(za);
  }
  create("good", zip_of({file("bootstrap", kEcho)}));
  for (
      const auto& e :
      {refusal([&] { create("ambiguous", zip); }), refusal([&] {
         lambda().update_function_code({{"FunctionName", "good"}, {"ZipFile", base64_encode(zip)}});
       })}) {
    EXPECT_EQ(e.http_status(), 400);
    EXPECT_EQ(e.code(), "InvalidParameterValueException");
    EXPECT_EQ(e.message().rfind(kCouldNotUnzip, 0), 0u) << e.message();
  }
  let_background_work_run();
  EXPECT_LT(bytes_under(dir_.path()), 4u << 20);
}

// A zip of `entries` whose entry `name` declares `size` bytes (in both of its headers).
std::string declaring(std::vector<Entry> entries, const std::string& name, std::uint32_t size) {
  std::string zip = zip_of(entries);
  test::set_declared_size(zip, name, size);
  return zip;
}

TEST_F(HostileZipTest, TooLargeUnzippedIsAwsError) {
  const auto e = refusal([&] {
    create("large", declaring({file("bootstrap", kEcho), file("big")}, "big", 262'144'001));
  });
  EXPECT_EQ(e.http_status(), 400);
  EXPECT_EQ(e.code(), "InvalidParameterValueException");
  EXPECT_EQ(e.message(), "Unzipped size must be smaller than 262144000 bytes");
  // Code and layers together: Lambda's own words.
  const json layer = lambda().publish_layer_version(
      {{"LayerName", "half"},
       {"Content", {{"ZipFile", base64_encode(declaring({file("data")}, "data", 200'000'000))}}}});
  const std::string code = declaring({file("bootstrap", kEcho), file("more")}, "more", 100'000'000);
  const auto combined = refusal([&] {
    lambda().create_function({{"FunctionName", "combined"},
                              {"Runtime", "provided.al2023"},
                              {"Handler", "bootstrap"},
                              {"Role", "arn:aws:iam::000000000000:role/r"},
                              {"Layers", {layer["LayerVersionArn"]}},
                              {"Code", {{"ZipFile", base64_encode(code)}}}});
  });
  EXPECT_EQ(combined.http_status(), 400);
  EXPECT_EQ(combined.code(), "InvalidParameterValueException");
  const std::uint64_t actual = 200'000'000 + 100'000'000 + kEcho.size();
  EXPECT_EQ(combined.message(),
            "Function code combined with layers exceeds the maximum allowed size of 262144000 "
            "bytes. The actual size is " +
                std::to_string(actual) + " bytes.");
  // UpdateFunctionCode of a function with the layer counts it too.
  lambda().create_function(
      {{"FunctionName", "layered"},
       {"Runtime", "provided.al2023"},
       {"Handler", "bootstrap"},
       {"Role", "arn:aws:iam::000000000000:role/r"},
       {"Layers", {layer["LayerVersionArn"]}},
       {"Code", {{"ZipFile", base64_encode(zip_of({file("bootstrap", kEcho)}))}}}});
  const auto updated = refusal([&] {
    lambda().update_function_code({{"FunctionName", "layered"}, {"ZipFile", base64_encode(code)}});
  });
  EXPECT_EQ(updated.message(), combined.message());
}

TEST_F(HostileZipTest, DeclaredSizesThatLieStopTheExtractionAtTheInvoke) {
  // Central directory and local header both say 1,000 bytes; the data inflates to 100 MB.
  std::string zip = zip_of({file("bootstrap", kEcho), zeros("big", 100'000'000)});
  test::set_declared_size(zip, "big", 1000);
  create("liar", zip);
  let_background_work_run();
  const auto e = refusal([&] { lambda().invoke({{"FunctionName", "liar"}}, "{}"); });
  EXPECT_EQ(e.http_status(), 502);
  EXPECT_EQ(e.code(), "InvalidZipFileException");
  EXPECT_NE(e.message().find("\"big\""), std::string::npos) << e.message();
  EXPECT_LT(bytes_under(dir_.path()), 4u << 20);
}

TEST_F(HostileZipTest, OrdinaryLinksAndModesStillWork) {
  const std::string zip =
      zip_of({file("bootstrap", kEcho), directory("lib/"), file("lib/libx.so.1", "so"),
              link("lib/libx.so", "libx.so.1"), link("data/lib", "../lib"), file("./dot", "d"),
              link("bin/sh", "/bin/sh")});
  create("ordinary", zip);
  const aws::Result invoked = lambda().invoke({{"FunctionName", "ordinary"}}, R"({"a":1})");
  EXPECT_EQ(invoked.body, R"({"a":1})");
  // The task root holds the links as links.
  const std::string digest = sha256_hex(zip);
  const fs::path task = data_dir() / "tasks" / digest;
  ASSERT_TRUE(fs::exists(task)) << task;
  EXPECT_EQ(fs::read_symlink(task / "lib" / "libx.so").string(), "libx.so.1");
  EXPECT_EQ(fs::read_symlink(task / "data" / "lib").string(), "../lib");
  // An absolute link, as Lambda keeps it: a link, never followed while extracting.
  EXPECT_EQ(fs::read_symlink(task / "bin" / "sh").string(), "/bin/sh");
  EXPECT_EQ(read_file(task / "data" / "lib" / "libx.so"), "so");
  EXPECT_EQ(read_file(task / "dot"), "d");
  EXPECT_EQ(fs::status(task / "bootstrap").permissions() & fs::perms::owner_exec,
            fs::perms::owner_exec);
}

// Extraction of zips that never passed the API's checks (blobs kept from before them).
class ExtractionTest : public ::testing::Test {
 protected:
  fs::path write_zip(const std::string& name, const std::string& bytes) const {
    return dir_.write("zips/" + name, bytes);
  }
  fs::path outside() const { return dir_.path() / "outside"; }

  test::TempDir dir_{"extraction"};
};

TEST_F(ExtractionTest, NeverFollowsALinkAlreadyInTheDirectory) {
  fs::create_directories(outside());
  const fs::path target = dir_.path() / "task";
  fs::create_directories(target);
  fs::create_directory_symlink(outside(), target / "link");
  fs::create_symlink(outside() / "file", target / "file");
  extract_zip(write_zip("a.zip", zip_of({file("link/evil", "pwned"), file("file", "mine")})),
              target);
  EXPECT_TRUE(fs::is_empty(outside()));
  EXPECT_TRUE(fs::is_directory(fs::symlink_status(target / "link")));
  EXPECT_EQ(read_file(target / "link" / "evil"), "pwned");
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(target / "file")));
}

TEST_F(ExtractionTest, LaterLayersReplaceALinkWithADirectory) {
  fs::create_directories(dir_.path() / "data");
  const fs::path first = write_zip("1.zip", zip_of({directory("x/"), link("d", "x")}));
  const fs::path second = write_zip("2.zip", zip_of({file("d/evil", "2")}));
  const fs::path opt = prepare_layer_root(dir_.path() / "data", {first, second});
  EXPECT_TRUE(fs::is_directory(fs::symlink_status(opt / "d")));
  EXPECT_EQ(read_file(opt / "d" / "evil"), "2");
  EXPECT_FALSE(fs::exists(opt / "x" / "evil"));
}

TEST_F(ExtractionTest, HostileZipsAreRefusedWithoutPaths) {
  fs::create_directories(outside());
  const fs::path data = dir_.path() / "data";
  fs::create_directories(data);
  for (const auto& zip :
       {zip_of({link("link", outside().string()), file("link/evil")}),
        zip_of({file("../../outside/evil")}), zip_of({file("bootstrap"), file("bootstrap/x")})}) {
    const fs::path path = write_zip("hostile.zip", zip);
    try {
      prepare_task_root(data, sha256_hex(zip), path);
      ADD_FAILURE() << "extracted";
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), "InvalidZipFileException");
      EXPECT_EQ(e.status(), 502);
      EXPECT_EQ(std::string(e.what()).find(dir_.path().string()), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(fs::is_empty(outside()));
  EXPECT_FALSE(fs::exists(data / "tasks") && !fs::is_empty(data / "tasks"));
  // A file that is not a zip at all says so, still without its path.
  try {
    prepare_task_root(data, std::string(64, 'a'), dir_.path() / "no-such.zip");
    ADD_FAILURE() << "extracted";
  } catch (const ApiError& e) {
    EXPECT_EQ(std::string(e.what()).find(dir_.path().string()), std::string::npos) << e.what();
  }
}

TEST_F(ExtractionTest, TheLimitCountsTheBytesWritten) {
  // Honest sizes, over a 1 MB limit: the extraction stops at the limit.
  const fs::path zip = write_zip("big.zip", zip_of({zeros("a", 600'000), zeros("b", 600'000)}));
  const fs::path target = dir_.path() / "task";
  try {
    extract_zip(zip, target, 1'000'000);
    ADD_FAILURE() << "extracted";
  } catch (const ZipError& e) {
    EXPECT_EQ(e.kind(), ZipError::Kind::TooLarge);
  }
  EXPECT_LE(bytes_under(target), 1'000'000u);
  // A size that lies: the entry stops one byte past what it declared.
  std::string liar = zip_of({zeros("big", 50'000'000)});
  test::set_declared_size(liar, "big", 1000);
  const fs::path target2 = dir_.path() / "task2";
  EXPECT_THROW(extract_zip(write_zip("liar.zip", liar), target2), ZipError);
  EXPECT_LE(bytes_under(target2), 1001u);
}

}  // namespace
}  // namespace ld::local
