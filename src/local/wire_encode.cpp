#include "local/wire_encode.hpp"

#include <sstream>
#include <string>

#include <pugixml.hpp>

namespace ld::local {

namespace {

using nlohmann::json;

std::string scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

// JSON → query-protocol XML: members as elements, lists as <member> items, maps as
// <entry><key/><value/></entry> (a map is an object marked by being under "entry" — callers
// pass maps as arrays of {"key","value"} objects when they need them).
void append_xml(pugi::xml_node parent, const json& value) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      if (child.is_null()) continue;
      append_xml(parent.append_child(key.c_str()), child);
    }
  } else if (value.is_array()) {
    for (const auto& item : value) append_xml(parent.append_child("member"), item);
  } else if (!value.is_null()) {
    parent.text().set(scalar_text(value).c_str());
  }
}

std::string xml_text(const pugi::xml_document& document) {
  std::ostringstream out;
  document.save(out, "", pugi::format_raw);
  return out.str();
}

std::string_view xml_namespace(const aws::ServiceInfo& service) {
  if (service.endpoint_prefix == "iam") return "https://iam.amazonaws.com/doc/2010-05-08/";
  if (service.endpoint_prefix == "sts") return "https://sts.amazonaws.com/doc/2011-06-15/";
  if (service.endpoint_prefix == "monitoring")
    return "http://monitoring.amazonaws.com/doc/2010-08-01/";
  return {};
}

HttpResponse encode_rest_json(const aws::Operation* operation, ApiReply reply) {
  HttpResponse response;
  response.status =
      reply.status != 0 ? reply.status : (operation != nullptr ? operation->success_status : 200);
  std::optional<std::string> payload = std::move(reply.raw_body);
  if (operation != nullptr) {
    for (const auto& binding : operation->output) {
      const std::string member(binding.member);
      if (!reply.output.contains(member)) continue;
      json value = std::move(reply.output[member]);
      reply.output.erase(member);
      switch (binding.location) {
        case aws::Location::Header:
          response.headers.set(std::string(binding.name), scalar_text(value));
          break;
        case aws::Location::HeaderPrefix:
          for (const auto& [key, item] : value.items())
            response.headers.set(std::string(binding.name) + key, scalar_text(item));
          break;
        case aws::Location::StatusCode:
          if (value.is_number_integer()) response.status = value.get<int>();
          break;
        case aws::Location::Payload:
          payload = value.is_string() ? value.get<std::string>() : value.dump();
          break;
        default:
          break;
      }
    }
  }
  if (reply.body_writer) {
    response.body_writer = std::move(reply.body_writer);
    response.headers.set("Content-Type", reply.content_type);
  } else if (payload) {
    response.body = std::move(*payload);
    response.headers.set("Content-Type",
                         reply.content_type.empty() ? "application/json" : reply.content_type);
  } else if (response.status != 204) {
    response.body = reply.output.dump(-1, ' ', false, json::error_handler_t::replace);
    response.headers.set("Content-Type", "application/json");
  }
  return response;
}

}  // namespace

HttpResponse encode_reply(const aws::ServiceInfo& service, const aws::Operation* operation,
                          std::string_view operation_name, ApiReply reply,
                          std::string_view request_id) {
  Headers extra = std::move(reply.headers);
  HttpResponse response;
  switch (service.protocol) {
    case aws::Protocol::RestJson:
      response = encode_rest_json(operation, std::move(reply));
      break;
    case aws::Protocol::Json:
      response.status = reply.status != 0 ? reply.status : 200;
      response.body = reply.output.dump(-1, ' ', false, json::error_handler_t::replace);
      response.headers.set("Content-Type",
                           "application/x-amz-json-" + std::string(service.json_version));
      break;
    case aws::Protocol::Query: {
      response.status = reply.status != 0 ? reply.status : 200;
      pugi::xml_document document;
      const std::string name(operation_name);
      auto root = document.append_child((name + "Response").c_str());
      root.append_attribute("xmlns").set_value(std::string(xml_namespace(service)).c_str());
      if (!reply.output.empty() || reply.result_element)
        append_xml(root.append_child((name + "Result").c_str()), reply.output);
      root.append_child("ResponseMetadata")
          .append_child("RequestId")
          .text()
          .set(std::string(request_id).c_str());
      response.body = xml_text(document);
      response.headers.set("Content-Type", "text/xml");
      break;
    }
    case aws::Protocol::RestXml:
      response.status = reply.status != 0 ? reply.status : 200;
      if (reply.raw_body) response.body = std::move(*reply.raw_body);
      if (!reply.content_type.empty()) response.headers.set("Content-Type", reply.content_type);
      break;
  }
  for (const auto& field : extra.fields()) response.headers.set(field.name, field.value);
  if (service.protocol == aws::Protocol::RestXml) {
    response.headers.set("x-amz-request-id", std::string(request_id));
    response.headers.set("x-amz-id-2", std::string(request_id));
  } else {
    response.headers.set("x-amzn-RequestId", std::string(request_id));
  }
  return response;
}

HttpResponse encode_error(aws::Protocol protocol, const ApiError& error,
                          std::string_view request_id) {
  HttpResponse response;
  response.status = error.status();
  const std::string id(request_id);
  switch (protocol) {
    case aws::Protocol::RestJson: {
      json body = {{"Type", error.sender_fault() ? "User" : "Service"}};
      body[error.code() == "ResourceNotFoundException" ? "Message" : "message"] = error.what();
      for (const auto& [key, value] : error.extra.items()) body[key] = value;
      response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
      response.headers.set("Content-Type", "application/json");
      response.headers.set("X-Amzn-ErrorType", error.code());
      response.headers.set("x-amzn-RequestId", id);
      break;
    }
    case aws::Protocol::Json: {
      json body = {{"__type", error.code()}, {"message", error.what()}};
      for (const auto& [key, value] : error.extra.items()) body[key] = value;
      response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
      response.headers.set("Content-Type", "application/x-amz-json-1.1");
      response.headers.set("x-amzn-RequestId", id);
      break;
    }
    case aws::Protocol::Query: {
      pugi::xml_document document;
      auto root = document.append_child("ErrorResponse");
      auto item = root.append_child("Error");
      item.append_child("Type").text().set(error.sender_fault() ? "Sender" : "Receiver");
      item.append_child("Code").text().set(error.code().c_str());
      item.append_child("Message").text().set(error.what());
      root.append_child("RequestId").text().set(id.c_str());
      response.body = xml_text(document);
      response.headers.set("Content-Type", "text/xml");
      response.headers.set("x-amzn-RequestId", id);
      break;
    }
    case aws::Protocol::RestXml: {
      pugi::xml_document document;
      auto root = document.append_child("Error");
      root.append_child("Code").text().set(error.code().c_str());
      root.append_child("Message").text().set(error.what());
      for (const auto& [key, value] : error.extra.items())
        root.append_child(key.c_str()).text().set(scalar_text(value).c_str());
      root.append_child("RequestId").text().set(id.c_str());
      response.body = xml_text(document);
      response.headers.set("Content-Type", "application/xml");
      response.headers.set("x-amz-request-id", id);
      break;
    }
  }
  return response;
}

}  // namespace ld::local
