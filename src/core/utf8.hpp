#pragma once
// UTF-8 validity: what AWS's services (and nlohmann::json, which throws on anything else) accept
// as text.
#include <string_view>

namespace ld {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace ld
