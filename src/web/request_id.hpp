#pragma once
// Request ids for requests that arrive without one (the local server, tests): random UUIDs.
#include <string>

namespace ld::web {

// A random version-4 UUID ("0b8f...-4...-a..."), from a per-thread generator.
std::string generate_request_id();

}  // namespace ld::web
