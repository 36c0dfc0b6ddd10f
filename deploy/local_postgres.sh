#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for the room tests and for trying BINCLF_DATABASE_URL:
#   bash deploy/local_postgres.sh start DIR [PORT]   # prints the server's URL (postgresql://...) last
#   bash deploy/local_postgres.sh stop DIR
# Uses Debian's postgresql package (apt-get install -y postgresql). As root, the server runs as the
# postgres user. Its data, socket and log live in DIR; stop, then remove DIR, leaves nothing behind.
set -euo pipefail
ACTION="${1:?start or stop}"
DIR="${2:?a folder for the server files}"
PORT="${3:-54329}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$BIN/initdb" ] || { echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2; exit 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$ACTION" in
start)
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    as_owner "$BIN/initdb" -D "$DIR/data" -U binclf --auth=trust -E UTF8 >/dev/null
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off" start >/dev/null
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U binclf binclf
    echo "postgresql://binclf@127.0.0.1:$PORT/binclf"
    ;;
stop)
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
    ;;
*)
    echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2
    ;;
esac
