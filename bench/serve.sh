#!/usr/bin/env bash
# Requests/s of `github-digest serve` beside uvicorn+FastAPI (bench/serve_peer) for
# GET /info/version with the API key: the same wrk command against each, then the ratio.
# Usage: [ROUNDS=3] bench/serve.sh [seconds per round]   (GITHUB_DIGEST=path overrides the binary; expects a release
# build in build/release, which `make bench` makes)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
rounds=${ROUNDS:-3}
bin=${GITHUB_DIGEST:-build/release/apps/github-digest/github-digest}
ours_port=${OURS_PORT:-18081}
peer_port=${PEER_PORT:-18082}
export FAST_API__AUTH__API_KEY__NAME=x-api-key
export FAST_API__AUTH__API_KEY__VALUE=bench-key

[[ -x $bin ]] || { echo "serve.sh: no binary at $bin (build github-digest in Release)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "serve.sh: wrk is not installed" >&2; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_ready() {  # port
  for _ in $(seq 100); do
    if curl -fs -o /dev/null -H "x-api-key: bench-key" "http://127.0.0.1:$1/info/version"; then
      return 0
    fi
    sleep 0.1
  done
  echo "serve.sh: nothing answers on port $1" >&2
  exit 1
}

measure() {  # port → requests/s
  wrk -t2 -c64 -d"${seconds}s" -H "x-api-key: bench-key" "http://127.0.0.1:$1/info/version" |
    awk '/^Requests\/sec:/ {print $2}'
}

"$bin" serve --port "$ours_port" 2>/dev/null &
pids+=($!)
(cd bench/serve_peer && exec /usr/bin/python3 -m uvicorn app:app --host 127.0.0.1 \
  --port "$peer_port" --log-level warning --no-access-log) &
pids+=($!)
wait_ready "$ours_port"
wait_ready "$peer_port"

# Rounds alternate between the two (the peer's rate varies by a third from run to run here), and
# the ratio reported is that of the medians.
ours=()
peer=()
for _ in $(seq "$rounds"); do
  ours+=("$(measure "$ours_port")")
  peer+=("$(measure "$peer_port")")
done

python3 - "${ours[*]}" "${peer[*]}" <<'PY'
import statistics, sys
ours = [float(x) for x in sys.argv[1].split()]
peer = [float(x) for x in sys.argv[2].split()]
for i, (o, p) in enumerate(zip(ours, peer), 1):
    print(f"  round {i}: github-digest serve {o:,.0f} req/s, uvicorn+FastAPI {p:,.0f} req/s")
o, p = statistics.median(ours), statistics.median(peer)
print(f"GET /info/version with the API key, medians of {len(ours)} rounds: github-digest serve "
      f"{o:,.0f} req/s, uvicorn+FastAPI {p:,.0f} req/s, ratio {o/p:.1f}x")
PY
