#!/usr/bin/env bash
# The CLI's start-up: `lambdeploy --version` and `lambdeploy --help` beside `aws --version`
# (Debian's awscli, /usr/bin/aws), all in one hyperfine run (no shell between), and the ratio
# aws / lambdeploy. Issue target: `lambdeploy --version` at least 100x faster than `aws --version`.
# `--help` stands in for `--version` while the CLI has no `--version` (it must exit 0).
# Usage: bench/cli_startup.sh [lambdeploy binary (default build/release/apps/lambdeploy/lambdeploy)]
#   AWS_CLI=path  the peer (default /usr/bin/aws); CLI_STARTUP_RUNS=N  runs of each (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-build/release/apps/lambdeploy/lambdeploy}
aws=${AWS_CLI:-/usr/bin/aws}
runs=${CLI_STARTUP_RUNS:-30}
for f in "$cli" "$aws"; do
  [[ -x $f ]] || { echo "cli_startup.sh: no $f (a release build makes the first)" >&2; exit 1; }
done
command -v hyperfine >/dev/null ||
  { echo "cli_startup.sh: hyperfine is not installed (scripts/install-deps --bench)" >&2; exit 1; }

commands=()
if "$cli" --version >/dev/null 2>&1; then commands+=("$cli --version"); fi
commands+=("$cli --help" "$aws --version")

json=$(mktemp)
trap 'rm -f "$json"' EXIT
# -N: commands run without a shell, so the shell's own start-up is not in the figures.
hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$json" "${commands[@]}" \
  >/dev/null
python3 - "$json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
peer = results[-1]
for r in results[:-1]:
    name = "lambdeploy " + r["command"].split()[-1]
    print(f"cli start-up: {name} {r['mean']*1000:.2f} ms (median {r['median']*1000:.2f}), "
          f"aws --version {peer['mean']*1000:.0f} ms (median {peer['median']*1000:.0f}), "
          f"ratio {peer['mean']/r['mean']:.0f}x (target 100x)")
PY
