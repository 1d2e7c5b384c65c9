#pragma once
// Reads a raw HTTP/1.1 request as the SigV4 test suites write it (.req, .sreq, request.txt,
// *-signed-request.txt) into the HttpRequest the signer works on.
#include <string_view>

#include "aws/http.hpp"

namespace ld::test {

// Parses "METHOD target HTTP/1.1", the header lines, a blank line and the body. The target may
// hold spaces and raw UTF-8; its path is kept exactly as written, its query split on '&' and the
// first '=' and percent-decoded into pairs. Header values are trimmed; a line starting with a
// space or tab continues the previous value (joined with one space); repeated names stay separate
// fields in order. The body is the bytes after the blank line, nothing added. Host also sets
// host and port. Lines may end in "\n" or "\r\n". Throws ld::Error naming the line that is not
// part of a request.
aws::HttpRequest parse_http_request(std::string_view text);

}  // namespace ld::test
