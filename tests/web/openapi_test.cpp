// The OpenAPI document of a sample app: paths, parameters, bodies, responses, tags, security.
#include "web/openapi.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "web/params.hpp"

namespace ld::web {
namespace {

using nlohmann::json;

Response ok(Request&, const Params&) {
  return Response::text(200, "ok");
}

Router sample() {
  Router r;
  r.add({"GET", "/info/version", {.summary = "Version", .tag = "info"}, ok});
  r.add({"GET",
         "/github-api/{name}",
         {.summary = "GitHub API call",
          .description = "Calls one GitHub API",
          .tag = "github-api",
          .query = {{.name = "owner", .required = true, .description = "Repository owner"},
                    {.name = "max_files", .type = ParamType::Integer, .default_value = 100},
                    {.name = "include_tests", .type = ParamType::Boolean}}},
         ok});
  r.add({"POST",
         "/github-digest/markdown/filter",
         {.tag = "github-digest",
          .body_schema = {{"type", "object"},
                          {"properties", {{"owner", {{"type", "string"}}}}},
                          {"required", {"owner"}}},
          .response_content_type = "text/markdown",
          .response_description = "The digest"},
         ok});
  r.add({"GET", "/hidden", {.hidden = true}, ok});
  r.add({"GET", "/auth/set-cookie-form", {.tag = "auth"}, ok});
  return r;
}

json document(std::string key_name = "x-api-key") {
  Router router = sample();
  return json::parse(
      openapi_document({"GitHub Digest", "v1.0.0", "Digests of repos", key_name}, router).dump());
}

TEST(OpenApiTest, InfoAndVersion) {
  json d = document();
  EXPECT_EQ(d["openapi"], "3.1.0");
  EXPECT_EQ(d["info"], json({{"title", "GitHub Digest"},
                             {"version", "v1.0.0"},
                             {"description", "Digests of repos"}}));
}

TEST(OpenApiTest, PathsAndHiddenRoutes) {
  json d = document();
  EXPECT_EQ(d["paths"].size(), 4u);
  EXPECT_TRUE(d["paths"]["/info/version"].contains("get"));
  EXPECT_TRUE(d["paths"]["/github-digest/markdown/filter"].contains("post"));
  EXPECT_FALSE(d["paths"].contains("/hidden"));
}

TEST(OpenApiTest, OperationWithPathAndQueryParameters) {
  json op = document()["paths"]["/github-api/{name}"]["get"];
  EXPECT_EQ(op["tags"], json({"github-api"}));
  EXPECT_EQ(op["summary"], "GitHub API call");
  EXPECT_EQ(op["description"], "Calls one GitHub API");
  EXPECT_EQ(op["operationId"], "get_github_api_name");
  ASSERT_EQ(op["parameters"].size(), 4u);
  EXPECT_EQ(op["parameters"][0], json({{"name", "name"},
                                       {"in", "path"},
                                       {"required", true},
                                       {"schema", {{"type", "string"}, {"title", "Name"}}}}));
  EXPECT_EQ(op["parameters"][1], json({{"name", "owner"},
                                       {"in", "query"},
                                       {"required", true},
                                       {"schema", {{"type", "string"}, {"title", "Owner"}}},
                                       {"description", "Repository owner"}}));
  EXPECT_EQ(op["parameters"][2]["schema"],
            json({{"type", "integer"}, {"title", "Max Files"}, {"default", 100}}));
  EXPECT_EQ(op["parameters"][2]["required"], false);
  EXPECT_EQ(op["parameters"][3]["schema"]["type"], "boolean");
  EXPECT_EQ(op["responses"]["400"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/HTTPValidationError");
  EXPECT_EQ(op["responses"]["200"]["description"], "Successful Response");
}

TEST(OpenApiTest, RequestBodyAndResponseContentType) {
  json op = document()["paths"]["/github-digest/markdown/filter"]["post"];
  EXPECT_EQ(op["requestBody"]["required"], true);
  EXPECT_EQ(op["requestBody"]["content"]["application/json"]["schema"],
            json({{"type", "object"},
                  {"properties", {{"owner", {{"type", "string"}}}}},
                  {"required", {"owner"}}}));
  EXPECT_EQ(op["responses"]["200"],
            json({{"description", "The digest"},
                  {"content", {{"text/markdown", {{"schema", {{"type", "string"}}}}}}}}));
  EXPECT_FALSE(op.contains("parameters"));
}

TEST(OpenApiTest, OperationWithoutParametersHasNo400) {
  json op = document()["paths"]["/info/version"]["get"];
  EXPECT_FALSE(op["responses"].contains("400"));
  EXPECT_EQ(op["operationId"], "get_info_version");
}

TEST(OpenApiTest, TagsInFirstUseOrder) {
  EXPECT_EQ(document()["tags"],
            json::parse(R"([{"name":"info"},{"name":"github-api"},{"name":"github-digest"},)"
                        R"({"name":"auth"}])"));
}

TEST(OpenApiTest, ApiKeySecuritySchemeAndExemptOperations) {
  json d = document();
  EXPECT_EQ(d["components"]["securitySchemes"]["APIKeyHeader"],
            json({{"type", "apiKey"}, {"in", "header"}, {"name", "x-api-key"}}));
  EXPECT_EQ(d["security"], json::parse(R"([{"APIKeyHeader":[]}])"));
  EXPECT_EQ(d["paths"]["/auth/set-cookie-form"]["get"]["security"], json::array());
  EXPECT_FALSE(d["paths"]["/info/version"]["get"].contains("security"));
  EXPECT_EQ(d["components"]["schemas"]["ValidationError"]["required"],
            json({"loc", "msg", "type"}));

  json open = document("");
  EXPECT_FALSE(open.contains("security"));
  EXPECT_FALSE(open["components"].contains("securitySchemes"));
}

TEST(OpenApiTest, KeysInConventionalOrder) {
  Router router = sample();
  std::string text = openapi_document({"t", "v", "", ""}, router).dump();
  EXPECT_EQ(text.rfind(R"({"openapi":"3.1.0","info":)", 0), 0u) << text.substr(0, 60);
}

}  // namespace
}  // namespace ld::web
