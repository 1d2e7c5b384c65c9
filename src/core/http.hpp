#pragma once
// An HTTP request and response as a client builds, sends and reads them (the AWS client, the
// GitHub client and the tests all use these).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ld {

// Header list that keeps order and original case but looks names up case-insensitively.
class Headers {
 public:
  struct Field {
    std::string name;
    std::string value;
  };

  // First value of the header, if present.
  std::optional<std::string> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Replaces every field of that name with one.
  void set(std::string name, std::string value);
  // Appends a field (a repeated header keeps each value).
  void add(std::string name, std::string value);
  void remove(std::string_view name);

  const std::vector<Field>& fields() const { return fields_; }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;  // decoded key, value

// A request on its way out. `path` is the path as it goes on the wire (already
// percent-encoded once); `query` holds decoded pairs, encoded when the URL is written.
struct HttpRequest {
  std::string method = "GET";
  std::string scheme = "https";
  std::string host;         // without port
  std::optional<int> port;  // when not the scheme's default
  std::string path = "/";
  QueryParams query;
  Headers headers;
  std::string body;
  // When set, the body is streamed from this file instead of `body` (large uploads).
  std::optional<std::filesystem::path> body_file;

  // "host" or "host:port" as the Host header carries it.
  std::string authority() const;
  // Query string encoded as SigV4 and the wire expect (RFC 3986, keys in given order).
  std::string query_string() const;
  // scheme://authority/path?query
  std::string url() const;
  // Size of the body, from the file when body_file is set.
  std::uint64_t body_size() const;
};

// The reason phrase HTTP/1.1 gives a status ("Not Found"); a generic one for unknown codes.
std::string_view reason_phrase(int status);

// Writes a body while it is being produced (an event stream): called once, with a writer that
// sends bytes to the peer and returns false once the peer has gone.
using BodyWriter = std::function<void(const std::function<bool(std::string_view)>& write)>;

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
  // When set, the body is what this writes (sent chunked, as it comes), and `body` is unused.
  BodyWriter body_writer = {};
};

}  // namespace ld
