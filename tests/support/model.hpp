#pragma once
// Reads an official AWS API model (botocore service-2.json) in place: metadata, operations and
// shapes with their members, wire locations and required lists, for tests that check the
// hand-written operation tables and the serializers against it.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ld::test {

// One member of a structure shape.
struct ModelMember {
  std::string name;
  std::string shape;          // the member's target shape
  std::string location;       // "", "uri", "querystring", "header", "headers", "statusCode"
  std::string location_name;  // wire name (header, query key, label, prefix, XML name); "" if none
  bool required = false;
};

// One shape: a structure, list, map or scalar.
struct ModelShape {
  std::string name;
  std::string type;  // structure list map string integer long boolean blob timestamp double float
  std::vector<ModelMember> members;    // structure members in model order
  std::string payload;                 // structure: the member that is the whole body, if any
  std::string member_shape;            // list: the element shape
  std::string member_location_name;    // list: the element's XML name ("" = default "member")
  bool flattened = false;              // list / map: no wrapper element
  std::string key_shape, value_shape;  // map
  std::vector<std::string> enum_values;
  std::optional<long long> min, max;
  std::string pattern;

  const ModelMember* member(std::string_view member_name) const;
};

// One operation's HTTP binding and its input and output shapes.
struct ModelOperation {
  std::string name;
  std::string method;
  std::string request_uri;
  int response_code = 200;   // the model's http.responseCode, 200 when absent
  std::string input_shape;   // "" when the operation takes no input
  std::string output_shape;  // "" when it returns none
};

// A parsed service-2.json.
class ServiceModel {
 public:
  // Throws std::runtime_error naming the file when it is missing or not a service model.
  static ServiceModel load(const std::filesystem::path& service_json);

  const nlohmann::json& metadata() const { return metadata_; }
  // metadata[key] as a string, "" when absent.
  std::string metadata_string(std::string_view key) const;
  // nullptr when the model has no such operation.
  const ModelOperation* operation(std::string_view name) const;
  // Throws std::runtime_error naming the shape when the model has none of that name.
  const ModelShape& shape(std::string_view name) const;
  std::size_t operation_count() const { return operations_.size(); }
  // Adds the operations and shapes of `newer` that this model lacks (a later model's excerpt).
  void add_missing(const ServiceModel& newer);
  // Every operation's name, sorted.
  std::vector<std::string> operation_names() const {
    std::vector<std::string> names;
    for (const auto& [name, operation] : operations_) names.push_back(name);
    return names;
  }

 private:
  nlohmann::json metadata_;
  std::map<std::string, ModelOperation, std::less<>> operations_;
  std::map<std::string, ModelShape, std::less<>> shapes_;
};

// The model of service `folder` (lambda, s3, iam, sts, logs, cloudwatch, ssm) read from
// <conformance>/models/<folder>/service-2.json, with the operations newer than it from
// tests/data/models/<folder>.json when that file exists; loaded once per process.
const ServiceModel& service_model(const std::string& folder);
// <conformance>/models/<folder>/paginators-1.json's "pagination" object.
nlohmann::json paginators(const std::string& folder);

}  // namespace ld::test
