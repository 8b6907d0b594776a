#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL for the test suite, on 127.0.0.1 only.
#   eval "$(bash .ci/postgres.sh start)"   -> exports COLUMNIST_TEST_PG_URL
#   bash .ci/postgres.sh stop
# Installs Debian's postgresql package when the machine lacks it.
set -euo pipefail
DIR=${COLUMNIST_PG_DIR:-/tmp/columnist-pg}
PORT=${COLUMNIST_PG_PORT:-54329}

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

case "${1:-}" in
start)
  if [ -z "$(bindir)" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  fi
  BIN=$(bindir)
  id postgres >/dev/null 2>&1 || useradd --system --home "$DIR" postgres
  if [ -f "$DIR/data/postmaster.pid" ]; then
    runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >&2 || true
  fi
  rm -rf "$DIR" && mkdir -p "$DIR" && chown postgres "$DIR"
  runuser -u postgres -- "$BIN/initdb" -D "$DIR/data" -A trust -U postgres --no-sync >&2
  runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=100" >&2
  runuser -u postgres -- "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres columnist_test >&2
  echo "export COLUMNIST_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PORT/columnist_test"
  ;;
stop)
  BIN=$(bindir)
  [ -f "$DIR/data/postmaster.pid" ] && runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >&2
  rm -rf "$DIR"
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
