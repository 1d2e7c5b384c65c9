#include "web/http_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "core/strings.hpp"

namespace ld::web {
namespace {

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

// Optional white space around header values and chunk sizes.
std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_field_value(std::string_view v) {
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

bool valid_target(std::string_view t) {
  for (char c : t) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

// Whether a comma-separated header value (Connection) holds a token, case-insensitively.
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view item = trim_ows(list.substr(0, comma));
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool parse_decimal(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

void RequestParser::reset() {
  state_ = State::Head;
  started_ = false;
  keep_alive_ = true;
  http10_ = false;
  expect_continue_ = false;
  scanned_ = 0;
  remaining_ = 0;
  error_status_ = 0;
  error_reason_ = {};
}

RequestParser::Status RequestParser::fail(int status, std::string_view reason) {
  error_status_ = status;
  error_reason_ = reason;
  return Status::Error;
}

RequestParser::Status RequestParser::parse(std::string_view data, std::size_t& consumed,
                                           Request& out) {
  consumed = 0;
  for (;;) {
    std::string_view rest = data.substr(consumed);
    switch (state_) {
      case State::Head: {
        if (!started_) {
          // Clients may send stray blank lines between requests (RFC 9112 section 2.2).
          while (rest.size() >= 2 && rest[0] == '\r' && rest[1] == '\n') {
            consumed += 2;
            rest.remove_prefix(2);
          }
          if (rest.empty() || (rest.size() == 1 && rest[0] == '\r')) return Status::Incomplete;
          started_ = true;
          scanned_ = 0;
        }
        std::size_t from = scanned_ >= 3 ? scanned_ - 3 : 0;
        std::size_t end = rest.find("\r\n\r\n", from);
        if (end == std::string_view::npos) {
          if (rest.size() > limits_.max_header_bytes)
            return fail(431, "request headers are larger than the server accepts");
          scanned_ = rest.size();
          return Status::Incomplete;
        }
        if (end + 4 > limits_.max_header_bytes)
          return fail(431, "request headers are larger than the server accepts");
        if (parse_head(rest.substr(0, end + 2), out) == Status::Error) return Status::Error;
        consumed += end + 4;
        break;
      }
      case State::Body:
      case State::ChunkData: {
        std::size_t n = std::min(remaining_, rest.size());
        out.body.append(rest.data(), n);
        consumed += n;
        remaining_ -= n;
        if (remaining_ > 0) return Status::Incomplete;
        if (state_ == State::Body) return Status::Complete;
        state_ = State::ChunkDataEnd;
        break;
      }
      case State::ChunkDataEnd: {
        if (rest.size() < 2) return Status::Incomplete;
        if (rest[0] != '\r' || rest[1] != '\n')
          return fail(400, "chunk data is not followed by CRLF");
        consumed += 2;
        state_ = State::ChunkSize;
        break;
      }
      case State::ChunkSize: {
        std::size_t eol = rest.find("\r\n");
        if (eol == std::string_view::npos) {
          if (rest.size() > 1024) return fail(400, "chunk size line is too long");
          return Status::Incomplete;
        }
        std::string_view line = rest.substr(0, eol);
        line = trim_ows(line.substr(0, line.find(';')));
        std::uint64_t size = 0;
        if (line.empty() || line.size() > 15) return fail(400, "invalid chunk size");
        auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
        if (ec != std::errc() || ptr != line.data() + line.size())
          return fail(400, "invalid chunk size");
        consumed += eol + 2;
        if (size == 0) {
          state_ = State::Trailers;
          scanned_ = 0;
        } else {
          if (out.body.size() + size > limits_.max_body_bytes)
            return fail(413, "request body is larger than the server accepts");
          remaining_ = size;
          state_ = State::ChunkData;
        }
        break;
      }
      case State::Trailers: {
        std::size_t eol = rest.find("\r\n");
        if (eol == std::string_view::npos) {
          if (scanned_ + rest.size() > limits_.max_header_bytes)
            return fail(431, "request trailers are larger than the server accepts");
          return Status::Incomplete;
        }
        consumed += eol + 2;
        if (eol == 0) return Status::Complete;
        scanned_ += eol + 2;  // trailer fields are read and dropped
        if (scanned_ > limits_.max_header_bytes)
          return fail(431, "request trailers are larger than the server accepts");
        break;
      }
    }
  }
}

RequestParser::Status RequestParser::parse_head(std::string_view head, Request& out) {
  // Request line: method SP request-target SP HTTP-version CRLF
  std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  head.remove_prefix(eol + 2);
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return fail(400, "malformed request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return fail(400, "malformed request method");
  bool http10 = false;
  if (version == "HTTP/1.0") {
    http10 = true;
  } else if (version != "HTTP/1.1") {
    if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[6] == '.')
      return fail(505, "HTTP version not supported");
    return fail(400, "malformed HTTP version");
  }
  if (target.empty() || !valid_target(target)) return fail(400, "malformed request target");
  if (target.front() != '/') {
    if (starts_with_icase(target, "http://") || starts_with_icase(target, "https://")) {
      std::size_t slash = target.find('/', target.find("//") + 2);
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    } else if (target != "*") {
      return fail(400, "malformed request target");
    }
  }
  target = target.substr(0, target.find('#'));
  std::size_t q = target.find('?');
  out.method.assign(method);
  out.raw_path.assign(target.substr(0, q));
  if (q != std::string_view::npos) out.raw_query.assign(target.substr(q + 1));

  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  bool has_te = false;
  std::string_view connection;
  while (!head.empty()) {
    eol = head.find("\r\n");
    line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (line.front() == ' ' || line.front() == '\t')
      return fail(400, "obsolete header line folding");
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return fail(400, "header line without a colon");
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (!is_token(name)) return fail(400, "malformed header name");
    if (!valid_field_value(value)) return fail(400, "invalid character in a header value");
    if (iequals(name, "content-length")) {
      std::uint64_t n = 0;
      if (!parse_decimal(value, n)) return fail(400, "invalid Content-Length");
      if (content_length && *content_length != n) return fail(400, "conflicting Content-Length");
      content_length = n;
    } else if (iequals(name, "transfer-encoding")) {
      if (has_te || !iequals(value, "chunked"))
        return fail(501, "only the chunked transfer coding is supported");
      has_te = chunked = true;
    } else if (iequals(name, "connection")) {
      connection = value;
    } else if (iequals(name, "expect")) {
      if (!http10 && iequals(value, "100-continue")) expect_continue_ = true;
    }
    out.headers.add(std::string(name), std::string(value));
  }
  if (chunked && content_length)
    return fail(400, "both Content-Length and Transfer-Encoding were sent");
  http10_ = http10;
  keep_alive_ = http10 ? has_token(connection, "keep-alive") : !has_token(connection, "close");
  if (chunked) {
    state_ = State::ChunkSize;
    return Status::Incomplete;
  }
  std::uint64_t length = content_length.value_or(0);
  if (length > limits_.max_body_bytes)
    return fail(413, "request body is larger than the server accepts");
  remaining_ = static_cast<std::size_t>(length);
  if (remaining_ > 0) out.body.reserve(remaining_);
  state_ = State::Body;
  if (remaining_ == 0) expect_continue_ = false;
  return Status::Incomplete;
}

}  // namespace ld::web
