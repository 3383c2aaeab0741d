#!/usr/bin/env bash
# This file is part of PRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
#
# Install what the tests need and run the whole test suite: flake8 and
# isort, then pytest on SQLite and on PostgreSQL, side by side (the two
# passes share the 2 cores well: one waits on PostgreSQL while the other
# computes).
#
#   ./scripts/test.sh                      # both backends
#   ./scripts/test.sh --sqlite-only        # one backend
#   ./scripts/test.sh --postgresql-only
#   ./scripts/test.sh -- -k scenario_event # extra pytest arguments after --
#   ./scripts/test.sh -- tests/scenario_event.rst  # only the files named
#
# What is missing is installed first: Debian packages (python3-venv,
# chromium, npm, pango; as root with apt-get, otherwise the script says
# what to install), the pinned Python packages into .venv, the web client
# into .sao/. Linting runs when no pytest arguments are given.
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
# The last line printed is "N passed, M failed", summed over the backends
# (a lint failure counts as one failed).
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
  --sequential        run the backends one after the other
  --clear-cache       drop the cached databases first
  -h, --help          this help
  -- ARGS...          pass ARGS to pytest
Environment: PRM_TEST_POSTGRESQL_URI, PRM_TEST_PG_PORT_PROBE,
  PRM_TEST_DB_NAME (PostgreSQL database name, default test_prm).
EOF
}

RUN_SQLITE=1
RUN_POSTGRESQL=1
PARALLEL=1
PG_THROWAWAY=0
CLEAR_CACHE=0
PYTEST_EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --sqlite-only) RUN_SQLITE=1; RUN_POSTGRESQL=0 ;;
        --postgresql-only) RUN_SQLITE=0; RUN_POSTGRESQL=1 ;;
        --pg-throwaway) PG_THROWAWAY=1 ;;
        --sequential) PARALLEL=0 ;;
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
# 1. System packages and virtual environment
# --------------------------------------------------------------------------
# shellcheck source=scripts/common.sh
. scripts/common.sh
# shellcheck source=scripts/postgresql.sh
. scripts/postgresql.sh
# Debian's Chromium (driven by playwright, which cannot download a browser
# here), npm for the web client, pango for the PDF report.
prm_system_packages chromium npm pango || exit 1
prm_venv test || exit 1
prm_sao || exit 1
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

# seal_cache DIR HASH PASS: stamp DIR when the pass ended normally
seal_cache() {
    local rc
    read -r rc _ < "$RUN_TMP/$3.result"
    case "$rc" in
        0|1|4|5) mkdir -p "$1" && echo "$2" > "$1/.source-hash" ;;
    esac
}

PG_URI=""          # postgresql://user@host:port/
PG_ORIGIN=""       # where it came from, for the summary
PG_TMP=""          # throwaway cluster directory
PG_DB=${PRM_TEST_DB_NAME:-test_prm}
RUN_TMP=""         # pytest logs of this run
PYTEST_PASS_ARGS=()  # pytest arguments of one pass only

stop_throwaway() {
    if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
        prm_postgresql_stop
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
RUN_LINT=0
[ ${#PYTEST_EXTRA[@]} != 0 ] || RUN_LINT=1
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

# Each pass writes its result to $RUN_TMP/<name>.result, three lines:
# "rc seconds passed failed", the summary line, a note. The passes may run
# side by side in sub-shells: the summary reads these files.
write_result() {
    local name=$1 rc=$2 elapsed=$3 passed=$4 failed=$5 line=$6 note=${7:-}
    printf '%s %s %s %s\n%s\n%s\n' "$rc" "$elapsed" "$passed" "$failed" \
        "$line" "$note" > "$RUN_TMP/$name.result"
}

# Lines of a pass are prefixed with its name when the passes run side by
# side; the logs in var/test-logs are not.
prefix_output() {
    if [ "$PARALLEL" = 1 ]; then
        sed -u "s/^/[$1] /"
    else
        cat
    fi
}

# run_pytest NAME ENV...: run the suite with the given environment
run_pytest() {
    local name=$1; shift
    # The log is written outside var/ first, so that a var/ removed during
    # the run does not lose the result; it is copied to var/test-logs after.
    local logf="$RUN_TMP/$name.log" rc=0 start=$SECONDS note=""
    log "pytest on $name"
    # A TRYTOND_CONFIG or TRYTOND_DATABASE__* left in the shell would win
    # over TRYTOND_DATABASE_URI: run with a clean trytond environment.
    env -u TRYTOND_CONFIG -u TRYTOND_DATABASE__URI -u TRYTOND_DATABASE__PATH \
        "$@" "$PY" "${PYTEST_BASE[@]}" "${PYTEST_PASS_ARGS[@]}" \
        "${PYTEST_EXTRA[@]}" 2>&1 \
        | tee "$logf" | prefix_output "$name" || rc=$?
    local elapsed=$((SECONDS - start)) passed failed line
    { read -r passed failed; read -r line; } < <(parse_summary "$logf")
    mkdir -p "$LOG_DIR" && cp "$logf" "$LOG_DIR/$name.log" || true
    if [ "$rc" = 5 ]; then
        note="pytest collected no tests (exit 5): counted as a failure"
    elif [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
        note="pytest exited $rc without failed tests: counted as one failure (see $LOG_DIR/$name.log)"
    fi
    [ -z "$note" ] || warn "$name: $note"
    if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
        failed=1
    fi
    write_result "$name" "$rc" "$elapsed" "${passed:-0}" "${failed:-0}" \
        "${line:-"(no pytest summary line)"}" "$note"
}

# fail_backend NAME MESSAGE: the backend could not even be set up
fail_backend() {
    write_result "$1" 1 0 0 1 "not run" "$2"
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
# 2. Lint (whole runs only): flake8 and isort, with the repository's config
# --------------------------------------------------------------------------
if [ "$RUN_LINT" = 1 ]; then
    log "flake8 and isort"
    lint_log="$RUN_TMP/lint.log"
    lint_rc=0
    { "$PY" -m flake8 prm_addon tests bench scripts \
        && "$PY" -m isort --check-only --diff prm_addon tests bench scripts
    } >"$lint_log" 2>&1 || lint_rc=$?
    cat "$lint_log"
    if [ "$lint_rc" = 0 ]; then
        write_result lint 0 0 1 0 "flake8 and isort clean"
    else
        write_result lint 1 0 0 1 "flake8 or isort found problems (above)"
    fi
fi

# --------------------------------------------------------------------------
# 3. PostgreSQL: find or start a server
# --------------------------------------------------------------------------
# The cluster of the machine's binaries (scripts/postgresql.sh), in a
# temporary folder removed on exit
start_throwaway() {
    PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/prm-pgtest.XXXXXX") || return 1
    log "Starting a throwaway PostgreSQL cluster in $PG_TMP"
    prm_pg_cluster "$PG_TMP" throwaway || return 1
    PG_URI=$PRM_PG_URI
    PG_ORIGIN="throwaway cluster in $PG_TMP, removed on exit"
}

find_postgresql() {
    local probe=${PRM_TEST_PG_PORT_PROBE:-5432}
    if [ "$PG_THROWAWAY" = 0 ] && [ -n "${PRM_TEST_POSTGRESQL_URI:-}" ]; then
        PG_URI=${PRM_TEST_POSTGRESQL_URI%/}/
        PG_ORIGIN="PRM_TEST_POSTGRESQL_URI"
        if ! prm_pg_probe "$PG_URI" >/dev/null; then
            warn "cannot connect to PRM_TEST_POSTGRESQL_URI=$PG_URI"
            return 1
        fi
        return 0
    fi
    if [ "$PG_THROWAWAY" = 0 ] \
            && prm_pg_probe "postgresql://postgres@127.0.0.1:$probe/" >/dev/null; then
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

# setup_postgresql: find the server, pick pg_dump for DB_CACHE, lock and
# clean the test database. Sets PG_ENV, the environment of the pass.
setup_postgresql() {
    local pg_start=$SECONDS pg_version pg_major pg_dump_dir="" d v hostport
    find_postgresql || return 1
    pg_version=$(prm_pg_probe "$PG_URI")
    pg_major=$((pg_version / 10000))
    echo "PostgreSQL $pg_version at $PG_URI ($PG_ORIGIN)"
    # trytond's DB_CACHE dumps and restores with pg_dump/pg_restore, which
    # must be at least the server's major version.
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -n); do
        v=$(basename "$(dirname "$d")")
        if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -ge "$pg_major" ] \
                && [ -x "$d/pg_dump" ] && [ -x "$d/pg_restore" ]; then
            pg_dump_dir=$d
            break
        fi
    done
    # Tests need no durability: do not wait for the WAL flush on commit
    # (a shared server keeps its own fsync setting).
    PG_ENV=(PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c synchronous_commit=off"
        TRYTOND_DATABASE_URI="$PG_URI" DB_NAME="$PG_DB")
    if [ -n "$pg_dump_dir" ]; then
        export PATH="$pg_dump_dir:$PATH"
        PG_ENV+=(DB_CACHE="$CACHE_ROOT/postgresql")
    else
        warn "no pg_dump/pg_restore >= $pg_major in /usr/lib/postgresql:" \
            "running PostgreSQL without DB_CACHE (slower)"
    fi
    hostport=${PG_URI#*@}
    hostport=${hostport%/}
    if [ -z "$PG_TMP" ]; then
        # Another run may use the same database on this server
        lock_fd 9 "${TMPDIR:-/tmp}/prm-test-pg-${hostport//[^A-Za-z0-9]/_}-$PG_DB.lock"
    fi
    lock_fd 8 "$CACHE_ROOT/postgresql.lock"
    prepare_cache "$CACHE_ROOT/postgresql" postgresql "$pg_major"
    PG_CACHE_HASH=$CACHE_HASH
    drop_db "$PG_URI" "$PG_DB" \
        || warn "could not drop a leftover database $PG_DB"
    PG_NOTE="$PG_URI ($PG_ORIGIN), setup $((SECONDS - pg_start)) s"
    echo "PostgreSQL ready in $((SECONDS - pg_start)) s"
}

# --------------------------------------------------------------------------
# 4. The passes: SQLite and PostgreSQL, side by side unless --sequential
# --------------------------------------------------------------------------
sqlite_pass() {
    run_pytest sqlite \
        TRYTOND_DATABASE_URI=sqlite:// DB_NAME=:memory: \
        DB_CACHE="$CACHE_ROOT/sqlite"
    seal_cache "$CACHE_ROOT/sqlite" "$SQLITE_CACHE_HASH" sqlite
}

# The browser tests (tests/e2e) serve their own SQLite demo database
# whatever the backend: they run once, in the SQLite pass.
postgresql_pass() {
    PYTEST_PASS_ARGS=()
    [ ! -d tests/e2e ] || PYTEST_PASS_ARGS=(--ignore=tests/e2e)
    run_pytest postgresql "${PG_ENV[@]}"
    seal_cache "$CACHE_ROOT/postgresql" "$PG_CACHE_HASH" postgresql
    drop_db "$PG_URI" "$PG_DB" || true
    # Add where the server came from to the pass's note
    sed -i "3s|\$| $PG_NOTE|" "$RUN_TMP/postgresql.result"
}

if [ "$RUN_SQLITE" = 1 ]; then
    lock_fd 7 "$CACHE_ROOT/sqlite.lock"
    prepare_cache "$CACHE_ROOT/sqlite" sqlite
    SQLITE_CACHE_HASH=$CACHE_HASH
fi
if [ "$RUN_POSTGRESQL" = 1 ]; then
    setup_postgresql \
        || { fail_backend postgresql "no PostgreSQL server could be found or started"
             RUN_POSTGRESQL=0; }
fi
[ "$RUN_SQLITE" = 1 ] && [ "$RUN_POSTGRESQL" = 1 ] || PARALLEL=0
if [ "$PARALLEL" = 1 ]; then
    log "SQLite and PostgreSQL side by side (lines prefixed with the pass)"
    sqlite_pass &
    sqlite_pid=$!
    postgresql_pass &
    postgresql_pid=$!
    wait "$sqlite_pid" || true
    wait "$postgresql_pid" || true
else
    [ "$RUN_SQLITE" = 0 ] || sqlite_pass
    [ "$RUN_POSTGRESQL" = 0 ] || postgresql_pass
fi
exec 7>&- 8>&- 9>&-
if [ -n "$PG_TMP" ]; then
    echo "stopping the throwaway PostgreSQL cluster in $PG_TMP"
    stop_throwaway
fi

# --------------------------------------------------------------------------
# 5. Summary
# --------------------------------------------------------------------------
total_passed=0
total_failed=0
status=0
echo
echo "======================== test summary ========================"
for b in lint sqlite postgresql; do
    f="$RUN_TMP/$b.result"
    [ -f "$f" ] || continue
    { read -r rc elapsed passed failed; read -r line; read -r note; } < "$f"
    if [ "$rc" = 0 ]; then verdict=PASS; else verdict=FAIL; status=1; fi
    printf '%-11s %s %5ss  %s\n' "$b" "$verdict" "$elapsed" "$line"
    [ -z "$note" ] || printf '%-11s %s\n' "" "$note"
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
done
echo "logs: $LOG_DIR/"
echo "$total_passed passed, $total_failed failed"
exit "$status"
