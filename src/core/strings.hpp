#pragma once
// Small string operations used across parts (ASCII case, trimming, splitting).
#include <string>
#include <string_view>
#include <vector>

namespace ld {

std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
bool starts_with_icase(std::string_view s, std::string_view prefix);
// The parts with `sep` between them.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace ld
