#pragma once
// The GitHub REST API calls the service makes, each answered as {headers, content, duration}.
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/transport.hpp"
#include "service/upstream.hpp"

namespace ld::service {

// Where GitHub is and how to present ourselves to it.
struct GitHubSettings {
  std::string api_url = "https://api.github.com";  // env GITHUB_API_URL
  std::string token;                               // env GITHUB_TOKEN; sent only when set
  std::string user_agent = "lambdeploy-github-digest";

  // From GITHUB_API_URL and GITHUB_TOKEN, with the public defaults.
  static GitHubSettings from_env();
};

// A repository, and optionally a ref in it; names are checked before they reach a URL.
struct RepoRef {
  std::string owner;
  std::string name;
  std::string ref = "main";
};

// Thrown for an owner, name or ref that GitHub could not have (routes answer 400).
class InvalidRepoRef : public ld::Error {
 public:
  InvalidRepoRef(std::string field, const std::string& what)
      : ld::Error(what), field_(std::move(field)) {}
  const std::string& field() const { return field_; }  // "owner", "name" or "ref"

 private:
  std::string field_;
};

// Checks owner (letters, digits, '-'), name (also '.', '_') and ref (also '/', no "..").
void validate(const RepoRef& repo, bool with_ref);

// Client of api.github.com (or GITHUB_API_URL). Thread-safe.
class GitHubClient {
 public:
  GitHubClient(GitHubSettings settings, std::shared_ptr<ld::Transport> transport);

  UpstreamResult apis_available() const;  // GET /
  UpstreamResult rate_limit() const;      // GET /rate_limit
  UpstreamResult repository(const RepoRef& repo) const;
  // GET /repos/{o}/{n}/commits?sha={ref}&per_page={per_page}
  UpstreamResult commits(const RepoRef& repo, int per_page = 30) const;
  UpstreamResult issues(const RepoRef& repo, int per_page = 30) const;
  // GET /repos/{o}/{n}/zipball/{ref}, following GitHub's redirect to codeload; body = zip bytes.
  UpstreamResult zipball(const RepoRef& repo) const;

  const GitHubSettings& settings() const { return settings_; }

 private:
  UpstreamResult get(const std::string& path_and_query) const;

  GitHubSettings settings_;
  Upstream upstream_;
};

}  // namespace ld::service
