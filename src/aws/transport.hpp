#pragma once
// The transport as the AWS client uses it (core's libcurl transport).
#include "core/transport.hpp"

namespace ld::aws {

using ld::make_curl_transport;
using ld::Transport;
using ld::TransportOptions;

}  // namespace ld::aws
