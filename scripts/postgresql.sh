# shellcheck shell=bash
# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
#
# Find or start a PostgreSQL server, for ./scripts/start.sh --postgresql
# and ./scripts/test.sh. Source it after common.sh, then:
#   prm_postgresql DIR   sets PRM_PG_URI (postgresql://user@host:port/)
#                        and PRM_PG_ORIGIN; a cluster it starts lives in DIR
#   prm_postgresql_stop  stops the cluster it started, if any
# Order: PRM_POSTGRESQL_URI; a server on 127.0.0.1:5432 as user postgres
# without password; else a cluster of the machine's PostgreSQL binaries
# (installed with apt-get when missing and run as root), kept in DIR.

PRM_PG_URI=""
PRM_PG_ORIGIN=""
PRM_PG_DATA=""
PRM_PG_RUN_AS=()
PRM_PG_BIN=""

# prm_pg_probe URI: print the server version number if URI accepts us
prm_pg_probe() {
    "$PRM_VENV/bin/python" - "$1" <<'EOF' 2>/dev/null
import sys, psycopg
with psycopg.connect(sys.argv[1] + 'postgres', connect_timeout=3) as conn:
    print(conn.info.server_version)
EOF
}

# prm_pg_bindir [PROGRAM]: the highest installed PostgreSQL bin directory
# with PROGRAM (initdb)
prm_pg_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn); do
        if [ -x "$d/${1:-initdb}" ]; then echo "$d"; return 0; fi
    done
    return 1
}

prm_pg_free_port() {
    "$PRM_VENV/bin/python" -c '
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])'
}

# prm_pg_cluster DIR [throwaway]: start (creating it the first time) the
# cluster in DIR; a throwaway cluster (tests) trades durability for speed
prm_pg_cluster() {
    local dir=$1 user port initdb_opts=() server_opts=()
    if [ "${2:-}" = throwaway ]; then
        initdb_opts=(--no-sync)
        server_opts=(-o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
    fi
    if ! prm_pg_bindir >/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "==> Installing PostgreSQL (apt-get install postgresql)"
            DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                --no-install-recommends postgresql >/dev/null || return 1
        else
            echo "No PostgreSQL: install the postgresql package or give" \
                "the URI of a server (PRM_POSTGRESQL_URI," \
                "PRM_TEST_POSTGRESQL_URI for the tests)" >&2
            return 1
        fi
    fi
    PRM_PG_BIN=$(prm_pg_bindir) || return 1
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        # initdb refuses to run as root
        user=postgres
        if ! id "$user" >/dev/null 2>&1; then
            user=prm-postgres
            id "$user" >/dev/null 2>&1 \
                || useradd --system --no-create-home --shell /usr/sbin/nologin \
                    "$user" || return 1
        fi
        chown "$user" "$dir"
        PRM_PG_RUN_AS=(runuser -u "$user" --)
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        echo "==> Creating a PostgreSQL cluster in $dir ($PRM_PG_BIN)"
        "${PRM_PG_RUN_AS[@]}" "$PRM_PG_BIN/initdb" -D "$dir/data" -U postgres \
            -A trust -E UTF8 --no-locale "${initdb_opts[@]}" \
            >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; return 1; }
    fi
    port=$(prm_pg_free_port)
    "${PRM_PG_RUN_AS[@]}" "$PRM_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
        -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" \
        "${server_opts[@]}" \
        start >/dev/null || { tail -n 20 "$dir/server.log" >&2; return 1; }
    PRM_PG_DATA=$dir/data
    PRM_PG_URI="postgresql://postgres@127.0.0.1:$port/"
    PRM_PG_ORIGIN="cluster in $dir, stopped on exit"
}

prm_postgresql() {
    if [ -n "${PRM_POSTGRESQL_URI:-}" ]; then
        PRM_PG_URI=${PRM_POSTGRESQL_URI%/}/
        PRM_PG_ORIGIN=PRM_POSTGRESQL_URI
        prm_pg_probe "$PRM_PG_URI" >/dev/null && return 0
        echo "Cannot connect to PRM_POSTGRESQL_URI=$PRM_PG_URI" >&2
        return 1
    fi
    if prm_pg_probe "postgresql://postgres@127.0.0.1:5432/" >/dev/null; then
        PRM_PG_URI="postgresql://postgres@127.0.0.1:5432/"
        PRM_PG_ORIGIN="server on 127.0.0.1:5432"
        return 0
    fi
    prm_pg_cluster "$1"
}

prm_postgresql_stop() {
    if [ -n "$PRM_PG_DATA" ] && [ -f "$PRM_PG_DATA/postmaster.pid" ]; then
        "${PRM_PG_RUN_AS[@]}" "$PRM_PG_BIN/pg_ctl" -D "$PRM_PG_DATA" -m fast \
            -w stop >/dev/null 2>&1 || true
    fi
    PRM_PG_DATA=""
}

# prm_pg_createdb URI NAME: create the database unless it exists; succeed
# when it was created
prm_pg_createdb() {
    "$PRM_VENV/bin/python" - "$1" "$2" <<'EOF'
import sys, psycopg
from psycopg import sql
with psycopg.connect(sys.argv[1] + 'postgres', autocommit=True) as conn:
    if conn.execute('SELECT 1 FROM pg_database WHERE datname = %s',
            (sys.argv[2],)).fetchone():
        sys.exit(1)
    conn.execute(sql.SQL('CREATE DATABASE {} ENCODING {}').format(
        sql.Identifier(sys.argv[2]), sql.Literal('UTF8')))
EOF
}
