#!/usr/bin/env bash
# Heap bytes Meridian allocates per proxied request, and where, under wrk load (issue 12's target: <= 256 B).
#
#   bench/alloc-per-request.sh
#   CONNS=256 BODY=16k bench/alloc-per-request.sh
#
# A JFR recording covers only the measured window (started after the warm-up with jcmd): the event loops'
# allocated bytes (jdk.ThreadAllocationStatistics at the recording's start and end) divided by the requests wrk
# completed, then the sampled allocation sites (jdk.ObjectAllocationSample, weighted) by the first Meridian or
# Netty frame. JFR's own threads are not counted.
# Environment: CONNS [64] THREADS [2] DURATION [10] WARMUP [15] BODY [2b|16k] BACKENDS_N [3] BACKEND_PORT [19101]
#   MERIDIAN_PORT [19180] ADMIN_PORT [19190] MERIDIAN_JAVA_OPTS [the launcher's flags, leak detection off]
#   TOP [25] allocation sites listed
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$repo/proxy-core/target/meridian.jar"
CONNS="${CONNS:-64}"; THREADS="${THREADS:-2}"; DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-15}"; BODY="${BODY:-2b}"
BACKENDS_N="${BACKENDS_N:-3}"; BACKEND_PORT="${BACKEND_PORT:-19101}"; MERIDIAN_PORT="${MERIDIAN_PORT:-19180}"
ADMIN_PORT="${ADMIN_PORT:-19190}"; TOP="${TOP:-25}"
# shellcheck disable=SC2206
java_opts=(${MERIDIAN_JAVA_OPTS:--Dio.netty.leakDetection.level=disabled -XX:+UseSerialGC -Xms16m -Xmx256m})
log() { echo "alloc-per-request.sh: $(date +%T) $*" >&2; }
# shellcheck source=lib.sh
source "$repo/bench/lib.sh"
for b in wrk nginx curl jcmd jfr python3; do command -v "$b" >/dev/null || { log "missing $b"; exit 1; }; done
[[ -f $jar ]] || { log "no $jar: build it (mvn -B -q -DskipTests -pl proxy-core -am package)"; exit 1; }
case "$BODY" in 2b) path=/ ;; 16k) path=/16k ;; *) log "BODY is 2b or 16k"; exit 2 ;; esac

tmp="$(mktemp -d /tmp/meridian-alloc.XXXXXX)"
pids=()
cleanup() { local p; for p in "${pids[@]}"; do stop_pid "$p"; done; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
start_backends "$BACKENDS_N" "$BACKEND_PORT" "$tmp"
write_config "$tmp/m.yaml" "{max_connections_per_endpoint: 1024, idle_timeout: 60s}"
java "${java_opts[@]}" -jar "$jar" run -c "$tmp/m.yaml" >"$tmp/m.log" 2>&1 &
mp=$!; pids+=("$mp")
wait_http "$MERIDIAN_PORT" 60 "$mp" || { cat "$tmp/m.log" >&2; exit 1; }
log "warm-up ${WARMUP}s, c$CONNS, $BODY"
timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$MERIDIAN_PORT$path" >/dev/null
jcmd "$mp" JFR.start name=alloc settings=profile >/dev/null
out="$(timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$MERIDIAN_PORT$path")"
jcmd "$mp" JFR.stop name=alloc filename="$tmp/alloc.jfr" >/dev/null
reqs="$(awk '/ requests in /{print $1; exit}' <<<"$out")"
errors="$(awk '/Non-2xx|Socket errors/' <<<"$out")"
jfr print --json --events jdk.ThreadAllocationStatistics "$tmp/alloc.jfr" >"$tmp/threads.json"
jfr print --json --events jdk.ObjectAllocationSample --stack-depth 12 "$tmp/alloc.jfr" >"$tmp/samples.json"
python3 - "$tmp/threads.json" "$tmp/samples.json" "$reqs" "$TOP" "${errors:-none}" <<'PY'
import collections, json, sys
threads_file, samples_file, reqs, top, errors = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
by_thread = collections.defaultdict(list)
for e in json.load(open(threads_file))["recording"]["events"]:
    v = e["values"]
    name = (v.get("thread") or {}).get("javaName") or "?"
    by_thread[name].append(int(v["allocated"]))
loops = {n: max(a) - min(a) for n, a in by_thread.items() if n.startswith("meridian-io")}
others = {n: max(a) - min(a) for n, a in by_thread.items()
          if not n.startswith("meridian-io") and "JFR" not in n and max(a) > min(a)}
total = sum(loops.values())
print(f"requests: {reqs}; wrk errors: {errors}")
print(f"event loops allocated {total} B in the window: {total / reqs:.1f} B per request")
for n, b in sorted(loops.items()):
    print(f"  {n}: {b} B")
for n, b in sorted(others.items(), key=lambda x: -x[1])[:5]:
    print(f"  (other thread) {n}: {b} B ({b / reqs:.1f} B per request)")
sites = collections.Counter()
weight_all = 0
for e in json.load(open(samples_file))["recording"]["events"]:
    v = e["values"]
    t = (v.get("eventThread") or {}).get("javaName") or ""
    if not t.startswith("meridian-io"):
        continue
    w = int(v.get("weight") or 0)
    weight_all += w
    frames = (v.get("stackTrace") or {}).get("frames") or []
    cls = (v.get("objectClass") or {}).get("name", "?").replace("/", ".")
    site = "?"
    for f in frames:
        m = f["method"]
        owner = m["type"]["name"].replace("/", ".")
        if owner.startswith("dev.meridian") or owner.startswith("io.netty"):
            site = f"{owner}.{m['name']}:{f.get('lineNumber')}"
            break
    sites[(site, cls)] += w
print(f"sampled allocation on the event loops, by first Meridian/Netty frame (share of {weight_all} sampled B):")
for (site, cls), w in sites.most_common(top):
    print(f"  {100 * w / max(weight_all, 1):5.1f} %  {cls:45s} {site}")
PY
