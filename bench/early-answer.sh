#!/usr/bin/env bash
# Issue 17's scenario beside the peers: 10 % POSTs of 1 KiB (bench/early-answer.lua) to nginx backends that answer
# them before reading the body, through nginx, HAProxy and Meridian, at 64 and 1,000 connections. A proxy that drops
# a keep-alive connection after such an early answer without saying so makes wrk count read errors; the target is
# none, as the peers.
#
#   bash bench/early-answer.sh                          # from the repo root
#   CONNS=64 DURATION=5 REPEATS=1 bash bench/early-answer.sh
#
# Environment [defaults]: CONNS [64 1000]  DURATION [10]  REPEATS [1]  WARMUP [2]  JIT_WARMUP [10] (extra warm-up
#   for a fresh Meridian)  TARGETS [nginx haproxy meridian]  PROXY_PORT [8080]  BACKEND_BASE [9001]
#   PEERS_TMP [/tmp/meridian-early-answer]  MERIDIAN_PROFILE [features] (bench/peers-meridian.sh)
# Needs nginx, wrk; haproxy is skipped if missing (apt-get install nginx haproxy wrk, as ../shared/perf/run-peers.sh).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cfgs="$repo/../shared/perf/configs"
log() { echo "early-answer: $*" >&2; }
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"
CONNS="${CONNS:-64 1000}"; DURATION="${DURATION:-10}"; REPEATS="${REPEATS:-1}"; WARMUP="${WARMUP:-2}"
JIT_WARMUP="${JIT_WARMUP:-10}"; TARGETS="${TARGETS:-nginx haproxy meridian}"
PROXY_PORT="${PROXY_PORT:-8080}"; BACKEND_BASE="${BACKEND_BASE:-9001}"
tmp="${PEERS_TMP:-/tmp/meridian-early-answer}"
backend_ports=("$BACKEND_BASE" $((BACKEND_BASE + 1)) $((BACKEND_BASE + 2)))
for b in nginx wrk java; do command -v "$b" >/dev/null || { log "$b missing (apt-get install nginx wrk)"; exit 1; }; done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# shellcheck source=bench/peers-lib.sh
source "$repo/bench/peers-lib.sh"

url="http://127.0.0.1:$PROXY_PORT/"
script="$repo/bench/early-answer.lua"
rows=()
for ((rep = 1; rep <= REPEATS; rep++)); do
  for c in $CONNS; do
    for t in "${targets[@]}"; do
      start_proxy "$t"
      w=$WARMUP; [[ $t == meridian ]] && w=$((WARMUP + JIT_WARMUP))
      timeout $((w + 10)) wrk -t1 -c"$c" -d"${w}s" -s "$script" "$url" >/dev/null
      out="$(timeout $((DURATION + 30)) wrk -t1 -c"$c" -d"${DURATION}s" --timeout 2s -s "$script" "$url")"
      stop_proxy
      rps="$(awk '/^Requests\/sec:/ {printf "%d", $2}' <<<"$out")"
      non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
      econnect=0; eread=0; ewrite=0; etimeout=0  # wrk prints no Socket errors line when there were none
      if grep -q "Socket errors" <<<"$out"; then
        read -r econnect eread ewrite etimeout < <(awk -F'[ ,]+' '/Socket errors/ {print $4, $6, $8, $10}' <<<"$out")
      fi

      log "$t c$c rep $rep: ${rps} req/s, read errors ${eread:-0}, non-2xx ${non2xx:-0}"
      rows+=("$t|$c|$rep|$rps|${econnect:-0}|${eread:-0}|${ewrite:-0}|${etimeout:-0}|${non2xx:-0}")
    done
  done
done

echo
echo "10 % POSTs of 1 KiB answered early by the backends; wrk -t1 ${DURATION} s, --timeout 2s."
echo
echo "| target | connections | rep | requests/s | connect errors | read errors | write errors | timeouts | non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do
  IFS='|' read -r t c rep rps a b d e f <<<"$r"
  echo "| $t | $c | $rep | $rps | $a | $b | $d | $e | $f |"
done
