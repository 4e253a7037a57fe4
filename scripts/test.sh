#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine: installs what it needs, then runs it.
#   Debian: neovim, emacs-nox, elpa-eglot (real-editor tests); chromium, libkrb5-dev,
#           pkg-config (VS Code end-to-end test, through the extension's own script)
#   PyPI:   raylint with its test extras (pytest, pytest-lsp, hypothesis, ray, ...)
#   npm:    the extension's dependencies; Node 24, code-server and playwright-core in a cache
#           folder outside the repo
# Arguments go to pytest (for example: bash scripts/test.sh tests/core -x).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for package in neovim emacs-nox elpa-eglot; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "== installing raylint and its test dependencies"
python3 -m pip install -q --disable-pip-version-check -e '.[test]'

echo "== VS Code extension: end-to-end dependencies, unit tests"
bash vscode-extension/scripts/install-e2e-deps.sh >/dev/null
(cd vscode-extension && npm ci --no-audit --no-fund --loglevel=error && npm test)

echo "== benchmarks still run (quick mode; the numbers come from full runs)"
python3 benchmarks/run_all.py --quick

echo "== pytest"
python3 -m pytest "$@"
