#pragma once
// What every adapter (Lambda runtime, local HTTP server) calls: a request in, a response out.
#include <functional>

#include "web/request.hpp"
#include "web/response.hpp"

namespace ld::web {

// Handles one request. Adapters call it from one or more threads at once; it must not throw
// (web::App turns exceptions into 500s), but adapters still guard against it.
using Handler = std::function<Response(Request&)>;

}  // namespace ld::web
