# Sourced by the bench scripts that drive a `lambdeploy local` of their own: a work folder, a
# free loopback port, and a trap that stops the endpoint and removes the folder on exit.
# Needs $cli (the lambdeploy binary) set before it is sourced; sets $work and $port.
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
stop_local_endpoint() {
  "$cli" local stop --data-dir "$work/data" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop_local_endpoint EXIT
# Requires each file given to exist: "NAME: no FILE (a release build makes it)".
require_files() {
  local f
  for f in "$@"; do
    [[ -e $f ]] || { echo "$(basename "$0"): no $f (a release build makes it)" >&2; exit 1; }
  done
}
