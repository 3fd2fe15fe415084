#!/usr/bin/env bash
# CPU profile of Meridian under wrk load (async-profiler from Maven Central, attached with jcmd JVMTI.agent_load).
#
#   bench/profile.sh                          # -> /tmp/meridian-prof/{profile.html,collapsed.txt,top.txt}
#   CONNS=64 DURATION=15 EVENT=cpu MERIDIAN_JAVA_OPTS="-XX:+UseParallelGC" bench/profile.sh
#
# Environment: CONNS [64] THREADS [2] DURATION [15] (profiled) WARMUP [8] EVENT [cpu; itimer if perf events are
#   unavailable] BACKENDS_N [3] BACKEND_PORT [19101] MERIDIAN_PORT [19180] ADMIN_PORT [19190] OUT [/tmp/meridian-prof]
#   ASPROF_VERSION [4.1] (tools.profiler:async-profiler; fetched with mvn dependency:get when not in ~/.m2)
#   MERIDIAN_JAVA_OPTS [none]  JMH_WAIT [120]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$repo/proxy-core/target/meridian.jar"
CONNS="${CONNS:-64}"; THREADS="${THREADS:-2}"; DURATION="${DURATION:-15}"; WARMUP="${WARMUP:-8}"; EVENT="${EVENT:-cpu}"
BACKENDS_N="${BACKENDS_N:-3}"; BACKEND_PORT="${BACKEND_PORT:-19101}"; MERIDIAN_PORT="${MERIDIAN_PORT:-19180}"
ADMIN_PORT="${ADMIN_PORT:-19190}"; OUT="${OUT:-/tmp/meridian-prof}"; JMH_WAIT="${JMH_WAIT:-120}"
ASPROF_VERSION="${ASPROF_VERSION:-4.1}"
# shellcheck disable=SC2206
java_opts=(${MERIDIAN_JAVA_OPTS:-})
log() { echo "profile.sh: $(date +%T) $*" >&2; }
# shellcheck source=lib.sh
source "$repo/bench/lib.sh"

apjar="$HOME/.m2/repository/tools/profiler/async-profiler/$ASPROF_VERSION/async-profiler-$ASPROF_VERSION.jar"
if [[ ! -f $apjar ]]; then
  timeout 180 mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$ASPROF_VERSION" >&2
fi
mkdir -p "$OUT"
(cd "$OUT" && unzip -o -q "$apjar" 'linux-x64/libasyncProfiler.so')
lib="$OUT/linux-x64/libasyncProfiler.so"

tmp="$(mktemp -d /tmp/meridian-profile.XXXXXX)"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
start_backends "$BACKENDS_N" "$BACKEND_PORT" "$tmp"
write_config "$tmp/m.yaml"
java "${java_opts[@]}" -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -jar "$jar" run -c "$tmp/m.yaml" \
  >"$OUT/meridian.log" 2>&1 &
mp=$!; pids+=("$mp")
wait_http "$MERIDIAN_PORT" 60 "$mp" || { cat "$OUT/meridian.log" >&2; exit 1; }
left="$JMH_WAIT"
while pgrep -f benchmarks.jar >/dev/null && ((left > 0)); do log "JMH running, waiting"; sleep 5; left=$((left - 5)); done
pgrep -f benchmarks.jar >/dev/null && log "JMH still running: profiling anyway"
timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$MERIDIAN_PORT/" >/dev/null
timeout 30 jcmd "$mp" JVMTI.agent_load "$lib" "\"start,event=$EVENT,interval=1ms\"" >&2
timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$MERIDIAN_PORT/" \
  | tee "$OUT/wrk.txt" | grep -E 'Requests/sec|^ +(50|99)%' >&2
timeout 30 jcmd "$mp" JVMTI.agent_load "$lib" "\"stop,file=$OUT/collapsed.txt,collapsed\"" >&2
timeout 30 jcmd "$mp" JVMTI.agent_load "$lib" "\"dump,file=$OUT/profile.html\"" >&2 || true
# Self time per frame and inclusive time per dev.meridian / io.netty frame.
python3 - "$OUT/collapsed.txt" >"$OUT/top.txt" <<'EOF'
import collections, sys
self_, incl, total = collections.Counter(), collections.Counter(), 0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip().rpartition(' ')
    n = int(n); total += n
    frames = stack.split(';')
    self_[frames[-1]] += n
    for f in set(frames):
        incl[f] += n
print(f'total samples {total}\n\n== top self frames ==')
for f, n in self_.most_common(45):
    print(f'{100*n/total:5.1f}%  {f}')
print('\n== inclusive, dev.meridian.* ==')
for f, n in [x for x in incl.most_common() if x[0].startswith('dev/meridian') or x[0].startswith('dev.meridian')][:30]:
    print(f'{100*n/total:5.1f}%  {f}')
print('\n== inclusive, io.netty (top 40) ==')
for f, n in [x for x in incl.most_common() if x[0].startswith('io/netty') or x[0].startswith('io.netty')][:40]:
    print(f'{100*n/total:5.1f}%  {f}')
print('\n== inclusive, everything (top 40) ==')
for f, n in incl.most_common(40):
    print(f'{100*n/total:5.1f}%  {f}')
EOF
log "wrote $OUT/top.txt, $OUT/collapsed.txt, $OUT/profile.html"
