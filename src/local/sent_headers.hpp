#pragma once
// The header values a client sent, as far as they can be recovered: cpp-httplib 0.11.4 (Debian's)
// percent-decodes every header value as it parses a request, and there is no way to ask it for
// the raw value. Headers that SDKs send percent-encoded (x-amz-copy-source, x-amz-tagging) are
// signed in their encoded form, so the signature is checked against the forms SDKs encode them in.
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4_verify.hpp"
#include "core/http.hpp"
#include "core/time.hpp"

namespace ld::local {

// The forms a received (decoded) x-amz-copy-source value may have had on the wire: as received,
// every byte but RFC 3986's unreserved ones and '/' encoded (botocore's quote(bucket/key,
// safe='/~'), the Java and .NET SDKs), and that with the sub-delimiters Go's url.PathEscape keeps.
// A "?versionId=" suffix stays as it is, as SDKs append it unencoded.
std::vector<std::string> copy_source_forms(std::string_view received);

// The forms a received x-amz-tagging value ("k=v&k2=v2", decoded) may have had: as received, and
// each key and value URI-encoded with '+' kept (a space sent as '+') or encoded (sent as %2B).
std::vector<std::string> tagging_forms(std::string_view received);

// aws::verify_request, and for an S3 request whose signature does not match, again with each
// combination of the forms above for those of its signed headers. The first result whose
// signature matches (its body may still fail), else the first one.
aws::VerifyResult verify_as_sent(const HttpRequest& request, const aws::SecretLookup& secret_for,
                                 Timestamp now);

}  // namespace ld::local
