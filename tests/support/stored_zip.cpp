#include "support/stored_zip.hpp"

namespace ld::test {

std::string stored_zip(const std::map<std::string, std::string>& files,
                       std::optional<std::uint32_t> claimed_size) {
  auto le = [](std::string& out, std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  };
  auto crc32 = [](const std::string& data) {
    std::uint32_t crc = 0xffffffffu;
    for (unsigned char c : data) {
      crc ^= c;
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
  };
  std::string body, central;
  for (const auto& [name, data] : files) {
    const auto offset = static_cast<std::uint32_t>(body.size());
    const std::uint32_t crc = crc32(data);
    const auto size = static_cast<std::uint32_t>(data.size());
    le(body, 0x04034b50, 4);
    le(body, 10, 2);
    le(body, 0, 2);
    le(body, 0, 2);
    le(body, 0, 4);
    le(body, crc, 4);
    le(body, size, 4);
    le(body, size, 4);
    le(body, static_cast<std::uint32_t>(name.size()), 2);
    le(body, 0, 2);
    body += name + data;
    le(central, 0x02014b50, 4);
    le(central, 0x031e, 2);
    le(central, 10, 2);
    le(central, 0, 2);
    le(central, 0, 2);
    le(central, 0, 4);
    le(central, crc, 4);
    le(central, size, 4);
    le(central, claimed_size.value_or(size), 4);
    le(central, static_cast<std::uint32_t>(name.size()), 2);
    le(central, 0, 2);
    le(central, 0, 2);
    le(central, 0, 2);
    le(central, 0, 2);
    le(central, 0100755u << 16, 4);
    le(central, offset, 4);
    central += name;
  }
  std::string zip = body + central;
  le(zip, 0x06054b50, 4);
  le(zip, 0, 2);
  le(zip, 0, 2);
  le(zip, static_cast<std::uint32_t>(files.size()), 2);
  le(zip, static_cast<std::uint32_t>(files.size()), 2);
  le(zip, static_cast<std::uint32_t>(central.size()), 4);
  le(zip, static_cast<std::uint32_t>(body.size()), 4);
  le(zip, 0, 2);
  return zip;
}

std::string bootstrap_zip() {
  return stored_zip({{"bootstrap", "#!/bin/sh\n"}});
}

}  // namespace ld::test
