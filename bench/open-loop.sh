#!/usr/bin/env bash
# Open-loop latency beside the peers: nginx, HAProxy and Meridian over three nginx backends on 127.0.0.1, each
# driven at the same fixed request rate by bench's OpenLoopLoad (latency from the intended send time, as wrk2).
# The harness's wrk is closed-loop: a proxy that stalls also stalls its load, so its tail hides; at a fixed rate
# the queueing behind a stall shows up in p99/p99.9.
#
#   bash bench/open-loop.sh                      # from the repo root
#   DURATION=5 REPEATS=1 bash bench/open-loop.sh # quick check
#
# Steps: start the backends and each proxy exactly as ../shared/perf/harness/peers.py does (its config templates in
# ../shared/perf/configs/, same ports, a fresh proxy per run; Meridian through bench/peers-meridian.sh); unless RATE
# is given, measure each target's closed-loop max with `wrk -t1 -c64 -d5s` and take 60 % of the better peer's
# (nginx or HAProxy), meant to be within every target's capacity; then run OpenLoopLoad at that rate against each target,
# interleaved (rep > target), and print a Markdown table. Every process started here is stopped by its pid on exit.
#
# Environment [defaults]:
#   RATE          [60 % of the better peer's wrk max]  fixed total request rate, req/s
#   REPEATS [2]   CONNS [64]   DURATION [10] (measured s per open-loop run)   TARGETS [nginx haproxy meridian]
#   WARMUP [2]    unmeasured wrk run on each fresh proxy before it is measured (as the harness's WARMUP), and
#                 OpenLoopLoad's own warm-up at the fixed rate (its JVM and the proxy's JIT)
#   JIT_WARMUP [10]  extra unmeasured wrk seconds for a fresh Meridian: on this box its JVM needs ~15-20 s of traffic
#                 before it carries 5k req/s without a backlog (C2 competes with the load for 2 cores); cold, an open
#                 loop measures the JIT, not the proxy
#   MAX_DURATION [5]  the wrk run that finds a target's closed-loop max
#   URL_PATH [/]  path requested (the backends serve / with 2 bytes and /16k)
#   PROXY_PORT [8080]  BACKEND_BASE [9001] (three backends from here)  PEERS_TMP [/tmp/meridian-open-loop]
#   MERIDIAN_PROFILE [features]  passed on to bench/peers-meridian.sh (plain | features)
#   GEN_JAVA_OPTS [-XX:+UseSerialGC -Xms256m -Xmx256m -Dio.netty.leakDetection.level=disabled]  the generator's JVM:
#                 one GC thread and no leak sampling, so that it takes as little of the box from the proxy as it can
# Over capacity an open loop never catches up: requests queue behind earlier ones, and those still unanswered 2 s
# after the run (some never sent) are counted as timeouts; rows with many timeouts mean "cannot carry this rate".
# Needs nginx (backends), java; haproxy is skipped if missing; wrk is needed unless RATE is given.
# Install them as ../shared/perf/run-peers.sh does: apt-get install nginx haproxy wrk.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cfgs="$repo/../shared/perf/configs"
log() { echo "open-loop: $*" >&2; }
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

REPEATS="${REPEATS:-2}"; CONNS="${CONNS:-64}"; DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-2}"
MAX_DURATION="${MAX_DURATION:-5}"; JIT_WARMUP="${JIT_WARMUP:-10}"; URL_PATH="${URL_PATH:-/}"; TARGETS="${TARGETS:-nginx haproxy meridian}"
PROXY_PORT="${PROXY_PORT:-8080}"; BACKEND_BASE="${BACKEND_BASE:-9001}"
tmp="${PEERS_TMP:-/tmp/meridian-open-loop}"
bench_jar="$repo/bench/target/benchmarks.jar"
# shellcheck disable=SC2206
gen_java_opts=(${GEN_JAVA_OPTS--XX:+UseSerialGC -Xms256m -Xmx256m -Dio.netty.leakDetection.level=disabled})
backend_ports=("$BACKEND_BASE" $((BACKEND_BASE + 1)) $((BACKEND_BASE + 2)))

command -v nginx >/dev/null || { log "nginx missing (the backends are nginx): apt-get install nginx"; exit 1; }
command -v java >/dev/null || { log "java missing"; exit 1; }
if [[ -z ${RATE:-} ]] && ! command -v wrk >/dev/null; then
  log "wrk missing: set RATE=<req/s> or apt-get install wrk"; exit 1
fi
# shellcheck source=bench/peers-lib.sh
source "$repo/bench/peers-lib.sh"
if [[ ! -f $bench_jar ]]; then
  log "building $bench_jar"
  (cd "$repo" && timeout 600 mvn -B -q -o -DskipTests -pl bench -am package) >&2
fi

url="http://127.0.0.1:$PROXY_PORT$URL_PATH"
warm() {  # target: an unmeasured closed-loop run, as the harness's WARMUP before each measured wrk run
  local s=$WARMUP
  if [[ $1 == meridian ]]; then s=$((WARMUP + JIT_WARMUP)); fi
  if command -v wrk >/dev/null && ((s > 0)); then
    timeout $((s + 10)) wrk -t1 -c"$CONNS" -d"${s}s" "$url" >/dev/null
  fi
}

declare -A max
if [[ -z ${RATE:-} ]]; then
  for t in "${targets[@]}"; do
    start_proxy "$t"; warm "$t"
    out="$(timeout $((MAX_DURATION + 10)) wrk -t1 -c64 -d"${MAX_DURATION}s" "$url")"
    max[$t]="$(awk '/^Requests\/sec:/ {printf "%d", $2}' <<<"$out")"
    log "$t closed-loop max (wrk -t1 -c64 -d${MAX_DURATION}s): ${max[$t]:-?} req/s"
    stop_proxy
  done
  best=0
  for t in nginx haproxy; do
    if [[ -n ${max[$t]:-} ]] && ((max[$t] > best)); then best=${max[$t]}; fi
  done
  if ((best == 0)); then
    log "no peer measured: taking Meridian's max instead"; best=${max[meridian]:?no target measured}
  fi
  RATE=$((best * 60 / 100))
fi
log "fixed rate $RATE req/s, $CONNS connections, ${DURATION}s per run, $REPEATS repeat(s)"

results="$tmp/open-loop.jsonl"; : >"$results"
for ((rep = 1; rep <= REPEATS; rep++)); do
  for t in "${targets[@]}"; do
    start_proxy "$t"; warm "$t"
    line="$(timeout $((WARMUP + DURATION + 30)) java "${gen_java_opts[@]}" -cp "$bench_jar" dev.meridian.bench.scenarios.OpenLoopLoad \
      --port "$PROXY_PORT" --path "$URL_PATH" --rate "$RATE" --conns "$CONNS" --duration "$DURATION" \
      --warmup "$WARMUP")"
    log "$t rep $rep: $line"
    echo "{\"name\": \"$t\", \"rep\": $rep, \"closed_loop_max\": ${max[$t]:-null}, ${line#\{}" >>"$results"
    stop_proxy
  done
done

echo
echo "Open loop at $RATE req/s, $CONNS connections, ${DURATION} s per run (latency in ms from the intended send time;"
echo "timeouts: no answer within 2 s). Raw JSON lines: $results"
echo
python3 - "$results" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print('| target | rep | rate | closed-loop max | p50 | p99 | p99.9 | max | errors | timeouts |')
print('|---|---|---|---|---|---|---|---|---|---|')
for r in rows:
    print(f"| {r['name']} | {r['rep']} | {r['rate']:.0f} | {r['closed_loop_max'] or '-'} | {r['p50_ms']:.2f} | "
          f"{r['p99_ms']:.2f} | {r['p999_ms']:.2f} | {r['max_ms']:.2f} | {r['errors']} | {r['timeouts']} |")
EOF
