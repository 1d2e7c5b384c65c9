#pragma once
// The libcurl functions the transport uses, loaded on first use: dlopen("libcurl.so.4") and
// dlsym, so that a run that sends no request (`lambdeploy --version`, `--help`, a bad option)
// never maps libcurl and the 23 libraries Debian's build of it needs (GnuTLS, Kerberos, LDAP,
// ssh2, ...). The curl headers still give the types and constants at compile time.
#include <curl/curl.h>

namespace ld {

// The libcurl entry points the transport calls, resolved from one loaded libcurl.
struct CurlLibrary {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;  // variadic, called as curl_easy_setopt
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_reset) easy_reset = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_share_init) share_init = nullptr;
  decltype(&::curl_share_setopt) share_setopt = nullptr;
  decltype(&::curl_share_cleanup) share_cleanup = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;

  // Loads `soname` (never unloaded), resolves every function and calls curl_global_init.
  // Throws TransportError (Kind::Other) saying what is missing and what to install.
  static CurlLibrary load(const char* soname);
};

// libcurl.so.4, loaded and initialised once (thread-safe) by the first call; a failed load
// throws TransportError and is tried again by the next call.
const CurlLibrary& curl_library();

}  // namespace ld
