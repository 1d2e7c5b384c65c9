#pragma once
// Typed access to a request's query parameters and JSON body, checked against the route's
// declaration; every problem is collected into one ValidationError shaped as FastAPI's 400/422.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "web/request.hpp"
#include "web/response.hpp"
#include "web/route.hpp"

namespace ld::web {

// One thing wrong with one input, as pydantic reports it.
struct FieldError {
  std::string type;      // "missing", "int_parsing", "json_invalid", ...
  nlohmann::json loc;    // ["query", "owner"], ["body"], ["body", "filter"]
  std::string msg;       // "Field required"
  nlohmann::json input;  // what was received (null when absent)
  nlohmann::json ctx;    // extra context (null: left out)
};

// Bad input: the App answers it with 400 {"detail": [...]} listing every error.
class ValidationError : public ld::Error {
 public:
  explicit ValidationError(std::vector<FieldError> errors);
  const std::vector<FieldError>& errors() const { return errors_; }
  // {"detail": [{"type", "loc", "msg", "input"[, "ctx"]}, ...]} in FastAPI's key order.
  std::string body() const;
  Response response() const;

 private:
  std::vector<FieldError> errors_;
};

// A request's parameters after validation against its route's declaration.
class Params {
 public:
  Params() = default;
  // Checks every declared query parameter and the JSON body; throws ValidationError naming all
  // the bad fields. Keeps references to `request` and `spec`, which must outlive it.
  static Params parse(const Request& request, const RouteSpec& spec);

  // The value (or the declared default). Throws std::logic_error when the name was not declared
  // or has neither value nor default (use the optional_ form for those).
  std::string string(std::string_view name) const;
  std::int64_t integer(std::string_view name) const;
  double number(std::string_view name) const;
  bool boolean(std::string_view name) const;

  std::optional<std::string> optional_string(std::string_view name) const;
  std::optional<std::int64_t> optional_integer(std::string_view name) const;
  std::optional<bool> optional_boolean(std::string_view name) const;
  // Whether the parameter has a value or a default.
  bool has(std::string_view name) const;

  // A path parameter ("{name}"); throws std::logic_error when the route has none of that name.
  std::string path(std::string_view name) const;
  // The parsed JSON body (null when the route declares none or it was optional and absent).
  const nlohmann::json& body() const { return body_; }

 private:
  const nlohmann::json& value(std::string_view name) const;

  const Request* request_ = nullptr;
  std::vector<std::pair<std::string_view, nlohmann::json>> values_;  // declared name → value
  nlohmann::json body_;
};

}  // namespace ld::web
