# Process handling shared by the bench scripts; source it after defining log().

stop_pid() {  # pid: TERM, wait up to 5 s, KILL
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
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
