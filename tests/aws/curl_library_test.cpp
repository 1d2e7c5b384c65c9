// libcurl is loaded by the transport's first request, not at start-up nor when a transport is
// made, and a missing libcurl is an error that says what to install.
#include <dlfcn.h>

#include <gtest/gtest.h>

#include <string>

#include "aws/curl_library.hpp"
#include "aws/transport.hpp"
#include "support/loopback_server.hpp"

namespace ld {
namespace {

using test::LoopbackServer;
using test::Step;

bool libcurl_is_loaded() {
  void* handle = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_NOLOAD);
  if (!handle) return false;
  ::dlclose(handle);  // drops only the reference RTLD_NOLOAD took
  return true;
}

// Runs first in this executable (each test also runs alone under ctest): nothing before has sent.
TEST(CurlLibrary, LoadedByTheFirstRequestNotBefore) {
  ASSERT_FALSE(libcurl_is_loaded()) << "the program itself needs libcurl.so.4 (DT_NEEDED)";
  LoopbackServer server;
  server.script({Step::respond(200, "ok")});
  auto transport = make_curl_transport();
  EXPECT_FALSE(libcurl_is_loaded()) << "making a transport must not load libcurl";

  HttpRequest req;
  req.scheme = "http";
  req.host = "127.0.0.1";
  req.port = server.port();
  EXPECT_EQ(transport->send(req).body, "ok");
  EXPECT_TRUE(libcurl_is_loaded());
}

TEST(CurlLibrary, TheSameFunctionsEveryTime) {
  const CurlLibrary& first = curl_library();
  EXPECT_EQ(&first, &curl_library());
  EXPECT_NE(first.easy_setopt, nullptr);
  EXPECT_STREQ(first.easy_strerror(CURLE_OK), "No error");
}

TEST(CurlLibrary, AMissingLibraryIsATransportErrorSayingWhatToInstall) {
  try {
    CurlLibrary::load("libcurl-not-installed.so.4");
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Other);
    EXPECT_NE(std::string(e.what()).find("libcurl-not-installed.so.4 not found: install libcurl4"),
              std::string::npos)
        << e.what();
  }
}

TEST(CurlLibrary, ALibraryWithoutCurlIsATransportErrorNamingTheFunction) {
  try {
    CurlLibrary::load("libc.so.6");
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("libc.so.6 has no curl_global_init"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ld
