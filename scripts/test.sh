#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine: installs what it needs, then runs it.
#   Debian: neovim, emacs-nox, elpa-eglot (real-editor tests); python3-venv if `python3 -m venv`
#           cannot work; chromium, libkrb5-dev, pkg-config (VS Code end-to-end test, through
#           the extension's own script). Installing these needs root (sudo is used if you are
#           not root); nothing else does.
#   PyPI:   raylint (editable) with its test extras (pytest, pytest-lsp, hypothesis, ray, ...),
#           into a virtual environment, .venv (RAYLINT_VENV to put it elsewhere), created with
#           python3 (PYTHON to choose another). Debian's python3 refuses pip installs outside a
#           virtual environment (PEP 668, externally-managed-environment): nothing is ever
#           installed into the interpreter itself. The tests run on the venv's python, so the
#           servers and CLIs they start (`sys.executable -m raylint`) find raylint there.
#   npm:    the extension's dependencies; Node 24, code-server and playwright-core in a cache
#           folder outside the repo
# Arguments go to pytest (for example: bash scripts/test.sh tests/core -x), which runs on every
# core (RAYLINT_TEST_WORKERS=N for N workers).
# RAYLINT_SETUP_ONLY=1: only make the virtual environment and install raylint into it, with the
# extras in RAYLINT_EXTRAS (default: test), then print its python (what tests/setup runs).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${RAYLINT_VENV:-.venv}"
case "$VENV" in /*) ;; *) VENV="$PWD/$VENV" ;; esac

venv_works() {  # can this interpreter make a virtual environment with pip in it?
  "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1
}

SETUP_ONLY="${RAYLINT_SETUP_ONLY:-}"
EXTRAS="${RAYLINT_EXTRAS-test}"

missing=()
if [ "$SETUP_ONLY" != 1 ]; then
  for package in neovim emacs-nox elpa-eglot; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
fi
if ! venv_works; then
  # Debian splits venv's pip bootstrap (ensurepip) out of python3: python3-venv brings it
  missing+=("python3-venv")
fi
if ((${#missing[@]})); then
  echo "== installing Debian packages (needs root): ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

in_venv() {  # is $VENV a working virtual environment (not the interpreter itself)?
  [ -x "$VENV/bin/python" ] &&
    "$VENV/bin/python" -c "import sys, pip; sys.exit(sys.prefix == sys.base_prefix)" >/dev/null 2>&1
}
if ! in_venv; then
  echo "== creating the virtual environment $VENV (with $PYTHON)" >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"  # (no --system-site-packages: it holds everything the tests need)
fi
export VIRTUAL_ENV="$VENV"
export PATH="$VENV/bin:$PATH"  # `python3`, `python` and `pip` from here on are the venv's
hash -r

echo "== installing raylint and its test dependencies into $VENV" >&2
python3 -m pip install -q --disable-pip-version-check -e ".${EXTRAS:+[$EXTRAS]}" >&2
if [ "$SETUP_ONLY" = 1 ]; then
  command -v python3
  exit 0
fi

echo "== VS Code extension: end-to-end dependencies, unit tests"
bash vscode-extension/scripts/install-e2e-deps.sh >/dev/null
(cd vscode-extension && npm ci --no-audit --no-fund --loglevel=error && npm test)

echo "== benchmarks still run (quick mode; the numbers come from full runs)"
python3 benchmarks/run_all.py --quick

echo "== pytest"
# On every core (pytest-xdist; RAYLINT_TEST_WORKERS to choose how many, 0 for none), each test
# module on one worker: what a module shares (its LSP servers, a Ray cluster's program runs)
# is set up once; modules are handed out in the order tests/conftest.py gives (longest first:
# xdist's own reorder, by number of tests, would leave a long one-test module for last).
# Arguments after these win (`-n 0`).
python3 -m pytest -n "${RAYLINT_TEST_WORKERS:-auto}" --dist loadscope --no-loadscope-reorder "$@"
