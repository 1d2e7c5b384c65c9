#pragma once
// Telling text files from binary ones, and a text file's language for a Markdown fence.
#include <string_view>

namespace ld::service {

enum class NameKind { Text, Binary, Unknown };

// From the file name alone: a known text extension or name (Makefile, LICENSE, …), a known
// binary extension (png, zip, so, …), or unknown (decided by the content).
NameKind kind_of_name(std::string_view path);

// Content is text: valid UTF-8 and no NUL byte.
bool is_text_content(std::string_view bytes);

// Length of the longest prefix of `bytes` no longer than `limit` that does not cut a UTF-8
// sequence in two.
std::size_t utf8_prefix_length(std::string_view bytes, std::size_t limit);

// The fence language for a path ("cpp", "python", …), "" when none is known.
std::string_view language_of(std::string_view path);

}  // namespace ld::service
