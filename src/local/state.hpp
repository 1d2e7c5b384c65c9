#pragma once
// What every local service keeps its state in: the SQLite database (records and each service's
// own tables), the generic records over it, and the content-addressed blobs, all under the
// endpoint's data dir. Blobs are written before the record that names them is committed.
#include <filesystem>
#include <memory>

#include "core/time.hpp"
#include "local/blob_store.hpp"
#include "local/database.hpp"
#include "local/records.hpp"

namespace ld::local {

// The endpoint's state, shared by its services (each thread-safe).
struct State {
  std::filesystem::path data_dir;
  std::shared_ptr<Database> db;
  std::shared_ptr<Records> records;
  std::shared_ptr<BlobStore> blobs;
  NowFn now = system_now;
  std::string region = "us-east-1";  // the region ARNs and URLs use when a call has none

  // Opens (creating when needed) <data_dir>/state.db and <data_dir>/blobs.
  static State open(const std::filesystem::path& data_dir, NowFn now = system_now);
};

}  // namespace ld::local
