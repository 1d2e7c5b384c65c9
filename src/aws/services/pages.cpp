#include "aws/services/pages.hpp"

#include <set>
#include <string>

#include "aws/services/xml_values.hpp"

namespace ld::aws {

using nlohmann::json;

namespace {

bool more_results(const json& page, std::string_view flag) {
  auto it = page.find(flag);
  if (it == page.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_string() && it->get<std::string>() == "true";
}

}  // namespace

json collect_pages(json input, const Paginator& paginator,
                   const std::function<json(const json&)>& fetch) {
  json all = json::object();
  for (std::string_view key : paginator.result_keys) all[std::string(key)] = json::array();
  std::set<std::string> seen_tokens;
  for (;;) {
    const json page = fetch(input);
    for (std::string_view key : paginator.result_keys) {
      auto it = page.find(key);
      if (it == page.end()) continue;
      for (const json& item : xml_list(*it)) all[std::string(key)].push_back(item);
    }
    if (!paginator.more_results.empty() && !more_results(page, paginator.more_results)) break;
    auto token = page.find(paginator.output_token);
    if (token == page.end() || !token->is_string() || token->get<std::string>().empty()) break;
    if (!seen_tokens.insert(token->get<std::string>()).second) break;
    input[std::string(paginator.input_token)] = *token;
  }
  return all;
}

}  // namespace ld::aws
