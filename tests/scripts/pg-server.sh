#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL server on the loopback interface for the tests.
#   pg-server.sh start DIR PORT   -> prints the URL to use as ASTRA_TEST_PG_URL
#   pg-server.sh stop DIR
#   pg-server.sh pause DIR        -> stops the server, keeping its data (a restart, with a gap)
#   pg-server.sh resume DIR PORT  -> starts the paused server again
# As root the server runs as the "postgres" system user (PostgreSQL refuses to run as root).
set -euo pipefail

action=${1:?usage: pg-server.sh start DIR PORT | stop DIR}
dir=${2:?missing DIR}

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
    [[ -x "$candidate/pg_ctl" ]] && bindir=$candidate
done
if [[ -z "$bindir" ]]; then
    echo "pg-server.sh: PostgreSQL server binaries not found; install the package 'postgresql'" >&2
    exit 1
fi

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

serve() {
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$1 -c unix_socket_directories='$dir' -c fsync=off -c max_connections=200" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
}

case "$action" in
start)
    port=${3:?missing PORT}
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -U astra --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    serve "$port"
    echo "postgresql://astra@127.0.0.1:$port/postgres"
    ;;
pause)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
resume)
    serve "${3:?missing PORT}"
    ;;
stop)
    if [[ -d "$dir/data" ]]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-server.sh start DIR PORT | stop DIR | pause DIR | resume DIR PORT" >&2
    exit 2
    ;;
esac
