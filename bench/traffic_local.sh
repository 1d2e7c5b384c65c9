#!/usr/bin/env bash
# Traffic and logs against the local endpoint, as a user runs them: `rollback` and `promote`
# (hyperfine; each promote's canary is set up outside the timing), and `logs --since 1h` over a
# log group holding 100,000 events (put with the real AWS CLI, 10,000 a call), to its last line.
# Issue targets: rollback and promote under 100 ms each; the logs under 1 s.
# Usage: bench/traffic_local.sh [build-dir (default build/release)]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
cli=$(realpath -m "$build/apps/lambdeploy/lambdeploy")
zip=$(realpath -m dist/github-digest.zip)
aws=/usr/bin/aws
source bench/local_endpoint.sh
require_files "$cli" "$zip" "$aws"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
url="http://127.0.0.1:$port"
ld=("$cli" --endpoint-url "$url" --local)
"$cli" local start --port "$port" --data-dir "$work/data" --detach >/dev/null

# Two releases deployed: LIVE on version 2, version 1 recorded as the one before.
mkdir -p "$work/v2" && cp "$zip" "$work/v2/github-digest.zip"
(cd "$work/v2" && printf 'v9.9.9\n' >version && zip -q github-digest.zip version)
"${ld[@]}" -q deploy --stage dev --package "$zip" >/dev/null
"${ld[@]}" -q deploy --stage dev --package "$work/v2/github-digest.zip" >/dev/null
fn=mgraph_ai_service_github_digest__dev
canary="$aws --endpoint-url $url lambda update-alias --function-name $fn --name LIVE \
  --function-version 1 --routing-config AdditionalVersionWeights={2=0.1}"

hyperfine -N --warmup 3 --runs 30 --export-json "$work/rollback.json" --style none \
  "${ld[*]} -q rollback --stage dev" >/dev/null
hyperfine --warmup 2 --runs 20 --prepare "$canary >/dev/null" --export-json "$work/promote.json" \
  --style none "${ld[*]} -q promote --stage dev" >/dev/null

# 100,000 events in ten streams of 10,000, all within the last hour.
group=/aws/lambda/$fn
now_ms=$(($(date +%s) * 1000))
for i in $(seq 0 9); do
  "$aws" --endpoint-url "$url" logs create-log-stream --log-group-name "$group" \
    --log-stream-name "bench/$i" >/dev/null
  python3 - "$now_ms" "$i" >"$work/events.json" <<'PY'
import json, sys
now, stream = int(sys.argv[1]), int(sys.argv[2])
start = now - 30 * 60 * 1000
print(json.dumps([{"timestamp": start + k * 10 + stream, "message": f"event {stream}-{k} " + "x" * 40}
                  for k in range(10000)]))
PY
  "$aws" --endpoint-url "$url" logs put-log-events --log-group-name "$group" \
    --log-stream-name "bench/$i" --log-events "file://$work/events.json" >/dev/null
done
lines=$("${ld[@]}" logs --stage dev --since 1h | wc -l)
hyperfine -N --warmup 1 --runs 5 --export-json "$work/logs.json" --style none \
  --output=null "${ld[*]} logs --stage dev --since 1h" >/dev/null

python3 - "$work" "$lines" <<'PY'
import json, sys
work, lines = sys.argv[1], sys.argv[2]
def median(name):
    return json.load(open(f"{work}/{name}.json"))["results"][0]["median"] * 1000
print(f"rollback: median {median('rollback'):.1f} ms (hyperfine, 30 runs)")
print(f"promote: median {median('promote'):.1f} ms (hyperfine, 20 runs, canary set up outside the timing)")
print(f"logs --since 1h over {lines} lines: median {median('logs'):.0f} ms to the last line (5 runs)")
PY
