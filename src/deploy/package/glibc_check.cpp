#include "deploy/package/glibc_check.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <tuple>

namespace ld::deploy {
namespace {

constexpr std::string_view kPrefix = "GLIBC_";

std::optional<GlibcVersion> parse_numbers(std::string_view text) {
  GlibcVersion v;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  std::size_t count = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (count < 3) {
    auto [next, ec] = std::from_chars(p, end, *parts[count]);
    if (ec != std::errc() || next == p) return std::nullopt;
    ++count;
    p = next;
    if (p == end) break;
    if (*p != '.') return std::nullopt;
    ++p;
  }
  if (p != end || count < 2) return std::nullopt;
  return v;
}

// GLIBC_2.34 → 2.34; nullopt for GLIBC_PRIVATE and versions of other libraries.
std::optional<GlibcVersion> glibc_version_of(std::string_view version) {
  if (!version.starts_with(kPrefix)) return std::nullopt;
  return parse_numbers(version.substr(kPrefix.size()));
}

std::string message_for(const std::vector<GlibcViolation>& violations, GlibcVersion limit) {
  std::string text = "needs a newer glibc than the runtime's " + limit.str() + ":";
  std::string last_file;
  for (const auto& v : violations) {
    if (v.file != last_file) {
      text += "\n  " + v.file + ":";
      last_file = v.file;
    }
    text += "\n    " + v.describe();
  }
  return text;
}

}  // namespace

GlibcVersion GlibcVersion::parse(const std::string& text) {
  std::string_view view = text;
  if (view.starts_with(kPrefix)) view.remove_prefix(kPrefix.size());
  if (auto v = parse_numbers(view)) return *v;
  throw Error("not a glibc version: '" + text + "' (expected e.g. 2.34)");
}

std::string GlibcVersion::str() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor);
  if (patch != 0) s += "." + std::to_string(patch);
  return s;
}

GlibcVersion glibc_of_runtime(const std::string& runtime) {
  if (runtime == "provided.al2023") return {2, 34, 0};
  if (runtime == "provided.al2") return {2, 26, 0};
  throw Error("unknown runtime '" + runtime + "' (known: provided.al2023, provided.al2)");
}

std::string GlibcViolation::describe() const {
  const std::string name = "GLIBC_" + version.str();
  return (symbol.empty() ? "(version) " + name : symbol + "@" + name) + " (" + library + ")";
}

std::vector<GlibcViolation> glibc_violations(const ElfImage& image, GlibcVersion limit) {
  std::vector<GlibcViolation> out;
  for (const auto& required : image.required_versions()) {
    const auto version = glibc_version_of(required.version);
    if (!version || *version <= limit) continue;
    if (required.symbols.empty())
      out.push_back({image.path().string(), required.library, "", *version});
    for (const auto& symbol : required.symbols)
      out.push_back({image.path().string(), required.library, symbol, *version});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.symbol, a.library) < std::tie(b.symbol, b.library);
  });
  return out;
}

GlibcVersion highest_glibc_required(const ElfImage& image) {
  GlibcVersion highest;
  for (const auto& required : image.required_versions())
    if (auto v = glibc_version_of(required.version)) highest = std::max(highest, *v);
  return highest;
}

GlibcTooNew::GlibcTooNew(std::vector<GlibcViolation> violations, GlibcVersion limit)
    : Error(message_for(violations, limit)), violations_(std::move(violations)) {}

void require_glibc(const std::vector<ElfImage>& images, GlibcVersion limit) {
  std::vector<GlibcViolation> all;
  for (const auto& image : images) {
    auto found = glibc_violations(image, limit);
    all.insert(all.end(), found.begin(), found.end());
  }
  if (!all.empty()) throw GlibcTooNew(std::move(all), limit);
}

}  // namespace ld::deploy
