// Hostile input at the local endpoint's front door (issue 11), end to end on loopback: input that
// nests without bound (query keys, JSON bodies, S3's XML bodies) is refused with the protocol's
// malformed-request error and the endpoint keeps answering; a text/plain POST (what any web page
// may send) reaches no service; a signature over UNSIGNED-PAYLOAD covers no body but S3's.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "aws/sigv4.hpp"
#include "core/transport.hpp"
#include "local/endpoint.hpp"
#include "support/signed_request.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

// An endpoint with every service on a free port, its state in a temp dir.
class RunningEndpoint {
 public:
  RunningEndpoint() : dir_("hostile-input") {
    EndpointOptions options;
    options.server.port = 0;
    options.data_dir = dir_.path() / "data";
    endpoint_ = std::make_unique<Endpoint>(options);
    endpoint_->start();
  }

  // A request to the endpoint, not yet signed.
  HttpRequest request(std::string method, std::string path) const {
    HttpRequest r;
    r.method = std::move(method);
    r.scheme = "http";
    r.host = "127.0.0.1";
    r.port = endpoint_->port();
    r.path = std::move(path);
    return r;
  }

  HttpResponse send(const HttpRequest& r) const { return transport_->send(r); }

  // Whether the health route still answers (the endpoint did not die on what came before).
  bool answers() const { return send(request("GET", "/_lambdeploy/health")).status == 200; }

 private:
  test::TempDir dir_;
  std::unique_ptr<Endpoint> endpoint_;
  std::shared_ptr<Transport> transport_ = make_socket_transport();
};

// Signs `r` in place with the default key (test / test) for `service`; S3's rules for "s3".
void sign(HttpRequest& r, const std::string& service, bool unsigned_payload = false) {
  ld::test::sign_with_test_key(r, service, unsigned_payload);
}

// "a.a.a.….b": a query-protocol key `levels` members deep.
std::string deep_key(int levels) {
  std::string key;
  for (int i = 0; i < levels; ++i) key += "a.";
  return key + "b";
}

// `levels` JSON arrays, one inside the other.
std::string deep_array(int levels) {
  return std::string(static_cast<std::size_t>(levels), '[') +
         std::string(static_cast<std::size_t>(levels), ']');
}

// The Code of a query or S3 XML error body ("" when there is none).
std::string xml_code(const std::string& body) {
  pugi::xml_document document;
  document.load_buffer(body.data(), body.size());
  pugi::xml_node root = document.document_element();
  pugi::xml_node error = root.child("Error") ? root.child("Error") : root;
  return error.child_value("Code");
}

// The __type of a json-protocol error body.
std::string json_type(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  return parsed.is_object() ? parsed.value("__type", std::string()) : std::string();
}

// An IAM ListRoles form body whose last parameter nests 10,000 levels.
std::string deep_list_roles_form() {
  return "Action=ListRoles&Version=2010-05-08&" + deep_key(10000) + "=1";
}

// An SSM call signed for the json 1.1 protocol.
HttpRequest ssm_call(const RunningEndpoint& endpoint, const std::string& operation,
                     std::string body) {
  HttpRequest r = endpoint.request("POST", "/");
  r.headers.set("Content-Type", "application/x-amz-json-1.1");
  r.headers.set("X-Amz-Target", "AmazonSSM." + operation);
  r.body = std::move(body);
  return r;
}

// --- Query forms --------------------------------------------------------------------------------

TEST(HostileInput, AnUnsignedTextPlainFormReachesNoService) {
  RunningEndpoint endpoint;
  for (const std::string& body :
       {deep_list_roles_form(),
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&" + deep_key(10000) + "=1",
        std::string("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=s"
                    "&RoleArn=arn:aws:iam::000000000000:role/r&WebIdentityToken=e30.e30.")}) {
    HttpRequest r = endpoint.request("POST", "/");
    r.headers.set("Content-Type", "text/plain");
    r.body = body;
    HttpResponse answer = endpoint.send(r);
    EXPECT_EQ(answer.status, 400) << answer.body;
    EXPECT_EQ(answer.headers.get("X-Amzn-ErrorType"), "UnrecognizedServiceException")
        << answer.body;
    EXPECT_EQ(answer.body.find("Credentials"), std::string::npos) << answer.body;
    ASSERT_TRUE(endpoint.answers());
  }
}

TEST(HostileInput, AnUnsignedWebIdentityFormNestedTooDeepIsRefused) {
  RunningEndpoint endpoint;
  HttpRequest r = endpoint.request("POST", "/");
  r.headers.set("Content-Type", "application/x-www-form-urlencoded");
  r.body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&" + deep_key(10000) + "=1";
  HttpResponse answer = endpoint.send(r);
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(xml_code(answer.body), "InvalidQueryParameter") << answer.body;
  EXPECT_TRUE(endpoint.answers());
}

TEST(HostileInput, ASignedQueryCallNestedTooDeepIsInvalidQueryParameter) {
  RunningEndpoint endpoint;
  HttpRequest r = endpoint.request("POST", "/");
  r.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  r.body = deep_list_roles_form();
  sign(r, "iam");
  HttpResponse answer = endpoint.send(r);
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(xml_code(answer.body), "InvalidQueryParameter") << answer.body;
  EXPECT_TRUE(endpoint.answers());
}

TEST(HostileInput, ASignedQueryCallWithoutAFormContentTypeHasNoAction) {
  RunningEndpoint endpoint;
  HttpRequest r = endpoint.request("POST", "/");
  r.headers.set("Content-Type", "text/plain");
  r.body = "Action=ListRoles&Version=2010-05-08";
  sign(r, "iam");
  HttpResponse answer = endpoint.send(r);
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(xml_code(answer.body), "MissingAction") << answer.body;

  // The same call as a form is answered.
  HttpRequest form = endpoint.request("POST", "/");
  form.headers.set("Content-Type", "Application/X-WWW-Form-Urlencoded ; Charset=UTF-8");
  form.body = "Action=ListRoles&Version=2010-05-08";
  sign(form, "iam");
  HttpResponse listed = endpoint.send(form);
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find("<ListRolesResponse"), std::string::npos) << listed.body;
}

// --- JSON bodies --------------------------------------------------------------------------------

TEST(HostileInput, AnSsmCallNestedTooDeepIsASerializationException) {
  RunningEndpoint endpoint;
  HttpRequest r = ssm_call(endpoint, "GetParameters", R"({"Names":)" + deep_array(100000) + "}");
  sign(r, "ssm");
  HttpResponse answer = endpoint.send(r);
  EXPECT_EQ(answer.status, 400) << answer.body.substr(0, 200);
  EXPECT_EQ(json_type(answer.body), "SerializationException") << answer.body.substr(0, 200);
  ASSERT_TRUE(endpoint.answers());

  // Nesting that real calls use is still read (and judged by the service).
  HttpRequest shallow = ssm_call(endpoint, "GetParameters", R"({"Names":[["/a"]]})");
  sign(shallow, "ssm");
  HttpResponse judged = endpoint.send(shallow);
  EXPECT_NE(json_type(judged.body), "SerializationException") << judged.body;
}

TEST(HostileInput, ALambdaBodyNestedTooDeepIsASerializationException) {
  RunningEndpoint endpoint;
  HttpRequest r = endpoint.request("POST", "/2015-03-31/functions");
  r.headers.set("Content-Type", "application/json");
  r.body = R"({"FunctionName":"f","Environment":{"Variables":)" + deep_array(100000) + "}}";
  sign(r, "lambda");
  HttpResponse answer = endpoint.send(r);
  EXPECT_EQ(answer.status, 400) << answer.body.substr(0, 200);
  EXPECT_EQ(answer.headers.get("X-Amzn-ErrorType"), "SerializationException");
  EXPECT_TRUE(endpoint.answers());
}

// --- S3's XML bodies ----------------------------------------------------------------------------

TEST(HostileInput, AnS3XmlBodyNestedTooDeepIsMalformedXmlButObjectDataIsNot) {
  RunningEndpoint endpoint;
  HttpRequest create = endpoint.request("PUT", "/deep-bucket");
  sign(create, "s3");
  ASSERT_EQ(endpoint.send(create).status, 200);

  std::string deep = "<Delete>";
  for (int i = 0; i < 10000; ++i) deep += "<Object>";
  for (int i = 0; i < 10000; ++i) deep += "</Object>";
  deep += "</Delete>";
  HttpRequest remove = endpoint.request("POST", "/deep-bucket");
  remove.query = {{"delete", ""}};
  remove.body = deep;
  sign(remove, "s3");
  HttpResponse refused = endpoint.send(remove);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(xml_code(refused.body), "MalformedXML") << refused.body;

  // The same bytes as an object's content are only data.
  HttpRequest put = endpoint.request("PUT", "/deep-bucket/deep.xml");
  put.headers.set("Content-Type", "application/xml");
  put.body = deep;
  sign(put, "s3");
  HttpResponse stored = endpoint.send(put);
  EXPECT_EQ(stored.status, 200) << stored.body;
  EXPECT_TRUE(endpoint.answers());
}

// --- UNSIGNED-PAYLOAD ---------------------------------------------------------------------------

TEST(HostileInput, UnsignedPayloadSignsNoBodyOutsideS3) {
  RunningEndpoint endpoint;
  HttpRequest put =
      ssm_call(endpoint, "PutParameter", R"({"Name":"/app/flag","Value":"off","Type":"String"})");
  sign(put, "ssm", /*unsigned_payload=*/true);
  ASSERT_EQ(put.headers.get("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  HttpResponse as_signed = endpoint.send(put);
  EXPECT_EQ(as_signed.status, 403) << as_signed.body;
  EXPECT_EQ(json_type(as_signed.body), "InvalidSignatureException") << as_signed.body;

  HttpRequest replayed = put;
  replayed.body = R"({"Name":"/app/flag","Value":"on","Type":"String","Overwrite":true})";
  HttpResponse answer = endpoint.send(replayed);
  EXPECT_EQ(answer.status, 403) << answer.body;
  EXPECT_EQ(json_type(answer.body), "InvalidSignatureException") << answer.body;

  HttpRequest get = ssm_call(endpoint, "GetParameter", R"({"Name":"/app/flag"})");
  sign(get, "ssm");
  EXPECT_EQ(json_type(endpoint.send(get).body), "ParameterNotFound");

  // A query service answers SignatureDoesNotMatch.
  HttpRequest iam = endpoint.request("POST", "/");
  iam.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  iam.body = "Action=ListRoles&Version=2010-05-08";
  sign(iam, "iam", /*unsigned_payload=*/true);
  iam.body = "Action=ListRoles&Version=2010-05-08&MaxItems=1";
  HttpResponse iam_answer = endpoint.send(iam);
  EXPECT_EQ(iam_answer.status, 403) << iam_answer.body;
  EXPECT_EQ(xml_code(iam_answer.body), "SignatureDoesNotMatch") << iam_answer.body;
}

TEST(HostileInput, S3StillTakesUnsignedPayload) {
  RunningEndpoint endpoint;
  HttpRequest create = endpoint.request("PUT", "/unsigned-bucket");
  sign(create, "s3");
  ASSERT_EQ(endpoint.send(create).status, 200);
  HttpRequest put = endpoint.request("PUT", "/unsigned-bucket/key");
  put.body = "bytes";
  sign(put, "s3", /*unsigned_payload=*/true);
  put.body = "other bytes";
  HttpResponse stored = endpoint.send(put);
  EXPECT_EQ(stored.status, 200) << stored.body;
}

}  // namespace
}  // namespace ld::local
