#pragma once
// The transport as the AWS client uses it: libcurl (connections reused per host, TLS verified,
// bodies streamed from files), behind core's Transport seam.
#include <memory>

#include "core/transport.hpp"

namespace ld {

// libcurl transport: connections reused per host, TLS verified, bodies streamed from files,
// proxies from the environment (https_proxy, http_proxy, no_proxy, as curl reads them).
// libcurl.so.4 is loaded by the first send, which throws TransportError when it is missing.
// Thread-safe.
std::shared_ptr<Transport> make_curl_transport(TransportOptions options = {});

}  // namespace ld

namespace ld::aws {

using ld::make_curl_transport;
using ld::Transport;
using ld::TransportOptions;

}  // namespace ld::aws
