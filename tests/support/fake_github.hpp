#pragma once
// A fake GitHub API on 127.0.0.1 for the service's tests: /rate_limit, /repos/{o}/{n},
// commits, issues, and /repos/{o}/{n}/zipball/{ref} answered with a 302 to /codeload/… that
// serves a zip the test built. It can answer 500 or 404 to everything, or answer slowly.
//
//   ld::test::FakeGitHub github;
//   github.set_zipball("octo", "hello", "main", ld::test::build_zip({{"octo-hello-1a2b/README.md",
//   "hi\n"}})); GitHubClient client({github.url(), "token"}, ld::make_curl_transport());
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace httplib {
class Server;
}

namespace ld::test {

// One file of a zip a test builds.
struct ZipFile {
  std::string name;  // as stored: GitHub's zipballs start with "owner-repo-sha/"
  std::string content;
  bool directory = false;  // a directory entry ("dir/"); content ignored
};

// A zip built in memory with libzip (deflate), entries in the given order.
std::string build_zip(const std::vector<ZipFile>& files);

// Rewrites the declared uncompressed size of `name` in its local and central headers, to make
// a zip that lies about its size (a zip bomb's trick). Throws when the entry is not found.
void set_declared_size(std::string& zip, std::string_view name, std::uint32_t size);

// One request as the fake received it.
struct GitHubRequest {
  std::string method;
  std::string path;
  std::string query;                           // raw, e.g. "sha=main&per_page=30"
  std::map<std::string, std::string> headers;  // names lower-cased

  std::optional<std::string> header(const std::string& lower_name) const;
};

// The fake server. Thread-safe; stops in the destructor.
class FakeGitHub {
 public:
  enum class Mode { Normal, Error500, NotFound, Slow };

  FakeGitHub();
  ~FakeGitHub();
  FakeGitHub(const FakeGitHub&) = delete;
  FakeGitHub& operator=(const FakeGitHub&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT"
  int port() const { return port_; }

  // The zip served for GET /repos/{owner}/{name}/zipball/{ref}.
  void set_zipball(const std::string& owner, const std::string& name, const std::string& ref,
                   std::string zip);
  // Error500 / NotFound answer every request so; Slow waits `delay` before answering.
  void set_mode(Mode mode, std::chrono::milliseconds delay = std::chrono::milliseconds(1500));

  std::vector<GitHubRequest> requests() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  Mode mode_ = Mode::Normal;
  std::chrono::milliseconds delay_{0};
  std::map<std::string, std::string> zips_;  // "owner/name/ref" → zip bytes
  std::vector<GitHubRequest> requests_;
};

}  // namespace ld::test
