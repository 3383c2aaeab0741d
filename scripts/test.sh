#!/usr/bin/env bash
# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
#
# Install what the tests need and run the whole test suite, on SQLite and
# then on PostgreSQL.
#
#   ./scripts/test.sh                      # both backends
#   ./scripts/test.sh --sqlite-only        # one backend
#   ./scripts/test.sh --postgresql-only
#   ./scripts/test.sh -- -k scenario_event # extra pytest arguments after --
#   ./scripts/test.sh -- tests/scenario_event.rst  # only the files named
#
# PostgreSQL is found in this order:
#   1. PRM_TEST_POSTGRESQL_URI (e.g. postgresql://postgres@127.0.0.1:5432/);
#   2. a server answering on 127.0.0.1:${PRM_TEST_PG_PORT_PROBE:-5432} as user
#      postgres without a password;
#   3. a throwaway cluster started from /usr/lib/postgresql/*/bin (installed
#      with apt-get when missing and run as root), removed on exit.
#      --pg-throwaway skips 1 and 2.
#
# Activated databases are cached in var/test-cache/<backend> (trytond's
# DB_CACHE); the cache is wiped whenever prm_addon/, tests/*.py,
# pyproject.toml or constraints.txt change, or with --clear-cache.
# pytest output is kept in var/test-logs/<backend>.log.
# The browser tests in tests/e2e (own SQLite demo database) run in the SQLite
# pass only.
# The last line printed is "N passed, M failed", summed over the backends.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

usage() {
    sed -n '5,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --sqlite-only       run SQLite only
  --postgresql-only   run PostgreSQL only
  --pg-throwaway      always use a throwaway PostgreSQL cluster
  --clear-cache       drop the cached databases first
  -h, --help          this help
  -- ARGS...          pass ARGS to pytest
Environment: PRM_TEST_POSTGRESQL_URI, PRM_TEST_PG_PORT_PROBE,
  PRM_TEST_DB_NAME (PostgreSQL database name, default test_prm).
EOF
}

RUN_SQLITE=1
RUN_POSTGRESQL=1
PG_THROWAWAY=0
CLEAR_CACHE=0
PYTEST_EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --sqlite-only) RUN_SQLITE=1; RUN_POSTGRESQL=0 ;;
        --postgresql-only) RUN_SQLITE=0; RUN_POSTGRESQL=1 ;;
        --pg-throwaway) PG_THROWAWAY=1 ;;
        --clear-cache) CLEAR_CACHE=1 ;;
        -h|--help) usage; exit 0 ;;
        --) shift; PYTEST_EXTRA=("$@"); break ;;
        *) echo "test.sh: unknown argument '$1' (pytest arguments go after --)" >&2
           usage >&2; exit 2 ;;
    esac
    shift
done

log() { printf '\n==> %s\n' "$*"; }
warn() { printf 'test.sh: %s\n' "$*" >&2; }

VAR="$ROOT/var"
CACHE_ROOT="$VAR/test-cache"
LOG_DIR="$VAR/test-logs"

# --------------------------------------------------------------------------
# 1. Virtual environment
# --------------------------------------------------------------------------
venv_step() {
    # Own venv step, used while scripts/common.sh (prm_venv) does not exist.
    local stamp=.venv/.prm-test-stamp want
    want=$( (python3 -VV; cat pyproject.toml constraints.txt) | sha256sum | cut -d' ' -f1)
    if [ -x .venv/bin/python ] && [ -f "$stamp" ] \
            && [ "$(cat "$stamp")" = "$want" ]; then
        echo "venv .venv is up to date"
        return 0
    fi
    log "Installing .venv (pip install -c constraints.txt -e '.[test]')"
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        -c constraints.txt -e '.[test]'
    echo "$want" > "$stamp"
}

if [ -f scripts/common.sh ]; then
    # shellcheck source=scripts/common.sh
    . scripts/common.sh
fi
if declare -F prm_venv >/dev/null; then
    prm_venv test
else
    venv_step
fi
PY="$ROOT/.venv/bin/python"

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
# Hash of everything an activated database in the cache depends on.
source_hash() {
    "$PY" - "$@" <<'EOF'
import hashlib, pathlib, sys
h = hashlib.sha256('\0'.join(sys.argv[1:]).encode())
files = [p for p in pathlib.Path('prm_addon').rglob('*')
    if p.is_file() and '__pycache__' not in p.parts
    and p.suffix not in {'.pyc', '.pyo'}]
files += list(pathlib.Path('tests').glob('*.py'))
files += [pathlib.Path('pyproject.toml'), pathlib.Path('constraints.txt')]
for p in sorted(files):
    h.update(str(p).encode() + b'\0' + p.read_bytes() + b'\0')
print(h.hexdigest())
EOF
}

# prepare_cache DIR TAG...: empty DIR unless it was built from the same
# sources. The stamp is removed while pytest runs and put back by seal_cache
# only when pytest ended normally: a run killed while trytond wrote a dump
# cannot leave a half-written database for the next run.
prepare_cache() {
    local dir=$1; shift
    CACHE_HASH=$(source_hash "$@")
    if [ "$CLEAR_CACHE" = 1 ] || [ ! -f "$dir/.source-hash" ] \
            || [ "$(cat "$dir/.source-hash")" != "$CACHE_HASH" ]; then
        if [ -d "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
            echo "clearing database cache $dir (sources changed)"
        fi
        rm -rf "$dir"
    fi
    mkdir -p "$dir"
    rm -f "$dir/.source-hash"
}

# seal_cache DIR PYTEST_EXIT_CODE
seal_cache() {
    case "$2" in
        0|1|4|5) mkdir -p "$1" && echo "$CACHE_HASH" > "$1/.source-hash" ;;
    esac
}

PG_URI=""          # postgresql://user@host:port/
PG_ORIGIN=""       # where it came from, for the summary
PG_TMP=""          # throwaway cluster directory
PG_BIN_THROWAWAY=""
PG_RUN_AS=()       # command prefix to run the cluster as an unprivileged user
PG_DB=${PRM_TEST_DB_NAME:-test_prm}
RUN_TMP=""         # pytest logs of this run
PG_PYTEST_ARGS=()  # pytest arguments of the PostgreSQL pass only

stop_throwaway() {
    if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
        if [ -f "$PG_TMP/data/postmaster.pid" ]; then
            "${PG_RUN_AS[@]}" "$PG_BIN_THROWAWAY/pg_ctl" -D "$PG_TMP/data" \
                -m immediate -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$PG_TMP"
    fi
    PG_TMP=""
}

cleanup() {
    local rc=$?
    [ -z "$RUN_TMP" ] || rm -rf "$RUN_TMP"
    stop_throwaway
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

RUN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/prm-test.XXXXXX")
# The whole tests folder, unless the arguments after -- name test files
TEST_PATHS=(tests)
for arg in "${PYTEST_EXTRA[@]}"; do
    if [ "${arg#-}" = "$arg" ] && [ -e "${arg%%::*}" ]; then
        TEST_PATHS=()
        break
    fi
done
PYTEST_BASE=(-m pytest "${TEST_PATHS[@]}" -p no:cacheprovider -ra
    --durations=10)

# Results per backend, filled by run_pytest / fail_backend
declare -A RESULT_LINE=() RESULT_RC=() RESULT_TIME=() RESULT_PASSED=() \
    RESULT_FAILED=() RESULT_NOTE=()
BACKENDS=()

# parse_summary LOG: print "passed failed" from pytest's final line
parse_summary() {
    "$PY" - "$1" <<'EOF'
import re, sys
try:
    lines = [l.strip() for l in open(sys.argv[1], errors='replace')]
except OSError:
    lines = []
line = next((l for l in reversed(lines)
    if re.search(r'\d+ (passed|failed|errors?|skipped|deselected|x?failed|xpassed|warnings?)\b|no tests ran', l)), '')
count = lambda w: sum(int(n) for n in re.findall(r'(\d+) %s\b' % w, line))
print(count('passed'), count('failed') + count('errors?'))
print(line.strip('= ') or '-')
EOF
}

# run_pytest NAME ENV...: run the suite with the given environment
run_pytest() {
    local name=$1; shift
    # The log is written outside var/ first, so that a var/ removed during
    # the run does not lose the result; it is copied to var/test-logs after.
    local logf="$RUN_TMP/$name.log" rc=0 start=$SECONDS
    log "pytest on $name"
    # A TRYTOND_CONFIG or TRYTOND_DATABASE__* left in the shell would win
    # over TRYTOND_DATABASE_URI: run with a clean trytond environment.
    env -u TRYTOND_CONFIG -u TRYTOND_DATABASE__URI -u TRYTOND_DATABASE__PATH \
        "$@" "$PY" "${PYTEST_BASE[@]}" "${PG_PYTEST_ARGS[@]}" \
        "${PYTEST_EXTRA[@]}" 2>&1 \
        | tee "$logf" || rc=$?
    local elapsed=$((SECONDS - start)) passed failed line
    { read -r passed failed; read -r line; } < <(parse_summary "$logf")
    mkdir -p "$LOG_DIR" && cp "$logf" "$LOG_DIR/$name.log" || true
    if [ "$rc" = 5 ]; then
        RESULT_NOTE[$name]="pytest collected no tests (exit 5): counted as a failure"
        warn "$name: ${RESULT_NOTE[$name]}"
    elif [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
        RESULT_NOTE[$name]="pytest exited $rc without failed tests: counted as one failure (see $LOG_DIR/$name.log)"
        warn "$name: ${RESULT_NOTE[$name]}"
    fi
    if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
        failed=1
    fi
    BACKENDS+=("$name")
    RESULT_RC[$name]=$rc
    RESULT_TIME[$name]=$elapsed
    RESULT_PASSED[$name]=${passed:-0}
    RESULT_FAILED[$name]=${failed:-0}
    RESULT_LINE[$name]=${line:-"(no pytest summary line)"}
}

# fail_backend NAME MESSAGE: the backend could not even be set up
fail_backend() {
    BACKENDS+=("$1")
    RESULT_RC[$1]=1
    RESULT_TIME[$1]=0
    RESULT_PASSED[$1]=0
    RESULT_FAILED[$1]=1
    RESULT_LINE[$1]="not run"
    RESULT_NOTE[$1]=$2
    warn "$1: $2"
}

# Serialise runs that share a cache directory or a PostgreSQL database.
# lock_fd FD FILE
lock_fd() {
    command -v flock >/dev/null || return 0
    mkdir -p "$(dirname "$2")"
    eval "exec $1>\"$2\""
    if ! flock -n "$1"; then
        echo "waiting for another test run holding $2 ..."
        flock "$1"
    fi
}

# --------------------------------------------------------------------------
# 2. SQLite
# --------------------------------------------------------------------------
if [ "$RUN_SQLITE" = 1 ]; then
    lock_fd 8 "$CACHE_ROOT/sqlite.lock"
    prepare_cache "$CACHE_ROOT/sqlite" sqlite
    run_pytest sqlite \
        TRYTOND_DATABASE_URI=sqlite:// DB_NAME=:memory: \
        DB_CACHE="$CACHE_ROOT/sqlite"
    seal_cache "$CACHE_ROOT/sqlite" "${RESULT_RC[sqlite]}"
    exec 8>&-
fi

# --------------------------------------------------------------------------
# 3. PostgreSQL
# --------------------------------------------------------------------------

# pg_probe URI: print the server version number if URI accepts us
pg_probe() {
    "$PY" - "$1" <<'EOF' 2>/dev/null
import sys, psycopg
with psycopg.connect(sys.argv[1] + 'postgres', connect_timeout=3) as conn:
    print(conn.info.server_version)
EOF
}

# Highest installed PostgreSQL bin directory with the given program
pg_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn); do
        if [ -x "$d/$1" ]; then echo "$d"; return 0; fi
    done
    return 1
}

free_port() {
    "$PY" - <<'EOF'
import socket
for port in range(55432, 55532):
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            continue
        print(port)
        break
EOF
}

start_throwaway() {
    if ! pg_bindir initdb >/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            log "Installing PostgreSQL server binaries (apt-get install postgresql)"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq || return 1
            apt-get install -y -qq --no-install-recommends postgresql \
                >/dev/null || return 1
        else
            warn "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin;" \
                "install the postgresql package or set PRM_TEST_POSTGRESQL_URI"
            return 1
        fi
    fi
    PG_BIN_THROWAWAY=$(pg_bindir initdb) || return 1
    local user port
    PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/prm-pgtest.XXXXXX") || return 1
    if [ "$(id -u)" = 0 ]; then
        # initdb refuses to run as root
        user=postgres
        if ! id "$user" >/dev/null 2>&1; then
            user=prm-pgtest
            id "$user" >/dev/null 2>&1 \
                || useradd --system --no-create-home --shell /usr/sbin/nologin \
                    "$user" || return 1
        fi
        chown "$user" "$PG_TMP"
        PG_RUN_AS=(runuser -u "$user" --)
    fi
    port=$(free_port)
    [ -n "$port" ] || { warn "no free port in 55432-55531"; return 1; }
    log "Starting a throwaway PostgreSQL cluster ($PG_BIN_THROWAWAY, port $port)"
    "${PG_RUN_AS[@]}" "$PG_BIN_THROWAWAY/initdb" -D "$PG_TMP/data" \
        -U postgres -A trust -E UTF8 --no-locale --no-sync \
        >"$PG_TMP/initdb.log" 2>&1 \
        || { cat "$PG_TMP/initdb.log" >&2; return 1; }
    "${PG_RUN_AS[@]}" "$PG_BIN_THROWAWAY/pg_ctl" -D "$PG_TMP/data" \
        -l "$PG_TMP/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TMP" \
        -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null \
        || { cat "$PG_TMP/server.log" >&2; return 1; }
    PG_URI="postgresql://postgres@127.0.0.1:$port/"
    PG_ORIGIN="throwaway cluster in $PG_TMP, removed on exit"
}

find_postgresql() {
    local probe=${PRM_TEST_PG_PORT_PROBE:-5432}
    if [ "$PG_THROWAWAY" = 0 ] && [ -n "${PRM_TEST_POSTGRESQL_URI:-}" ]; then
        PG_URI=${PRM_TEST_POSTGRESQL_URI%/}/
        PG_ORIGIN="PRM_TEST_POSTGRESQL_URI"
        if ! pg_probe "$PG_URI" >/dev/null; then
            warn "cannot connect to PRM_TEST_POSTGRESQL_URI=$PG_URI"
            return 1
        fi
        return 0
    fi
    if [ "$PG_THROWAWAY" = 0 ] \
            && pg_probe "postgresql://postgres@127.0.0.1:$probe/" >/dev/null; then
        PG_URI="postgresql://postgres@127.0.0.1:$probe/"
        PG_ORIGIN="server already running on 127.0.0.1:$probe"
        return 0
    fi
    [ "$PG_THROWAWAY" = 1 ] \
        || echo "no PostgreSQL answering on 127.0.0.1:$probe as postgres"
    start_throwaway
}

# drop_db URI NAME: remove a database left over by an interrupted run
drop_db() {
    "$PY" - "$1" "$2" <<'EOF'
import sys, psycopg
from psycopg import sql
with psycopg.connect(sys.argv[1] + 'postgres', autocommit=True) as conn:
    conn.execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(
        sql.Identifier(sys.argv[2])))
EOF
}

if [ "$RUN_POSTGRESQL" = 1 ]; then
    pg_start=$SECONDS
    if find_postgresql; then
        pg_version=$(pg_probe "$PG_URI")
        pg_major=$((pg_version / 10000))
        echo "PostgreSQL $pg_version at $PG_URI ($PG_ORIGIN)"
        # trytond's DB_CACHE dumps and restores with pg_dump/pg_restore, which
        # must be at least the server's major version.
        pg_dump_dir=""
        for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -n); do
            v=$(basename "$(dirname "$d")")
            if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -ge "$pg_major" ] \
                    && [ -x "$d/pg_dump" ] \
                    && [ -x "$d/pg_restore" ]; then
                pg_dump_dir=$d
                break
            fi
        done
        pg_cache=("DB_CACHE=$CACHE_ROOT/postgresql")
        if [ -n "$pg_dump_dir" ]; then
            export PATH="$pg_dump_dir:$PATH"
        else
            warn "no pg_dump/pg_restore >= $pg_major in /usr/lib/postgresql:" \
                "running PostgreSQL without DB_CACHE (slower)"
            pg_cache=()
        fi
        hostport=${PG_URI#*@}
        hostport=${hostport%/}
        if [ -z "$PG_TMP" ]; then
            # Another run may use the same database on this server
            lock_fd 9 "${TMPDIR:-/tmp}/prm-test-pg-${hostport//[^A-Za-z0-9]/_}-$PG_DB.lock"
        fi
        lock_fd 8 "$CACHE_ROOT/postgresql.lock"
        prepare_cache "$CACHE_ROOT/postgresql" postgresql "$pg_major"
        drop_db "$PG_URI" "$PG_DB" \
            || warn "could not drop a leftover database $PG_DB"
        echo "PostgreSQL ready in $((SECONDS - pg_start)) s"
        PG_SETUP_TIME=$((SECONDS - pg_start))
        # Tests need no durability: do not wait for the WAL flush on commit
        # (a shared server keeps its own fsync setting).
        # The browser tests (tests/e2e) serve their own SQLite demo database
        # whatever the backend: they run once, in the SQLite pass.
        PG_PYTEST_ARGS=()
        [ ! -d tests/e2e ] || PG_PYTEST_ARGS=(--ignore=tests/e2e)
        run_pytest postgresql \
            PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c synchronous_commit=off" \
            TRYTOND_DATABASE_URI="$PG_URI" DB_NAME="$PG_DB" "${pg_cache[@]}"
        seal_cache "$CACHE_ROOT/postgresql" "${RESULT_RC[postgresql]}"
        drop_db "$PG_URI" "$PG_DB" || true
        RESULT_NOTE[postgresql]="${RESULT_NOTE[postgresql]:+${RESULT_NOTE[postgresql]}; }$PG_URI ($PG_ORIGIN), setup ${PG_SETUP_TIME} s"
        exec 8>&- 9>&-
        if [ -n "$PG_TMP" ]; then
            echo "stopping the throwaway PostgreSQL cluster in $PG_TMP"
            stop_throwaway
        fi
    else
        fail_backend postgresql "no PostgreSQL server could be found or started"
    fi
fi

# --------------------------------------------------------------------------
# 4. Summary
# --------------------------------------------------------------------------
total_passed=0
total_failed=0
status=0
echo
echo "======================== test summary ========================"
for b in "${BACKENDS[@]}"; do
    if [ "${RESULT_RC[$b]}" = 0 ]; then verdict=PASS; else verdict=FAIL; status=1; fi
    printf '%-11s %s %5ss  %s\n' "$b" "$verdict" "${RESULT_TIME[$b]}" \
        "${RESULT_LINE[$b]}"
    [ -z "${RESULT_NOTE[$b]:-}" ] || printf '%-11s %s\n' "" "${RESULT_NOTE[$b]}"
    total_passed=$((total_passed + RESULT_PASSED[$b]))
    total_failed=$((total_failed + RESULT_FAILED[$b]))
done
echo "logs: $LOG_DIR/"
echo "$total_passed passed, $total_failed failed"
exit "$status"
