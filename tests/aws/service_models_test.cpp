// Checks every operation of the seven service clients against the official API models read in
// place (<conformance>/models/<svc>/service-2.json): HTTP method and URI, every member bound
// outside the body, and a request serialized from the model's required members.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "aws/protocol.hpp"
#include "aws/services/cloudwatch.hpp"
#include "aws/services/iam.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/logs.hpp"
#include "aws/services/s3.hpp"
#include "aws/services/ssm.hpp"
#include "aws/services/sts.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "support/model.hpp"

namespace ld::aws {
namespace {

using nlohmann::json;
using test::ModelMember;
using test::ModelShape;
using test::ServiceModel;

// One client's service: its model folder, its ServiceInfo and its operation table.
struct ServiceUnderTest {
  std::string folder;
  const ServiceInfo* info;
  const std::vector<const Operation*>* operations;
};

const std::vector<ServiceUnderTest>& services() {
  static const std::vector<ServiceUnderTest> all{
      {"lambda", &kLambda, &lambda::operations()},
      {"s3", &kS3, &s3::operations()},
      {"iam", &kIam, &iam::operations()},
      {"sts", &kSts, &sts::operations()},
      {"logs", &kLogs, &logs::operations()},
      {"cloudwatch", &kCloudWatch, &cloudwatch::operations()},
      {"ssm", &kSsm, &ssm::operations()},
  };
  return all;
}

// The operations the briefs list: 28 + 8 + 6 + 3 + 7 + 4 + 5, and issue 12's everyday ones:
// Lambda's 12, Logs and CloudWatch's 11, S3's copies and multipart uploads 5.
constexpr std::size_t kExpectedOperations = 61 + 12 + 11 + 5;

struct OperationCase {
  const ServiceUnderTest* service;
  const Operation* operation;
};

// gtest prints a failing case's parameter with this.
void PrintTo(const OperationCase& c, std::ostream* out) {
  *out << c.service->folder << " " << c.operation->name;
}

std::vector<OperationCase> all_operations() {
  std::vector<OperationCase> cases;
  for (const auto& service : services()) {
    for (const Operation* op : *service.operations) cases.push_back({&service, op});
  }
  return cases;
}

std::string location_text(Location location) {
  switch (location) {
    case Location::Uri:
      return "uri";
    case Location::Query:
      return "querystring";
    case Location::Header:
      return "header";
    case Location::HeaderPrefix:
      return "headers";
    case Location::StatusCode:
      return "statusCode";
    case Location::Payload:
      return "payload";
  }
  return "?";
}

// "member@location=name" for a binding, the same text for a model member, so the two sets can be
// compared as sets and a difference reads plainly.
std::string binding_text(std::string_view member, std::string_view location, std::string name) {
  return std::string(member) + "@" + std::string(location) + "=" + name;
}

// The members of `shape` that travel outside the body (and the payload member), as the model
// says; `output` selects the output locations (headers, status code).
std::set<std::string> model_bindings(const ModelShape& shape, bool output) {
  std::set<std::string> out;
  for (const ModelMember& m : shape.members) {
    const std::string wire = m.location_name.empty() ? m.name : m.location_name;
    if (m.name == shape.payload) {
      out.insert(binding_text(m.name, "payload", m.location_name));
    } else if (m.location == "uri" || m.location == "querystring" || m.location == "header" ||
               m.location == "headers") {
      out.insert(binding_text(m.name, m.location, wire));
    } else if (m.location == "statusCode") {
      out.insert(binding_text(m.name, m.location, ""));
    } else if (!m.location.empty()) {
      ADD_FAILURE() << "model member " << m.name << " has an unknown location " << m.location
                    << (output ? " (output)" : " (input)");
    }
  }
  return out;
}

std::set<std::string> our_bindings(const std::vector<Binding>& bindings) {
  std::set<std::string> out;
  for (const Binding& b : bindings) {
    // Header, query and label bindings may leave the wire name to be the member's name.
    std::string name(b.name);
    if (name.empty() && b.location != Location::Payload && b.location != Location::StatusCode)
      name = b.member;
    if (b.location == Location::StatusCode) name.clear();
    EXPECT_TRUE(out.insert(binding_text(b.member, location_text(b.location), name)).second)
        << "binding of " << b.member << " appears twice";
  }
  return out;
}

// ---- values generated from shapes -------------------------------------------------------------

// A value for a member of `shape`, loosely valid: the first enum value, at least min characters
// or items, 1 (or min) for numbers. Structures get their required members.
json sample_value(const ServiceModel& model, const ModelShape& shape, const std::string& member,
                  int depth);

json sample_structure(const ServiceModel& model, const ModelShape& shape, int depth) {
  json object = json::object();
  if (depth > 6) return object;
  for (const ModelMember& m : shape.members) {
    if (!m.required || m.name == shape.payload) continue;
    object[m.name] = sample_value(model, model.shape(m.shape), m.name, depth + 1);
  }
  return object;
}

json sample_value(const ServiceModel& model, const ModelShape& shape, const std::string& member,
                  int depth) {
  const std::string& t = shape.type;
  if (t == "string") {
    if (!shape.enum_values.empty()) return shape.enum_values.front();
    std::string text = "v" + member;
    while (shape.min && static_cast<long long>(text.size()) < *shape.min) text += "x";
    return text;
  }
  if (t == "integer" || t == "long") return std::max<long long>(shape.min.value_or(1), 1);
  if (t == "boolean") return true;
  if (t == "double" || t == "float") return 1.5;
  if (t == "timestamp") return "2024-01-02T03:04:05Z";
  if (t == "blob") return base64_encode("blob-" + member);
  if (t == "list") {
    json list = json::array();
    const long long count = std::max<long long>(shape.min.value_or(1), 1);
    for (long long i = 0; i < count; ++i)
      list.push_back(sample_value(model, model.shape(shape.member_shape), member, depth + 1));
    return list;
  }
  if (t == "map") {
    return json{{"k1", sample_value(model, model.shape(shape.value_shape), member, depth + 1)}};
  }
  if (t == "structure") return sample_structure(model, shape, depth);
  ADD_FAILURE() << "shape " << shape.name << " has an unknown type " << t;
  return nullptr;
}

// A value as it is written in a URI, query, header or form: text of the scalar.
std::string wire_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

// The form pairs the query protocol makes of `value` under `prefix`, following the model: lists
// as Name.member.N (or Name.N when flattened, or the element's locationName), maps as
// Name.entry.N.key / .value, structures as Name.Member.
void expected_form(const ServiceModel& model, const ModelShape& shape, const std::string& prefix,
                   const json& value, std::vector<std::pair<std::string, std::string>>& out) {
  if (shape.type == "structure") {
    for (const auto& [key, child] : value.items()) {
      const ModelMember* m = shape.member(key);
      ASSERT_NE(m, nullptr) << shape.name << " has no member " << key;
      const std::string name = m->location_name.empty() ? m->name : m->location_name;
      expected_form(model, model.shape(m->shape), prefix.empty() ? name : prefix + "." + name,
                    child, out);
    }
  } else if (shape.type == "list") {
    const std::string element =
        shape.flattened
            ? ""
            : (shape.member_location_name.empty() ? "member." : shape.member_location_name + ".");
    int n = 1;
    for (const json& item : value)
      expected_form(model, model.shape(shape.member_shape),
                    prefix + "." + element + std::to_string(n++), item, out);
  } else if (shape.type == "map") {
    int n = 1;
    for (const auto& [key, child] : value.items()) {
      const std::string entry = prefix + (shape.flattened ? "." : ".entry.") + std::to_string(n++);
      out.emplace_back(entry + ".key", key);
      expected_form(model, model.shape(shape.value_shape), entry + ".value", child, out);
    }
  } else {
    out.emplace_back(prefix, wire_text(value));
  }
}

QueryParams parse_form(std::string_view body) {
  QueryParams pairs;
  for (const std::string& part : split(body, '&')) {
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string::npos)
      pairs.emplace_back(uri_decode(part, true), "");
    else
      pairs.emplace_back(uri_decode(part.substr(0, eq), true),
                         uri_decode(part.substr(eq + 1), true));
  }
  return pairs;
}

bool has_pair(const QueryParams& pairs, const std::string& key, const std::string& value) {
  return std::find(pairs.begin(), pairs.end(), std::make_pair(key, value)) != pairs.end();
}

std::string protocol_name(Protocol p) {
  switch (p) {
    case Protocol::RestJson:
      return "rest-json";
    case Protocol::RestXml:
      return "rest-xml";
    case Protocol::Json:
      return "json";
    case Protocol::Query:
      return "query";
  }
  return "?";
}

// ---- ServiceInfo against the model's metadata -------------------------------------------------

std::string env_style(std::string id, bool upper) {
  for (char& c : id) c = c == ' ' ? '_' : c;
  return upper ? to_upper(id) : to_lower(id);
}

TEST(ServiceInfoMatchesModel, EveryServiceMetadata) {
  for (const auto& service : services()) {
    SCOPED_TRACE(service.folder);
    const ServiceModel& model = test::service_model(service.folder);
    const ServiceInfo& info = *service.info;
    EXPECT_EQ(info.id, model.metadata_string("serviceId"));
    EXPECT_EQ(info.endpoint_prefix, model.metadata_string("endpointPrefix"));
    const std::string signing = model.metadata_string("signingName");
    EXPECT_EQ(info.signing_name,
              signing.empty() ? model.metadata_string("endpointPrefix") : signing);
    EXPECT_EQ(info.api_version, model.metadata_string("apiVersion"));
    EXPECT_EQ(protocol_name(info.protocol), model.metadata_string("protocol"));
    EXPECT_EQ(info.target_prefix, model.metadata_string("targetPrefix"));
    EXPECT_EQ(info.json_version, model.metadata_string("jsonVersion"));
    // Only IAM is one endpoint per partition for the SDKs today (S3 and STS are regional).
    EXPECT_EQ(info.global, service.folder == "iam");
    EXPECT_EQ(info.env_name, env_style(model.metadata_string("serviceId"), true));
    EXPECT_EQ(info.config_key, env_style(model.metadata_string("serviceId"), false));
  }
  EXPECT_EQ(kCloudWatch.endpoint_prefix, "monitoring");
  EXPECT_EQ(kLogs.env_name, "CLOUDWATCH_LOGS");
}

TEST(OperationTables, CountAndNoDuplicates) {
  std::size_t count = 0;
  for (const auto& service : services()) {
    std::set<std::string_view> names;
    for (const Operation* op : *service.operations) {
      EXPECT_TRUE(names.insert(op->name).second)
          << service.folder << " lists " << op->name << " twice";
      ++count;
    }
  }
  std::printf("operation tables: %zu operations in 7 services\n", count);
  EXPECT_EQ(count, kExpectedOperations);
}

// ---- one case per operation --------------------------------------------------------------------

class OperationMatchesModel : public ::testing::TestWithParam<OperationCase> {};

// Checks 1 and 2: the operation exists in the model with our method, URI and status, and our
// bindings are exactly the model's (input: uri, querystring, header, headers, payload; output:
// header, headers, statusCode, payload).
TEST_P(OperationMatchesModel, HttpAndBindings) {
  const auto& [service, op] = GetParam();
  const ServiceModel& model = test::service_model(service->folder);
  const test::ModelOperation* mop = model.operation(op->name);
  ASSERT_NE(mop, nullptr) << service->folder << " model has no operation " << op->name;
  EXPECT_EQ(op->method, mop->method);
  EXPECT_EQ(op->uri, mop->request_uri);
  EXPECT_EQ(op->success_status, mop->response_code);

  const std::set<std::string> model_in = mop->input_shape.empty()
                                             ? std::set<std::string>{}
                                             : model_bindings(model.shape(mop->input_shape), false);
  EXPECT_EQ(our_bindings(op->input), model_in) << "input bindings of " << op->name;
  const std::set<std::string> model_out =
      mop->output_shape.empty() ? std::set<std::string>{}
                                : model_bindings(model.shape(mop->output_shape), true);
  EXPECT_EQ(our_bindings(op->output), model_out) << "output bindings of " << op->name;

  // rest-json sends a JSON object whenever the input has body members or a structure payload.
  bool model_body = false;
  if (!mop->input_shape.empty()) {
    const ModelShape& in = model.shape(mop->input_shape);
    for (const ModelMember& m : in.members) {
      if (m.name == in.payload) {
        model_body = model_body || model.shape(m.shape).type == "structure";
      } else if (m.location.empty()) {
        model_body = true;
      }
    }
  }
  if (service->info->protocol == Protocol::RestJson) {
    EXPECT_EQ(op->body_members, model_body) << "body_members of " << op->name;
  } else {
    EXPECT_FALSE(op->body_members) << op->name << ": body_members is a rest-json flag";
  }

  // rest-xml reads a structure payload as a document.
  bool document_payload = false;
  if (!mop->output_shape.empty()) {
    const ModelShape& out = model.shape(mop->output_shape);
    for (const ModelMember& m : out.members)
      document_payload =
          document_payload || (m.name == out.payload && model.shape(m.shape).type == "structure");
  }
  if (service->info->protocol == Protocol::RestXml) {
    EXPECT_EQ(op->document_payload, document_payload) << "document_payload of " << op->name;
  } else {
    EXPECT_FALSE(op->document_payload) << op->name << ": document_payload is a rest-xml flag";
  }
}

// Check 3: a request made of the input shape's required members goes where the model says.
TEST_P(OperationMatchesModel, RequiredMembersSerializeWhereTheModelSays) {
  const auto& [service, op] = GetParam();
  const ServiceModel& model = test::service_model(service->folder);
  const test::ModelOperation* mop = model.operation(op->name);
  ASSERT_NE(mop, nullptr);
  const ServiceInfo& info = *service->info;

  Call call;
  const ModelShape* input_shape =
      mop->input_shape.empty() ? nullptr : &model.shape(mop->input_shape);
  const ModelMember* payload = nullptr;
  if (input_shape) {
    call.input = sample_structure(model, *input_shape, 0);
    // URI labels get text that needs encoding (':' and, for greedy labels, a '/' kept as is).
    for (const ModelMember& m : input_shape->members) {
      if (m.location == "uri" && model.shape(m.shape).type == "string")
        call.input[m.name] = "v:" + m.name;
      if (m.location == "uri" &&
          mop->request_uri.find("{" + m.location_name + "+}") != std::string::npos)
        call.input[m.name] = "dir/sub dir/v:" + m.name;
    }
    if (!input_shape->payload.empty()) payload = input_shape->member(input_shape->payload);
  }
  const bool blob_payload = payload && model.shape(payload->shape).type == "blob";
  if (blob_payload) call.body = std::string("raw\0payload bytes", 17);

  HttpRequest request;
  try {
    request = serialize_request(info, *op, call);
  } catch (const std::exception& e) {
    FAIL() << "serialize_request threw: " << e.what() << "\ninput: " << call.input.dump();
  }
  SCOPED_TRACE("input: " + call.input.dump() + "\nbody: " + request.body);

  // Method and path: the request URI with its labels filled and encoded.
  EXPECT_EQ(request.method, mop->method);
  std::string uri = mop->request_uri;
  std::string fixed_query;
  if (auto q = uri.find('?'); q != std::string::npos) {
    fixed_query = uri.substr(q + 1);
    uri.resize(q);
  }
  std::string expected_path;
  for (std::size_t i = 0; i < uri.size();) {
    const auto open = uri.find('{', i);
    if (open == std::string::npos) {
      expected_path += uri.substr(i);
      break;
    }
    const auto close = uri.find('}', open);
    ASSERT_NE(close, std::string::npos);
    expected_path += uri.substr(i, open - i);
    std::string label = uri.substr(open + 1, close - open - 1);
    const bool greedy = label.ends_with('+');
    if (greedy) label.pop_back();
    ASSERT_NE(input_shape, nullptr) << "{" << label << "} in an operation without input";
    const ModelMember* bound = nullptr;
    for (const ModelMember& m : input_shape->members)
      if (m.location == "uri" && m.location_name == label) bound = &m;
    ASSERT_NE(bound, nullptr) << "no member fills {" << label << "}";
    EXPECT_TRUE(bound->required) << "URI label member " << bound->name << " is not required";
    expected_path += uri_encode(wire_text(call.input[bound->name]), greedy);
    i = close + 1;
  }
  EXPECT_EQ(request.path, expected_path);
  for (const std::string& part : split(fixed_query, '&')) {
    if (part.empty()) continue;
    const auto eq = part.find('=');
    const std::string key = part.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
    EXPECT_TRUE(has_pair(request.query, key, value)) << "fixed query " << part << " missing";
  }

  // Protocol headers and where the body members go.
  json body_members = json::object();
  switch (info.protocol) {
    case Protocol::Json: {
      EXPECT_EQ(request.headers.get("X-Amz-Target").value_or(""),
                std::string(info.target_prefix) + "." + std::string(op->name));
      EXPECT_EQ(request.headers.get("Content-Type").value_or(""),
                "application/x-amz-json-" + std::string(info.json_version));
      const json body = json::parse(request.body, nullptr, false);
      ASSERT_TRUE(body.is_object()) << "json body is not an object";
      body_members = body;
      break;
    }
    case Protocol::Query: {
      EXPECT_TRUE(starts_with_icase(request.headers.get("Content-Type").value_or(""),
                                    "application/x-www-form-urlencoded"));
      const QueryParams form = parse_form(request.body);
      EXPECT_TRUE(has_pair(form, "Action", std::string(op->name))) << request.body;
      EXPECT_TRUE(has_pair(form, "Version", std::string(info.api_version))) << request.body;
      std::vector<std::pair<std::string, std::string>> expected;
      if (input_shape) expected_form(model, *input_shape, "", call.input, expected);
      for (const auto& [key, value] : expected)
        EXPECT_TRUE(has_pair(form, key, value)) << "form lacks " << key << "=" << value;
      break;
    }
    case Protocol::RestJson: {
      if (!request.body.empty() && !blob_payload) {
        EXPECT_EQ(request.headers.get("Content-Type").value_or(""), "application/json");
        const json body = json::parse(request.body, nullptr, false);
        ASSERT_TRUE(body.is_object()) << "rest-json body is not an object";
        body_members = body;
      }
      break;
    }
    case Protocol::RestXml:
      break;
  }
  if (blob_payload) {
    EXPECT_EQ(request.body, call.body);
  }

  // Every required member where the model puts it.
  if (!input_shape) return;
  for (const ModelMember& m : input_shape->members) {
    if (!call.input.contains(m.name)) continue;
    SCOPED_TRACE("member " + m.name);
    const json& value = call.input[m.name];
    const std::string wire = m.location_name.empty() ? m.name : m.location_name;
    if (m.location == "uri") {
      EXPECT_NE(request.path.find(uri_encode(wire_text(value), true)), std::string::npos);
    } else if (m.location == "querystring" && value.is_array()) {
      // A list goes as the key repeated, once per item (UntagResource's tagKeys).
      for (const json& item : value) EXPECT_TRUE(has_pair(request.query, wire, wire_text(item)));
    } else if (m.location == "querystring") {
      EXPECT_TRUE(has_pair(request.query, wire, wire_text(value)));
    } else if (m.location == "header") {
      EXPECT_EQ(request.headers.get(wire).value_or("<absent>"), wire_text(value));
    } else if (m.location == "headers") {
      for (const auto& [key, item] : value.items())
        EXPECT_EQ(request.headers.get(wire + key).value_or("<absent>"), wire_text(item));
    } else if (info.protocol == Protocol::Json || info.protocol == Protocol::RestJson) {
      ASSERT_TRUE(body_members.contains(wire)) << "JSON body lacks " << wire;
      EXPECT_EQ(body_members[wire], value);
    }
    // Query members were checked above against the form; rest-xml required members are all
    // bound to the URI.
  }
  // And nothing the model binds outside the body leaks into a JSON body.
  for (const ModelMember& m : input_shape->members) {
    if (!m.location.empty()) {
      EXPECT_FALSE(body_members.contains(m.name)) << m.name << " is also in the body";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllServices, OperationMatchesModel, ::testing::ValuesIn(all_operations()),
                         [](const ::testing::TestParamInfo<OperationCase>& test_case) {
                           return test_case.param.service->folder + "_" +
                                  std::string(test_case.param.operation->name);
                         });

// ---- a few wire details the generated cases do not reach --------------------------------------

TEST(ServiceRequests, LambdaInvokeHeadersQualifierAndRawPayload) {
  const Operation* invoke = nullptr;
  for (const Operation* op : lambda::operations())
    if (op->name == "Invoke") invoke = op;
  ASSERT_NE(invoke, nullptr);
  Call call;
  call.input = {{"FunctionName", "arn:aws:lambda:us-east-1:123456789012:function:f"},
                {"Qualifier", "LIVE"},
                {"InvocationType", "RequestResponse"},
                {"LogType", "Tail"},
                {"ClientContext", "eyJjdXN0b20iOnt9fQ=="}};
  call.body = R"({"ping":true})";
  const HttpRequest r = serialize_request(kLambda, *invoke, call);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path,
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/"
            "invocations");
  EXPECT_TRUE(has_pair(r.query, "Qualifier", "LIVE"));
  EXPECT_EQ(r.headers.get("X-Amz-Invocation-Type").value_or(""), "RequestResponse");
  EXPECT_EQ(r.headers.get("X-Amz-Log-Type").value_or(""), "Tail");
  EXPECT_EQ(r.headers.get("X-Amz-Client-Context").value_or(""), "eyJjdXN0b20iOnt9fQ==");
  EXPECT_EQ(r.body, R"({"ping":true})");
}

TEST(ServiceRequests, S3PutObjectMetadataChecksumAndListObjectsQuery) {
  const Operation* put = nullptr;
  const Operation* list = nullptr;
  for (const Operation* op : s3::operations()) {
    if (op->name == "PutObject") put = op;
    if (op->name == "ListObjectsV2") list = op;
  }
  ASSERT_TRUE(put && list);
  Call call;
  call.input = {{"Bucket", "123456789012--lambdeploy--us-east-1"},
                {"Key", "lambda-code/fn/ab cd.zip"},
                {"ContentType", "application/zip"},
                {"ChecksumSHA256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
                {"Metadata", {{"sha256", "e3b0c442"}}}};
  call.body = "zip";
  HttpRequest r = serialize_request(kS3, *put, call);
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.path, "/123456789012--lambdeploy--us-east-1/lambda-code/fn/ab%20cd.zip");
  EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "application/zip");
  EXPECT_EQ(r.headers.get("x-amz-checksum-sha256").value_or(""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(r.headers.get("x-amz-meta-sha256").value_or(""), "e3b0c442");
  EXPECT_EQ(r.body, "zip");

  Call page;
  page.input = {{"Bucket", "b"}, {"Prefix", "lambda-code/"}, {"ContinuationToken", "tok/1"}};
  r = serialize_request(kS3, *list, page);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/b");
  EXPECT_TRUE(has_pair(r.query, "list-type", "2"));
  EXPECT_TRUE(has_pair(r.query, "prefix", "lambda-code/"));
  EXPECT_TRUE(has_pair(r.query, "continuation-token", "tok/1"));
  EXPECT_TRUE(r.body.empty());
}

TEST(ServiceRequests, CloudWatchAlarmDimensionsFlattenAsTheQueryProtocolSays) {
  const Operation* put = nullptr;
  for (const Operation* op : cloudwatch::operations())
    if (op->name == "PutMetricAlarm") put = op;
  ASSERT_NE(put, nullptr);
  Call call;
  call.input = {{"AlarmName", "fn__dev-errors"},
                {"Namespace", "AWS/Lambda"},
                {"MetricName", "Errors"},
                {"Dimensions", json::array({{{"Name", "FunctionName"}, {"Value", "fn__dev"}}})},
                {"Statistic", "Sum"},
                {"Period", 300},
                {"EvaluationPeriods", 1},
                {"Threshold", 10},
                {"ComparisonOperator", "GreaterThanOrEqualToThreshold"},
                {"TreatMissingData", "notBreaching"},
                {"ActionsEnabled", true}};
  const HttpRequest r = serialize_request(kCloudWatch, *put, call);
  const QueryParams form = parse_form(r.body);
  std::vector<std::pair<std::string, std::string>> expected;
  const ServiceModel& model = test::service_model("cloudwatch");
  expected_form(model, model.shape("PutMetricAlarmInput"), "", call.input, expected);
  EXPECT_EQ(expected.size(), 12u);
  for (const auto& [key, value] : expected)
    EXPECT_TRUE(has_pair(form, key, value)) << "form lacks " << key << "=" << value;
  EXPECT_TRUE(has_pair(form, "Dimensions.member.1.Name", "FunctionName"));
  EXPECT_TRUE(has_pair(form, "Action", "PutMetricAlarm"));
  EXPECT_TRUE(has_pair(form, "Version", "2010-08-01"));
}

}  // namespace
}  // namespace ld::aws
