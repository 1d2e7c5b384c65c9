#include "aws/curl_library.hpp"

#include <dlfcn.h>

#include <string>

#include "core/transport.hpp"

namespace ld {
namespace {

constexpr const char* kLibcurl = "libcurl.so.4";

template <typename Function>
void resolve(void* library, const char* soname, const char* name, Function& into) {
  void* symbol = ::dlsym(library, name);
  if (!symbol) {
    throw TransportError(TransportError::Kind::Other, std::string(soname) + " has no " + name +
                                                          " (is it libcurl?): install libcurl4");
  }
  // POSIX guarantees that a data pointer from dlsym converts to a function pointer.
  into = reinterpret_cast<Function>(symbol);
}

}  // namespace

CurlLibrary CurlLibrary::load(const char* soname) {
  // RTLD_LOCAL: libcurl's symbols stay out of the global scope (no clash with anything else).
  void* library = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char* why = ::dlerror();
    throw TransportError(TransportError::Kind::Other,
                         std::string(soname) + " not found: install libcurl4" +
                             (why ? std::string(" (") + why + ")" : std::string()));
  }
  CurlLibrary curl;
  resolve(library, soname, "curl_global_init", curl.global_init);
  resolve(library, soname, "curl_easy_init", curl.easy_init);
  resolve(library, soname, "curl_easy_setopt", curl.easy_setopt);
  resolve(library, soname, "curl_easy_perform", curl.easy_perform);
  resolve(library, soname, "curl_easy_getinfo", curl.easy_getinfo);
  resolve(library, soname, "curl_easy_reset", curl.easy_reset);
  resolve(library, soname, "curl_easy_cleanup", curl.easy_cleanup);
  resolve(library, soname, "curl_easy_strerror", curl.easy_strerror);
  resolve(library, soname, "curl_share_init", curl.share_init);
  resolve(library, soname, "curl_share_setopt", curl.share_setopt);
  resolve(library, soname, "curl_share_cleanup", curl.share_cleanup);
  resolve(library, soname, "curl_slist_append", curl.slist_append);
  resolve(library, soname, "curl_slist_free_all", curl.slist_free_all);
  if (CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK) {
    throw TransportError(TransportError::Kind::Other,
                         std::string("curl_global_init failed: ") + curl.easy_strerror(code));
  }
  return curl;
}

const CurlLibrary& curl_library() {
  // A static's initialisation runs once even with concurrent callers; one that throws is
  // not complete, so the next call tries again.
  static const CurlLibrary library = CurlLibrary::load(kLibcurl);
  return library;
}

}  // namespace ld
