#include "deploy/package/elf_image.hpp"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <map>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::deploy {
namespace {

// Bounds-checked reads of the file's bytes; every failure names the file and what was wrong.
class Bytes {
 public:
  Bytes(std::string data, std::string file) : data_(std::move(data)), file_(std::move(file)) {}

  template <typename T>
  T at(std::uint64_t offset, const char* what) const {
    if (offset > data_.size() || data_.size() - offset < sizeof(T)) fail(what);
    T value;
    std::memcpy(&value, data_.data() + offset, sizeof(T));
    return value;
  }

  // The NUL-terminated string at `offset` inside the string table [table, table + size).
  std::string string_at(std::uint64_t table, std::uint64_t size, std::uint64_t offset) const {
    if (table > data_.size() || size > data_.size() - table || offset >= size) fail("string table");
    const char* begin = data_.data() + table + offset;
    const void* end = std::memchr(begin, '\0', size - offset);
    if (end == nullptr) fail("string table");
    return std::string(begin, static_cast<const char*>(end));
  }

  std::size_t size() const { return data_.size(); }

  [[noreturn]] void fail(const char* what) const {
    throw Error(file_ + ": truncated or malformed ELF (" + what + ")");
  }

 private:
  std::string data_;
  std::string file_;
};

}  // namespace

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(path.string() + ": cannot open file");
  const std::streamoff size = in.tellg();
  if (size < 0) throw Error(path.string() + ": cannot read file");
  std::string data(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(data.data(), size)) throw Error(path.string() + ": read error");
  return data;
}

namespace {

std::vector<std::string> split_path_list(const std::string& text) {
  std::vector<std::string> out;
  for (auto& part : split(text, ':'))
    if (!part.empty()) out.push_back(part);
  return out;
}

}  // namespace

std::uint16_t ElfImage::machine_of(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh)) return 0;
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB)
    return 0;
  return eh.e_machine;
}

ElfImage ElfImage::load(const std::filesystem::path& path) {
  Bytes bytes(read_whole_file(path), path.string());

  ElfImage image;
  image.path_ = path;
  if (bytes.size() < EI_NIDENT || bytes.at<std::uint32_t>(0, "magic") != 0x464c457fu)
    throw Error(path.string() + ": not an ELF file");
  if (bytes.at<unsigned char>(EI_CLASS, "class") != ELFCLASS64 ||
      bytes.at<unsigned char>(EI_DATA, "data") != ELFDATA2LSB)
    throw Error(path.string() + ": not a 64-bit little-endian ELF file");
  const auto eh = bytes.at<Elf64_Ehdr>(0, "ELF header");
  image.machine_ = eh.e_machine;
  if (eh.e_shentsize != sizeof(Elf64_Shdr) && eh.e_shnum != 0) bytes.fail("section header size");

  std::vector<Elf64_Shdr> sections;
  for (std::uint64_t i = 0; i < eh.e_shnum; ++i)
    sections.push_back(bytes.at<Elf64_Shdr>(eh.e_shoff + i * sizeof(Elf64_Shdr), "section"));
  auto linked_strings = [&](const Elf64_Shdr& s) -> const Elf64_Shdr& {
    if (s.sh_link >= sections.size()) bytes.fail("section link");
    return sections[s.sh_link];
  };

  const Elf64_Shdr* dynsym = nullptr;
  const Elf64_Shdr* versym = nullptr;
  const Elf64_Shdr* verneed = nullptr;
  for (const auto& s : sections) {
    if (s.sh_type == SHT_DYNAMIC) {
      image.dynamic_ = true;
      const auto& strtab = linked_strings(s);
      for (std::uint64_t off = 0; off + sizeof(Elf64_Dyn) <= s.sh_size; off += sizeof(Elf64_Dyn)) {
        const auto dyn = bytes.at<Elf64_Dyn>(s.sh_offset + off, "dynamic entry");
        if (dyn.d_tag == DT_NULL) break;
        auto str = [&] {
          return bytes.string_at(strtab.sh_offset, strtab.sh_size, dyn.d_un.d_val);
        };
        if (dyn.d_tag == DT_NEEDED) image.needed_.push_back(str());
        if (dyn.d_tag == DT_SONAME) image.soname_ = str();
        if (dyn.d_tag == DT_RPATH) image.rpath_ = split_path_list(str());
        if (dyn.d_tag == DT_RUNPATH) image.runpath_ = split_path_list(str());
      }
    } else if (s.sh_type == SHT_DYNSYM) {
      dynsym = &s;
    } else if (s.sh_type == SHT_GNU_versym) {
      versym = &s;
    } else if (s.sh_type == SHT_GNU_verneed) {
      verneed = &s;
    }
  }
  if (verneed == nullptr) return image;

  // Version index (vna_other) → position in required_.
  std::map<std::uint16_t, std::size_t> by_index;
  const auto& vstr = linked_strings(*verneed);
  std::uint64_t need_off = verneed->sh_offset;
  for (std::uint64_t n = 0; n < verneed->sh_info; ++n) {
    const auto vn = bytes.at<Elf64_Verneed>(need_off, "verneed");
    const auto file = bytes.string_at(vstr.sh_offset, vstr.sh_size, vn.vn_file);
    std::uint64_t aux_off = need_off + vn.vn_aux;
    for (std::uint16_t a = 0; a < vn.vn_cnt; ++a) {
      const auto aux = bytes.at<Elf64_Vernaux>(aux_off, "vernaux");
      by_index[aux.vna_other] = image.required_.size();
      image.required_.push_back(
          {file, bytes.string_at(vstr.sh_offset, vstr.sh_size, aux.vna_name), {}});
      if (aux.vna_next == 0) break;
      aux_off += aux.vna_next;
    }
    if (vn.vn_next == 0) break;
    need_off += vn.vn_next;
  }

  if (dynsym == nullptr || versym == nullptr) return image;
  const auto& symstr = linked_strings(*dynsym);
  const std::uint64_t count = dynsym->sh_size / sizeof(Elf64_Sym);
  for (std::uint64_t i = 1; i < count; ++i) {
    const auto sym = bytes.at<Elf64_Sym>(dynsym->sh_offset + i * sizeof(Elf64_Sym), "dynsym");
    if (sym.st_shndx != SHN_UNDEF) continue;
    const auto index = static_cast<std::uint16_t>(
        bytes.at<Elf64_Half>(versym->sh_offset + i * sizeof(Elf64_Half), "versym") & 0x7fff);
    const auto found = by_index.find(index);
    if (found == by_index.end()) continue;
    image.required_[found->second].symbols.push_back(
        bytes.string_at(symstr.sh_offset, symstr.sh_size, sym.st_name));
  }
  return image;
}

}  // namespace ld::deploy
