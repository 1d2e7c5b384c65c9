#pragma once
// The prod guard: a command that changes a `protected` stage asks on a terminal, and needs
// --yes when stdin is not one.
#include <string>

#include "context.hpp"

namespace ld::cli {

// Returns when the change may go ahead; throws ld::Error saying to pass --yes otherwise.
void confirm_change(Context& ctx, const std::string& stage, bool yes, const std::string& what);

}  // namespace ld::cli
