#include "support/zip_entries.hpp"

#include <zip.h>

#include <stdexcept>

namespace ld::test {

ZipEntries read_zip(const std::filesystem::path& path) {
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (za == nullptr) throw std::runtime_error("cannot open zip " + path.string());
  ZipEntries out;
  for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); ++i) {
    const auto at = static_cast<zip_uint64_t>(i);
    zip_stat_t st;
    zip_stat_index(za, at, 0, &st);
    std::string data(st.size, '\0');
    zip_file_t* f = zip_fopen_index(za, at, 0);
    zip_fread(f, data.data(), st.size);
    zip_fclose(f);
    std::uint8_t os = 0;
    std::uint32_t attributes = 0;
    zip_file_get_external_attributes(za, at, 0, &os, &attributes);
    out[st.name] = {std::move(data), (attributes >> 16) & 0777};
  }
  zip_close(za);
  return out;
}

}  // namespace ld::test
