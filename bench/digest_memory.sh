#!/usr/bin/env bash
# Peak memory of one /github-digest/markdown digest against the zipball's size: the whole
# process's maximum RSS (/usr/bin/time -v) of `digest_bench --digest ZIP` on a synthetic
# repository zipball, next to the process alone (`--baseline`) and to the zip's bytes, which it
# must hold (the markdown goes out piece by piece, as the server streams it). Issue target: peak at most twice the zipball's size.
# Usage: bench/digest_memory.sh [build-dir (default build/release)] [zip MB (default 20)]
set -euo pipefail
build=${1:-build/release}
megabytes=${2:-20}
bench=$build/bench/digest_bench
[ -x "$bench" ] || { echo "no $bench: build the digest_bench target first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bench" --write-zip "$work/repo.zip" "$megabytes" >/dev/null

# Maximum resident set size in KB of the command's whole process; its stdout goes to $work/out.
peak_kb() {
  /usr/bin/time -v "$@" >"$work/out" 2>"$work/time"
  awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time"
}

baseline_kb=$(peak_kb "$bench" --baseline)
peak_kb=$(peak_kb "$bench" --digest "$work/repo.zip")
zip_bytes=$(awk '/^zip_bytes/ {print $2}' "$work/out")
markdown_bytes=$(awk '/^markdown_bytes/ {print $2}' "$work/out")
speed=$(awk '/^zip_MB_per_cpu_s/ {print $2}' "$work/out")

awk -v zip="$zip_bytes" -v md="$markdown_bytes" -v base="$baseline_kb" -v peak="$peak_kb" \
    -v speed="$speed" 'BEGIN {
  mb = 1048576
  printf "zipball             %8.1f MiB\n", zip / mb
  printf "markdown            %8.1f MiB (%.2fx the zip)\n", md / mb, md / zip
  printf "process alone       %8.1f MiB peak RSS\n", base * 1024 / mb
  printf "digest run          %8.1f MiB peak RSS (%.2fx the zip)\n", peak * 1024 / mb, peak * 1024 / zip
  printf "  above the process %8.1f MiB = zip + %.1f MiB other\n", (peak - base) * 1024 / mb,
         ((peak - base) * 1024 - zip) / mb
  printf "speed (one run)     %8.1f MB of zipball per CPU second\n", speed
}'
