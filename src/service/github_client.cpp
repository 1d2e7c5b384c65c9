#include "service/github_client.hpp"

#include <cstdlib>

#include "core/encoding.hpp"

namespace ld::service {
namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

bool all_of_chars(std::string_view s, std::string_view extra) {
  for (char c : s) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && extra.find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string repo_path(const RepoRef& repo) {
  return "/repos/" + ld::uri_encode(repo.owner) + "/" + ld::uri_encode(repo.name);
}

}  // namespace

GitHubSettings GitHubSettings::from_env() {
  GitHubSettings settings;
  settings.api_url = env_or("GITHUB_API_URL", settings.api_url);
  settings.token = env_or("GITHUB_TOKEN", "");
  return settings;
}

void validate(const RepoRef& repo, bool with_ref) {
  if (repo.owner.empty() || repo.owner.size() > 39 || !all_of_chars(repo.owner, "-_")) {
    throw InvalidRepoRef(
        "owner", "owner '" + repo.owner + "' is not a GitHub owner (1-39 letters, digits or '-')");
  }
  if (repo.name.empty() || repo.name.size() > 100 || !all_of_chars(repo.name, "-_.") ||
      repo.name == "." || repo.name == "..") {
    throw InvalidRepoRef("name",
                         "name '" + repo.name +
                             "' is not a GitHub repository name (letters, digits, '-', '_', '.')");
  }
  if (with_ref) {
    if (repo.ref.empty() || repo.ref.size() > 255 || !all_of_chars(repo.ref, "-_./") ||
        repo.ref.find("..") != std::string::npos || repo.ref.front() == '/' ||
        repo.ref.back() == '/') {
      throw InvalidRepoRef(
          "ref",
          "ref '" + repo.ref + "' is not a git ref (letters, digits, '-', '_', '.', '/', no '..')");
    }
  }
}

GitHubClient::GitHubClient(GitHubSettings settings, std::shared_ptr<ld::Transport> transport)
    : settings_(std::move(settings)), upstream_(std::move(transport)) {
  while (!settings_.api_url.empty() && settings_.api_url.back() == '/')
    settings_.api_url.pop_back();
}

UpstreamResult GitHubClient::get(const std::string& path_and_query) const {
  ld::Headers headers;
  headers.set("Accept", "application/vnd.github+json");
  headers.set("User-Agent", settings_.user_agent);
  headers.set("X-GitHub-Api-Version", "2022-11-28");
  if (!settings_.token.empty()) headers.set("Authorization", "Bearer " + settings_.token);
  return upstream_.get(settings_.api_url + path_and_query, headers);
}

UpstreamResult GitHubClient::apis_available() const {
  return get("/");
}

UpstreamResult GitHubClient::rate_limit() const {
  return get("/rate_limit");
}

UpstreamResult GitHubClient::repository(const RepoRef& repo) const {
  validate(repo, false);
  return get(repo_path(repo));
}

UpstreamResult GitHubClient::commits(const RepoRef& repo, int per_page) const {
  validate(repo, !repo.ref.empty());
  std::string query = "?per_page=" + std::to_string(per_page);
  if (!repo.ref.empty())
    query = "?sha=" + ld::uri_encode(repo.ref) + "&per_page=" + std::to_string(per_page);
  return get(repo_path(repo) + "/commits" + query);
}

UpstreamResult GitHubClient::issues(const RepoRef& repo, int per_page) const {
  validate(repo, false);
  return get(repo_path(repo) + "/issues?per_page=" + std::to_string(per_page));
}

UpstreamResult GitHubClient::zipball(const RepoRef& repo) const {
  validate(repo, true);
  return get(repo_path(repo) + "/zipball/" + ld::uri_encode(repo.ref, true));
}

}  // namespace ld::service
