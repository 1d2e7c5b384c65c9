#pragma once
// Durations as people write them in lambdeploy.toml and on the command line: 90s, 5m, 1h30m, 2d.
#include <chrono>
#include <optional>
#include <string_view>

namespace ld::deploy {

// Days, hours, minutes and seconds in that order, each at most once, at least one
// ("1h30m", "90s"); nullopt for anything else.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace ld::deploy
