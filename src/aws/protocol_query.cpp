// query (IAM, STS, CloudWatch): a form body Action=...&Version=...; answers in XML.
#include "aws/protocol_detail.hpp"

#include <utility>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::aws::detail {

HttpRequest serialize_query(const ServiceInfo& service, const Operation& operation,
                            const Call& call) {
  const std::string what = describe(service, operation);
  if (!call.input.is_object()) {
    throw Error(what + ": the input must be a JSON object, not " +
                std::string(call.input.type_name()));
  }
  QueryParams form = {{"Action", std::string(operation.name)},
                      {"Version", std::string(service.api_version)}};
  try {
    flatten_query("", call.input, form);
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  for (const auto& [key, value] : form) {
    if (!request.body.empty()) request.body.push_back('&');
    request.body += uri_encode(key) + "=" + uri_encode(value);
  }
  return request;
}

void flatten_query(const std::string& prefix, const json& value, QueryParams& out) {
  if (value.is_null()) return;
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      flatten_query(prefix.empty() ? key : prefix + "." + key, child, out);
    }
    return;
  }
  if (value.is_array()) {
    if (value.empty()) {
      out.emplace_back(prefix, "");
      return;
    }
    std::size_t n = 0;
    for (const auto& item : value) {
      ++n;
      flatten_query(prefix + ".member." + std::to_string(n), item, out);
    }
    return;
  }
  out.emplace_back(prefix, scalar_text(value, "query parameter '" + prefix + "'"));
}

Result parse_query(const ServiceInfo& service, const Operation& operation, HttpResponse response) {
  Result result;
  result.status = response.status;
  result.request_id = request_id_from_headers(response.headers);
  if (std::string_view body = trim(response.body); !body.empty()) {
    auto doc = parse_xml(body);
    if (!doc) {
      throw Error(describe(service, operation) +
                  ": the response body is not XML: " + body_excerpt(body));
    }
    if (doc->root.is_object()) {
      // <OpResponse><OpResult>...</OpResult><ResponseMetadata><RequestId/>...
      const std::string wanted = std::string(operation.name) + "Result";
      auto it = doc->root.find(wanted);
      if (it == doc->root.end()) {
        for (auto c = doc->root.begin(); c != doc->root.end(); ++c) {
          if (c.key().size() > 6 && c.key().ends_with("Result")) {
            it = c;
            break;
          }
        }
      }
      if (it != doc->root.end() && it->is_object()) result.output = std::move(*it);
      if (result.request_id.empty()) {
        auto meta = doc->root.find("ResponseMetadata");
        if (meta != doc->root.end() && meta->is_object()) {
          auto id = meta->find("RequestId");
          if (id != meta->end() && id->is_string()) result.request_id = id->get<std::string>();
        }
      }
    }
  }
  result.headers = std::move(response.headers);
  return result;
}

}  // namespace ld::aws::detail
