// Router: literal and parameter segments, precedence, trailing slash, 404, 405 with Allow.
#include "web/router.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "web/params.hpp"

namespace ld::web {
namespace {

RouteHandler named(std::string name) {
  return [name](Request&, const Params&) { return Response::text(200, name); };
}

Request request(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.raw_path = path;
  r.path = path;
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add({"GET", "/", {}, named("root")});
    router.add({"GET", "/info/version", {}, named("version")});
    router.add({"GET", "/github-api/{name}", {}, named("api-name")});
    router.add({"GET", "/github-api/rate-limit", {}, named("rate-limit")});
    router.add({"POST", "/github-digest/markdown/filter", {}, named("filter")});
    router.add({"PUT", "/github-digest/markdown/filter", {}, named("filter-put")});
    router.add({"GET", "/repos/{owner}/{repo}/files", {}, named("files")});
  }
  std::string body_of(Request r) {
    auto m = router.match(r);
    if (m.kind != Router::Match::Kind::Found) return "<none>";
    Params p;
    return m.route->handler(r, p).body;
  }
  Router router;
};

TEST_F(RouterTest, MatchesLiteralPaths) {
  EXPECT_EQ(body_of(request("GET", "/")), "root");
  EXPECT_EQ(body_of(request("GET", "/info/version")), "version");
  EXPECT_EQ(body_of(request("POST", "/github-digest/markdown/filter")), "filter");
  EXPECT_EQ(body_of(request("PUT", "/github-digest/markdown/filter")), "filter-put");
}

TEST_F(RouterTest, FillsPathParameters) {
  Request r = request("GET", "/repos/octocat/hello-world/files");
  auto m = router.match(r);
  ASSERT_EQ(m.kind, Router::Match::Kind::Found);
  EXPECT_EQ(r.path_param("owner"), "octocat");
  EXPECT_EQ(r.path_param("repo"), "hello-world");
}

TEST_F(RouterTest, LiteralSegmentWinsOverParameterWhateverTheOrderAdded) {
  EXPECT_EQ(body_of(request("GET", "/github-api/rate-limit")), "rate-limit");
  Request r = request("GET", "/github-api/repository");
  EXPECT_EQ(body_of(r), "api-name");
}

TEST_F(RouterTest, ParametersArePercentDecodedAfterSplitting) {
  Request r;
  r.method = "GET";
  r.raw_path = "/repos/a%2Fb/c%20d/files";
  r.path = "/repos/a/b/c d/files";
  ASSERT_EQ(router.match(r).kind, Router::Match::Kind::Found);
  EXPECT_EQ(r.path_param("owner"), "a/b");
  EXPECT_EQ(r.path_param("repo"), "c d");
}

TEST_F(RouterTest, EncodedLiteralSegmentStillMatches) {
  EXPECT_EQ(body_of(request("GET", "/info/%76ersion")), "version");
}

TEST_F(RouterTest, OneTrailingSlashIsIgnored) {
  EXPECT_EQ(body_of(request("GET", "/info/version/")), "version");
  EXPECT_EQ(body_of(request("GET", "/github-api/x/")), "api-name");
  EXPECT_EQ(body_of(request("GET", "/info/version//")), "<none>");
}

TEST_F(RouterTest, EmptySegmentsAndUnknownPathsAreNotFound) {
  for (const char* p : {"/info", "/info/version/extra", "/github-api/", "/repos//x/files", "//", "",
                        "info/version", "/nope"}) {
    Request r = request("GET", p);
    EXPECT_EQ(router.match(r).kind, Router::Match::Kind::NotFound) << p;
  }
}

TEST_F(RouterTest, KnownPathWithOtherMethodIsMethodNotAllowedWithAllow) {
  Request r = request("DELETE", "/github-digest/markdown/filter");
  auto m = router.match(r);
  EXPECT_EQ(m.kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(m.allow, "POST, PUT");

  Request g = request("POST", "/info/version");
  auto mg = router.match(g);
  EXPECT_EQ(mg.kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(mg.allow, "GET, HEAD");
}

TEST_F(RouterTest, AllowListsEveryMatchingPattern) {
  router.add({"POST", "/github-api/{name}", {}, named("api-post")});
  Request r = request("DELETE", "/github-api/rate-limit");
  auto m = router.match(r);
  EXPECT_EQ(m.kind, Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
  // A less specific pattern answers when the literal one lacks the method.
  EXPECT_EQ(body_of(request("POST", "/github-api/rate-limit")), "api-post");
}

TEST_F(RouterTest, HeadUsesTheGetRoute) {
  EXPECT_EQ(body_of(request("HEAD", "/info/version")), "version");
}

TEST_F(RouterTest, RejectsBadDeclarations) {
  EXPECT_THROW(router.add({"GET", "/info/version", {}, named("again")}), ld::Error);
  EXPECT_THROW(router.add({"GET", "/github-api/{other}", {}, named("x")}), ld::Error);
  EXPECT_THROW(router.add({"GET", "no-slash", {}, named("x")}), ld::Error);
  EXPECT_THROW(router.add({"GET", "/a//b", {}, named("x")}), ld::Error);
  EXPECT_THROW(router.add({"GET", "/a/{}", {}, named("x")}), ld::Error);
  EXPECT_THROW(router.add({"GET", "/a/{x}/{x}", {}, named("x")}), ld::Error);
  EXPECT_THROW(router.add({"GET", "/a/b{x}", {}, named("x")}), ld::Error);
  EXPECT_THROW(router.add({"GET", "/a", {}, nullptr}), ld::Error);
  try {
    router.add({"GET", "/github-api/{other}", {}, named("x")});
  } catch (const ld::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/github-api/{name}"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ld::web
