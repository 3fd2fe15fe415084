#!/usr/bin/env bash
# Memory held per idle keep-alive client connection: Meridian's RSS idle, with COUNT connections open (each has
# sent one request and read its answer, then stays silent, as browsers and pooled clients leave them), and after
# they close.
#
#   bash bench/idle-connections.sh               # from the repo root
#   COUNT=2000 HOLD=5 bash bench/idle-connections.sh
#
# Environment [defaults]:
#   COUNT [10000]  client connections     HOLD [10]  seconds they are held open (RSS read at start and end)
#   SETTLE [3]     seconds after startup and after the close before RSS is read
#   BACKEND_PORT [19301] (three nginx backends from here)  MERIDIAN_PORT [19380]  ADMIN_PORT [19390]
#   MERIDIAN_JAVA_OPTS  [the launcher's flags: serial collector, 16-256 MiB heap; leak detection off]
# Meridian runs the plain config of bench/peers-meridian.sh with three server limits raised, written here because
# the adapter has no knobs for them: keepalive_timeout above HOLD (else Meridian closes the idle connections while
# we measure), max_connections and max_connections_per_client above COUNT (defaults 10000 and 1024: every
# connection comes from 127.0.0.1). RSS is VmRSS of /proc/<pid>/status: JVM heap included, so "after" shows what
# the heap kept, not a leak by itself.
# Needs nginx, java, python3. Every process started here is stopped on exit (trap), by pid.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${MERIDIAN_JAR:-$repo/proxy-core/target/meridian.jar}"
COUNT="${COUNT:-10000}"; HOLD="${HOLD:-10}"; SETTLE="${SETTLE:-3}"
BACKEND_PORT="${BACKEND_PORT:-19301}"; MERIDIAN_PORT="${MERIDIAN_PORT:-19380}"; ADMIN_PORT="${ADMIN_PORT:-19390}"
# shellcheck disable=SC2206
java_opts=(${MERIDIAN_JAVA_OPTS--Dio.netty.leakDetection.level=disabled -XX:+UseSerialGC -Xms16m -Xmx256m})
log() { echo "idle-connections: $*" >&2; }
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

for b in nginx java python3; do command -v "$b" >/dev/null || { log "$b missing"; exit 1; }; done
# COUNT client sockets here, as many in Meridian (children inherit the limit): as far as the hard limit allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ $(ulimit -n) != unlimited ]] && (($(ulimit -n) < COUNT + 1000)); then
  log "ulimit -n is $(ulimit -n), too low for $COUNT connections"; exit 1
fi
for p in "$BACKEND_PORT" $((BACKEND_PORT + 1)) $((BACKEND_PORT + 2)) "$MERIDIAN_PORT" "$ADMIN_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then log "port $p on 127.0.0.1 is busy; stop what listens there"; exit 1; fi
done
if [[ ! -f $jar ]]; then
  log "building $jar"
  (cd "$repo" && timeout 600 mvn -B -q -o -DskipTests -pl proxy-core -am package) >&2
fi

tmp="$(mktemp -d /tmp/meridian-idle.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do stop_pid "$p"; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_backends 3 "$BACKEND_PORT" "$tmp"  # sets eps
cfg="$tmp/meridian.yaml"
cat >"$cfg" <<EOT
listeners:
  - {name: main, address: 127.0.0.1, port: $MERIDIAN_PORT}
admin: {address: 127.0.0.1, port: $ADMIN_PORT}
server: {keepalive_timeout: $((HOLD + 60))s, shutdown_grace: 2s, max_connections: $((COUNT + 1000)), max_connections_per_client: $((COUNT + 1000))}
regions:
  - {name: local, jurisdiction: US, latitude: 39.0, longitude: -77.5}
clusters:
  - name: be
    pool: {max_connections_per_endpoint: 1024, idle_timeout: 60s}
    endpoints:
${eps}routes:
  - {name: all, cluster: be, timeouts: {connect: 5s, response_header: 60s, idle: 60s}}
EOT
timeout 60 java -jar "$jar" validate "$cfg" >&2 || { log "invalid config $cfg"; exit 1; }
java "${java_opts[@]}" -jar "$jar" run -c "$cfg" >"$tmp/meridian.out" 2>&1 &
mpid=$!; pids+=("$mpid")
wait_http "$MERIDIAN_PORT" 60 "$mpid" || { log "Meridian did not start, see $tmp/meridian.out"; exit 1; }

# The client: opens the connections in batches of 100 (each sends its request, then all answers are read), holds
# them, checks they are all still open, closes them. Reads Meridian's VmRSS at each step.
cat >"$tmp/client.py" <<'EOF'
import json, socket, sys, time
port, count, hold, settle, pid = (int(a) for a in sys.argv[1:6])

def rss_kb():
    with open(f'/proc/{pid}/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmRSS:'))

def read_answer(s):
    buf = b''
    while b'\r\n\r\n' not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError('closed before the answer')
        buf += chunk
    head, body = buf.split(b'\r\n\r\n', 1)
    if not head.startswith(b'HTTP/1.1 200'):
        raise ConnectionError(head.split(b'\r\n')[0].decode())
    length = next(int(l.split(b':')[1]) for l in head.lower().split(b'\r\n') if l.startswith(b'content-length:'))
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError('closed in the body')
        body += chunk

time.sleep(settle)
out = {'count': count, 'hold_s': hold, 'rss_idle_kb': rss_kb()}
req = f'GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n'.encode()
socks, t0 = [], time.time()
for start in range(0, count, 100):
    batch = [socket.create_connection(('127.0.0.1', port), timeout=10) for _ in range(min(100, count - start))]
    for s in batch:
        s.sendall(req)
    for s in batch:
        read_answer(s)
    socks += batch
out['open_s'] = round(time.time() - t0, 1)
time.sleep(1)
out['rss_held_start_kb'] = rss_kb()
time.sleep(hold)
out['rss_held_end_kb'] = rss_kb()
alive = 0
for s in socks:  # a closed connection reads as b'' at once; an open, silent one would block
    s.setblocking(False)
    try:
        alive += s.recv(1) != b''
    except BlockingIOError:
        alive += 1
    except OSError:  # reset
        pass
out['still_open'] = alive
for s in socks:
    s.close()
time.sleep(settle)
out['rss_after_kb'] = rss_kb()
out['per_conn_kb'] = round((out['rss_held_end_kb'] - out['rss_idle_kb']) / count, 2)
print(json.dumps(out))
EOF
line="$(timeout $((HOLD + 2 * SETTLE + 180)) python3 "$tmp/client.py" "$MERIDIAN_PORT" "$COUNT" "$HOLD" "$SETTLE" "$mpid")"
log "$line (logs in $tmp)"
python3 - "$line" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
mib = lambda kb: f'{kb / 1024:.1f} MiB'
print(f"\n{r['count']} idle keep-alive connections to Meridian (opened in {r['open_s']} s, held {r['hold_s']} s, "
      f"{r['still_open']} still open at the end)\n")
print('| Meridian VmRSS: idle before | held (start) | held (end) | after close | per connection (held end - idle) |')
print('|---|---|---|---|---|')
print(f"| {mib(r['rss_idle_kb'])} | {mib(r['rss_held_start_kb'])} | {mib(r['rss_held_end_kb'])} | "
      f"{mib(r['rss_after_kb'])} | {r['per_conn_kb']} KiB |")
EOF
