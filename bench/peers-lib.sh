#!/usr/bin/env bash
# The peers as ../shared/perf/harness/peers.py runs them, for bench scenarios that drive them their own way
# (open-loop.sh, early-answer.sh): three nginx backends, and nginx, HAProxy or Meridian (bench/peers-meridian.sh) as
# the proxy on PROXY_PORT, a fresh one per run. Sourced after bench/lib.sh, with repo, cfgs, tmp, log, TARGETS,
# PROXY_PORT and backend_ports set; defines targets, start_proxy and stop_proxy, and stops every process
# it started on exit.
targets=()
for t in $TARGETS; do
  case "$t" in
    nginx|meridian) targets+=("$t") ;;
    haproxy) if command -v haproxy >/dev/null; then targets+=("$t"); else log "haproxy missing: skipping it (apt-get install haproxy)"; fi ;;
    *) log "unknown target $t (nginx haproxy meridian)"; exit 2 ;;
  esac
done
for p in "$PROXY_PORT" "${backend_ports[@]}" "${MERIDIAN_ADMIN_PORT:-19901}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then log "port $p on 127.0.0.1 is busy; stop what listens there"; exit 1; fi
done

pids=()       # backends, stopped on exit
proxy_pid=""  # the proxy of the current run
cleanup() {
  if [[ -n $proxy_pid ]]; then stop_pid "$proxy_pid"; fi
  for p in "${pids[@]}"; do stop_pid "$p"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$tmp/cfg"  # kept between runs (logs); only what this script writes is replaced
# The harness's configs, with its port substitution (peers.py cfg_text) and one more: HAProxy's stats socket goes
# into our temp dir, so that a harness run beside this one keeps its own.
render() {  # template name -> path of the copy to run
  local out="$tmp/cfg/$1"
  sed -e "s|127\.0\.0\.1:8080|127.0.0.1:$PROXY_PORT|g" -e "s|127\.0\.0\.1:9001|127.0.0.1:${backend_ports[0]}|g" \
      -e "s|127\.0\.0\.1:9002|127.0.0.1:${backend_ports[1]}|g" -e "s|127\.0\.0\.1:9003|127.0.0.1:${backend_ports[2]}|g" \
      -e "s|/tmp/perfpeers/haproxy.sock|$tmp/haproxy.sock|" "$cfgs/$1" >"$out"
  echo "$out"
}
nginx_cfg="$(render nginx-proxy.conf)"; haproxy_cfg="$(render haproxy.cfg)"

start_backends 3 "$BACKEND_BASE" "$tmp"
for p in "${backend_ports[@]}"; do  # the harness's /16k file, for URL_PATH=/16k
  head -c 16384 /dev/zero | tr '\0' 'x' >"$tmp/be-$p/www/16k"
done

start_proxy() {  # target: starts a fresh one on PROXY_PORT, sets proxy_pid, waits until GET / answers 200
  case "$1" in
    nginx)
      rm -rf "$tmp/nginx-proxy"; mkdir -p "$tmp/nginx-proxy/logs" "$tmp/nginx-proxy/tmp"
      nginx -p "$tmp/nginx-proxy/" -e logs/error.log -c "$nginx_cfg" >"$tmp/nginx.out" 2>&1 & ;;
    haproxy)
      haproxy -db -f "$haproxy_cfg" >"$tmp/haproxy.out" 2>&1 & ;;
    meridian)
      PROXY_PORT="$PROXY_PORT" PEERS_VARIANT=default PEERS_TMP="$tmp" \
        BACKENDS="127.0.0.1:${backend_ports[0]},127.0.0.1:${backend_ports[1]},127.0.0.1:${backend_ports[2]}" \
        bash "$repo/bench/peers-meridian.sh" >>"$tmp/meridian.out" 2>&1 & ;;
  esac
  proxy_pid=$!
  # The harness allows its extra proxy 60 s (JVM start, config validation), a peer 15 s.
  wait_http "$PROXY_PORT" "$([[ $1 == meridian ]] && echo 60 || echo 15)" "$proxy_pid" \
    || { log "$1 did not start, see $tmp/$1.out"; exit 1; }
}
stop_proxy() {
  stop_pid "$proxy_pid"; proxy_pid=""
  # The next proxy binds the same port.
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null || return 0; sleep 0.1; done
  log "port $PROXY_PORT still open after the proxy stopped"; exit 1
}
