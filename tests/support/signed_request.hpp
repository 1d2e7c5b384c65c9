#pragma once
// Requests the local tests build by hand, signed as an SDK signs them with the default key.
#include <string>

#include "core/http.hpp"

namespace ld::test {

// Signs `request` in place with the default key (test / test) for `service` in us-east-1, now:
// for "s3" as its SDKs do (the path as it is, x-amz-content-sha256); `unsigned_payload` signs
// UNSIGNED-PAYLOAD in that header instead of the body's hash.
void sign_with_test_key(HttpRequest& request, const std::string& service,
                        bool unsigned_payload = false);

// `request` (its path as it goes on the wire) sent to the endpoint at `url`, signed as above.
HttpResponse send_signed(const std::string& url, HttpRequest request, const std::string& service);

}  // namespace ld::test
