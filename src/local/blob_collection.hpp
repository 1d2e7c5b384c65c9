#pragma once
// Garbage collection of the endpoint's content-addressed files: blobs that no record names any
// more (replaced function code, deleted objects, abandoned uploads) and the unzipped task
// folders of code no record names. Run at startup, before anything can write.
#include <cstddef>

#include "local/state.hpp"

namespace ld::local {

// What a collection removed.
struct CollectedGarbage {
  std::size_t blobs = 0;
  std::size_t task_folders = 0;  // unzipped code and interrupted extractions
};

// Removes every blob whose digest appears in no record document (any string member, at any
// depth), every <data_dir>/tasks/<digest> folder of such code, and the ".tmp-*" folders of
// extractions a crash interrupted (under tasks/ and layers/).
CollectedGarbage collect_garbage(const State& state);

}  // namespace ld::local
