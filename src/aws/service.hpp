#pragma once
// What the client must know of a service and its operations to put them on the wire: the
// hand-written subset of the official API model (tests check it against service-2.json).
#include <string_view>
#include <vector>

namespace ld::aws {

enum class Protocol { RestJson, RestXml, Json, Query };

// One AWS service as the wire and the endpoint rules see it.
struct ServiceInfo {
  std::string_view id;               // SDK service id: "Lambda", "CloudWatch Logs", ...
  std::string_view endpoint_prefix;  // host label: lambda, s3, iam, sts, logs, monitoring, ssm
  std::string_view signing_name;     // SigV4 service in the credential scope
  std::string_view api_version;      // "2015-03-31"
  Protocol protocol;
  std::string_view target_prefix = {};  // json: X-Amz-Target prefix ("Logs_20140328")
  std::string_view json_version = {};   // json: "1.1" → application/x-amz-json-1.1
  bool global = false;                  // one endpoint per partition (IAM)
  // Suffix of AWS_ENDPOINT_URL_<SERVICE> ("CLOUDWATCH_LOGS") and the key in a config file's
  // [services] section ("cloudwatch_logs"): the service id upper/lower-cased, spaces as '_'.
  std::string_view env_name = {};
  std::string_view config_key = {};
};

// Where an input or output member travels on the wire.
enum class Location {
  Uri,           // {Name} or greedy {Name+} label in the request URI
  Query,         // query-string parameter (lists repeat the key)
  Header,        // a header
  HeaderPrefix,  // a map spread over headers with a prefix ("x-amz-meta-")
  StatusCode,    // output only: the HTTP status code
  Payload,       // the whole body: raw bytes (Call::body) or, for a structure, one document
};

struct Binding {
  std::string_view member;  // the model's member name ("FunctionName")
  Location location;
  std::string_view name = {};  // wire name: header, query key, prefix, or payload root element
};

// One operation: its HTTP shape and which members are bound outside the body. Members not bound
// travel in the protocol's body (JSON object, query form, or XML for rest-xml payload members).
struct Operation {
  std::string_view name;  // "CreateFunction"
  std::string_view method = "POST";
  std::string_view uri = "/";  // request URI template, may carry fixed query ("?uploads")
  std::vector<Binding> input = {};
  std::vector<Binding> output = {};
  int success_status = 200;  // the model's responseCode (informative; 2xx is success)
  // rest-json: the input has members that travel in the JSON body (or a structure payload), so
  // the body is a JSON object, "{}" when none is set, as the SDKs send it.
  bool body_members = false;
  // rest-xml: the output's payload member is a structure (CopyObject's CopyObjectResult), so
  // the body is an XML document read into output[member], not bytes left in Result::body.
  bool document_payload = false;
};

}  // namespace ld::aws
