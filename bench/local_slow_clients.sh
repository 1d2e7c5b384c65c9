#!/usr/bin/env bash
# The local endpoint under slow clients: N connections (default 1,000) that each send a request
# line and then one header line every 2 s, never finishing; meanwhile the health route is asked
# three times. Issue target: health answers within 100 ms while 1,000 slow clients are connected
# (an endpoint with a fixed pool of 256 workers answered after 21 s).
# Usage: bench/local_slow_clients.sh [build-dir (default build/release)] [clients (default 1000)]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
clients=${2:-1000}
cli=$build/apps/lambdeploy/lambdeploy
source bench/local_endpoint.sh
require_files "$cli"
ulimit -n "$(ulimit -Hn)"
"$cli" local start --port "$port" --data-dir "$work/data" --detach >/dev/null
until curl -fs -o /dev/null "http://127.0.0.1:$port/_lambdeploy/health"; do sleep 0.005; done
python3 - "$port" "$clients" <<'PY'
import socket, sys, time, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
started = time.time()
slow = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /_lambdeploy/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    slow.append(s)
print(f"{n} slow clients connected in {time.time() - started:.2f} s")
for _ in range(3):
    time.sleep(2)
    for s in slow:
        try:
            s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            pass
    asked = time.time()
    urllib.request.urlopen(f"http://127.0.0.1:{port}/_lambdeploy/health", timeout=60).read()
    print(f"health with {n} slow clients connected: {(time.time() - asked) * 1000:.1f} ms")
PY
