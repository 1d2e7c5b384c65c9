#include "local/state.hpp"

#include "core/error.hpp"

namespace ld::local {

State State::open(const std::filesystem::path& data_dir, NowFn now) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) throw Error("cannot create the data dir " + data_dir.string() + ": " + ec.message());
  State state;
  state.data_dir = data_dir;
  state.now = now ? now : NowFn(system_now);
  state.db = Database::open(data_dir / "state.db");
  state.records = std::make_shared<Records>(state.db, state.now);
  state.blobs = std::make_shared<BlobStore>(data_dir);
  return state;
}

}  // namespace ld::local
