"""The VS Code extension end to end: packaged as a .vsix, installed into a fresh code-server,
driven in headless Chromium (squiggle, Problems, Ctrl+. menu, quick fix on disk, fix-all on save,
examples/, a notebook, no usable Python): one code-server, a window per scenario.

Needs `bash vscode-extension/scripts/install-e2e-deps.sh` and `npm ci` in vscode-extension first;
fails (does not skip) when they are missing. Set RAYLINT_SKIP_VSCODE_E2E=1 to skip on purpose.
The runner's own output (and, on failure, a screenshot and logs in vscode-extension/test-results)
says what went wrong.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "vscode-extension"
TIMEOUT_S = 600


def _tail(text: str, lines: int = 80) -> str:
    return "\n".join(text.splitlines()[-lines:])


@pytest.mark.skipif(os.environ.get("RAYLINT_SKIP_VSCODE_E2E") == "1", reason="RAYLINT_SKIP_VSCODE_E2E=1")
def test_vscode_extension_end_to_end() -> None:
    node = shutil.which("node")
    assert node, "node is not on PATH; the VS Code end-to-end test needs Node.js (20 or newer)"
    check = subprocess.run(
        ["bash", str(EXTENSION / "scripts" / "install-e2e-deps.sh"), "--check"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, (
        f"{check.stderr.strip()}\nInstall them with: bash vscode-extension/scripts/install-e2e-deps.sh"
    )
    assert (EXTENSION / "node_modules" / ".bin" / "vsce").exists(), (
        "vscode-extension/node_modules is missing: run `cd vscode-extension && npm ci`"
    )

    try:
        run = subprocess.run(
            [node, str(EXTENSION / "test" / "e2e" / "run.mjs")],
            cwd=EXTENSION,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as error:
        out = error.stdout.decode() if isinstance(error.stdout, bytes) else (error.stdout or "")
        pytest.fail(f"the end-to-end run took over {TIMEOUT_S} s:\n{_tail(out)}")

    output = run.stdout + run.stderr
    summary = re.findall(r"^(\d+) passed, (\d+) failed$", run.stdout, flags=re.MULTILINE)
    assert run.returncode == 0, f"end-to-end run failed (exit {run.returncode}):\n{_tail(output, 150)}"
    assert summary, f"no summary line in the end-to-end output:\n{_tail(output)}"
    passed, failed = map(int, summary[-1])
    assert failed == 0 and passed >= 6, f"{passed} passed, {failed} failed:\n{_tail(output)}"
