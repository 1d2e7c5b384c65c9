#!/usr/bin/env bash
# Peak memory of `github-digest serve` answering one /github-digest/markdown for a synthetic
# repository zipball, against the zipball's size: the server's VmHWM after the request, less its
# VmHWM before it. The zipball comes from bench/zipball_origin.py, once with a Content-Length
# and once chunked (no length known up front). Issue target: at most twice the zipball's size.
# Usage: bench/digest_serve_memory.sh [build-dir (default build/release)] [zip MB (default 20)]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
megabytes=${2:-20}
bin=$build/apps/github-digest/github-digest
bench=$build/bench/digest_bench
for f in "$bin" "$bench"; do
  [[ -x $f ]] || { echo "digest_serve_memory.sh: no $f (build it in Release first)" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$bench" --write-zip "$work/repo.zip" "$megabytes" >/dev/null
zip_bytes=$(stat -c %s "$work/repo.zip")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # url
  for _ in $(seq 100); do curl -fs -o /dev/null "$@" && return 0; sleep 0.1; done
  echo "digest_serve_memory.sh: nothing answers at $*" >&2; exit 1
}
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

measure() {  # label, extra origin flags
  local label=$1; shift
  local origin_port serve_port origin serve before after md
  origin_port=$(free_port)
  serve_port=$(free_port)
  python3 bench/zipball_origin.py "$work/repo.zip" "$origin_port" "$@" &
  origin=$!; pids+=("$origin")
  GITHUB_API_URL="http://127.0.0.1:$origin_port" FAST_API__AUTH__API_KEY__NAME=x-api-key \
    FAST_API__AUTH__API_KEY__VALUE=k "$bin" serve --port "$serve_port" 2>/dev/null &
  serve=$!; pids+=("$serve")
  wait_for "http://127.0.0.1:$origin_port/"
  wait_for -H "x-api-key: k" "http://127.0.0.1:$serve_port/info/version"
  before=$(hwm_kb "$serve")
  md=$(curl -fs -H "x-api-key: k" -o /dev/null -w '%{size_download}' \
    "http://127.0.0.1:$serve_port/github-digest/markdown?owner=o&name=n&ref=main")
  after=$(hwm_kb "$serve")
  kill "$serve" "$origin"
  awk -v label="$label" -v zip="$zip_bytes" -v md="$md" -v b="$before" -v a="$after" 'BEGIN {
    mb = 1048576
    printf "%-26s zip %.1f MiB, markdown %.1f MiB; peak RSS %.1f MiB above idle = %.2fx the zip\n",
           label, zip / mb, md / mb, (a - b) * 1024 / mb, (a - b) * 1024 / zip
  }'
}

measure "serve, Content-Length zip"
measure "serve, chunked zip" --chunked
