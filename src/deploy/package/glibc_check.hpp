#pragma once
// Refuses ELF files that need a newer glibc than the Lambda runtime provides, naming the symbols.
#include <string>
#include <vector>

#include "core/error.hpp"
#include "deploy/package/elf_image.hpp"

namespace ld::deploy {

// A glibc release as major.minor[.patch], e.g. 2.34; ordered numerically.
struct GlibcVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;

  // "2.34" or "GLIBC_2.34"; throws ld::Error on anything else.
  static GlibcVersion parse(const std::string& text);
  std::string str() const;
  auto operator<=>(const GlibcVersion&) const = default;
};

// The glibc of a Lambda OS-only runtime: provided.al2023 → 2.34, provided.al2 → 2.26.
// Throws ld::Error naming the known runtimes for any other name.
GlibcVersion glibc_of_runtime(const std::string& runtime);

// One symbol (or, when no symbol refers to it, a bare version) newer than the runtime allows.
struct GlibcViolation {
  std::string file;     // the ELF that needs it
  std::string library;  // e.g. libc.so.6
  std::string symbol;   // e.g. arc4random; empty for a version without symbols
  GlibcVersion version;

  // "arc4random@GLIBC_2.36 (libc.so.6)"
  std::string describe() const;
};

// Every GLIBC_x.y requirement of `image` newer than `limit`, sorted by symbol.
std::vector<GlibcViolation> glibc_violations(const ElfImage& image, GlibcVersion limit);

// The highest GLIBC_x.y version `image` requires (0.0 when none).
GlibcVersion highest_glibc_required(const ElfImage& image);

// Raised when a file needs a newer glibc; what() lists every offending symbol.
class GlibcTooNew : public Error {
 public:
  GlibcTooNew(std::vector<GlibcViolation> violations, GlibcVersion limit);
  const std::vector<GlibcViolation>& violations() const { return violations_; }

 private:
  std::vector<GlibcViolation> violations_;
};

// Throws GlibcTooNew when any of `images` needs a glibc symbol newer than `limit`.
void require_glibc(const std::vector<ElfImage>& images, GlibcVersion limit);

}  // namespace ld::deploy
