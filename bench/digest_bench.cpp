// Bytes of repository zipball digested per second through the same path the
// /github-digest/markdown route takes (Zipball over the zip's bytes, then build_digest), on a
// synthetic repository zipball built here with libdeflate (level 6). Two extra modes drive
// bench/digest_memory.sh:  digest_bench --write-zip PATH [MB]  and  digest_bench --digest PATH.
#include <benchmark/benchmark.h>
#include <libdeflate.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "service/digest.hpp"
#include "service/repo_filter.hpp"
#include "service/zipball.hpp"

namespace {

constexpr const char* kCreatedAt = "2026-11-27T12:00:00Z";

// A zip written entry by entry (deflate level 6), GitHub-like: one top folder.
class ZipWriter {
 public:
  ZipWriter() : compressor_(libdeflate_alloc_compressor(6)) {}
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;
  ~ZipWriter() { libdeflate_free_compressor(compressor_); }

  void add(const std::string& name, const std::string& content) {
    std::string compressed(libdeflate_deflate_compress_bound(compressor_, content.size()), '\0');
    const std::size_t size = libdeflate_deflate_compress(
        compressor_, content.data(), content.size(), compressed.data(), compressed.size());
    compressed.resize(size);
    const std::uint32_t crc = libdeflate_crc32(0, content.data(), content.size());
    const auto offset = static_cast<std::uint32_t>(zip_.size());
    zip_ += "PK\x03\x04";
    put(zip_, 20, 2), put(zip_, 0, 2), put(zip_, 8, 2), put(zip_, 0, 4), put(zip_, crc, 4);
    put(zip_, size, 4), put(zip_, content.size(), 4), put(zip_, name.size(), 2), put(zip_, 0, 2);
    zip_ += name;
    zip_ += compressed;
    central_ += "PK\x01\x02";
    put(central_, 20, 2), put(central_, 20, 2), put(central_, 0, 2), put(central_, 8, 2);
    put(central_, 0, 4), put(central_, crc, 4), put(central_, size, 4);
    put(central_, content.size(), 4), put(central_, name.size(), 2), put(central_, 0, 4);
    put(central_, 0, 4), put(central_, 0, 4), put(central_, offset, 4);
    central_ += name;
    ++count_;
  }

  std::size_t size() const { return zip_.size() + central_.size(); }

  std::string finish() {
    const auto offset = zip_.size();
    zip_ += central_;
    zip_ += "PK\x05\x06";
    put(zip_, 0, 4), put(zip_, count_, 2), put(zip_, count_, 2), put(zip_, central_.size(), 4);
    put(zip_, offset, 4), put(zip_, 40, 2);
    zip_ += "0123456789abcdef0123456789abcdef01234567";  // GitHub puts the commit here
    return std::move(zip_);
  }

 private:
  static void put(std::string& to, std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) to.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }
  libdeflate_compressor* compressor_;
  std::string zip_;
  std::string central_;
  std::uint64_t count_ = 0;
};

// Source-like text: indented lines of identifiers, keywords, numbers and comments.
class SourceText {
 public:
  SourceText() {
    const char* syllables[] = {"get",  "set",   "re",  "quest", "han",  "dle",  "zip",
                               "ball", "dig",   "est", "file",  "path", "read", "er",
                               "node", "tree",  "val", "ue",    "buf",  "fer",  "size",
                               "off",  "count", "id",  "name",  "lim",  "it"};
    for (int i = 0; i < 600; ++i) {
      std::string word;
      const int parts = 1 + static_cast<int>(next() % 3);
      for (int p = 0; p < parts; ++p) {
        if (p != 0 && next() % 2 == 0) word += '_';
        word += syllables[next() % std::size(syllables)];
      }
      words_.push_back(word);
    }
    for (const char* keyword : {"if", "for", "return", "const", "auto", "while", "int", "std::"})
      words_.emplace_back(keyword);
  }

  std::string file(std::size_t bytes) {
    std::string text;
    text.reserve(bytes + 128);
    while (text.size() < bytes) {
      text.append(2 * (next() % 5), ' ');
      const int tokens = 2 + static_cast<int>(next() % 9);
      for (int t = 0; t < tokens; ++t) {
        if (t != 0) text += " =+(,.;"[next() % 7];
        const auto roll = next() % 10;
        if (roll == 0) {
          text += std::to_string(next() % 100000);
        } else {
          text += words_[next() % words_.size()];
        }
      }
      if (next() % 6 == 0)
        text += "  // " + words_[next() % words_.size()] + " " + words_[next() % words_.size()];
      text += next() % 4 == 0 ? ");\n" : ";\n";
    }
    return text;
  }

  std::uint64_t next() {  // xorshift64*: fast, fixed seed
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 2685821657736338717ull;
  }

 private:
  std::uint64_t state_ = 0x9E3779B97F4A7C15ull;
  std::vector<std::string> words_;
};

// A repository zipball of about `target` bytes: source files of 1-40 KB in nested folders, a few
// binaries, GitHub's top folder.
std::string synthetic_zipball(std::size_t target) {
  const char* extensions[] = {".cpp", ".hpp", ".py", ".js", ".md", ".txt", ".go", ".rs"};
  const std::string top = "octo-big-0123abc/";
  SourceText source;
  ZipWriter writer;
  writer.add(top, "");
  for (int i = 0; writer.size() < target; ++i) {
    const std::string folder = top + "src/module_" + std::to_string(i % 97) + "/";
    if (i % 200 == 199) {
      std::string png("\x89PNG\r\n\x1a\n", 8);
      png.append(4096, '\0');
      writer.add(folder + "image_" + std::to_string(i) + ".png", png);
      continue;
    }
    const std::size_t bytes = 1024 + source.next() % (40 * 1024);
    writer.add(folder + "file_" + std::to_string(i) + extensions[i % std::size(extensions)],
               source.file(bytes));
  }
  return writer.finish();
}

const std::string& bench_zipball() {
  static const std::string zip = synthetic_zipball(20u << 20);
  return zip;
}

// The /github-digest/markdown route's work once the zip's bytes are in memory: the digest
// written piece by piece, each piece handed to `sink` (the server's socket, here a stand-in).
template <typename Sink>
std::size_t digest_of(const std::string& zip, Sink&& sink) {
  ld::service::Zipball zipball(zip, ld::service::ZipLimits{});
  ld::service::DigestWriter writer(zipball, ld::service::RepoFilter{}, kCreatedAt);
  std::string piece;
  std::size_t total = 0;
  for (;;) {
    piece.clear();
    if (!writer.next(piece)) break;
    total += piece.size();
    sink(piece);
  }
  return total;
}

void BM_DigestZipball(benchmark::State& state) {
  const std::string& zip = bench_zipball();
  std::size_t markdown = 0;
  for (auto _ : state) {
    markdown = digest_of(zip, [](const std::string& piece) {
      benchmark::DoNotOptimize(piece.data());
      benchmark::ClobberMemory();
    });
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * zip.size()));
  state.counters["zip_MB"] = static_cast<double>(zip.size()) / 1e6;
  state.counters["markdown_MB"] = static_cast<double>(markdown) / 1e6;
}
BENCHMARK(BM_DigestZipball)->Unit(benchmark::kMillisecond);

// Only opening and reading every text file (the inflate share of the digest).
void BM_ReadEveryFile(benchmark::State& state) {
  const std::string& zip = bench_zipball();
  std::string scratch;
  for (auto _ : state) {
    ld::service::Zipball zipball(zip);
    for (const auto& entry : zipball.files()) {
      scratch.clear();
      zipball.append_text(entry, scratch);
    }
    benchmark::DoNotOptimize(scratch.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * zip.size()));
}
BENCHMARK(BM_ReadEveryFile)->Unit(benchmark::kMillisecond);

int write_zip(const char* path, std::size_t megabytes) {
  const std::string zip = synthetic_zipball(megabytes << 20);
  std::ofstream(path, std::ios::binary).write(zip.data(), static_cast<std::streamsize>(zip.size()));
  std::cout << "wrote " << zip.size() << " bytes to " << path << "\n";
  return 0;
}

// What the route holds at its peak: the zip's bytes, the open Zipball, one piece of the
// markdown; the pieces go to /dev/null as the server would send them.
int digest_file(const char* path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    std::cerr << "cannot open " << path << "\n";
    return 1;
  }
  std::string zip(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(zip.data(), static_cast<std::streamsize>(zip.size()));
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  std::FILE* devnull = std::fopen("/dev/null", "wb");
  if (devnull == nullptr) {
    std::cerr << "cannot open /dev/null\n";
    return 1;
  }
  const std::size_t markdown = digest_of(zip, [devnull](const std::string& piece) {
    std::fwrite(piece.data(), 1, piece.size(), devnull);
  });
  std::fclose(devnull);
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "zip_bytes " << zip.size() << "\nmarkdown_bytes " << markdown << "\nseconds "
            << seconds << "\ncpu_seconds " << cpu << "\nzip_MB_per_s "
            << static_cast<double>(zip.size()) / 1e6 / seconds << "\nzip_MB_per_cpu_s "
            << static_cast<double>(zip.size()) / 1e6 / cpu << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "--write-zip") == 0) {
    return write_zip(argv[2], argc >= 4 ? std::stoul(argv[3]) : 20);
  }
  if (argc >= 3 && std::strcmp(argv[1], "--digest") == 0) return digest_file(argv[2]);
  if (argc >= 2 && std::strcmp(argv[1], "--baseline") == 0) return 0;  // the process alone
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
