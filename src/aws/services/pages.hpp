#pragma once
// Following a paginated operation's tokens to the end (the model's paginators-1.json rules).
#include <functional>
#include <initializer_list>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ld::aws {

// One paginator: which input member carries the token, which output member returns it, which
// output lists are concatenated, and (S3, IAM) which output flag says more pages follow.
struct Paginator {
  std::string_view input_token;
  std::string_view output_token;
  std::initializer_list<std::string_view> result_keys;
  std::string_view more_results = {};
};

// Calls `fetch` with `input`, then again with the token each page returns, until a page has no
// token, the more-results flag is false, or a token repeats (the service would loop forever: Logs'
// GetLogEvents answers its last page's token again). Returns an object holding each result key's
// items from every page, in order (a missing or empty list counts as none).
nlohmann::json collect_pages(nlohmann::json input, const Paginator& paginator,
                             const std::function<nlohmann::json(const nlohmann::json&)>& fetch);

}  // namespace ld::aws
