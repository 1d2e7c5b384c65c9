#include "service/file_kind.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

namespace ld::service {
namespace {

using Pair = std::pair<std::string_view, std::string_view>;

// Extension (lower case, no dot) → fence language. Every one here is a text extension.
constexpr std::array kLanguages = {
    Pair{"c", "c"},
    Pair{"h", "c"},
    Pair{"cc", "cpp"},
    Pair{"cpp", "cpp"},
    Pair{"cxx", "cpp"},
    Pair{"hpp", "cpp"},
    Pair{"hh", "cpp"},
    Pair{"hxx", "cpp"},
    Pair{"ipp", "cpp"},
    Pair{"py", "python"},
    Pair{"pyi", "python"},
    Pair{"js", "javascript"},
    Pair{"mjs", "javascript"},
    Pair{"cjs", "javascript"},
    Pair{"jsx", "jsx"},
    Pair{"ts", "typescript"},
    Pair{"tsx", "tsx"},
    Pair{"java", "java"},
    Pair{"kt", "kotlin"},
    Pair{"kts", "kotlin"},
    Pair{"scala", "scala"},
    Pair{"go", "go"},
    Pair{"rs", "rust"},
    Pair{"rb", "ruby"},
    Pair{"php", "php"},
    Pair{"cs", "csharp"},
    Pair{"swift", "swift"},
    Pair{"m", "objectivec"},
    Pair{"mm", "objectivec"},
    Pair{"lua", "lua"},
    Pair{"pl", "perl"},
    Pair{"pm", "perl"},
    Pair{"r", "r"},
    Pair{"sh", "bash"},
    Pair{"bash", "bash"},
    Pair{"zsh", "bash"},
    Pair{"ps1", "powershell"},
    Pair{"bat", "batch"},
    Pair{"cmd", "batch"},
    Pair{"sql", "sql"},
    Pair{"html", "html"},
    Pair{"htm", "html"},
    Pair{"css", "css"},
    Pair{"scss", "scss"},
    Pair{"less", "less"},
    Pair{"vue", "vue"},
    Pair{"svelte", "svelte"},
    Pair{"json", "json"},
    Pair{"yaml", "yaml"},
    Pair{"yml", "yaml"},
    Pair{"toml", "toml"},
    Pair{"ini", "ini"},
    Pair{"cfg", "ini"},
    Pair{"xml", "xml"},
    Pair{"svg", "xml"},
    Pair{"md", "markdown"},
    Pair{"markdown", "markdown"},
    Pair{"rst", "rst"},
    Pair{"tex", "latex"},
    Pair{"cmake", "cmake"},
    Pair{"mk", "makefile"},
    Pair{"proto", "protobuf"},
    Pair{"graphql", "graphql"},
    Pair{"dart", "dart"},
    Pair{"ex", "elixir"},
    Pair{"exs", "elixir"},
    Pair{"erl", "erlang"},
    Pair{"hs", "haskell"},
    Pair{"ml", "ocaml"},
    Pair{"clj", "clojure"},
    Pair{"zig", "zig"},
    Pair{"nim", "nim"},
    Pair{"tf", "hcl"},
    Pair{"hcl", "hcl"},
    Pair{"diff", "diff"},
    Pair{"patch", "diff"},
    Pair{"dockerfile", "dockerfile"},
};

// Text without a fence language.
constexpr std::array<std::string_view, 12> kPlainText = {
    "txt", "csv",  "tsv",        "log",       "cfg",          "conf",
    "env", "lock", "properties", "gitignore", "editorconfig", "in"};

// Whole names (no extension) with their language.
constexpr std::array kNames = {
    Pair{"Makefile", "makefile"},
    Pair{"CMakeLists.txt", "cmake"},
    Pair{"Dockerfile", "dockerfile"},
    Pair{"LICENSE", ""},
    Pair{"README", ""},
    Pair{"NOTICE", ""},
    Pair{"AUTHORS", ""},
    Pair{"CHANGELOG", ""},
    Pair{".gitignore", ""},
    Pair{".gitattributes", ""},
    Pair{".dockerignore", ""},
    Pair{"version", ""},
};

constexpr std::array<std::string_view, 40> kBinary = {
    "png", "jpg", "jpeg", "gif", "bmp",  "ico",   "webp",  "tif",   "tiff", "psd",
    "zip", "gz",  "tgz",  "bz2", "xz",   "7z",    "rar",   "tar",   "jar",  "war",
    "so",  "a",   "o",    "dll", "exe",  "dylib", "bin",   "class", "pyc",  "wasm",
    "pdf", "doc", "docx", "xls", "xlsx", "woff",  "woff2", "ttf",   "otf",  "mp4"};

std::string_view base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Lower-cased extension in a small buffer; empty when none or too long.
std::string_view extension(std::string_view name, std::array<char, 16>& buffer) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= name.size()) return {};
  const std::string_view ext = name.substr(dot + 1);
  if (ext.size() > buffer.size()) return {};
  for (std::size_t i = 0; i < ext.size(); ++i) {
    const char c = ext[i];
    buffer[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return {buffer.data(), ext.size()};
}

}  // namespace

NameKind kind_of_name(std::string_view path) {
  const std::string_view name = base_name(path);
  for (const auto& [whole, language] : kNames) {
    if (name == whole) return NameKind::Text;
  }
  std::array<char, 16> buffer{};
  const std::string_view ext = extension(name, buffer);
  if (ext.empty()) return NameKind::Unknown;
  for (const auto& [known, language] : kLanguages) {
    if (ext == known) return NameKind::Text;
  }
  for (const auto known : kPlainText) {
    if (ext == known) return NameKind::Text;
  }
  for (const auto known : kBinary) {
    if (ext == known) return NameKind::Binary;
  }
  return NameKind::Unknown;
}

std::string_view language_of(std::string_view path) {
  const std::string_view name = base_name(path);
  for (const auto& [whole, language] : kNames) {
    if (name == whole) return language;
  }
  std::array<char, 16> buffer{};
  const std::string_view ext = extension(name, buffer);
  for (const auto& [known, language] : kLanguages) {
    if (ext == known) return language;
  }
  return {};
}

bool is_text_content(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p < end) {
    // ASCII fast path, eight bytes at a time: no high bit set and no zero byte.
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      const bool high = (word & 0x8080808080808080ULL) != 0;
      const bool zero = ((word - 0x0101010101010101ULL) & ~word & 0x8080808080808080ULL) != 0;
      if (high || zero) break;
      p += 8;
    }
    if (p >= end) break;
    const unsigned char c = *p;
    if (c == 0) return false;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int length;
    std::uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      min = 0x10000;
    } else {
      return false;
    }
    if (end - p < length) return false;
    std::uint32_t code = c & (0x7F >> length);
    for (int i = 1; i < length; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[i] & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    p += length;
  }
  return true;
}

std::size_t utf8_prefix_length(std::string_view bytes, std::size_t limit) {
  if (bytes.size() <= limit) return bytes.size();
  std::size_t cut = limit;
  // Step back over continuation bytes so that the cut falls before a lead byte.
  while (cut > 0 && (static_cast<unsigned char>(bytes[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

}  // namespace ld::service
