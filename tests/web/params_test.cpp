// Params: typed query parameters and JSON bodies, errors shaped exactly as FastAPI's.
#include "web/params.hpp"

#include <gtest/gtest.h>

namespace ld::web {
namespace {

using nlohmann::json;

Request with_query(std::string raw_query, std::string body = "") {
  Request r;
  r.method = "GET";
  r.path = r.raw_path = "/x";
  r.raw_query = raw_query;
  r.query = parse_query(raw_query);
  r.body = std::move(body);
  return r;
}

RouteSpec repo_spec() {
  RouteSpec s;
  s.query = {{.name = "owner", .required = true},
             {.name = "max_files", .type = ParamType::Integer, .default_value = 100},
             {.name = "include_tests", .type = ParamType::Boolean, .default_value = false},
             {.name = "ratio", .type = ParamType::Number},
             {.name = "ref"}};
  return s;
}

json detail_of(const Request& r, const RouteSpec& s) {
  try {
    Params::parse(r, s);
  } catch (const ValidationError& e) {
    EXPECT_EQ(e.response().status, 400);
    EXPECT_EQ(e.response().headers.get("Content-Type"), "application/json");
    return json::parse(e.body());
  }
  ADD_FAILURE() << "no ValidationError";
  return nullptr;
}

TEST(ParamsTest, TypedValuesAndDefaults) {
  RouteSpec s = repo_spec();
  Request r = with_query("owner=octocat&max_files=%2B7&include_tests=YES&ratio=0.5");
  Params p = Params::parse(r, s);
  EXPECT_EQ(p.string("owner"), "octocat");
  EXPECT_EQ(p.integer("max_files"), 7);
  EXPECT_TRUE(p.boolean("include_tests"));
  EXPECT_DOUBLE_EQ(p.number("ratio"), 0.5);
  EXPECT_FALSE(p.has("ref"));
  EXPECT_EQ(p.optional_string("ref"), std::nullopt);

  Request d = with_query("owner=a");
  Params q = Params::parse(d, s);
  EXPECT_EQ(q.integer("max_files"), 100);
  EXPECT_FALSE(q.boolean("include_tests"));
  EXPECT_EQ(q.optional_integer("max_files"), 100);
}

TEST(ParamsTest, LastRepeatedValueWinsAsInStarlette) {
  RouteSpec s = repo_spec();
  Request r = with_query("owner=a&owner=b");
  EXPECT_EQ(Params::parse(r, s).string("owner"), "b");
}

TEST(ParamsTest, MissingRequiredIsFastApisFieldRequired) {
  RouteSpec s = repo_spec();
  std::string body;
  try {
    Params::parse(with_query(""), s);
  } catch (const ValidationError& e) {
    body = e.body();
  }
  EXPECT_EQ(body, R"({"detail":[{"type":"missing","loc":["query","owner"],"msg":"Field required",)"
                  R"("input":null}]})");
}

TEST(ParamsTest, CollectsEveryErrorInDeclarationOrder) {
  RouteSpec s = repo_spec();
  json d = detail_of(with_query("max_files=ten&include_tests=maybe&ratio=x"), s);
  ASSERT_EQ(d["detail"].size(), 4u) << d;
  EXPECT_EQ(d["detail"][0]["loc"], json({"query", "owner"}));
  EXPECT_EQ(d["detail"][1],
            json({{"type", "int_parsing"},
                  {"loc", {"query", "max_files"}},
                  {"msg", "Input should be a valid integer, unable to parse string as an integer"},
                  {"input", "ten"}}));
  EXPECT_EQ(d["detail"][2],
            json({{"type", "bool_parsing"},
                  {"loc", {"query", "include_tests"}},
                  {"msg", "Input should be a valid boolean, unable to interpret input"},
                  {"input", "maybe"}}));
  EXPECT_EQ(d["detail"][3]["type"], "float_parsing");
}

TEST(ParamsTest, IntegerEdgeCases) {
  RouteSpec s = repo_spec();
  for (const char* bad : {"", "1.5", "1e3", "99999999999999999999", "0x10", "- 1"}) {
    json d = detail_of(with_query(std::string("owner=a&max_files=") + bad), s);
    EXPECT_EQ(d["detail"][0]["type"], "int_parsing") << bad;
  }
  EXPECT_EQ(Params::parse(with_query("owner=a&max_files=-3"), s).integer("max_files"), -3);
}

TEST(ParamsTest, UndeclaredOrValuelessAccessIsAProgrammingError) {
  RouteSpec s = repo_spec();
  Request r = with_query("owner=a");
  Params p = Params::parse(r, s);
  EXPECT_THROW(p.string("nope"), std::logic_error);
  EXPECT_THROW(p.string("ref"), std::logic_error);
  EXPECT_THROW(p.path("name"), std::logic_error);
}

RouteSpec body_spec() {
  RouteSpec s;
  s.body_schema = {{"type", "object"},
                   {"properties",
                    {{"owner", {{"type", "string"}}},
                     {"max_files", {{"type", "integer"}}},
                     {"extensions", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
                   {"required", {"owner", "max_files"}}};
  return s;
}

TEST(ParamsTest, JsonBodyIsParsedAndChecked) {
  RouteSpec s = body_spec();
  Request r = with_query("", R"({"owner":"octocat","max_files":3,"extensions":[".md"]})");
  Params p = Params::parse(r, s);
  EXPECT_EQ(p.body()["owner"], "octocat");
}

TEST(ParamsTest, BadJsonIsOneBodyError) {
  RouteSpec s = body_spec();
  json d = detail_of(with_query("", "{not json"), s);
  ASSERT_EQ(d["detail"].size(), 1u);
  EXPECT_EQ(d["detail"][0]["type"], "json_invalid");
  EXPECT_EQ(d["detail"][0]["loc"], json({"body"}));
  EXPECT_EQ(d["detail"][0]["msg"], "JSON decode error");
  EXPECT_TRUE(d["detail"][0]["ctx"]["error"].is_string());
}

TEST(ParamsTest, MissingBodyAndBodyFieldErrors) {
  RouteSpec s = body_spec();
  EXPECT_EQ(
      detail_of(with_query(""), s)["detail"][0],
      json(
          {{"type", "missing"}, {"loc", {"body"}}, {"msg", "Field required"}, {"input", nullptr}}));
  json d = detail_of(with_query("", R"({"max_files":"many","extensions":[1]})"), s);
  // Body fields are reported by name (JSON Schema objects carry no declaration order here).
  ASSERT_EQ(d["detail"].size(), 3u) << d;
  EXPECT_EQ(d["detail"][0]["loc"], json({"body", "extensions", 0}));
  EXPECT_EQ(d["detail"][0]["type"], "string_type");
  EXPECT_EQ(d["detail"][1], json({{"type", "int_type"},
                                  {"loc", {"body", "max_files"}},
                                  {"msg", "Input should be a valid integer"},
                                  {"input", "many"}}));
  EXPECT_EQ(d["detail"][2]["loc"], json({"body", "owner"}));
  EXPECT_EQ(d["detail"][2]["type"], "missing");

  json a = detail_of(with_query("", "[1,2]"), s);
  EXPECT_EQ(a["detail"][0]["type"], "model_attributes_type");
}

TEST(ParamsTest, QueryAndBodyErrorsTogether) {
  RouteSpec s = body_spec();
  s.query = {{.name = "ref", .required = true}};
  json d = detail_of(with_query("", "{}"), s);
  ASSERT_EQ(d["detail"].size(), 3u);
  EXPECT_EQ(d["detail"][0]["loc"], json({"query", "ref"}));
  EXPECT_EQ(d["detail"][1]["loc"], json({"body", "max_files"}));
  EXPECT_EQ(d["detail"][2]["loc"], json({"body", "owner"}));
}

TEST(ParamsTest, OptionalBodyMayBeAbsent) {
  RouteSpec s = body_spec();
  s.body_required = false;
  EXPECT_TRUE(Params::parse(with_query(""), s).body().is_null());
}

}  // namespace
}  // namespace ld::web
