#!/usr/bin/env bash
# The local endpoint's Function URL path with the packaged GitHub Digest, driven as a user would:
# `lambdeploy local start --detach` to healthy, the function created and exposed with the real AWS
# CLI (/usr/bin/aws), then the first (cold) request, the warm latency of one client and the
# requests/s of many, all on GET /info/version with the API key through the path-prefix URL form.
# Issue targets: start < 200 ms, cold first request < 50 ms, warm median overhead < 1 ms,
# at least 5,000 requests/s.
# Usage: bench/local_url.sh [build-dir (default build/release)] [seconds per wrk run (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
seconds=${2:-5}
cli=$build/apps/lambdeploy/lambdeploy
zip=dist/github-digest.zip
aws=/usr/bin/aws
for f in "$cli" "$zip" "$aws"; do
  [[ -e $f ]] || { echo "local_url.sh: no $f (a release build makes the first two)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "local_url.sh: wrk is not installed" >&2; exit 1; }
source bench/local_endpoint.sh
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
call() { "$aws" --endpoint-url "http://127.0.0.1:$port" "$@"; }

start_ns=$(date +%s%N)
"$cli" local start --port "$port" --data-dir "$work/data" --detach >/dev/null
until curl -fs -o /dev/null "http://127.0.0.1:$port/_lambdeploy/health"; do sleep 0.005; done
echo "local start --detach to healthy: $(( ($(date +%s%N) - start_ns) / 1000000 )) ms"

fn=digest-bench
call lambda create-function --function-name "$fn" --runtime provided.al2023 --handler bootstrap \
  --role arn:aws:iam::000000000000:role/bench --zip-file "fileb://$zip" --timeout 10 \
  --environment 'Variables={FAST_API__AUTH__API_KEY__NAME=x-api-key,FAST_API__AUTH__API_KEY__VALUE=k}' \
  >/dev/null
call lambda wait function-active-v2 --function-name "$fn"
url=$(call lambda create-function-url-config --function-name "$fn" --auth-type NONE \
  --query FunctionUrl --output text)
call lambda add-permission --function-name "$fn" --statement-id url \
  --action lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE >/dev/null
call lambda add-permission --function-name "$fn" --statement-id invoke \
  --action lambda:InvokeFunction --principal '*' >/dev/null
id=${url#http://}
id=${id%%.*}
target="http://127.0.0.1:$port/_lambdeploy/url/$id/info/version"

cold=$(curl -fs -o /dev/null -H 'x-api-key: k' -w '%{time_total}' "$target")
awk -v s="$cold" 'BEGIN {printf "cold first request (instance start included): %.1f ms\n", s * 1000}'

printf 'wrk.headers["x-api-key"] = "k"\n' >"$work/key.lua"
wrk -t1 -c1 -d"${seconds}s" --latency -s "$work/key.lua" "$target" |
  awk '/^ +50%/ {print "warm, one client: median " $2 " for the whole call"}
       /^ +99%/ {print "warm, one client: 99th percentile " $2}'
# Each level first runs 2 s unmeasured: a new connection level starts new instances (as Lambda
# scales out), whose cold starts are measured above, not here.
for connections in 4 16 64; do
  wrk -t2 -c"$connections" -d2s -s "$work/key.lua" "$target" >/dev/null
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/key.lua" "$target" |
    awk -v c="$connections" '/^ +99%/ {p99 = $2}
      /^Requests\/sec:/ {printf "throughput, %2d connections: %s req/s, p99 %s\n", c, $2, p99}'
done
# The endpoint's own memory (its instances are other processes): now, and its peak.
endpoint_pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$work/data/endpoint.json" 2>/dev/null || true)
if [[ -n $endpoint_pid && -r /proc/$endpoint_pid/status ]]; then
  awk '/^VmRSS/ {rss = $2} /^VmHWM/ {hwm = $2}
       END {printf "endpoint memory after the runs: %.1f MB resident, peak %.1f MB\n", rss / 1024, hwm / 1024}' \
    "/proc/$endpoint_pid/status"
fi
