# shellcheck shell=bash
# Shared helpers for the scripts in this folder. Source it, do not run it:
#   . "$(dirname "$0")/common.sh"
#   prm_venv demo    # or: prm_venv test
#   prm_sao
# Both are quiet no-ops when their work is already done.

PRM_ROOT=${PRM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PRM_VENV=${PRM_VENV:-$PRM_ROOT/.venv}
PRM_SAO_VERSION=8.0.11
PRM_SAO_ROOT=$PRM_ROOT/.sao/package

# Create or reuse .venv and install the project with the given extra
# (demo, test, ...) at the versions pinned in constraints.txt. Skipped when
# pyproject.toml and constraints.txt are unchanged since the last install
# of that extra.
prm_venv() {
    local extra=${1:-demo} hash stamp
    stamp=$PRM_VENV/.prm-installed-$extra
    hash=$(cat "$PRM_ROOT/pyproject.toml" "$PRM_ROOT/constraints.txt" \
        | sha256sum | cut -d' ' -f1)
    if [ -x "$PRM_VENV/bin/python" ] && [ -f "$stamp" ] \
            && [ "$(cat "$stamp")" = "$hash" ]; then
        return 0
    fi
    if [ ! -x "$PRM_VENV/bin/python" ]; then
        echo "==> Creating the virtualenv $PRM_VENV"
        if ! python3 -m venv "$PRM_VENV"; then
            rm -rf "$PRM_VENV"
            echo "python3 -m venv failed; on Debian/Ubuntu install it with:" >&2
            echo "    sudo apt-get install python3-venv" >&2
            return 1
        fi
    fi
    echo "==> Installing prm_addon[$extra] and its pinned dependencies"
    "$PRM_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -c "$PRM_ROOT/constraints.txt" -e "$PRM_ROOT[$extra]" || return 1
    echo "$hash" > "$stamp"
}

# Install the web client (sao) into .sao/package with its own node_modules:
# a plain `npm install tryton-sao` hoists the dependencies out of the
# package and index.html then misses them.
prm_sao() {
    local dir=$PRM_ROOT/.sao stamp=$PRM_ROOT/.sao/.installed-$PRM_SAO_VERSION
    if [ -f "$stamp" ] && [ -f "$PRM_SAO_ROOT/index.html" ] \
            && [ -d "$PRM_SAO_ROOT/node_modules" ]; then
        prm_sao_files
        return 0
    fi
    command -v npm >/dev/null || { echo "npm is missing (apt-get install npm)" >&2; return 1; }
    echo "==> Installing the web client tryton-sao $PRM_SAO_VERSION into $dir"
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    (cd "$dir" && npm pack --silent "tryton-sao@$PRM_SAO_VERSION" >/dev/null) \
        || return 1
    tar -xzf "$dir/tryton-sao-$PRM_SAO_VERSION.tgz" -C "$dir" || return 1
    (cd "$PRM_SAO_ROOT" && npm install --omit=dev --legacy-peer-deps \
        --no-audit --no-fund --loglevel=error >/dev/null) || return 1
    [ -f "$PRM_SAO_ROOT/index.html" ] || { echo "sao has no index.html" >&2; return 1; }
    prm_sao_files || return 1
    touch "$stamp"
}

# Install the Debian packages behind the given needs when they are missing:
# python3-venv always; "chromium" (browser tests), "npm" (the web client),
# "pango" (the PDF report), "postgresql" (server binaries). As root with
# apt-get it installs them; otherwise it says what to install and fails.
prm_system_packages() {
    local need missing=()
    # Debian splits ensurepip, which venv needs, into python3-venv
    python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
    for need in "$@"; do
        case "$need" in
            chromium) command -v chromium >/dev/null || missing+=(chromium) ;;
            npm) command -v npm >/dev/null || missing+=(nodejs npm) ;;
            pango) /sbin/ldconfig -p 2>/dev/null \
                    | grep -q 'libpangoft2-1\.0\.so\.0' \
                    || missing+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core) ;;
            postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
                    || missing+=(postgresql) ;;
        esac
    done
    [ ${#missing[@]} = 0 ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "missing system packages; install them with:" >&2
        echo "    sudo apt-get install ${missing[*]}" >&2
        return 1
    fi
    echo "==> apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# What this project adds to the web client, copied into its root on every
# call so that a change reaches an installed web client:
# - sao/locale/<lang>.json: sao 8.0.11's catalogues are incomplete (its
#   Finnish is empty); it reads locale/<lang>.json for the user's language;
# - sao/custom.js, which sao loads from its root: the user's language is
#   loaded before the login actions open their tabs.
prm_sao_files() {
    local file target
    for file in "$PRM_ROOT"/sao/locale/*.json "$PRM_ROOT"/sao/custom.js; do
        [ -f "$file" ] || continue
        target=$PRM_SAO_ROOT/${file#"$PRM_ROOT"/sao/}
        cmp -s "$file" "$target" || cp "$file" "$target" || return 1
    done
}
