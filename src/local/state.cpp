#include "local/state.hpp"

#include "core/error.hpp"
#include "local/private_files.hpp"

namespace ld::local {

State State::open(const std::filesystem::path& data_dir, NowFn now) {
  // 0700 whatever the umask, an existing one too: state.db holds secrets.
  try {
    make_private_dir(data_dir);
  } catch (const Error& e) {
    throw Error(std::string("cannot create the data dir: ") + e.what());
  }
  State state;
  state.data_dir = data_dir;
  state.now = now ? now : NowFn(system_now);
  state.db = Database::open(data_dir / "state.db");
  state.records = std::make_shared<Records>(state.db, state.now);
  state.blobs = std::make_shared<BlobStore>(data_dir);
  return state;
}

}  // namespace ld::local
