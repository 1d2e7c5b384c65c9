#include "core/http1_response.hpp"

#include <algorithm>
#include <charconv>

#include "core/strings.hpp"
#include "core/transport.hpp"

namespace ld {
namespace {

using Kind = TransportError::Kind;

constexpr std::size_t kReadSize = 16 * 1024;

// The status line's parts: "HTTP/1.1 200 OK".
struct StatusLine {
  int minor = 1;
  int status = 0;
};

StatusLine parse_status_line(std::string_view line) {
  StatusLine out;
  auto bad = [&] {
    return TransportError(Kind::Other, "malformed status line in the response: \"" +
                                           std::string(line.substr(0, 80)) + "\"");
  };
  if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[8] != ' ') throw bad();
  out.minor = line[7] - '0';
  auto code = line.substr(9, 3);
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      (line.size() > 12 && line[12] != ' ')) {
    throw bad();
  }
  out.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  return out;
}

// Header fields of a head (after the status line); folded lines join the previous value.
void parse_fields(std::string_view text, Headers& headers) {
  std::vector<Headers::Field> fields;
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (!fields.empty()) fields.back().value += " " + std::string(trim(line));
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
      fields.push_back(
          {std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    }
  }
  for (auto& f : fields) headers.add(std::move(f.name), std::move(f.value));
}

bool has_token(const Headers& headers, std::string_view name, std::string_view token) {
  for (const auto& f : headers) {
    if (!iequals(f.name, name)) continue;
    for (const auto& part : split(f.value, ',')) {
      if (iequals(trim(part), token)) return true;
    }
  }
  return false;
}

std::uint64_t parse_number(std::string_view text, int base, const char* what) {
  std::uint64_t value = 0;
  text = trim(text);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw TransportError(Kind::Other, std::string("invalid ") + what + " in the response: \"" +
                                          std::string(text.substr(0, 40)) + "\"");
  }
  return value;
}

}  // namespace

bool Http1ResponseReader::fill() {
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  std::size_t old = buffer_.size();
  buffer_.resize(old + kReadSize);
  std::size_t got = connection_.read_some(buffer_.data() + old, kReadSize, deadline_);
  buffer_.resize(old + got);
  if (got > 0) received_any_ = true;
  return got > 0;
}

std::string Http1ResponseReader::read_head() {
  std::size_t searched = start_;
  for (;;) {
    auto end = buffer_.find("\r\n\r\n", searched);
    if (end != std::string::npos) {
      std::string head = buffer_.substr(start_, end - start_);
      start_ = end + 4;
      return head;
    }
    if (buffer_.size() - start_ > kMaxHeadBytes) {
      throw TransportError(Kind::Other, "the response headers are larger than " +
                                            std::to_string(kMaxHeadBytes / 1024) + " KiB");
    }
    searched = std::max(start_, buffer_.size() < 3 ? 0 : buffer_.size() - 3);
    if (!fill()) {
      throw TransportError(Kind::Reset, received_any_
                                            ? "connection closed in the middle of the response "
                                              "headers"
                                            : "connection closed before any response (empty "
                                              "reply from the server)");
    }
  }
}

std::string Http1ResponseReader::read_line(const char* what) {
  std::size_t searched = start_;
  for (;;) {
    auto eol = buffer_.find("\r\n", searched);
    if (eol != std::string::npos) {
      std::string line = buffer_.substr(start_, eol - start_);
      start_ = eol + 2;
      return line;
    }
    if (buffer_.size() - start_ > kMaxHeadBytes) {
      throw TransportError(Kind::Other, std::string(what) + " in the response is too long");
    }
    searched = std::max(start_, buffer_.size() == 0 ? 0 : buffer_.size() - 1);
    if (!fill()) {
      throw TransportError(Kind::Reset,
                           std::string("connection closed in the middle of the ") + what);
    }
  }
}

void Http1ResponseReader::read_exact(std::uint64_t size, std::string& out) {
  std::uint64_t wanted = out.size() + size;
  out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(wanted, 64u << 20)));
  while (out.size() < wanted) {
    if (start_ == buffer_.size() && !fill()) {
      throw TransportError(Kind::Reset, "connection closed after " + std::to_string(out.size()) +
                                            " of " + std::to_string(wanted) +
                                            " body bytes (transfer closed with data remaining)");
    }
    std::size_t n = static_cast<std::size_t>(
        std::min<std::uint64_t>(wanted - out.size(), buffer_.size() - start_));
    out.append(buffer_, start_, n);
    start_ += n;
  }
}

void Http1ResponseReader::read_chunked(Http1Response& out) {
  for (;;) {
    std::string line = read_line("chunk size line");
    std::string_view size_text(line);
    size_text = size_text.substr(0, size_text.find(';'));
    std::uint64_t size = parse_number(size_text, 16, "chunk size");
    if (size == 0) break;
    read_exact(size, out.response.body);
    if (!read_line("chunk").empty()) {
      throw TransportError(Kind::Other, "a chunk in the response is longer than its size says");
    }
  }
  std::string trailers;
  for (;;) {
    std::string line = read_line("trailer");
    if (line.empty()) break;
    trailers += line + "\r\n";
    if (trailers.size() > kMaxHeadBytes) {
      throw TransportError(Kind::Other, "the response trailers are larger than " +
                                            std::to_string(kMaxHeadBytes / 1024) + " KiB");
    }
  }
  parse_fields(trailers, out.response.headers);
}

void Http1ResponseReader::read_to_close(std::string& out) {
  out.append(buffer_, start_, std::string::npos);
  start_ = buffer_.size();
  while (fill()) {
    out.append(buffer_, start_, std::string::npos);
    start_ = buffer_.size();
  }
}

Http1Response Http1ResponseReader::read(bool head_request) {
  Http1Response out;
  StatusLine status;
  std::string head;
  for (;;) {
    head = read_head();
    auto eol = head.find("\r\n");
    status = parse_status_line(std::string_view(head).substr(0, eol));
    if (status.status >= 200 || status.status == 101) {
      if (eol != std::string::npos)
        parse_fields(std::string_view(head).substr(eol + 2), out.response.headers);
      break;
    }
    // An interim answer (100 Continue, 103 Early Hints): the real one follows.
  }
  HttpResponse& response = out.response;
  response.status = status.status;
  bool close = has_token(response.headers, "Connection", "close");
  out.keep_alive = status.minor >= 1
                       ? !close
                       : has_token(response.headers, "Connection", "keep-alive") && !close;
  if (status.status == 101) {
    out.keep_alive = false;
    return out;
  }
  if (head_request || status.status == 204 || status.status == 304) return out;

  if (auto te = response.headers.get("Transfer-Encoding")) {
    auto codings = split(*te, ',');
    if (!codings.empty() && iequals(trim(codings.back()), "chunked")) {
      read_chunked(out);
    } else {
      out.keep_alive = false;
      read_to_close(response.body);
    }
  } else if (auto length = response.headers.get("Content-Length")) {
    read_exact(parse_number(*length, 10, "Content-Length"), response.body);
  } else {
    out.keep_alive = false;
    read_to_close(response.body);
  }
  return out;
}

}  // namespace ld
