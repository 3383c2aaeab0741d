#!/usr/bin/env bash
# Start the PRM demo: Tryton server with prm_addon and the web client.
#
#   ./scripts/start.sh              set up what is missing, then serve
#   ./scripts/start.sh --no-serve   set up everything, do not serve
#   PRM_PORT=8069 ./scripts/start.sh
#   PRM_VAR=/tmp/x ./scripts/start.sh   conf, database, mail, logs in /tmp/x
#   PRM_SMTP_PORT=8026 ./scripts/start.sh   local SMTP server on another port
#
# First run: creates .venv, installs the web client into .sao, writes
# var/trytond.conf, builds the SQLite database var/db/prm_demo.sqlite and
# loads the demo data (a few minutes). Later runs reuse all of it and only
# update the module in the database when prm_addon/ has changed.
set -euo pipefail

usage() {
    sed -n '2,13s/^# \{0,1\}//p' "$0"
}

SERVE=1
for arg in "$@"; do
    case $arg in
        --no-serve) SERVE=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; usage >&2; exit 2 ;;
    esac
done

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$PRM_ROOT"

DB=prm_demo
PORT=${PRM_PORT:-8000}
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

prm_venv demo
prm_sao

# A Maildir: the SMTP server stores each mail as a file in new/
mkdir -p "$DB_DIR" "$MAIL_DIR"/cur "$MAIL_DIR"/new "$MAIL_DIR"/tmp "$VAR/log"
cat > "$CONF" <<EOF
# Written by scripts/start.sh on each run: edit the script, not this file.
[database]
uri = sqlite://
path = $DB_DIR

[web]
listen = 0.0.0.0:$PORT
root = $PRM_SAO_ROOT

[email]
from = prm@localhost
uri = smtp://127.0.0.1:$SMTP_PORT?timeout=30
EOF

MODULE_HASH=$(module_hash)
if [ ! -f "$DB_FILE" ]; then
    # Build under another name and rename at the end: an interrupted run
    # leaves no half-built prm_demo for the next run to reuse.
    BUILD=${DB}_building
    rm -f "$DB_DIR/$BUILD".sqlite*
    PASSFILE=$(mktemp)
    trap 'rm -f "$PASSFILE"' EXIT
    trap 'exit 130' INT TERM
    echo admin > "$PASSFILE"
    touch "$DB_DIR/$BUILD.sqlite"
    echo "==> Creating the database $DB (modules prm_addon, sale, purchase, account_invoice, dashboard, inbound_email)"
    TRYTONPASSFILE=$PASSFILE "$BIN/trytond-admin" -c "$CONF" -d "$BUILD" \
        --all --email admin@example.com \
        -u prm_addon sale purchase account_invoice dashboard inbound_email \
        --activate-dependencies -l fi >"$VAR/log/trytond-admin.log" 2>&1 \
        || { tail -n 30 "$VAR/log/trytond-admin.log" >&2; exit 1; }
    rm -f "$PASSFILE"
    trap - EXIT INT TERM
    echo "==> Loading the demo data"
    "$BIN/python" scripts/demo.py -c "$CONF" -d "$BUILD"
    for suffix in -wal -shm ''; do
        if [ -e "$DB_DIR/$BUILD.sqlite$suffix" ]; then
            mv "$DB_DIR/$BUILD.sqlite$suffix" "$DB_FILE$suffix"
        fi
    done
    echo "$MODULE_HASH" > "$MODULE_STAMP"
elif [ "$(cat "$MODULE_STAMP" 2>/dev/null)" != "$MODULE_HASH" ]; then
    echo "==> prm_addon changed: updating it in the database $DB"
    "$BIN/trytond-admin" -c "$CONF" -d "$DB" -u prm_addon \
        --activate-dependencies >"$VAR/log/trytond-admin.log" 2>&1 \
        || { tail -n 30 "$VAR/log/trytond-admin.log" >&2; exit 1; }
    echo "$MODULE_HASH" > "$MODULE_STAMP"
else
    echo "==> Reusing the database $DB_FILE"
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

EOF

if [ "$SERVE" = 0 ]; then
    echo "Ready (--no-serve). Serve with: ./scripts/start.sh"
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

echo "Serving on http://localhost:$PORT/ (Ctrl-C stops)"
# -d matters: trytond 8.0.12 started without it fails every login.
exec "$BIN/trytond" -c "$CONF" -d "$DB"
