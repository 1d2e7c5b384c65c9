// kill -9 at a random moment while a child writes records and blobs; after every kill the
// store must reopen consistent, with every write the child saw committed.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "local/blob_store.hpp"
#include "local/database.hpp"
#include "local/records.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kIterations = 20;
constexpr int kWriterThreads = 2;

std::string pad(int n, int width) {
  std::string s = std::to_string(n);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))),
                     '0') +
         s;
}

// One writer thread of the child: blob first, then the record naming it, then the ack.
void write_forever(Records& records, BlobStore& blobs, int ack_fd, int iteration, int thread) {
  std::mt19937 rng(static_cast<unsigned>(iteration * 100 + thread));
  std::uniform_int_distribution<int> blob_size(1, 64 * 1024);
  for (int i = 0;; ++i) {
    std::string key = "it" + pad(iteration, 2) + "-t" + std::to_string(thread) + "-" + pad(i, 6);
    json doc = {{"i", i}};
    if (i % 2 == 0) {
      std::string bytes(static_cast<std::size_t>(blob_size(rng)), '\0');
      for (std::size_t b = 0; b < bytes.size(); ++b) {
        bytes[b] = static_cast<char>((b * 31 + static_cast<std::size_t>(i)) % 251);
      }
      bytes.replace(0, std::min(key.size(), bytes.size()), key.substr(0, bytes.size()));
      BlobRef ref = blobs.put(bytes);
      doc["blob"] = ref.digest;
      doc["size"] = ref.size;
    }
    if (i % 5 == 0) {  // a multi-record transaction: both or neither
      records.transaction([&](Records::Tx& tx) {
        tx.put("crash.item", key, doc);
        tx.put("crash.pair", key, {{"of", key}});
      });
    } else {
      records.put("crash.item", key, doc);
    }
    std::string line = key + "\n";  // shorter than PIPE_BUF: written atomically
    if (::write(ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return;
  }
}

[[noreturn]] void run_child(const fs::path& data, int ack_fd, int iteration) {
  try {
    auto db = Database::open(data / "local.db");
    Records records(db);
    BlobStore blobs(data);
    std::vector<std::thread> threads;
    for (int t = 0; t < kWriterThreads; ++t) {
      threads.emplace_back([&, t] { write_forever(records, blobs, ack_fd, iteration, t); });
    }
    for (auto& th : threads) th.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crash test child failed: %s\n", e.what());
    ::_exit(2);
  }
  ::_exit(0);
}

// Reads acknowledged keys from the pipe until `deadline` (or EOF when deadline is null).
void read_acks(int fd, std::string& pending, std::vector<std::string>& acked,
               std::chrono::steady_clock::time_point deadline, bool until_eof) {
  char buffer[4096];
  for (;;) {
    int timeout = 100;
    if (!until_eof) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      timeout = static_cast<int>(left.count());
    }
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, timeout);
    if (ready <= 0) {
      if (until_eof) continue;
      return;
    }
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return;  // EOF: the child is gone
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      acked.push_back(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
  }
}

// Every record naming a blob must find it complete (nothing dangles, acked or not).
void expect_consistent(const fs::path& data, const std::set<std::string>& fresh) {
  auto db = Database::open(data / "local.db");
  EXPECT_EQ(db->connect().query_text("PRAGMA integrity_check"), "ok");
  Records records(db);
  BlobStore blobs(data);
  EXPECT_TRUE(fs::is_empty(data / "blobs" / "tmp"));
  Page all = records.list("crash.item", {"", "", 0});
  for (const Record& r : all.records) {
    if (!r.document.contains("blob")) continue;
    std::string digest = r.document["blob"];
    ASSERT_TRUE(blobs.exists(digest)) << r.key << " names a missing blob";
    ASSERT_EQ(blobs.size_of(digest), r.document["size"].get<std::uint64_t>()) << r.key;
    if (fresh.count(r.key) != 0) {  // full check for this round's writes
      ASSERT_EQ(hex_encode(as_chars(sha256(blobs.read(digest)))), digest) << r.key;
    }
  }
  std::size_t pairs = records.count("crash.pair");
  std::size_t items_with_pairs = 0;
  for (const Record& r : all.records) items_with_pairs += r.document["i"].get<int>() % 5 == 0;
  EXPECT_EQ(pairs, items_with_pairs) << "a multi-record transaction was torn";
}

TEST(CrashConsistency, EveryAcknowledgedWriteSurvivesKill9) {
  test::TempDir dir("crash");
  fs::path data = dir.path() / "data";
  std::mt19937 rng(20261127);
  std::uniform_int_distribution<int> delay_ms(5, 120);
  std::set<std::string> acked_ever;
  std::size_t total_acked = 0;

  for (int iteration = 0; iteration < kIterations; ++iteration) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      run_child(data, fds[1], iteration);
    }
    ::close(fds[1]);
    std::string pending;
    std::vector<std::string> acked;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms(rng));
    read_acks(fds[0], pending, acked, deadline, false);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    read_acks(fds[0], pending, acked, {}, true);  // acks already in the pipe count too
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child ended on its own (status " << status << ") in iteration " << iteration;

    std::set<std::string> fresh(acked.begin(), acked.end());
    acked_ever.insert(acked.begin(), acked.end());
    total_acked += acked.size();
    expect_consistent(data, fresh);

    auto db = Database::open(data / "local.db");
    Records records(db);
    for (const std::string& key : acked_ever) {
      auto r = records.get("crash.item", key);
      ASSERT_TRUE(r.has_value()) << "acknowledged " << key << " is missing after iteration "
                                 << iteration;
      if (r->document["i"].get<int>() % 5 == 0) {
        ASSERT_TRUE(records.get("crash.pair", key).has_value()) << key;
      }
    }
    // at most one committed-but-unacknowledged write per writer thread
    EXPECT_LE(records.count("crash.item"), acked_ever.size() + kWriterThreads * (iteration + 1));
    if (HasFatalFailure()) return;
  }
  std::printf("[ crash    ] %d kills, %zu acknowledged writes checked\n", kIterations, total_acked);
  EXPECT_GT(total_acked, 20u) << "the child barely wrote anything: the test proves little";
}

}  // namespace
}  // namespace ld::local
