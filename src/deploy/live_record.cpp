#include "deploy/live_record.hpp"

#include <utility>
#include <vector>

namespace ld::deploy {

namespace {

constexpr std::string_view kPrefix = "lambdeploy ";
constexpr std::size_t kMaxDescription = 256;

}  // namespace

std::string LiveRecord::format() const {
  const std::vector<std::pair<const char*, const std::string*>> fields = {{"previous", &previous},
                                                                          {"canary", &canary},
                                                                          {"release", &release},
                                                                          {"commit", &commit},
                                                                          {"at", &at}};
  std::string text(kPrefix);
  text += "previous=" + (previous.empty() ? std::string("none") : previous);
  for (std::size_t i = 1; i < fields.size(); ++i) {
    if (!fields[i].second->empty())
      text += std::string(" ") + fields[i].first + "=" + *fields[i].second;
  }
  if (!by.empty()) {
    const std::string caller = " by=" + by;
    if (text.size() + caller.size() <= kMaxDescription) text += caller;
  }
  return text.size() > kMaxDescription ? text.substr(0, kMaxDescription) : text;
}

LiveRecord LiveRecord::parse(const std::string& description) {
  LiveRecord record;
  if (!description.starts_with(kPrefix)) return record;
  std::size_t at = kPrefix.size();
  while (at < description.size()) {
    std::size_t end = description.find(' ', at);
    if (end == std::string::npos) end = description.size();
    const std::string field = description.substr(at, end - at);
    at = end + 1;
    const auto eq = field.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = field.substr(0, eq);
    const std::string value = field.substr(eq + 1);
    if (key == "previous") record.previous = value == "none" ? "" : value;
    if (key == "canary") record.canary = value;
    if (key == "release") record.release = value;
    if (key == "commit") record.commit = value;
    if (key == "at") record.at = value;
    if (key == "by") record.by = value;
  }
  return record;
}

}  // namespace ld::deploy
