#include "runtime/api_connection.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/strings.hpp"

namespace ld::runtime {

namespace {

constexpr std::size_t kChunkSize = 64 * 1024;

std::string errno_text(const char* what) {
  std::string text(what);
  text += ": ";
  text += std::strerror(errno);
  return text;
}

std::optional<std::size_t> parse_size(std::string_view text, int base) {
  text = trim(text);
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string_view> ApiReply::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return std::nullopt;
}

ApiConnection::ApiConnection(std::string host_port) : host_port_(std::move(host_port)) {
  std::string_view hp = host_port_;
  auto colon = hp.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == hp.size()) {
    host_ = std::string(hp);
    port_ = "80";
  } else {
    host_ = std::string(hp.substr(0, colon));
    port_ = std::string(hp.substr(colon + 1));
  }
  if (host_.size() >= 2 && host_.front() == '[' && host_.back() == ']')
    host_ = host_.substr(1, host_.size() - 2);
  out_.reserve(512);
  in_.reserve(kChunkSize);
  head_.reserve(1024);
}

ApiConnection::~ApiConnection() {
  close();
}

const ApiReply& ApiConnection::send(std::string_view method, std::string_view path,
                                    std::string_view body, const std::vector<HeaderView>& headers) {
  if (attempt(method, path, body, headers)) return reply_;
  close();
  if (attempt(method, path, body, headers)) return reply_;
  close();
  throw ApiUnreachable("the Lambda Runtime API at " + host_port_ + " is gone (" +
                       std::string(method) + " " + std::string(path) + ": " + error_ + ")");
}

const ApiReply& ApiConnection::post_then_get(std::string_view post_path, std::string_view body,
                                             const std::vector<HeaderView>& headers,
                                             std::string_view get_path, PostAnswer& posted) {
  bool answered = false;
  for (int tries = 0; tries < 2 && !answered; ++tries) {
    if (fd_ < 0 && !open()) continue;
    if (write_request("POST", post_path, body, headers, get_path) && read_reply()) {
      answered = true;
    } else {
      close();
    }
  }
  if (!answered) {
    throw ApiUnreachable("the Lambda Runtime API at " + host_port_ + " is gone (POST " +
                         std::string(post_path) + ": " + error_ + ")");
  }
  posted.status = reply_.status;
  posted.body.assign(reply_.body.substr(0, std::min<std::size_t>(reply_.body.size(), 500)));
  // The GET went out behind the POST; when the server closed after the POST's answer, it was
  // never read, so it is sent again on a new connection.
  if (close_after_reply_) {
    close();
    return send("GET", get_path);
  }
  if (read_reply()) {
    if (close_after_reply_) close();
    return reply_;
  }
  // The connection dropped under the GET: that counts as its first attempt.
  close();
  if (attempt("GET", get_path, {}, {})) return reply_;
  close();
  throw ApiUnreachable("the Lambda Runtime API at " + host_port_ + " is gone (GET " +
                       std::string(get_path) + ": " + error_ + ")");
}

bool ApiConnection::attempt(std::string_view method, std::string_view path, std::string_view body,
                            const std::vector<HeaderView>& headers) {
  if (fd_ < 0 && !open()) return false;
  if (!write_request(method, path, body, headers)) return false;
  if (!read_reply()) return false;
  if (close_after_reply_) close();
  return true;
}

bool ApiConnection::open() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &found); rc != 0) {
    error_ = "cannot resolve " + host_ + ": " + ::gai_strerror(rc);
    return false;
  }
  error_ = "no address for " + host_;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error_ = errno_text("socket");
      continue;
    }
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error_ = errno_text("connect");
      ::close(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd_ = fd;
    break;
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) return false;
  ++opened_;
  in_.clear();
  return true;
}

void ApiConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  in_.clear();
}

void ApiConnection::append_head(std::string_view method, std::string_view path,
                                std::string_view body, const std::vector<HeaderView>& headers) {
  out_.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_port_);
  out_.append("\r\nUser-Agent: lambdeploy-runtime\r\n");
  for (const auto& [name, value] : headers)
    out_.append(name).append(": ").append(value).append("\r\n");
  if (method != "GET" || !body.empty()) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body.size());
    out_.append("Content-Length: ").append(digits, end).append("\r\n");
  }
  out_.append("\r\n");
}

bool ApiConnection::write_request(std::string_view method, std::string_view path,
                                  std::string_view body, const std::vector<HeaderView>& headers,
                                  std::string_view then_get) {
  out_.clear();
  append_head(method, path, body, headers);
  const std::size_t first_head = out_.size();
  if (!then_get.empty()) append_head("GET", then_get, {}, {});
  iovec parts[3] = {{out_.data(), first_head},
                    {const_cast<char*>(body.data()), body.size()},
                    {out_.data() + first_head, out_.size() - first_head}};
  constexpr std::size_t kParts = 3;
  std::size_t index = 0;
  while (index < kParts) {
    if (parts[index].iov_len == 0) {
      ++index;
      continue;
    }
    msghdr message{};
    message.msg_iov = parts + index;
    message.msg_iovlen = kParts - index;
    ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      error_ = errno_text("send");
      return false;
    }
    auto left = static_cast<std::size_t>(sent);
    while (index < kParts && left >= parts[index].iov_len) {
      left -= parts[index].iov_len;
      parts[index].iov_len = 0;
      ++index;
    }
    if (index < kParts) {
      parts[index].iov_base = static_cast<char*>(parts[index].iov_base) + left;
      parts[index].iov_len -= left;
    }
  }
  return true;
}

bool ApiConnection::fill(std::size_t size) {
  if (!chunk_) chunk_ = std::make_unique<char[]>(kChunkSize);
  while (in_.size() < size) {
    ssize_t got = ::recv(fd_, chunk_.get(), kChunkSize, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error_ = errno_text("recv");
      return false;
    }
    if (got == 0) {
      error_ = "the connection was closed";
      return false;
    }
    in_.append(chunk_.get(), static_cast<std::size_t>(got));
  }
  return true;
}

bool ApiConnection::read_reply() {
  reply_.status = 0;
  reply_.headers.clear();
  reply_.body = {};
  body_.clear();
  // The head.
  std::size_t end = std::string::npos;
  std::size_t searched = 0;
  while ((end = in_.find("\r\n\r\n", searched)) == std::string::npos) {
    searched = in_.size() > 3 ? in_.size() - 3 : 0;
    if (!fill(in_.size() + 1)) {
      if (in_.empty()) error_ += " before any answer";
      return false;
    }
  }
  head_.assign(in_, 0, end + 2);
  in_.erase(0, end + 4);
  std::string_view head = head_;
  auto line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  auto space = status_line.find(' ');
  auto status = space == std::string_view::npos ? std::nullopt
                                                : parse_size(status_line.substr(space + 1, 3), 10);
  if (!status || !status_line.starts_with("HTTP/1.")) {
    error_ = "not an HTTP/1.1 answer: " + std::string(status_line.substr(0, 80));
    return false;
  }
  reply_.status = static_cast<int>(*status);
  close_after_reply_ = status_line.starts_with("HTTP/1.0");
  std::optional<std::size_t> length;
  bool chunked = false;
  for (std::size_t pos = line_end + 2; pos < head.size();) {
    auto next = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, next - pos);
    pos = next + 2;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    reply_.headers.emplace_back(name, value);
    if (iequals(name, "Content-Length")) {
      length = parse_size(value, 10);
      if (!length) {
        error_ = "bad Content-Length: " + std::string(value);
        return false;
      }
    } else if (iequals(name, "Transfer-Encoding")) {
      chunked = to_lower(value).find("chunked") != std::string::npos;
    } else if (iequals(name, "Connection")) {
      close_after_reply_ = iequals(value, "close");
    }
  }
  // The body.
  bool no_body = reply_.status / 100 == 1 || reply_.status == 204 || reply_.status == 304;
  if (no_body) {
  } else if (chunked) {
    if (!read_chunked(0)) return false;
  } else if (length) {
    if (!fill(*length)) {
      error_ += " in the middle of an answer";
      return false;
    }
    body_.assign(in_, 0, *length);
    in_.erase(0, *length);
  } else {
    // Until the server closes.
    while (fill(in_.size() + 1)) {
    }
    body_.swap(in_);
    in_.clear();
    close_after_reply_ = true;
  }
  reply_.body = body_;
  return true;
}

bool ApiConnection::read_chunked(std::size_t start) {
  std::size_t pos = start;
  for (;;) {
    std::size_t line_end;
    while ((line_end = in_.find("\r\n", pos)) == std::string::npos) {
      if (!fill(in_.size() + 1)) return false;
    }
    std::string_view line(in_.data() + pos, line_end - pos);
    auto size = parse_size(line.substr(0, line.find(';')), 16);
    if (!size) {
      error_ = "bad chunk size: " + std::string(line.substr(0, 40));
      return false;
    }
    pos = line_end + 2;
    if (*size == 0) {
      // Trailer fields, then an empty line.
      for (;;) {
        while ((line_end = in_.find("\r\n", pos)) == std::string::npos) {
          if (!fill(in_.size() + 1)) return false;
        }
        bool empty = line_end == pos;
        pos = line_end + 2;
        if (empty) break;
      }
      in_.erase(0, pos);
      return true;
    }
    if (!fill(pos + *size + 2)) return false;
    body_.append(in_, pos, *size);
    pos += *size + 2;
  }
}

}  // namespace ld::runtime
