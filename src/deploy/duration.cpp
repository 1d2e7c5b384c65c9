#include "deploy/duration.hpp"

namespace ld::deploy {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  static constexpr struct {
    char unit;
    long long seconds;
  } kUnits[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
  if (text.empty()) return std::nullopt;
  long long total = 0;
  std::size_t next_unit = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    long long number = 0;
    const std::size_t start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      number = number * 10 + (text[at] - '0');
      if (number > 1'000'000'000) return std::nullopt;
      ++at;
    }
    if (at == start || at == text.size()) return std::nullopt;
    const char unit = text[at++];
    while (next_unit < std::size(kUnits) && kUnits[next_unit].unit != unit) ++next_unit;
    if (next_unit == std::size(kUnits)) return std::nullopt;
    total += number * kUnits[next_unit].seconds;
    ++next_unit;
  }
  return std::chrono::seconds(total);
}

}  // namespace ld::deploy
