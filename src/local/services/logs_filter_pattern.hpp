#pragma once
// CloudWatch Logs' text filter patterns (FilterLogEvents' filterPattern): plain terms that must
// all occur, "quoted phrases", ?-alternatives of which one must occur, and -terms that must not.
// JSON ({ $.x = 1 }), space-delimited ([a, b]) and regular-expression (%re%) patterns are
// refused with InvalidParameterException naming what is unsupported.
#include <string>
#include <string_view>
#include <vector>

namespace ld::local {

// A parsed text pattern; matches() is case-sensitive, as CloudWatch's is.
class LogFilterPattern {
 public:
  // Throws ApiError(InvalidParameterException) for patterns it cannot evaluate faithfully.
  explicit LogFilterPattern(std::string_view pattern);
  bool matches(std::string_view message) const;

 private:
  std::vector<std::string> required_;      // every one must occur
  std::vector<std::string> alternatives_;  // one must occur (when any)
  std::vector<std::string> excluded_;      // none may occur
};

}  // namespace ld::local
