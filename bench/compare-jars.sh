#!/usr/bin/env bash
# Req/s of several Meridian jars, one after another, behind the same 3 nginx backends: for bisecting a regression.
#
#   bench/compare-jars.sh /tmp/jars/a/meridian.jar /tmp/jars/b/meridian.jar ...
#
# Environment: PASSES [2] CONNS [64] WARMUP [4] DURATION [8] BACKEND_PORT [19101] MERIDIAN_PORT [19180]
#   ADMIN_PORT [19190]. Each pass runs every jar once, in order; the jar's folder name labels its line.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PASSES="${PASSES:-2}"; CONNS="${CONNS:-64}"; WARMUP="${WARMUP:-4}"; DURATION="${DURATION:-8}"
BACKEND_PORT="${BACKEND_PORT:-19101}"; MERIDIAN_PORT="${MERIDIAN_PORT:-19180}"; ADMIN_PORT="${ADMIN_PORT:-19190}"
log() { echo "compare-jars.sh: $(date +%T) $*" >&2; }
# shellcheck source=lib.sh
source "$repo/bench/lib.sh"
tmp="$(mktemp -d /tmp/meridian-compare.XXXXXX)"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
start_backends 3 "$BACKEND_PORT" "$tmp"
write_config "$tmp/m.yaml"
for ((pass = 1; pass <= PASSES; pass++)); do
  for jar in "$@"; do
    java -Dio.netty.leakDetection.level=disabled -jar "$jar" run -c "$tmp/m.yaml" >"$tmp/m.log" 2>&1 &
    mp=$!
    wait_http "$MERIDIAN_PORT" 60 "$mp" || { cat "$tmp/m.log" >&2; exit 1; }
    wrk -t2 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$MERIDIAN_PORT/" >/dev/null
    rps=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$MERIDIAN_PORT/" | awk '/Requests\/sec/{print $2}')
    echo "pass $pass $(basename "$(dirname "$jar")") $rps"
    stop_pid "$mp"
  done
done
