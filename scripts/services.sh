#!/usr/bin/env bash
# Install (Debian packages) and start the services the test suite runs against:
# a throw-away PostgreSQL cluster and a Redis server on their own ports, Chromium, and Node.js
# for the front-end unit tests.
# Idempotent: what is installed is not installed again, what runs is not started again.
set -euo pipefail

PG_PORT="${YOUTHLINE_TEST_PG_PORT:-55432}"
REDIS_PORT="${YOUTHLINE_TEST_REDIS_PORT:-56379}"
STATE_DIR="${YOUTHLINE_TEST_STATE_DIR:-/tmp/youthline-test-services}"
PG_DIR="$STATE_DIR/pg"

need=()
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v msgfmt >/dev/null || need+=(gettext)
command -v node >/dev/null || need+=(nodejs)  # the front-end unit tests (node --test)
command -v npm >/dev/null || need+=(npm)  # the mini-program's tests (jest, miniprogram-simulate, ws: tests/miniprogram)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "services.sh: missing ${need[*]}; run 'make test' as root (or install them) once." >&2
    exit 1
  fi
  echo "services.sh: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

PG_BIN="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
mkdir -p "$STATE_DIR"
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$STATE_DIR" 2>/dev/null || true; fi

# A test cluster: durability off (fsync) buys speed; nothing here outlives the run.
# pg_stat_statements counts every statement, so benchmarks (bench/bench_dashboard_queries.py)
# can measure the queries the servers make from outside them.
PG_OPTS="-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c max_connections=300 \
-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
if ! as_postgres "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR" -l "$STATE_DIR/pg.log" -w start -o "$PG_OPTS" >/dev/null
elif [ -f "$PG_DIR/postmaster.pid" ] && ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atc \
    "SHOW shared_preload_libraries" | grep -qw pg_stat_statements; then
  # Our cluster, started before it loaded pg_stat_statements: the library loads only at start.
  echo "services.sh: restarting PostgreSQL on 127.0.0.1:$PG_PORT to load pg_stat_statements"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR" -l "$STATE_DIR/pg.log" -w -m fast restart -o "$PG_OPTS" >/dev/null
fi

if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --logfile "$STATE_DIR/redis.log" >/dev/null
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
echo "services.sh: PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT, Chromium at /usr/bin/chromium"
