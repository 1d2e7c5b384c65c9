#include "support/http_message.hpp"

#include <charconv>
#include <string>
#include <vector>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::test {
namespace {

// Cuts the next line (without its "\n" or "\r\n") off the front of `text`.
std::string_view next_line(std::string_view& text) {
  size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

aws::QueryParams parse_query(std::string_view query) {
  aws::QueryParams out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    out.emplace_back(uri_decode(key), uri_decode(value));
  }
  return out;
}

void set_host(aws::HttpRequest& request, std::string_view authority) {
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    int value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec == std::errc() && ptr == port.data() + port.size()) {
      request.host = std::string(authority.substr(0, colon));
      request.port = value;
      return;
    }
  }
  request.host = std::string(authority);
}

}  // namespace

aws::HttpRequest parse_http_request(std::string_view text) {
  aws::HttpRequest request;
  int line_no = 1;
  std::string_view rest = text;
  std::string_view request_line = next_line(rest);
  size_t first_space = request_line.find(' ');
  size_t last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || last_space == first_space ||
      !request_line.substr(last_space + 1).starts_with("HTTP/"))
    throw Error("line 1 is not an HTTP request line (METHOD target HTTP/1.1): '" +
                std::string(request_line) + "'");
  request.method = std::string(request_line.substr(0, first_space));
  std::string_view target = request_line.substr(first_space + 1, last_space - first_space - 1);
  size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = parse_query(target.substr(question + 1));

  std::vector<aws::Headers::Field> fields;
  bool ended = false;  // saw the blank line before the body
  while (!rest.empty()) {
    ++line_no;
    std::string_view line = next_line(rest);
    if (line.empty()) {
      ended = true;
      break;
    }
    if (line.front() == ' ' || line.front() == '\t') {  // obsolete line folding
      if (fields.empty())
        throw Error("line " + std::to_string(line_no) + " continues a header but none came before");
      fields.back().value.append(" ").append(trim(line));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      throw Error("line " + std::to_string(line_no) + " is not a header (Name:value): '" +
                  std::string(line) + "'");
    fields.push_back(
        {std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
  }
  for (auto& field : fields) request.headers.add(std::move(field.name), std::move(field.value));
  if (ended) request.body = std::string(rest);
  if (auto host = request.headers.get("Host")) set_host(request, *host);
  return request;
}

}  // namespace ld::test
