#pragma once
// Random (version 4) UUIDs: request ids, invocation ids, log stream ids.
#include <string>

namespace ld {

// "c6af9ac6-7b61-41e6-9a41-93e8deadbeef": lower-case, RFC 4122 version 4. Thread-safe.
std::string random_uuid();

}  // namespace ld
