# Process handling shared by the bench scripts; source it after defining log().

stop_pid() {  # pid: TERM, wait up to 5 s, KILL
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}

wait_port() {  # port, seconds, pid: until 127.0.0.1:port accepts a connection, or the process exits
  local end=$((SECONDS + $2))
  while ((SECONDS < end)); do
    kill -0 "$3" 2>/dev/null || { log "process $3 exited early"; return 1; }
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  log "port $1 not open after $2 s"; return 1
}

wait_http() {  # port, seconds, pid: until http://127.0.0.1:port/ answers 200, or the process exits
  local end=$((SECONDS + $2))
  while ((SECONDS < end)); do
    kill -0 "$3" 2>/dev/null || { log "process $3 exited early"; return 1; }
    [[ "$(curl -s -m 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null)" == 200 ]] && return 0
    sleep 0.2
  done
  log "port $1 never answered 200 within $2 s"; return 1
}

# count, first port, dir: starts that many nginx backends (the peer harness's template) under dir, adds their pids
# to the caller's `pids` array and sets `eps` to their endpoint lines for a Meridian cluster. Exits on failure.
start_backends() {
  local i port d
  eps=""
  for ((i = 0; i < $1; i++)); do
    port=$(($2 + i)); d="$3/be-$port"; mkdir -p "$d/logs" "$d/tmp" "$d/www"
    sed -e "s|__PORT__|$port|" -e "s|__ACCESS_LOG__|off|" -e "s|__WWW__|$d/www|" \
      "$repo/../shared/perf/configs/backend-nginx.conf.tmpl" >"$d/nginx.conf"
    nginx -p "$d/" -e logs/error.log -c "$d/nginx.conf" >"$d/stdout.log" 2>&1 &
    pids+=($!)
    wait_http "$port" 10 $! || { log "backend $port did not start"; exit 1; }
    eps+="      - {id: be-$i, address: \"127.0.0.1:$port\", region: local, weight: 100}"$'\n'
  done
}

# file [pool]: the benches' Meridian config, one round-robin cluster over $eps (from start_backends), listening on
# $MERIDIAN_PORT with the admin port on $ADMIN_PORT; pool, when given, is the cluster's pool map in flow style.
write_config() {
  {
    cat <<EOT
listeners:
  - {name: main, address: 127.0.0.1, port: $MERIDIAN_PORT}
admin: {address: 127.0.0.1, port: $ADMIN_PORT}
server: {keepalive_timeout: 75s, shutdown_grace: 2s}
regions:
  - {name: local, jurisdiction: US, latitude: 39.0, longitude: -77.5}
clusters:
  - name: be
EOT
    if [[ -n ${2:-} ]]; then echo "    pool: $2"; fi
    printf '    endpoints:\n%sroutes:\n  - {name: all, cluster: be}\n' "$eps"
  } >"$1"
}
