#include "support/model.hpp"

#include <mutex>
#include <stdexcept>

#include "support/conformance.hpp"

namespace ld::test {

using nlohmann::json;
// botocore lists members in a meaningful order; ordered_json keeps it (json would sort them).
using ordered_json = nlohmann::ordered_json;

namespace {

template <class Json>
std::string string_at(const Json& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->template get<std::string>() : std::string();
}

std::optional<long long> number_at(const ordered_json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<long long>();
}

ModelShape read_shape(const std::string& name, const ordered_json& spec) {
  ModelShape shape;
  shape.name = name;
  shape.type = string_at(spec, "type");
  shape.payload = string_at(spec, "payload");
  shape.pattern = string_at(spec, "pattern");
  shape.min = number_at(spec, "min");
  shape.max = number_at(spec, "max");
  shape.flattened = spec.value("flattened", false);
  if (auto e = spec.find("enum"); e != spec.end())
    shape.enum_values = e->get<std::vector<std::string>>();
  if (auto m = spec.find("member"); m != spec.end()) {
    shape.member_shape = string_at(*m, "shape");
    shape.member_location_name = string_at(*m, "locationName");
  }
  if (auto k = spec.find("key"); k != spec.end()) shape.key_shape = string_at(*k, "shape");
  if (auto v = spec.find("value"); v != spec.end()) shape.value_shape = string_at(*v, "shape");
  std::vector<std::string> required;
  if (auto r = spec.find("required"); r != spec.end())
    required = r->get<std::vector<std::string>>();
  if (auto members = spec.find("members"); members != spec.end()) {
    for (const auto& [member_name, member_spec] : members->items()) {
      ModelMember member;
      member.name = member_name;
      member.shape = string_at(member_spec, "shape");
      member.location = string_at(member_spec, "location");
      member.location_name = string_at(member_spec, "locationName");
      for (const auto& r : required) member.required = member.required || r == member_name;
      shape.members.push_back(std::move(member));
    }
  }
  return shape;
}

}  // namespace

const ModelMember* ModelShape::member(std::string_view member_name) const {
  for (const auto& m : members) {
    if (m.name == member_name) return &m;
  }
  return nullptr;
}

ServiceModel ServiceModel::load(const std::filesystem::path& service_json) {
  ordered_json doc = ordered_json::parse(read_file(service_json), nullptr,
                                         /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("metadata") || !doc.contains("operations") ||
      !doc.contains("shapes"))
    throw std::runtime_error(service_json.string() + " is not an AWS service model");
  ServiceModel model;
  model.metadata_ = json(doc["metadata"]);
  for (const auto& [name, spec] : doc["operations"].items()) {
    ModelOperation op;
    op.name = name;
    const ordered_json& http = spec.at("http");
    op.method = string_at(http, "method");
    op.request_uri = string_at(http, "requestUri");
    op.response_code = http.value("responseCode", 200);
    if (auto in = spec.find("input"); in != spec.end()) op.input_shape = string_at(*in, "shape");
    if (auto out = spec.find("output"); out != spec.end())
      op.output_shape = string_at(*out, "shape");
    model.operations_.emplace(name, std::move(op));
  }
  for (const auto& [name, spec] : doc["shapes"].items())
    model.shapes_.emplace(name, read_shape(name, spec));
  return model;
}

void ServiceModel::add_missing(const ServiceModel& newer) {
  for (const auto& [name, operation] : newer.operations_) operations_.emplace(name, operation);
  for (const auto& [name, shape] : newer.shapes_) shapes_.emplace(name, shape);
}

std::string ServiceModel::metadata_string(std::string_view key) const {
  return string_at(metadata_, key);
}

const ModelOperation* ServiceModel::operation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

const ModelShape& ServiceModel::shape(std::string_view name) const {
  auto it = shapes_.find(name);
  if (it == shapes_.end())
    throw std::runtime_error("the model has no shape named '" + std::string(name) + "'");
  return it->second;
}

const ServiceModel& service_model(const std::string& folder) {
  static std::mutex mu;
  static std::map<std::string, ServiceModel> loaded;
  std::lock_guard lock(mu);
  auto it = loaded.find(folder);
  if (it == loaded.end()) {
    ServiceModel model =
        ServiceModel::load(conformance_dir() / "models" / folder / "service-2.json");
    const std::filesystem::path newer =
        std::filesystem::path(LAMBDEPLOY_TEST_DATA_DIR) / "models" / (folder + ".json");
    if (std::filesystem::exists(newer)) model.add_missing(ServiceModel::load(newer));
    it = loaded.emplace(folder, std::move(model)).first;
  }
  return it->second;
}

json paginators(const std::string& folder) {
  json doc = json::parse(read_file(conformance_dir() / "models" / folder / "paginators-1.json"));
  return doc.value("pagination", json::object());
}

}  // namespace ld::test
