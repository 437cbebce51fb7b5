#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL server on the loopback interface for the tests.
#   pg-server.sh start DIR [PORT] -> prints the URL to use as ASTRA_TEST_PG_URL
#   pg-server.sh stop DIR
#   pg-server.sh pause DIR        -> stops the server, keeping its data (a restart, with a gap)
#   pg-server.sh resume DIR       -> starts the paused server again, on the same port
# Without a PORT, a free one is chosen below the kernel's range of ephemeral ports, so that no
# outgoing connection of another test can hold it; a port taken by another listener is retried.
# As root the server runs as the "postgres" system user (PostgreSQL refuses to run as root).
set -euo pipefail

action=${1:?usage: pg-server.sh start DIR [PORT] | stop DIR | pause DIR | resume DIR}
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

# Starts the server on port $1; returns 1 when it did not start.
try_serve() {
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$1 -c unix_socket_directories='$dir' -c fsync=off -c max_connections=200" \
        start >/dev/null
}

serve() {
    try_serve "$1" || {
        cat "$dir/server.log" >&2
        exit 1
    }
    echo "$1" >"$dir/port"
}

# A port below the ephemeral range: outgoing connections are given ports inside it.
pick_port() {
    local low=32768
    [[ -r /proc/sys/net/ipv4/ip_local_port_range ]] && read -r low _ </proc/sys/net/ipv4/ip_local_port_range
    ((low > 12000)) || low=32768
    echo $((10000 + RANDOM % (low - 10000)))
}

case "$action" in
start)
    port=${3:-}
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -U astra --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    if [[ -n "$port" ]]; then
        serve "$port"
    else
        for attempt in 1 2 3 4 5 6 7 8 9 10; do
            port=$(pick_port)
            try_serve "$port" && break
            if ((attempt == 10)) || ! grep -q "could not bind" "$dir/server.log"; then
                cat "$dir/server.log" >&2
                exit 1
            fi
            echo "pg-server.sh: port $port is taken; trying another" >&2
            : >"$dir/server.log"
        done
        echo "$port" >"$dir/port"
    fi
    echo "postgresql://astra@127.0.0.1:$port/postgres"
    ;;
pause)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
resume)
    serve "${3:-$(cat "$dir/port")}"
    ;;
stop)
    if [[ -d "$dir/data" ]]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: pg-server.sh start DIR [PORT] | stop DIR | pause DIR | resume DIR" >&2
    exit 2
    ;;
esac
