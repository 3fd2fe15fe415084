#!/usr/bin/env bash
# Quick load test of Meridian on 127.0.0.1: wrk directly against one nginx backend and through Meridian,
# interleaved per connection count, with Meridian's CPU per request.
#
#   bench/load.sh                      # defaults: DURATION=10 CONNS="64 256", < 3 min in all
#   DURATION=20 CONNS="64" bench/load.sh
#
# Environment (defaults in brackets):
#   DURATION [10]  measured wrk seconds per run     WARMUP [2]  unmeasured wrk seconds before each run
#   CONNS [64 256]  THREADS [2]  (wrk threads)      JIT_WARMUP [3]  one extra wrk run through Meridian first
#   BACKEND_PORT [19101]  MERIDIAN_PORT [19180]  ADMIN_PORT [19190]
#   MERIDIAN_JAVA_OPTS [the default flags below]  (set it to "" to run the JVM with no extra flags)
#   JMH_WAIT [60]  total seconds this script waits, polling every 5 s, for a running JMH
#                  (`pgrep -f benchmarks.jar`) to finish before a measured run; past that it proceeds and
#                  says so in the table ("jmh!" column).
# Needs wrk and nginx (installed with apt-get when missing and running as root), java 17, mvn (only
# when the jar is missing). Every process started here is stopped on exit (trap), by PID.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$repo/proxy-core/target/meridian.jar"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
JIT_WARMUP="${JIT_WARMUP:-3}"
CONNS="${CONNS:-64 256}"
THREADS="${THREADS:-2}"
BACKEND_PORT="${BACKEND_PORT:-19101}"
MERIDIAN_PORT="${MERIDIAN_PORT:-19180}"
ADMIN_PORT="${ADMIN_PORT:-19190}"
JMH_WAIT="${JMH_WAIT:-60}"
# JVM flags: see bench/RESULTS.md ("JVM flags") for the measurements behind the choice.
# shellcheck disable=SC2206
default_java_opts="-Dio.netty.leakDetection.level=disabled"
java_opts=(${MERIDIAN_JAVA_OPTS-$default_java_opts})
CLK="$(getconf CLK_TCK)"

log() { echo "load.sh: $*" >&2; }
# shellcheck source=lib.sh
source "$repo/bench/lib.sh"

# ---------------------------------------------------------------- tools
need=()
for b in wrk nginx; do command -v "$b" >/dev/null || need+=("$b"); done
if [[ ${#need[@]} -gt 0 ]]; then
  [[ $(id -u) -eq 0 ]] || { log "missing: ${need[*]} (apt-get install wrk nginx)"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get install -y wrk nginx \
    || { timeout 300 apt-get update && timeout 300 apt-get install -y wrk nginx; }
fi
if [[ ! -f $jar ]]; then
  log "building $jar"
  (cd "$repo" && timeout 600 mvn -B -q -o -DskipTests -pl proxy-core -am package) >&2
fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$BACKEND_PORT" "$MERIDIAN_PORT" "$ADMIN_PORT"; do
  if port_busy "$p"; then log "port $p on 127.0.0.1 is busy; choose another (BACKEND_PORT/MERIDIAN_PORT/ADMIN_PORT)"; exit 1; fi
done

# ---------------------------------------------------------------- processes, cleanup
tmp="$(mktemp -d /tmp/meridian-load.XXXXXX)"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# Backend: nginx, one worker, 'ok' (2 bytes) on /, keep-alive (the shared harness's backend template).
mkdir -p "$tmp/be/logs" "$tmp/be/tmp" "$tmp/be/www"
sed -e "s|__PORT__|$BACKEND_PORT|" -e "s|__ACCESS_LOG__|off|" -e "s|__WWW__|$tmp/be/www|" \
  "$repo/../shared/perf/configs/backend-nginx.conf.tmpl" >"$tmp/be/nginx.conf" 2>/dev/null || cat >"$tmp/be/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
pid nginx.pid;
error_log logs/error.log warn;
events { worker_connections 8192; }
http {
    access_log off; server_tokens off;
    keepalive_timeout 75s; keepalive_requests 10000000;
    client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fcgi;
    uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
    server { listen 127.0.0.1:$BACKEND_PORT backlog=4096; location = / { return 200 "ok"; } }
}
EOF
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nginx -p "$tmp/be/" -e logs/error.log -c "$tmp/be/nginx.conf" >"$tmp/be/stdout.log" 2>&1 &
be_pid=$!; pids+=("$be_pid")
wait_http "$BACKEND_PORT" 10 "$be_pid"

# Meridian
cat >"$tmp/meridian.yaml" <<EOF
listeners:
  - {name: main, address: 127.0.0.1, port: $MERIDIAN_PORT}
admin: {address: 127.0.0.1, port: $ADMIN_PORT}
server: {keepalive_timeout: 75s, shutdown_grace: 2s}
regions:
  - {name: local, jurisdiction: US, latitude: 39.0, longitude: -77.5}
clusters:
  - name: be
    pool: {max_connections_per_endpoint: 1024, idle_timeout: 60s}
    endpoints:
      - {id: be-1, address: "127.0.0.1:$BACKEND_PORT", region: local, weight: 100}
routes:
  - name: all
    cluster: be
    timeouts: {connect: 5s, response_header: 60s, idle: 60s}
EOF
timeout 60 java -jar "$jar" validate "$tmp/meridian.yaml" >&2
java "${java_opts[@]}" -jar "$jar" run -c "$tmp/meridian.yaml" >"$tmp/meridian.log" 2>&1 &
m_pid=$!; pids+=("$m_pid")
wait_http "$MERIDIAN_PORT" 60 "$m_pid" || { cat "$tmp/meridian.log" >&2; exit 1; }
log "$(grep -m1 'listening on' "$tmp/meridian.log" || true) pid $m_pid, JVM flags: ${java_opts[*]:-(none)}"

# ---------------------------------------------------------------- measurement
jmh_left="$JMH_WAIT"
wait_jmh() {  # sets flag: "" when quiet, "jmh!" when we proceeded with JMH running
  flag=""
  while pgrep -f benchmarks.jar >/dev/null; do
    if ((jmh_left <= 0)); then log "JMH (benchmarks.jar) still running: proceeding anyway"; flag="jmh!"; return; fi
    log "JMH (benchmarks.jar) running, waiting (${jmh_left}s left)"
    sleep 5; jmh_left=$((jmh_left - 5))
  done
}
ticks() { local s; s="$(cat "/proc/$1/stat")"; s="${s##*) }"; awk '{print $12 + $13}' <<<"$s"; }
# wrk latency tokens (e.g. 812.00us, 1.20ms, 2.00s) -> ms
to_ms() { awk -v t="$1" 'BEGIN{ if (match(t,/[a-z]+$/)) { u=substr(t,RSTART); v=substr(t,1,RSTART-1) } else { u="s"; v=t }
  f=(u=="us")?0.001:(u=="ms")?1:(u=="s")?1000:(u=="m")?60000:0; printf "%.2f", v*f }'; }

if ((JIT_WARMUP > 0)); then
  timeout $((JIT_WARMUP + 30)) wrk -t"$THREADS" -c64 -d"${JIT_WARMUP}s" "http://127.0.0.1:$MERIDIAN_PORT/" >/dev/null
fi

results=()
for c in $CONNS; do
  for target in direct meridian; do
    if [[ $target == direct ]]; then port=$BACKEND_PORT; else port=$MERIDIAN_PORT; fi
    url="http://127.0.0.1:$port/"
    wait_jmh
    ((WARMUP > 0)) && timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$c" -d"${WARMUP}s" "$url" >/dev/null
    t0="$(ticks "$m_pid")"
    out="$(timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$c" -d"${DURATION}s" --latency "$url")"
    t1="$(ticks "$m_pid")"
    rps="$(awk '/^Requests\/sec:/{print $2}' <<<"$out")"
    reqs="$(awk '/ requests in /{print $1; exit}' <<<"$out")"
    p50="$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")"
    p99="$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")"
    errs="$(awk '/Socket errors|Non-2xx/{printf "%s ", $0}' <<<"$out")"
    cpu_us="-"
    if [[ $target == meridian && ${reqs:-0} -gt 0 ]]; then
      cpu_us="$(awk -v d=$((t1 - t0)) -v clk="$CLK" -v n="$reqs" 'BEGIN{printf "%.1f", d / clk * 1e6 / n}')"
    fi
    [[ -n $errs ]] && log "$target c$c: $errs"
    log "$target c$c: ${rps} req/s p50 ${p50} ms p99 ${p99} ms"
    results+=("$target $c $rps $p50 $p99 $cpu_us ${flag:--}")
  done
done

# ---------------------------------------------------------------- table
printf '\n%s\n\n' "wrk -t$THREADS --latency, ${DURATION}s measured after ${WARMUP}s warmup, 2-byte body, backend nginx (1 worker) on :$BACKEND_PORT, Meridian on :$MERIDIAN_PORT ($(nproc) cores), JVM flags: ${java_opts[*]:-(none)}"
printf '| target | connections | requests/s | p50 ms | p99 ms | proxied/direct | Meridian µs CPU/req | JMH running |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for c in $CONNS; do
  d_rps=""
  for r in "${results[@]}"; do
    read -r t cc rps p50 p99 cpu flag <<<"$r"
    [[ $cc == "$c" ]] || continue
    if [[ $t == direct ]]; then d_rps=$rps; ratio="-"; else
      ratio="$(awk -v a="$rps" -v b="${d_rps:-0}" 'BEGIN{ if (b > 0) printf "%.3f", a / b; else print "-" }')"; fi
    printf '| %s | %s | %.0f | %s | %s | %s | %s | %s |\n' "$t" "$c" "$rps" "$p50" "$p99" "$ratio" "$cpu" "$flag"
  done
done
