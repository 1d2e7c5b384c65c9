// S3 on the local endpoint: the project's client, direct calls and the AWS CLI against a served
// S3Service.
#include "local/services/s3.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "aws/error.hpp"
#include "aws/services/s3.hpp"
#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "served_service.hpp"
#include "support/temp_dir.hpp"

namespace ld::local::test {
namespace {

using nlohmann::json;

std::shared_ptr<Service> make_s3(const State& state) {
  return std::make_shared<S3Service>(state);
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const aws::AwsError& e) {
    return e.code() + " " + std::to_string(e.http_status());
  }
  return "no error";
}

std::string md5_hex(std::string_view bytes) {
  const auto digest = md5(bytes);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

TEST(S3Service, ObjectRoundTripThroughTheProjectClient) {
  ld::test::TempDir dir("s3");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  EXPECT_FALSE(s3.bucket_exists("code"));
  s3.create_bucket({{"Bucket", "code"}});
  EXPECT_TRUE(s3.bucket_exists("code"));

  const std::string body = "hello, local s3";
  json put = s3.put_object({{"Bucket", "code"},
                            {"Key", "dir/hello world.txt"},
                            {"ContentType", "text/plain"},
                            {"Metadata", {{"owner", "digest"}}}},
                           body);
  EXPECT_EQ(put["ETag"], "\"" + md5_hex(body) + "\"");

  json head = s3.head_object({{"Bucket", "code"}, {"Key", "dir/hello world.txt"}});
  EXPECT_EQ(head["ContentLength"], body.size());
  EXPECT_EQ(head["ETag"], put["ETag"]);
  EXPECT_EQ(head["ContentType"], "text/plain");
  EXPECT_EQ(head["Metadata"]["owner"], "digest");
  EXPECT_TRUE(head["LastModified"].get<std::string>().ends_with("GMT"));

  aws::Result got = s3.get_object({{"Bucket", "code"}, {"Key", "dir/hello world.txt"}});
  EXPECT_EQ(got.body, body);
  aws::Result part =
      s3.get_object({{"Bucket", "code"}, {"Key", "dir/hello world.txt"}, {"Range", "bytes=7-11"}});
  EXPECT_EQ(part.body, "local");
  EXPECT_EQ(part.output["ContentRange"], "bytes 7-11/15");
  // The code is InvalidRange; the listener (cpp-httplib) cuts the error body to the Range too,
  // so only the status reaches the client intact.
  EXPECT_TRUE(
      error_of([&] {
        s3.get_object({{"Bucket", "code"}, {"Key", "dir/hello world.txt"}, {"Range", "bytes=99-"}});
      }).ends_with(" 416"));

  s3.delete_object({{"Bucket", "code"}, {"Key", "dir/hello world.txt"}});
  EXPECT_EQ(error_of([&] {
              s3.get_object({{"Bucket", "code"}, {"Key", "dir/hello world.txt"}});
            }),
            "NoSuchKey 404");
  EXPECT_EQ(error_of([&] {
              s3.head_object({{"Bucket", "code"}, {"Key", "nothing"}});
            }),
            "NotFound 404");
  EXPECT_EQ(error_of([&] {
              s3.get_object({{"Bucket", "absent"}, {"Key", "k"}});
            }),
            "NoSuchBucket 404");
}

TEST(S3Service, PutObjectFileIsVerifiedAndFoundBySha256) {
  ld::test::TempDir dir("s3");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  s3.create_bucket({{"Bucket", "layers"}});
  const std::string bytes(300000, 'z');
  const auto file = dir.write("layer.zip", bytes);
  s3.put_object_file("layers", "layer.zip", file);
  const std::string sha = sha256_hex(bytes);
  EXPECT_TRUE(s3.object_exists_with_sha256("layers", "layer.zip", sha));
  EXPECT_FALSE(s3.object_exists_with_sha256("layers", "layer.zip", sha256_hex("other")));
  EXPECT_FALSE(s3.object_exists_with_sha256("layers", "missing.zip", sha));
  EXPECT_EQ(s3.get_object({{"Bucket", "layers"}, {"Key", "layer.zip"}}).body, bytes);
}

TEST(S3Service, BadDigestsAreRefused) {
  ld::test::TempDir dir("s3");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  s3.create_bucket({{"Bucket", "digests"}});
  const std::string wrong_md5 = base64_encode(std::string(16, 'x'));
  EXPECT_EQ(
      error_of([&] {
        s3.put_object({{"Bucket", "digests"}, {"Key", "k"}, {"ContentMD5", wrong_md5}}, "data");
      }),
      "BadDigest 400");
  EXPECT_EQ(error_of([&] {
              s3.put_object({{"Bucket", "digests"}, {"Key", "k"}, {"ContentMD5", "nope"}}, "data");
            }),
            "InvalidDigest 400");
  const std::string wrong_sha = base64_encode(as_chars(sha256("other")));
  try {
    s3.put_object({{"Bucket", "digests"}, {"Key", "k"}, {"ChecksumSHA256", wrong_sha}}, "data");
    ADD_FAILURE() << "a wrong x-amz-checksum-sha256 was accepted";
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.code(), "BadDigest");
    EXPECT_EQ(e.message(), "The SHA256 you specified did not match the calculated checksum.");
  }
  EXPECT_EQ(error_of([&] {
              s3.head_object({{"Bucket", "digests"}, {"Key", "k"}});
            }),
            "NotFound 404");
  const std::string right_md5 = [] {
    const auto d = md5("data");
    return base64_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
  }();
  s3.put_object({{"Bucket", "digests"},
                 {"Key", "k"},
                 {"ContentMD5", right_md5},
                 {"ChecksumSHA256", base64_encode(as_chars(sha256("data")))}},
                "data");
  EXPECT_EQ(s3.get_object({{"Bucket", "digests"}, {"Key", "k"}}).body, "data");
}

TEST(S3Service, BucketRules) {
  ld::test::TempDir dir("s3");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  EXPECT_EQ(error_of([&] { s3.create_bucket({{"Bucket", "Bad_Name"}}); }), "InvalidBucketName 400");
  EXPECT_EQ(error_of([&] { s3.create_bucket({{"Bucket", "ab"}}); }), "InvalidBucketName 400");
  s3.create_bucket({{"Bucket", "full"}});
  s3.create_bucket({{"Bucket", "full"}});  // us-east-1: the owner's repeat is a 200
  s3.put_object({{"Bucket", "full"}, {"Key", "x"}}, "x");
  const aws::Client& client = s3.client();
  auto delete_bucket = [&] {
    aws::Operation op{.name = "DeleteBucket",
                      .method = "DELETE",
                      .uri = "/{Bucket}",
                      .input = {{"Bucket", aws::Location::Uri, "Bucket"}},
                      .output = {},
                      .success_status = 204};
    client.call(op, aws::Call{.input = {{"Bucket", "full"}}});
  };
  EXPECT_EQ(error_of(delete_bucket), "BucketNotEmpty 409");
  s3.delete_object({{"Bucket", "full"}, {"Key", "x"}});
  delete_bucket();
  EXPECT_FALSE(s3.bucket_exists("full"));

  aws::S3Client oregon(served.config("us-west-2"));
  oregon.create_bucket({{"Bucket", "west"}});
  EXPECT_EQ(error_of([&] {
              oregon.create_bucket({{"Bucket", "west"}});
            }),
            "BucketAlreadyOwnedByYou 409");
}

TEST(S3Service, ListingWithPrefixDelimiterAndPages) {
  ld::test::TempDir dir("s3");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  s3.create_bucket({{"Bucket", "list"}});
  for (const char* key : {"a/1", "a/2", "a/b/3", "c/4", "d", "e", "f"})
    s3.put_object({{"Bucket", "list"}, {"Key", key}}, key);
  json page = s3.list_objects_v2({{"Bucket", "list"}, {"MaxKeys", 3}});
  EXPECT_EQ(page["KeyCount"], 3);
  EXPECT_EQ(page["IsTruncated"], true);
  ASSERT_TRUE(page.contains("NextContinuationToken"));
  json next = s3.list_objects_v2(
      {{"Bucket", "list"}, {"MaxKeys", 3}, {"ContinuationToken", page["NextContinuationToken"]}});
  EXPECT_EQ(next["Contents"][0]["Key"], "c/4");

  json folders = s3.list_objects_v2({{"Bucket", "list"}, {"Delimiter", "/"}, {"MaxKeys", 2}});
  ASSERT_EQ(folders["CommonPrefixes"].size(), 2u);
  EXPECT_EQ(folders["CommonPrefixes"][0]["Prefix"], "a/");
  EXPECT_EQ(folders["CommonPrefixes"][1]["Prefix"], "c/");
  EXPECT_EQ(folders["IsTruncated"], true);

  json all = s3.list_all_objects("list", "", "/");
  EXPECT_EQ(all["CommonPrefixes"].size(), 2u);
  EXPECT_EQ(all["Contents"].size(), 3u);
  json under_a = s3.list_all_objects("list", "a/", "/");
  EXPECT_EQ(under_a["Contents"].size(), 2u);
  ASSERT_EQ(under_a["CommonPrefixes"].size(), 1u);
  EXPECT_EQ(under_a["CommonPrefixes"][0]["Prefix"], "a/b/");
  json after = s3.list_objects_v2({{"Bucket", "list"}, {"StartAfter", "d"}});
  ASSERT_EQ(after["Contents"].size(), 2u);
  EXPECT_EQ(after["Contents"][0]["Key"], "e");
  EXPECT_EQ(after["Contents"][0]["Size"], 1);
}

TEST(S3Service, VirtualHostedRequestsNameTheBucketInTheHost) {
  ld::test::TempDir dir("s3");
  State state = State::open(dir.path());
  S3Service s3(state);
  auto call = [&](const std::string& method, const std::string& host, const std::string& path,
                  const std::string& body = "") {
    HttpRequest http;
    http.method = method;
    http.host = host;
    http.path = path;
    http.body = body;
    ApiCall api;
    api.service = "s3";
    api.http = &http;
    api.caller = Caller{"test", "000000000000", "arn:aws:iam::000000000000:root", "us-east-1"};
    api.now = system_now();
    return s3.call(api);
  };
  call("PUT", "photos.s3.localhost", "/");
  call("PUT", "photos.s3.localhost", "/2024/a%20b.jpg", "jpeg");
  EXPECT_EQ(call("GET", "127.0.0.1", "/photos/2024/a%20b.jpg").raw_body, "jpeg");
  try {
    call("GET", "photos.s3.localhost", "/missing");
    ADD_FAILURE() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "NoSuchKey");
    EXPECT_EQ(e.extra["Key"], "missing");
  }
  // aws-chunked framing is removed before storing.
  HttpRequest chunked;
  chunked.method = "PUT";
  chunked.host = "photos.s3.localhost";
  chunked.path = "/chunked";
  chunked.headers.set("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  chunked.headers.set("Content-Encoding", "aws-chunked");
  chunked.headers.set("x-amz-decoded-content-length", "11");
  chunked.body = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-sha256:" +
                 base64_encode(as_chars(sha256("hello world"))) + "\r\n\r\n";
  ApiCall api;
  api.http = &chunked;
  api.caller = Caller{"test", "000000000000", "arn:aws:iam::000000000000:root", "us-east-1"};
  api.now = system_now();
  s3.call(api);
  EXPECT_EQ(call("GET", "photos.s3.localhost", "/chunked").raw_body, "hello world");
}

// Calls the service directly (no listener), path-style on 127.0.0.1.
class DirectS3 {
 public:
  explicit DirectS3(const std::filesystem::path& dir) : state_(State::open(dir)), s3_(state_) {}
  ApiReply call(const std::string& method, const std::string& path, QueryParams query = {},
                const std::string& body = "") {
    HttpRequest http;
    http.method = method;
    http.host = "127.0.0.1";
    http.path = path;
    http.query = std::move(query);
    http.body = body;
    ApiCall api;
    api.service = "s3";
    api.http = &http;
    api.caller = Caller{"test", "000000000000", "arn:aws:iam::000000000000:root", "us-east-1"};
    api.now = system_now();
    return s3_.call(api);
  }
  std::string error_code(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const ApiError& e) {
      return e.code() + " " + std::to_string(e.status());
    }
    return "no error";
  }

 private:
  State state_;
  S3Service s3_;
};

std::string xml_value(const std::string& xml, const std::string& element) {
  const auto start = xml.find("<" + element + ">");
  const auto end = xml.find("</" + element + ">");
  if (start == std::string::npos || end == std::string::npos) return {};
  return xml.substr(start + element.size() + 2, end - start - element.size() - 2);
}

TEST(S3Service, MultipartUploadRules) {
  ld::test::TempDir dir("s3");
  DirectS3 s3(dir.path());
  s3.call("PUT", "/mpu");
  const std::string created = *s3.call("POST", "/mpu/obj", {{"uploads", ""}}).raw_body;
  const std::string upload = xml_value(created, "UploadId");
  ASSERT_FALSE(upload.empty()) << created;
  const std::string big(5 * 1024 * 1024, 'a');
  const std::string etag1 =
      *s3.call("PUT", "/mpu/obj", {{"partNumber", "1"}, {"uploadId", upload}}, big)
           .headers.get("ETag");
  const std::string etag2 =
      *s3.call("PUT", "/mpu/obj", {{"partNumber", "2"}, {"uploadId", upload}}, "tail")
           .headers.get("ETag");
  auto complete = [&](const std::string& parts) {
    return s3.call("POST", "/mpu/obj", {{"uploadId", upload}},
                   "<CompleteMultipartUpload>" + parts + "</CompleteMultipartUpload>");
  };
  auto part = [](int n, const std::string& etag) {
    return "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>" + etag +
           "</ETag></Part>";
  };
  EXPECT_EQ(s3.error_code([&] { complete(part(2, etag2) + part(1, etag1)); }),
            "InvalidPartOrder 400");
  EXPECT_EQ(s3.error_code([&] { complete(part(1, etag2)); }), "InvalidPart 400");
  EXPECT_EQ(s3.error_code([&] { s3.call("DELETE", "/mpu"); }), "BucketNotEmpty 409");
  const std::string done = *complete(part(1, etag1) + part(2, etag2)).raw_body;
  EXPECT_TRUE(xml_value(done, "ETag").ends_with("-2\"")) << done;
  EXPECT_EQ(s3.call("GET", "/mpu/obj").raw_body->size(), big.size() + 4);
  EXPECT_EQ(s3.error_code([&] { complete(part(1, etag1)); }), "NoSuchUpload 404");

  const std::string second =
      xml_value(*s3.call("POST", "/mpu/small", {{"uploads", ""}}).raw_body, "UploadId");
  const std::string small1 =
      *s3.call("PUT", "/mpu/small", {{"partNumber", "1"}, {"uploadId", second}}, "a")
           .headers.get("ETag");
  const std::string small2 =
      *s3.call("PUT", "/mpu/small", {{"partNumber", "2"}, {"uploadId", second}}, "b")
           .headers.get("ETag");
  EXPECT_EQ(s3.error_code([&] {
    s3.call("POST", "/mpu/small", {{"uploadId", second}},
            "<CompleteMultipartUpload>" + part(1, small1) + part(2, small2) +
                "</CompleteMultipartUpload>");
  }),
            "EntityTooSmall 400");
  EXPECT_EQ(s3.call("DELETE", "/mpu/small", {{"uploadId", second}}).status, 204);
  EXPECT_EQ(s3.error_code([&] {
    s3.call("DELETE", "/mpu/small", {{"uploadId", second}});
  }),
            "NoSuchUpload 404");
  const std::string buckets = *s3.call("GET", "/").raw_body;
  EXPECT_NE(buckets.find("<Bucket><Name>mpu</Name>"), std::string::npos) << buckets;
}

TEST(S3Service, ObjectsSurviveReopeningTheState) {
  ld::test::TempDir dir("s3");
  {
    ServedService served(dir.path(), make_s3);
    aws::S3Client s3(served.config());
    s3.create_bucket({{"Bucket", "kept"}});
    s3.put_object({{"Bucket", "kept"}, {"Key", "k"}, {"Metadata", {{"sha256", "abc"}}}}, "bytes");
  }
  ServedService reopened(dir.path(), make_s3);
  aws::S3Client s3(reopened.config());
  EXPECT_TRUE(s3.bucket_exists("kept"));
  EXPECT_EQ(s3.get_object({{"Bucket", "kept"}, {"Key", "k"}}).body, "bytes");
  EXPECT_TRUE(s3.object_exists_with_sha256("kept", "k", "ABC"));
}

TEST(S3Service, AwsCliApiCallsAndLargeCopy) {
  ld::test::TempDir dir("s3");
  ServedService served(dir.path(), make_s3);
  CliRun create = served.aws({"s3api", "create-bucket", "--bucket", "cli"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  const auto small = dir.write("small.txt", "small body");
  CliRun put = served.aws({"s3api", "put-object", "--bucket", "cli", "--key", "docs/small.txt",
                           "--body", small.string(), "--metadata", "team=digest"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_EQ(json::parse(put.out)["ETag"], "\"" + md5_hex("small body") + "\"");
  CliRun head = served.aws({"s3api", "head-object", "--bucket", "cli", "--key", "docs/small.txt"});
  ASSERT_EQ(head.exit_code, 0) << head.err;
  json head_out = json::parse(head.out);
  EXPECT_EQ(head_out["ContentLength"], 10);
  EXPECT_EQ(head_out["Metadata"]["team"], "digest");

  // ~10 MB: the CLI uploads it in parts and downloads it in ranges.
  std::string big(10 * 1024 * 1024 + 12345, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) % 251);
  const auto big_file = dir.write("big.bin", big);
  CliRun up = served.aws({"s3", "cp", big_file.string(), "s3://cli/big.bin"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const auto back = dir.path() / "back.bin";
  CliRun down = served.aws({"s3", "cp", "s3://cli/big.bin", back.string()});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(sha256_file(back), sha256_file(big_file));

  CliRun buckets = served.aws({"s3api", "list-buckets"});
  ASSERT_EQ(buckets.exit_code, 0) << buckets.err;
  EXPECT_EQ(json::parse(buckets.out)["Buckets"][0]["Name"], "cli");
  CliRun ls = served.aws({"s3", "ls", "s3://cli/docs/"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find(" 10 small.txt"), std::string::npos) << ls.out;
  CliRun list = served.aws({"s3api", "list-objects-v2", "--bucket", "cli", "--no-paginate"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  json listed = json::parse(list.out);
  ASSERT_EQ(listed["Contents"].size(), 2u);
  EXPECT_EQ(listed["Contents"][0]["Key"], "big.bin");
  EXPECT_EQ(listed["Contents"][0]["Size"], big.size());
  EXPECT_TRUE(listed["Contents"][0]["ETag"].get<std::string>().ends_with("-2\""));
  EXPECT_EQ(listed["KeyCount"], 2);
}

}  // namespace
}  // namespace ld::local::test
