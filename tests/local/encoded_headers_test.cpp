// Header values clients send percent-encoded: x-amz-copy-source (CopyObject, UploadPartCopy) and
// x-amz-tagging (PutObject). The listener (cpp-httplib 0.11) percent-decodes every header value,
// while the client signed the encoded one: the signature still verifies, and the key or tags are
// decoded once, not twice. Through the project's client and the real AWS CLI.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "aws/services/s3.hpp"
#include "aws/sigv4.hpp"
#include "core/encoding.hpp"
#include "core/time.hpp"
#include "local/sent_headers.hpp"
#include "local/services/s3.hpp"
#include "served_service.hpp"
#include "support/signed_request.hpp"
#include "support/temp_dir.hpp"

namespace ld::local::test {
namespace {

using nlohmann::json;

std::shared_ptr<Service> make_s3(const State& state) {
  return std::make_shared<S3Service>(state);
}

// The keys SDKs must encode: a space, '+', '%', a literal "%41", '?', '&', '=', non-ASCII.
const std::vector<std::string> kAwkwardKeys = {"a key+%.txt", "dir/100%41 done", "q?x=1&y=2",
                                               "d\xC3\xA9j\xC3\xA0 vu/\xE2\x82\xAC.txt"};

// bucket/key encoded as botocore does: quote(bucket/key, safe='/~').
std::string sdk_copy_source(const std::string& bucket, const std::string& key) {
  return uri_encode(bucket + "/" + key, true);
}

TEST(SentHeaders, CopySourceFormsHoldTheSdkEncoding) {
  const auto forms = copy_source_forms("b/a key+%.txt");
  EXPECT_EQ(forms.front(), "b/a key+%.txt");
  EXPECT_NE(std::find(forms.begin(), forms.end(), "b/a%20key%2B%25.txt"), forms.end());
  EXPECT_NE(std::find(forms.begin(), forms.end(), "b/a%20key+%25.txt"), forms.end());  // Go
  const auto versioned = copy_source_forms("b/a b?versionId=v1");
  EXPECT_NE(std::find(versioned.begin(), versioned.end(), "b/a%20b?versionId=v1"), versioned.end());
  const auto tags = tagging_forms("k 1=a+b&n=50%");
  EXPECT_NE(std::find(tags.begin(), tags.end(), "k%201=a+b&n=50%25"), tags.end());
  EXPECT_NE(std::find(tags.begin(), tags.end(), "k%201=a%2Bb&n=50%25"), tags.end());
}

// The listener hands over "src/a key+%.txt" for the "src/a%20key%2B%25.txt" the client signed:
// verified as received the signature fails (the bug), verified as sent it holds.
TEST(SentHeaders, TheSignatureCoversTheEncodedValue) {
  HttpRequest request;
  request.method = "PUT";
  request.host = "127.0.0.1";
  request.port = 4566;
  request.path = "/dst/copy";
  request.headers.set("x-amz-copy-source", "src/a%20key%2B%25.txt");
  request.headers.set("x-amz-tagging", "team=data%20eng&share=50%25");
  ld::test::sign_with_test_key(request, "s3");
  request.headers.set("x-amz-copy-source", "src/a key+%.txt");  // as cpp-httplib decodes it
  request.headers.set("x-amz-tagging", "team=data eng&share=50%");
  auto secret = [](std::string_view) { return std::optional<std::string>("test"); };
  EXPECT_EQ(aws::verify_request(request, secret, system_now()).failure,
            aws::AuthFailure::SignatureMismatch);
  EXPECT_TRUE(verify_as_sent(request, secret, system_now()).ok);
  // A value that no SDK form explains still fails.
  request.headers.set("x-amz-copy-source", "src/other key");
  EXPECT_EQ(verify_as_sent(request, secret, system_now()).failure,
            aws::AuthFailure::SignatureMismatch);
}

TEST(EncodedHeaders, CopyObjectOfAwkwardKeysThroughTheClient) {
  ld::test::TempDir dir("encoded");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  s3.create_bucket({{"Bucket", "src"}});
  s3.create_bucket({{"Bucket", "dst"}});
  for (const std::string& key : kAwkwardKeys) {
    SCOPED_TRACE(key);
    s3.put_object({{"Bucket", "src"}, {"Key", key}}, "bytes of " + key);
    const std::string error = error_of([&] {
      s3.copy_object(
          {{"Bucket", "dst"}, {"Key", key}, {"CopySource", sdk_copy_source("src", key)}});
    });
    ASSERT_EQ(error, "");
    EXPECT_EQ(s3.get_object({{"Bucket", "dst"}, {"Key", key}}).body, "bytes of " + key);
  }
  // A '?versionId=' suffix is not part of the key.
  EXPECT_EQ(
      error_of([&] {
        s3.copy_object({{"Bucket", "dst"},
                        {"Key", "versioned"},
                        {"CopySource", sdk_copy_source("src", "a key+%.txt") + "?versionId=null"}});
      }),
      "");
  EXPECT_EQ(s3.get_object({{"Bucket", "dst"}, {"Key", "versioned"}}).body, "bytes of a key+%.txt");
}

TEST(EncodedHeaders, UploadPartCopyOfAnAwkwardKey) {
  ld::test::TempDir dir("encoded");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  s3.create_bucket({{"Bucket", "src"}});
  const std::string key = kAwkwardKeys[0];
  s3.put_object({{"Bucket", "src"}, {"Key", key}}, "part bytes");
  const std::string upload =
      s3.create_multipart_upload({{"Bucket", "src"}, {"Key", "joined"}})["UploadId"];
  json part;
  const std::string error = error_of([&] {
    part = s3.upload_part_copy({{"Bucket", "src"},
                                {"Key", "joined"},
                                {"CopySource", sdk_copy_source("src", key)},
                                {"PartNumber", 1},
                                {"UploadId", upload}})["CopyPartResult"];
  });
  ASSERT_EQ(error, "");
  EXPECT_TRUE(part.contains("ETag")) << part;
}

TEST(EncodedHeaders, PutObjectTaggingHeaderIsSignedEncodedAndStoredDecoded) {
  ld::test::TempDir dir("encoded");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  s3.create_bucket({{"Bucket", "tags"}});
  // As the Java SDK and urlencode() send it: '%'-escapes, a space as %20 or '+'.
  const std::string error = error_of([&] {
    s3.put_object({{"Bucket", "tags"},
                   {"Key", "t"},
                   {"Tagging", "team=data%20eng&share=50%25&city=S%C3%A3o+Paulo"}},
                  "x");
  });
  ASSERT_EQ(error, "");
  const json tags = s3.get_object_tagging({{"Bucket", "tags"}, {"Key", "t"}});
  EXPECT_EQ(tags["TagSet"], json::parse(R"({"Tag": [{"Key": "team", "Value": "data eng"},
                                                    {"Key": "share", "Value": "50%"},
                                                    {"Key": "city", "Value": "S\u00e3o Paulo"}]})"))
      << tags.dump();
}

TEST(EncodedHeaders, TheAwsCliCopiesAnAwkwardKey) {
  if (!ld::test::aws_cli_available())
    GTEST_SKIP() << "/usr/bin/aws (Debian's awscli) is not installed";
  ld::test::TempDir dir("encoded");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  s3.create_bucket({{"Bucket", "src"}});
  for (const std::string& key : kAwkwardKeys) {
    SCOPED_TRACE(key);
    s3.put_object({{"Bucket", "src"}, {"Key", key}}, "cli " + key);
    CliRun copied = served.aws({"s3api", "copy-object", "--bucket", "src", "--key",
                                "copy of " + key, "--copy-source", "src/" + key});
    ASSERT_EQ(copied.exit_code, 0) << copied.err;
    EXPECT_EQ(s3.get_object({{"Bucket", "src"}, {"Key", "copy of " + key}}).body, "cli " + key);
  }
  CliRun multipart =
      served.aws({"s3api", "create-multipart-upload", "--bucket", "src", "--key", "joined"});
  ASSERT_EQ(multipart.exit_code, 0) << multipart.err;
  CliRun part = served.aws({"s3api", "upload-part-copy", "--bucket", "src", "--key", "joined",
                            "--copy-source", "src/" + kAwkwardKeys[0], "--part-number", "1",
                            "--upload-id", multipart.json()["UploadId"]});
  ASSERT_EQ(part.exit_code, 0) << part.err;
  // The CLI sends --tagging as given: the caller encodes it.
  CliRun tagged = served.aws({"s3api", "put-object", "--bucket", "src", "--key", "tagged",
                              "--tagging", "team=data%20eng&share=50%25"});
  ASSERT_EQ(tagged.exit_code, 0) << tagged.err;
  CliRun tags = served.aws({"s3api", "get-object-tagging", "--bucket", "src", "--key", "tagged"});
  ASSERT_EQ(tags.exit_code, 0) << tags.err;
  EXPECT_EQ(tags.json()["TagSet"],
            json::parse(R"([{"Key":"team","Value":"data eng"},{"Key":"share","Value":"50%"}])"));
}

}  // namespace
}  // namespace ld::local::test
