#pragma once
// What promote and rollback share: who changes LIVE and when (for its record), and the report
// of a traffic change.
#include <string>

#include "context.hpp"
#include "deploy/traffic.hpp"

namespace ld::cli {

// The caller's ARN (STS) and the time now.
deploy::TrafficCaller caller_of(Context& ctx, const std::string& stage);

// Prints the change's summary and puts LIVE before and after into the JSON document.
void report(Context& ctx, const std::string& command, const std::string& stage,
            const deploy::TrafficChange& change);

}  // namespace ld::cli
