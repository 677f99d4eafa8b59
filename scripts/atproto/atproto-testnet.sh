#!/usr/bin/env bash
# A throwaway local AT Protocol network (PLC + PDS + bsky AppView + ozone) on loopback, for the
# Bluesky connector's tests (tests/atproto) and bench/bluesky_ingest.py.
#
# Usage: atproto-testnet.sh install|start|stop|status
#   install  Debian packages if missing (nodejs, npm, postgresql), then `npm ci` of the pinned
#            @atproto/dev-env into $ATP_HOME (~80 s here; skipped when that lock is installed).
#   start    a private PostgreSQL cluster + the network (~7 s here; up to ~100 s on a busy
#            machine); prints the READY json line
#            ({"pds": ..., "appview": ..., "control": ...}) and keeps it in $ATP_HOME/ready.json.
#   stop     stops both. status: prints ready.json and exits 0 if the network is running.
# Env: ATP_HOME (default /tmp/atp-ci), PG_PORT (default: a free loopback port).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ATP_HOME="${ATP_HOME:-/tmp/atp-ci}"
mkdir -p "$ATP_HOME"

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# PostgreSQL refuses to run as root: run it as the 'postgres' user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

install() {
  # Redis is NOT needed (REDIS_HOST only has to be set). Debian 12's nodejs is 18: dev-env
  # 0.3.215 wants Node >= 20, which this project's machines already carry.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null || [ -z "$(pgbin)" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql nodejs npm >/dev/null
  fi
  node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
    echo "warning: node $(node --version) is older than 20; @atproto/dev-env may not run" >&2
  # Node deps pinned by package.json + package-lock.json (dev-env 0.3.215 is the newest that runs on Node 20).
  # Same lock already installed: nothing to do (ATP_FORCE_INSTALL=1 reinstalls).
  if [ "${ATP_FORCE_INSTALL:-0}" != 1 ] && [ -d "$ATP_HOME/node_modules/@atproto/dev-env" ] &&
    cmp -s "$HERE/package-lock.json" "$ATP_HOME/package-lock.json"; then
    cp "$HERE/start-network.js" "$ATP_HOME/"
    echo "AT Protocol test network already installed in $ATP_HOME"
    return 0
  fi
  cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE/start-network.js" "$ATP_HOME/"
  (cd "$ATP_HOME" && npm ci --no-audit --no-fund --loglevel=error)
}

status() {
  [ -f "$ATP_HOME/network.pid" ] && kill -0 "$(cat "$ATP_HOME/network.pid")" 2>/dev/null &&
    [ -s "$ATP_HOME/ready.json" ] && { cat "$ATP_HOME/ready.json"; echo; }
}

start() {
  [ -d "$ATP_HOME/node_modules/@atproto/dev-env" ] ||
    { echo "not installed: run $0 install first" >&2; return 1; }
  if status >/dev/null 2>&1; then stop; fi
  local PGBIN PG_PORT
  PGBIN="$(pgbin)"
  PG_PORT="${PG_PORT:-$(free_port)}"
  # the script may be newer than the installed copy
  cp "$HERE/start-network.js" "$ATP_HOME/"
  rm -rf "$ATP_HOME/pg" "$ATP_HOME/tmp"; mkdir -p "$ATP_HOME/pg" "$ATP_HOME/tmp"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$ATP_HOME/pg"
  # throwaway, non-durable cluster on loopback only
  as_pg "$PGBIN/initdb" -D "$ATP_HOME/pg/data" -A trust -U postgres --no-sync >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$ATP_HOME/pg/data" -l "$ATP_HOME/pg/pg.log" -w \
    -o "-p $PG_PORT -k $ATP_HOME/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  "$PGBIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c 'create database atp' >/dev/null
  rm -f "$ATP_HOME/ready.json"
  cd "$ATP_HOME"
  # a simple command (not a list) after '&' so that $! is node's own PID
  TMPDIR="$ATP_HOME/tmp" DB_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/atp" \
    REDIS_HOST=127.0.0.1:1 ATP_READY_FILE="$ATP_HOME/ready.json" \
    nohup node start-network.js >"$ATP_HOME/network.log" 2>&1 &
  echo $! >"$ATP_HOME/network.pid"
  cd - >/dev/null
  for _ in $(seq 1 3000); do  # up to 300 s: startup takes ~100 s on 2 cores
    [ -s "$ATP_HOME/ready.json" ] && { cat "$ATP_HOME/ready.json"; echo; return 0; }
    kill -0 "$(cat "$ATP_HOME/network.pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "AT Protocol test network failed to start:" >&2; tail -50 "$ATP_HOME/network.log" >&2
  stop; return 1
}

stop() {
  if [ -f "$ATP_HOME/network.pid" ]; then
    local pid
    pid="$(cat "$ATP_HOME/network.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$ATP_HOME/network.pid" "$ATP_HOME/ready.json"
  fi
  local PGBIN
  PGBIN="$(pgbin)"
  if [ -n "$PGBIN" ] && [ -f "$ATP_HOME/pg/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$ATP_HOME/pg/data" -m fast -w stop >/dev/null || true
  fi
}

"${1:?install|start|stop|status}"
