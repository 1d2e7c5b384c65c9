#pragma once
// Request ids for requests that arrive without one (the local server, tests): random UUIDs.
#include <string>

#include "core/uuid.hpp"

namespace ld::web {

// A random version-4 UUID ("0b8f...-4...-a..."), from a per-thread generator.
inline std::string generate_request_id() {
  return random_uuid();
}

}  // namespace ld::web
