#pragma once
// A bootstrap for the local tests: the loop of AWS's custom-runtime tutorial in /bin/sh + curl.
#include <string>

namespace ld::test {

// INIT runs once; HANDLE runs per event with $EVENT and $ID set, answering with
// `respond BODY` or `fail TYPE MESSAGE` (an invocation error).
inline std::string tutorial_bootstrap(const std::string& init, const std::string& handle) {
  return R"SH(#!/bin/sh
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
respond() { curl -sS -X POST "$API/invocation/$ID/response" --data-binary "$1" >/dev/null; }
fail() { curl -sS -X POST "$API/invocation/$ID/error" -H "Lambda-Runtime-Function-Error-Type: $1" --data-binary "{\"errorMessage\":\"$2\",\"errorType\":\"$1\"}" >/dev/null; }
)SH" + init +
         R"SH(
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d' ' -f2 | tr -d '\r\n')
  rm -f "$HEADERS"
)SH" + handle +
         R"SH(
done
)SH";
}

}  // namespace ld::test
