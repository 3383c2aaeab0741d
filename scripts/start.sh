#!/usr/bin/env bash
# Start the PRM demo: Tryton server with prm_addon and the web client.
#
#   ./scripts/start.sh              set up what is missing, then serve
#   ./scripts/start.sh --no-serve   set up everything, do not serve
#   ./scripts/start.sh --postgresql --workers 4
#                   production-like: PostgreSQL, 4 WSGI processes under
#                   gunicorn, trytond-worker (mail queue), trytond-cron
#   PRM_PORT=8069 ./scripts/start.sh
#   PRM_HOST=0.0.0.0 ./scripts/start.sh  listen on every interface
#                   (default 127.0.0.1: this machine only)
#   PRM_HOSTNAME=crm.example.com ./scripts/start.sh  the host (and port) of
#                   the links in mails (default localhost:PORT)
#   PRM_VAR=/tmp/x ./scripts/start.sh   conf, database, mail, logs in /tmp/x
#   PRM_SMTP_PORT=8026 ./scripts/start.sh   local SMTP server on another port
#   PRM_POSTGRESQL_URI=postgresql://user:pw@host:5432/ ./scripts/start.sh
#                   --postgresql   the PostgreSQL server to use (else one on
#                   127.0.0.1:5432 as postgres, else a cluster in var/pg)
#   PRM_DB=name ./scripts/start.sh   another database than prm_demo
#
# First run: creates .venv, installs the web client into .sao, writes
# var/trytond.conf, builds the SQLite database var/db/prm_demo.sqlite (or
# the PostgreSQL database prm_demo) and loads the demo data (a few
# minutes). Later runs reuse all of it and only update the module in the
# database when prm_addon/ has changed. Ctrl-C or TERM stops everything.
set -euo pipefail

usage() {
    sed -n '2,26s/^# \{0,1\}//p' "$0"
}

SERVE=1
BACKEND=sqlite
WSGI_PROCESSES=2
while [ $# -gt 0 ]; do
    case $1 in
        --no-serve) SERVE=0 ;;
        --postgresql) BACKEND=postgresql ;;
        --workers)
            shift
            WSGI_PROCESSES=${1:-}
            case $WSGI_PROCESSES in
                ''|*[!0-9]*|0) echo "--workers needs a number of processes" >&2; exit 2 ;;
            esac ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$PRM_ROOT"

DB=${PRM_DB:-prm_demo}
PORT=${PRM_PORT:-8000}
HOST=${PRM_HOST:-127.0.0.1}
VAR=${PRM_VAR:-$PRM_ROOT/var}
CONF=$VAR/trytond.conf
DB_DIR=$VAR/db
DB_FILE=$DB_DIR/$DB.sqlite
MODULE_STAMP=$DB_DIR/$DB.module-hash
MAIL_DIR=$VAR/mail
SMTP_PORT=${PRM_SMTP_PORT:-8025}
BIN=$PRM_VENV/bin

case $PORT in
    ''|*[!0-9]*) echo "PRM_PORT must be a port number, not '$PORT'" >&2; exit 2 ;;
esac
case $SMTP_PORT in
    ''|*[!0-9]*) echo "PRM_SMTP_PORT must be a port number, not '$SMTP_PORT'" >&2; exit 2 ;;
esac

# Is something listening on 127.0.0.1:<port>?
port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Hash of every file of the module, to know when the database needs an update
module_hash() {
    find prm_addon -type f ! -path '*/__pycache__/*' ! -name '*.py[co]' \
        -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum \
        | cut -d' ' -f1
}

if [ "$BACKEND" = postgresql ]; then
    prm_venv deploy
else
    prm_venv demo
fi
prm_sao

# A Maildir: the SMTP server stores each mail as a file in new/
mkdir -p "$DB_DIR" "$MAIL_DIR"/cur "$MAIL_DIR"/new "$MAIL_DIR"/tmp "$VAR/log"
if [ "$BACKEND" = postgresql ]; then
    . "$PRM_ROOT/scripts/postgresql.sh"
    trap 'prm_postgresql_stop' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    prm_postgresql "$VAR/pg"
    echo "==> PostgreSQL: $PRM_PG_URI ($PRM_PG_ORIGIN)"
    CONF=$VAR/trytond-postgresql.conf
    MODULE_STAMP=$DB_DIR/$DB.postgresql-module-hash
    DATABASE_CONF="uri = $PRM_PG_URI"
    # Several processes: the queue goes to trytond-worker, caches are
    # invalidated at once through PostgreSQL's NOTIFY, and the web client
    # hears of notifications through the bus
    EXTRA_CONF="
[queue]
worker = True

[cache]
clean_timeout = 0

[bus]
allow_subscribe = True"
else
    DATABASE_CONF="uri = sqlite://
path = $DB_DIR"
    EXTRA_CONF=""
fi
cat > "$CONF" <<EOF
# Written by scripts/start.sh on each run: edit the script, not this file.
[database]
$DATABASE_CONF

[web]
listen = $HOST:$PORT
root = $PRM_SAO_ROOT
# The address in the links of the mails the scheduler sends (no request
# tells it there): unsubscribe, short links
hostname = ${PRM_HOSTNAME:-localhost:$PORT}

[email]
from = prm@localhost
uri = smtp://127.0.0.1:$SMTP_PORT?timeout=30
$EXTRA_CONF
EOF

# db_exists NAME / db_create NAME / db_drop NAME / db_rename FROM TO
if [ "$BACKEND" = postgresql ]; then
    pg() {
        "$BIN/python" - "$PRM_PG_URI" "$@" <<'PGEOF'
import sys, psycopg
from psycopg import sql
uri, action, name, *new = sys.argv[1:]
with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
    exists = conn.execute(
        'SELECT 1 FROM pg_database WHERE datname = %s', (name,)).fetchone()
    query = {
        'exists': None,
        'create': "CREATE DATABASE {} ENCODING 'UTF8'",
        'drop': 'DROP DATABASE IF EXISTS {} WITH (FORCE)',
        'rename': 'ALTER DATABASE {} RENAME TO {}',
        }[action]
    if query:
        conn.execute(sql.SQL(query).format(
            *map(sql.Identifier, [name, *new])))
    sys.exit(0 if exists or query else 1)
PGEOF
    }
    db_exists() { pg exists "$1"; }
    db_create() { pg create "$1"; }
    db_drop() { pg drop "$1"; }
    db_rename() { pg rename "$1" "$2"; }
    DB_WHERE="the database $DB on $PRM_PG_URI"
else
    db_exists() { [ -f "$DB_DIR/$1.sqlite" ]; }
    db_create() { touch "$DB_DIR/$1.sqlite"; }
    db_drop() { rm -f "$DB_DIR/$1".sqlite*; }
    db_rename() {
        local suffix
        for suffix in -wal -shm ''; do
            if [ -e "$DB_DIR/$1.sqlite$suffix" ]; then
                mv "$DB_DIR/$1.sqlite$suffix" "$DB_DIR/$2.sqlite$suffix"
            fi
        done
    }
    DB_WHERE=$DB_FILE
fi

MODULE_HASH=$(module_hash)
if ! db_exists "$DB"; then
    # Build under another name and rename at the end: an interrupted run
    # leaves no half-built prm_demo for the next run to reuse.
    BUILD=${DB}_building
    db_drop "$BUILD"
    PASSFILE=$VAR/.admin-password
    echo admin > "$PASSFILE"
    db_create "$BUILD"
    echo "==> Creating the database $DB (modules prm_addon, sale, purchase, account_invoice, dashboard, inbound_email, marketing_email and those of the document kinds)"
    TRYTONPASSFILE=$PASSFILE "$BIN/trytond-admin" -c "$CONF" -d "$BUILD" \
        --all --email admin@example.com \
        -u prm_addon sale purchase account_invoice dashboard inbound_email \
        marketing_email sale_opportunity production sale_supply_production \
        sale_complaint project \
        --activate-dependencies -l fi >"$VAR/log/trytond-admin.log" 2>&1 \
        || { rm -f "$PASSFILE"; tail -n 30 "$VAR/log/trytond-admin.log" >&2; exit 1; }
    rm -f "$PASSFILE"
    echo "==> Loading the demo data"
    "$BIN/python" scripts/demo.py -c "$CONF" -d "$BUILD"
    db_rename "$BUILD" "$DB"
    echo "$MODULE_HASH" > "$MODULE_STAMP"
elif [ "$(cat "$MODULE_STAMP" 2>/dev/null)" != "$MODULE_HASH" ]; then
    echo "==> prm_addon changed: updating it in the database $DB"
    "$BIN/trytond-admin" -c "$CONF" -d "$DB" -u prm_addon \
        --activate-dependencies >"$VAR/log/trytond-admin.log" 2>&1 \
        || { tail -n 30 "$VAR/log/trytond-admin.log" >&2; exit 1; }
    echo "$MODULE_HASH" > "$MODULE_STAMP"
else
    echo "==> Reusing $DB_WHERE"
fi

cat <<EOF

  PRM demo
  --------
  Web client : http://localhost:$PORT/  (database: $DB)
               direct link: http://localhost:$PORT/#$DB
  Logins     : prm      / prm-demo-2026   Paula Myyjä, sales person
               prmadmin / prm-admin-2026  Antti Ylläpitäjä, PRM administrator
               admin    / admin           Tryton administrator
  Outgoing mail is kept in $MAIL_DIR (a local SMTP server on port $SMTP_PORT).
  Start again with a new database: rm -rf var/db && ./scripts/start.sh
  (PostgreSQL: drop the database $DB as well)

EOF

if [ "$SERVE" = 0 ]; then
    echo "Ready (--no-serve). Serve with: ./scripts/start.sh $*"
    exit 0
fi

if port_busy "$PORT"; then
    echo "Port $PORT is already in use: stop what runs there or set PRM_PORT." >&2
    exit 1
fi

# A local SMTP server that stores the mail sent by Tryton as a Maildir.
# It is stopped by a watchdog once the server (this process, after exec)
# is gone.
# Running and not a zombie (kill -0 alone succeeds on a zombie)
alive() {
    local state=
    kill -0 "$1" 2>/dev/null || return 1
    [ -r "/proc/$1/stat" ] && read -r _ _ state _ < "/proc/$1/stat"
    [ "$state" != Z ]
}

if ! port_busy "$SMTP_PORT"; then
    SERVER_PID=$$
    (
        "$BIN/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
            -c aiosmtpd.handlers.Mailbox "$MAIL_DIR" \
            >"$VAR/log/aiosmtpd.log" 2>&1 &
        SMTP_PID=$!
        while alive "$SERVER_PID" && alive "$SMTP_PID"; do
            sleep 1
        done
        kill "$SMTP_PID" 2>/dev/null || true
    ) </dev/null >/dev/null 2>&1 &
else
    echo "Port $SMTP_PORT is already in use: the mail goes to the SMTP server listening there, not to $MAIL_DIR (set PRM_SMTP_PORT to use another port)." >&2
fi

if [ "$BACKEND" = postgresql ]; then
    echo "Serving on http://$HOST:$PORT/ with $WSGI_PROCESSES WSGI processes, trytond-worker and trytond-cron (Ctrl-C stops; logs in $VAR/log)"
    "$BIN/python" scripts/deployment.py -c "$CONF" -d "$DB" \
        --bind "$HOST:$PORT" --processes "$WSGI_PROCESSES" \
        --log-dir "$VAR/log" &
    DEPLOY_PID=$!
    # bash runs a trap only once its foreground child is done: wait on a
    # background one and pass TERM on
    trap 'kill -TERM "$DEPLOY_PID" 2>/dev/null; wait "$DEPLOY_PID"; exit 143' TERM
    trap 'kill -TERM "$DEPLOY_PID" 2>/dev/null; wait "$DEPLOY_PID"; exit 130' INT
    wait "$DEPLOY_PID"
    exit $?
fi

# Tryton's scheduler (mailings every 15 minutes, the daily reminders) in a
# session of its own with its watchdog, which stops it with the server:
# a kill of this script's process group or a Ctrl-C then leaves no
# scheduler behind. The queue needs no process here: without a worker
# trytond runs each task after its request.
setsid bash -c "$(declare -f alive)"'
    "$1" -c "$2" -d "$3" -n 1 &
    cron=$!
    while alive "$4" && alive "$cron"; do
        sleep 1
    done
    kill -TERM -- "-$$"' cron-watchdog "$BIN/trytond-cron" "$CONF" "$DB" "$$" \
    </dev/null >"$VAR/log/cron.log" 2>&1 &

echo "Serving on http://$HOST:$PORT/ with trytond-cron (Ctrl-C stops; logs in $VAR/log)"
# -d matters: trytond 8.0.12 started without it fails every login.
exec "$BIN/trytond" -c "$CONF" -d "$DB"
