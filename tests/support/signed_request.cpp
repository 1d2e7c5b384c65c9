#include "support/signed_request.hpp"

#include "aws/endpoints.hpp"
#include "aws/sigv4.hpp"
#include "core/time.hpp"
#include "core/transport.hpp"

namespace ld::test {

void sign_with_test_key(HttpRequest& request, const std::string& service, bool unsigned_payload) {
  aws::SigningConfig signing;
  signing.region = "us-east-1";
  signing.service = service;
  signing.time = system_now();
  signing.normalize_path = service != "s3";
  signing.double_encode_path = service != "s3";
  signing.add_content_sha256_header = service == "s3" || unsigned_payload;
  signing.unsigned_payload = unsigned_payload;
  aws::sign_request(request, aws::Credentials{"test", "test", "", std::nullopt, "test"}, signing);
}

HttpResponse send_signed(const std::string& url, HttpRequest request, const std::string& service) {
  const aws::Endpoint endpoint = aws::Endpoint::parse(url);
  request.scheme = endpoint.scheme;
  request.host = endpoint.host;
  request.port = endpoint.port;
  sign_with_test_key(request, service);
  return make_socket_transport()->send(request);
}

}  // namespace ld::test
