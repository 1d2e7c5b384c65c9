// /github-digest: a repository as one Markdown document, filtered by query or by a JSON body.
#include <nlohmann/json.hpp>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "service/digest.hpp"
#include "service/routes.hpp"
#include "web/params.hpp"

namespace ld::service {
namespace {

constexpr const char* kMarkdown = "text/markdown; charset=utf-8";

std::vector<std::string> list_param(const web::Params& params, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& part : ld::split(params.string(name), ',')) {
    const auto trimmed = ld::trim(part);
    if (!trimmed.empty()) values.emplace_back(trimmed);
  }
  return values;
}

std::uint64_t size_param(const web::Params& params, std::string_view name) {
  const auto value = params.integer(name);
  if (value < 0) {
    throw web::ValidationError({web::FieldError{"greater_than_equal",
                                                {"query", std::string(name)},
                                                "Input should be greater than or equal to 0",
                                                value,
                                                {{"ge", 0}}}});
  }
  return static_cast<std::uint64_t>(value);
}

// A fetched zipball and the digest being written from it, kept together for the stream.
struct DigestJob {
  std::string zip;
  Zipball zipball;
  DigestWriter writer;

  DigestJob(std::string zip_bytes, const ZipLimits& limits, const RepoFilter& filter)
      : zip(std::move(zip_bytes)),
        zipball(zip, limits),
        writer(zipball, filter, ld::format_iso8601(ld::system_now())) {}
};

// The digest streams: only the zip and one file's section are in memory at a time.
web::Response digest_of(const Upstreams& upstreams, const RepoFilter& filter) {
  auto zip = upstreams.github.zipball(filter.repo);
  auto job =
      std::make_shared<DigestJob>(std::move(zip.body), upstreams.settings.zip_limits, filter);
  web::Response response = web::Response::text(200, {}, kMarkdown);
  response.stream = [job](std::string& out) { return job->writer.next(out); };
  return response;
}

}  // namespace

void add_github_digest_routes(web::App& app, std::shared_ptr<const Upstreams> upstreams) {
  web::RouteSpec get_spec;
  get_spec.summary = "A repository's text files as one Markdown document";
  get_spec.tag = "github-digest";
  get_spec.response_content_type = "text/markdown";
  get_spec.query = repo_params(true);
  auto& q = get_spec.query;
  q.push_back({"filter_starts_with", web::ParamType::String, false, "", "Path prefix"});
  q.push_back({"filter_contains", web::ParamType::String, false, "", "Text in the path"});
  q.push_back(
      {"filter_ends_with", web::ParamType::String, false, "", "Path suffixes, comma-separated"});
  q.push_back({"include_patterns", web::ParamType::String, false, "",
               "Globs a path must match one of, comma-separated"});
  q.push_back({"exclude_patterns", web::ParamType::String, false, "",
               "Globs that leave a path out, comma-separated"});
  q.push_back({"max_file_size_bytes", web::ParamType::Integer, false, 0,
               "Skip files larger than this (0: no limit)"});
  q.push_back({"max_content_length", web::ParamType::Integer, false, 0,
               "Truncate each file to this (0: no limit)"});
  q.push_back({"max_total_bytes", web::ParamType::Integer, false, 0,
               "Stop adding content past this (0: no limit)"});
  q.push_back({"hide_file_contents", web::ParamType::Boolean, false, false, "The file tree only"});
  const web::RouteHandler get_markdown = [upstreams](web::Request&, const web::Params& params) {
    return answer([&] {
      RepoFilter filter = filter_from(params);
      filter.include_patterns = list_param(params, "include_patterns");
      filter.exclude_patterns = list_param(params, "exclude_patterns");
      filter.max_file_size_bytes = size_param(params, "max_file_size_bytes");
      filter.max_content_length = size_param(params, "max_content_length");
      filter.max_total_bytes = size_param(params, "max_total_bytes");
      filter.hide_file_contents = params.boolean("hide_file_contents");
      return digest_of(*upstreams, filter);
    });
  };
  app.get("/github-digest/markdown", get_spec, get_markdown);
  // The Python original's path for the same document, kept for its clients.
  get_spec.operation_id = "repo_files_in_markdown";
  app.get("/github-digest/repo-files-in-markdown", get_spec, get_markdown);

  web::RouteSpec post_spec;
  post_spec.summary = "A repository's text files as one Markdown document, filtered by a JSON body";
  post_spec.tag = "github-digest";
  post_spec.response_content_type = "text/markdown";
  post_spec.validate_body = false;
  post_spec.body_schema = {
      {"type", "object"},
      {"required", {"owner", "name"}},
      {"properties",
       {{"owner", {{"type", "string"}}},
        {"name", {{"type", "string"}}},
        {"ref", {{"type", "string"}}},
        {"filter_starts_with", {{"type", "string"}}},
        {"filter_contains", {{"type", "string"}}},
        {"filter_ends_with", {{"type", "string"}}},
        {"filter_starts_with_any", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"filter_exclude_paths", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"filter_exclude_prefixes", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"filter_exclude_suffixes", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"include_patterns", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"exclude_patterns", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"max_file_size_bytes", {{"type", "integer"}}},
        {"max_content_length", {{"type", "integer"}}},
        {"truncate_patterns", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"max_total_bytes", {{"type", "integer"}}},
        {"hide_file_contents", {{"type", "boolean"}}}}}};
  app.post("/github-digest/markdown/filter", post_spec,
           [upstreams](web::Request& request, const web::Params&) {
             return answer([&] {
               const auto body = nlohmann::json::parse(request.body, nullptr, false);
               if (body.is_discarded()) {
                 throw web::ValidationError({web::FieldError{
                     "json_invalid", {"body"}, "JSON decode error", request.body, nullptr}});
               }
               RepoFilter filter;
               try {
                 filter = repo_filter_from_json(body);
               } catch (const ld::Error& error) {
                 throw web::ValidationError(
                     {web::FieldError{"value_error", {"body"}, error.what(), nullptr, nullptr}});
               }
               return digest_of(*upstreams, filter);
             });
           });
}

}  // namespace ld::service
