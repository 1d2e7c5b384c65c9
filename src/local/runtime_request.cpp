#include "local/runtime_request.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>

#include "core/strings.hpp"

namespace ld::local {

std::string RuntimeRequest::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

std::optional<RuntimeRequest> RuntimeRequestParser::take() {
  std::size_t end = buffer_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (buffer_.size() > 64 * 1024) throw std::runtime_error("request head over 64 KB");
    return std::nullopt;
  }
  RuntimeRequest req;
  std::size_t line_end = buffer_.find("\r\n");
  std::string first = buffer_.substr(0, line_end);
  auto parts = split(first, ' ');
  if (parts.size() != 3 || parts[2].rfind("HTTP/1.", 0) != 0)
    throw std::runtime_error("malformed request line: " + first);
  req.method = parts[0];
  req.target = parts[1];
  bool http10 = parts[2] == "HTTP/1.0";
  std::size_t pos = line_end + 2;
  std::size_t content_length = 0;
  bool keep_alive = false;
  bool expect_continue = false;
  while (pos < end) {
    std::size_t eol = buffer_.find("\r\n", pos);
    std::string line = buffer_.substr(pos, eol - pos);
    pos = eol + 2;
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) throw std::runtime_error("malformed header line: " + line);
    std::string name(trim(std::string_view(line).substr(0, colon)));
    std::string value(trim(std::string_view(line).substr(colon + 1)));
    if (iequals(name, "Content-Length")) {
      try {
        content_length = std::stoull(value);
      } catch (const std::exception&) {
        throw std::runtime_error("bad Content-Length: " + value);
      }
      if (content_length > kRuntimeMaxBody) throw std::runtime_error("body too large");
    } else if (iequals(name, "Transfer-Encoding") && !iequals(value, "identity")) {
      if (!iequals(value, "chunked"))
        throw std::runtime_error("Transfer-Encoding " + value + " is not supported");
      req.chunked = true;
    } else if (iequals(name, "Expect") && iequals(value, "100-continue")) {
      expect_continue = true;
    } else if (iequals(name, "Connection")) {
      if (iequals(value, "close")) req.close = true;
      if (iequals(value, "keep-alive")) keep_alive = true;
    }
    req.headers.emplace_back(std::move(name), std::move(value));
  }
  if (http10 && !keep_alive) req.close = true;
  if (req.chunked) {
    if (content_length != 0) throw std::runtime_error("both Content-Length and chunked");
    buffer_.erase(0, end + 4);
    in_body_ = true;
    chunk_left_ = 0;
    chunk_crlf_ = trailers_ = false;
    continue_due_ = expect_continue;
    continue_sent_ = false;
    return req;
  }
  std::size_t total = end + 4 + content_length;
  if (buffer_.size() < total) {
    if (expect_continue && !continue_sent_) continue_due_ = true;
    return std::nullopt;
  }
  req.body = buffer_.substr(end + 4, content_length);
  buffer_.erase(0, total);
  continue_due_ = continue_sent_ = false;
  return req;
}

bool RuntimeRequestParser::take_continue() {
  if (!continue_due_) return false;
  continue_due_ = false;
  continue_sent_ = true;
  return true;
}

std::optional<RuntimeBodyPart> RuntimeRequestParser::take_body() {
  if (!in_body_) return std::nullopt;
  RuntimeBodyPart part;
  bool progress = false;
  std::size_t at = 0;
  while (true) {
    if (chunk_left_ > 0) {
      const std::size_t n = std::min(chunk_left_, buffer_.size() - at);
      if (n == 0) break;
      part.bytes.append(buffer_, at, n);
      at += n;
      chunk_left_ -= n;
      progress = true;
      if (chunk_left_ == 0) chunk_crlf_ = true;
      continue;
    }
    if (chunk_crlf_) {
      if (buffer_.size() - at < 2) break;
      if (buffer_.compare(at, 2, "\r\n") != 0)
        throw std::runtime_error("chunk data not followed by CRLF");
      at += 2;
      chunk_crlf_ = false;
      continue;
    }
    if (trailers_) {
      // Trailer lines, then an empty line.
      const std::size_t eol = buffer_.find("\r\n", at);
      if (eol == std::string::npos) {
        if (buffer_.size() - at > std::size_t{64} * 1024)
          throw std::runtime_error("trailers over 64 KB");
        break;
      }
      const std::string line = buffer_.substr(at, eol - at);
      if (line.empty()) {
        at = eol + 2;
        in_body_ = trailers_ = false;
        continue_sent_ = false;  // the next request may ask for its own 100 Continue
        part.last = true;
        progress = true;
        break;
      }
      // A trailer is only taken with its line end, so a line is never parsed twice.
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) throw std::runtime_error("malformed trailer: " + line);
      part.trailers.emplace_back(std::string(trim(std::string_view(line).substr(0, colon))),
                                 std::string(trim(std::string_view(line).substr(colon + 1))));
      at = eol + 2;
      progress = true;
      continue;
    }
    const std::size_t eol = buffer_.find("\r\n", at);
    if (eol == std::string::npos) {
      if (buffer_.size() - at > 1024) throw std::runtime_error("chunk size line over 1 KB");
      break;
    }
    std::string_view size_text = std::string_view(buffer_).substr(at, eol - at);
    size_text = size_text.substr(0, size_text.find(';'));  // chunk extensions are ignored
    size_text = trim(size_text);
    std::size_t size = 0;
    if (size_text.empty() || size_text.size() > 8)
      throw std::runtime_error("bad chunk size: " + std::string(size_text));
    for (char ch : size_text) {
      const int digit = std::isdigit(static_cast<unsigned char>(ch))
                            ? ch - '0'
                            : (std::isxdigit(static_cast<unsigned char>(ch))
                                   ? std::tolower(static_cast<unsigned char>(ch)) - 'a' + 10
                                   : -1);
      if (digit < 0) throw std::runtime_error("bad chunk size: " + std::string(size_text));
      size = size * 16 + static_cast<std::size_t>(digit);
    }
    at = eol + 2;
    progress = true;
    if (size == 0) {
      trailers_ = true;
    } else {
      chunk_left_ = size;
    }
  }
  buffer_.erase(0, at);
  if (!progress) return std::nullopt;
  return part;
}

}  // namespace ld::local
