#!/usr/bin/env bash
# A/B of JVM flag sets (and `run` options) for Meridian under wrk, interleaved, with CPU per request.
#
#   bench/jvm-flags.sh
#   FLAGSETS='none|-XX:+UseParallelGC' REPEATS=3 bench/jvm-flags.sh
#
# Environment (defaults in brackets):
#   FLAGSETS  flag sets separated by '|'; the word "none" is the empty set; a set may carry `run` options after
#             ' -- ' (e.g. '-XX:+UseSerialGC -- --io-threads 1')  [see below]
#   REPEATS [2]  CONNS [64]  THREADS [2]  DURATION [10]  WARMUP [5] (unmeasured, fresh JVM each run)
#   BACKENDS_N [3] nginx backends (1 worker each) on BACKEND_PORT.. [19101..]  MERIDIAN_PORT [19180]  ADMIN_PORT [19190]
#   JMH_WAIT [120] total seconds to wait for a running JMH (`pgrep -f benchmarks.jar`) before measured runs.
# A fresh Meridian per run (as the peer harness does). Prints a table per run and the median per flag set.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$repo/proxy-core/target/meridian.jar"
FLAGSETS="${FLAGSETS:-none|-Dio.netty.leakDetection.level=disabled|-XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled|-XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled|-XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled -- --io-threads 1}"
REPEATS="${REPEATS:-2}"; CONNS="${CONNS:-64}"; THREADS="${THREADS:-2}"; DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-5}"
BACKENDS_N="${BACKENDS_N:-3}"; BACKEND_PORT="${BACKEND_PORT:-19101}"; MERIDIAN_PORT="${MERIDIAN_PORT:-19180}"
ADMIN_PORT="${ADMIN_PORT:-19190}"; JMH_WAIT="${JMH_WAIT:-120}"
CLK="$(getconf CLK_TCK)"
log() { echo "jvm-flags.sh: $(date +%T) $*" >&2; }
# shellcheck source=lib.sh
source "$repo/bench/lib.sh"
for b in wrk nginx curl; do command -v "$b" >/dev/null || { log "missing $b (bench/load.sh installs wrk and nginx)"; exit 1; }; done
[[ -f $jar ]] || { log "no $jar: build it (mvn -B -q -o -DskipTests -pl proxy-core -am package)"; exit 1; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
rss_mib() { awk '/^VmRSS:/{printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
for ((i = 0; i < BACKENDS_N; i++)); do port_busy $((BACKEND_PORT + i)) && { log "port $((BACKEND_PORT + i)) busy"; exit 1; }; done
port_busy "$MERIDIAN_PORT" && { log "port $MERIDIAN_PORT busy"; exit 1; }

tmp="$(mktemp -d /tmp/meridian-flags.XXXXXX)"
pids=()
cleanup() { local p; for p in "${pids[@]}"; do stop_pid "$p"; done; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
start_backends "$BACKENDS_N" "$BACKEND_PORT" "$tmp"
write_config "$tmp/m.yaml" "{max_connections_per_endpoint: 1024, idle_timeout: 60s}"
timeout 60 java -jar "$jar" validate "$tmp/m.yaml" >&2

jmh_left="$JMH_WAIT"
IFS='|' read -ra sets <<<"$FLAGSETS"
rows=()
for ((rep = 1; rep <= REPEATS; rep++)); do
  for ((k = 0; k < ${#sets[@]}; k++)); do
    set_="${sets[$k]}"; jflags="${set_%% -- *}"; rargs=""
    [[ $set_ == *" -- "* ]] && rargs="${set_#* -- }"
    [[ $jflags == none ]] && jflags=""
    jmh="-"
    while pgrep -f benchmarks.jar >/dev/null; do
      if ((jmh_left <= 0)); then jmh="jmh!"; log "JMH running: proceeding anyway"; break; fi
      log "JMH running, waiting (${jmh_left}s left)"; sleep 5; jmh_left=$((jmh_left - 5))
    done
    # shellcheck disable=SC2086
    java $jflags -jar "$jar" run -c "$tmp/m.yaml" $rargs >"$tmp/m-$rep-$k.log" 2>&1 &
    mp=$!; pids+=("$mp")
    wait_http "$MERIDIAN_PORT" 60 "$mp" || { cat "$tmp/m-$rep-$k.log" >&2; exit 1; }
    rss0="$(rss_mib "$mp")"
    timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$MERIDIAN_PORT/" >/dev/null
    s="$(cat /proc/$mp/stat)"; s="${s##*) }"; t0="$(awk '{print $12 + $13}' <<<"$s")"
    out="$(timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$MERIDIAN_PORT/")"
    s="$(cat /proc/$mp/stat)"; s="${s##*) }"; t1="$(awk '{print $12 + $13}' <<<"$s")"
    rss1="$(rss_mib "$mp")"
    stop_pid "$mp"
    rps="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' <<<"$out")"
    reqs="$(awk '/ requests in /{print $1; exit}' <<<"$out")"
    p99="$(awk '$1=="99%"{print $2}' <<<"$out")"
    cpu="$(awk -v d=$((t1 - t0)) -v clk="$CLK" -v n="${reqs:-1}" 'BEGIN{printf "%.1f", d / clk * 1e6 / n}')"
    log "rep$rep set$k [${set_}] rps=$rps p99=$p99 cpu/req=${cpu}us rss=${rss0}->${rss1}MiB $jmh"
    rows+=("$k|$rep|$rps|$p99|$cpu|$jmh|$rss0|$rss1")
    sleep 1
  done
done

printf '\n| flag set | rep | requests/s | p99 | Meridian µs CPU/req | RSS idle / after, MiB | JMH running |\n|---|---|---|---|---|---|---|\n'
for r in "${rows[@]}"; do
  IFS='|' read -r k rep rps p99 cpu jmh rss0 rss1 <<<"$r"
  printf '| `%s` | %s | %s | %s | %s | %s / %s | %s |\n' "${sets[$k]}" "$rep" "$rps" "$p99" "$cpu" "$rss0" "$rss1" "$jmh"
done
printf '\nMedians (c%s, %s s, %s repeats, fresh JVM per run):\n\n| flag set | requests/s | µs CPU/req |\n|---|---|---|\n' "$CONNS" "$DURATION" "$REPEATS"
for ((k = 0; k < ${#sets[@]}; k++)); do
  med() { sort -n | awk '{a[NR]=$1} END{ if (NR % 2) print a[(NR+1)/2]; else printf "%.1f", (a[NR/2]+a[NR/2+1])/2 }'; }
  mr="$(for r in "${rows[@]}"; do IFS='|' read -r kk _ rps _ _ _ <<<"$r"; if [[ $kk == "$k" ]]; then echo "$rps"; fi; done | med)"
  mc="$(for r in "${rows[@]}"; do IFS='|' read -r kk _ _ _ cpu _ <<<"$r"; if [[ $kk == "$k" ]]; then echo "$cpu"; fi; done | med)"
  printf '| `%s` | %s | %s |\n' "${sets[$k]}" "$mr" "$mc"
done
