#!/usr/bin/env bash
# A throwaway PostgreSQL for tests, on 127.0.0.1 only.
#
#   scripts/pg.sh start DIR PORT   initialise DIR (if new), start the server, create the database
#                                  ledger_test and print its URL as the last line of stdout
#   scripts/pg.sh stop DIR         stop the server started in DIR (fast shutdown)
#
# Installs Debian's `postgresql` package only when no initdb is present. initdb and pg_ctl refuse
# to run as root, so as root they run as the `postgres` user on a DIR it owns. Durability is
# switched off (fsync=off): this is for tests, never for data you want to keep.
#
#   PG_DURABLE=1 scripts/pg.sh start DIR PORT
#                                  the same, but with PostgreSQL's production defaults (fsync, synchronous_commit
#                                  and full_page_writes on), also on a DIR initialised without them: the fair
#                                  server for benchmarks against raw single-row transactions
set -euo pipefail

DB_NAME=ledger_test
DB_USER=postgres
DB_PASSWORD=ledger

usage() {
    echo "usage: $0 start DIR PORT | $0 stop DIR" >&2
    exit 2
}

say() { echo "pg.sh: $*" >&2; }

find_bindir() {
    local initdb
    initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$initdb" ]]; then
        say "PostgreSQL not found; installing Debian's postgresql package"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends postgresql >&2
        initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
    fi
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    dirname "$initdb"
}

# Run a PostgreSQL program as the unprivileged owner of the data directory.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        # From / so that the postgres user is never left in a directory it cannot enter.
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

give_to_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres: "$@"
    fi
}

start() {
    local dir=$1 port=$2 bin data sock
    [[ "$port" =~ ^[0-9]+$ ]] || usage
    bin=$(find_bindir)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    data=$dir/data
    # Unix socket paths are limited to ~100 bytes: keep the socket in a short temp folder.
    sock=$(mktemp -d /tmp/ledger-pgsock.XXXXXX)
    echo "$sock" >"$dir/socket_dir"
    give_to_owner "$dir" "$sock"

    if [[ ! -s "$data/PG_VERSION" ]]; then
        local pwfile=$dir/pwfile
        echo "$DB_PASSWORD" >"$pwfile"
        give_to_owner "$pwfile"
        as_owner "$bin/initdb" -D "$data" -U "$DB_USER" --pwfile="$pwfile" -E UTF8 --no-locale \
            --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
        rm -f "$pwfile"
        # Loopback only: password authentication over TCP, trust on the private socket.
        cat >"$data/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 scram-sha-256
EOF
        cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
max_connections = 200
EOF
        if [[ "${PG_DURABLE:-0}" != 1 ]]; then
            cat >>"$data/postgresql.conf" <<EOF
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        fi
        give_to_owner "$data/pg_hba.conf"
    fi

    local options="-p $port -k $sock"
    if [[ "${PG_DURABLE:-0}" == 1 ]]; then
        # Command-line settings win over postgresql.conf, so a DIR made for tests also starts durable.
        options="$options -c fsync=on -c synchronous_commit=on -c full_page_writes=on"
    fi
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -s -w -t 60 \
        -o "$options" start >&2 \
        || { say "server failed to start; its log:"; cat "$dir/server.log" >&2; exit 1; }

    if ! as_owner "$bin/psql" -h "$sock" -p "$port" -U "$DB_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
        as_owner "$bin/createdb" -h "$sock" -p "$port" -U "$DB_USER" "$DB_NAME"
    fi
    local kind="fsync off"
    [[ "${PG_DURABLE:-0}" == 1 ]] && kind="durable"
    say "PostgreSQL $(basename "$(dirname "$bin")") running on 127.0.0.1:$port (data in $data, $kind)"
    echo "postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME"
}

stop() {
    local dir=$1 bin data
    data=$dir/data
    if [[ ! -s "$data/postmaster.pid" ]]; then
        say "no server running in $dir"
        return 0
    fi
    bin=$(find_bindir)
    as_owner "$bin/pg_ctl" -D "$data" -s -m fast -w -t 60 stop >&2 \
        || as_owner "$bin/pg_ctl" -D "$data" -s -m immediate -w -t 30 stop >&2
    if [[ -s "$dir/socket_dir" ]]; then
        rm -rf "$(cat "$dir/socket_dir")"
    fi
    say "PostgreSQL in $dir stopped"
}

case "${1:-}" in
    start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
    stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
    *) usage ;;
esac
