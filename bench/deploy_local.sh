#!/usr/bin/env bash
# The deployer against the local endpoint, as a user runs it: a first deploy of the GitHub Digest
# service to an empty endpoint (waits included; the endpoint keeps a function Pending 300 ms after
# each change, as AWS keeps it a while), and a deploy with nothing changed (hyperfine), with the
# same package given by --package so no build is timed. Prints where the first deploy's time goes
# (its steps, from --json). Issue targets: first deploy < 3 s, no-change deploy < 150 ms.
# Usage: bench/deploy_local.sh [build-dir (default build/release)] [rounds (default 3)]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
rounds=${2:-3}
cli=$(realpath -m "$build/apps/lambdeploy/lambdeploy")
zip=$(realpath -m dist/github-digest.zip)
command -v hyperfine >/dev/null || { echo "deploy_local.sh: hyperfine is not installed" >&2; exit 1; }
source bench/local_endpoint.sh
require_files "$cli" "$zip"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
deploy=("$cli" --endpoint-url "http://127.0.0.1:$port" --local deploy --stage dev --package "$zip")

firsts=()
for round in $(seq 1 "$rounds"); do
  "$cli" local stop --data-dir "$work/data" >/dev/null 2>&1 || true
  rm -rf "$work/data"
  "$cli" local start --port "$port" --data-dir "$work/data" --detach >/dev/null
  start_ns=$(date +%s%N)
  "${deploy[@]}" --json >"$work/first.json"
  firsts+=($(( ($(date +%s%N) - start_ns) / 1000000 )))
done
printf '%s\n' "${firsts[@]}" | sort -n | awk -v r="$rounds" '{a[NR]=$1} END {
  printf "deploy to an empty endpoint (first deploy, waits included): median %d ms of %d rounds (min %d, max %d)\n", a[int((NR+1)/2)], r, a[1], a[NR]}'
python3 - "$work/first.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
steps = sorted(doc.get("actions", []), key=lambda a: -a["duration_ms"])
total = sum(a["duration_ms"] for a in steps)
checks = sum(c["duration_ms"] for c in doc.get("checks", []))
print(f"  where it goes: {doc.get('duration_ms', 0)} ms in the CLI; steps {total} ms, checks {checks} ms")
for a in steps[:4]:
    print(f"    {a['duration_ms']:5d} ms  {a['action']}: {a['summary'][:80]}")
PY
hyperfine --warmup 3 --runs 30 --export-json "$work/nochange.json" --style none \
  "${deploy[*]}" >/dev/null
python3 - "$work/nochange.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"deploy with nothing changed: median {r['median']*1000:.1f} ms, mean {r['mean']*1000:.1f} ms "
      f"± {r['stddev']*1000:.1f} (hyperfine, 30 runs)")
PY
