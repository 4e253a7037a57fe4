"""Headless Emacs 28 with eglot 1.9 (Debian's `emacs-nox elpa-eglot`) and the README's eglot
setup: open a file of examples/, get RAY001 through flymake, apply the preferred quick fix with
`eglot-code-actions`, save; and the README's fix-all-on-save hook (source.fixAll.raylint).

The editor is driven by emacs/raylint-test.el; the README's Emacs Lisp blocks marked
`<!-- tested: ... -->` in README.md are loaded as an init file would load them, and its
.dir-locals.el block is written to the workspace. Fails when `emacs` or eglot is missing (set
RAYLINT_SKIP_EDITORS=1 to skip)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from editor_support import (
    HERE,
    PREFERRED,
    QUICK_FIX_CASES,
    SUPPRESS,
    WAIT_S,
    check_fix_all_on_disk,
    check_quick_fix_on_disk,
    findings,
    require_editor,
    run_editor,
    sandbox,
    snippet,
    write_snippets,
)

PACKAGES = "emacs-nox elpa-eglot"
SCRIPT = HERE / "emacs" / "raylint-test.el"
ELPA = Path("/usr/share/emacs/site-lisp/elpa")


@pytest.fixture(scope="module")
def emacs() -> str:
    path = require_editor("emacs", PACKAGES)
    version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    found = re.search(r"GNU Emacs (\d+)", version)
    assert found and int(found[1]) >= 28, f"Emacs 28 or newer is needed:\n{version}"
    if not list(ELPA.glob("eglot-*/eglot.el")):
        pytest.fail(f"eglot is not installed in {ELPA}: apt-get install -y {PACKAGES}", pytrace=False)
    return path


def _run(emacs: str, tmp_path, box, file: str, mode: str, snippets: list[str], **extra: str):
    (box.workspace / ".dir-locals.el").write_text(snippet("eglot-dir-locals"), encoding="utf-8")
    log = tmp_path / "eglot-events.log"
    env = box.env(
        RAYLINT_FILE=str(box.workspace / file),
        RAYLINT_MODE=mode,
        RAYLINT_SNIPPETS=json.dumps(write_snippets(tmp_path / "snippets", snippets, ".el")),
        RAYLINT_WAIT_S=str(WAIT_S),
        RAYLINT_LOG=str(log),
        **extra,
    )
    command = [emacs, "-Q", "--batch", "-l", str(SCRIPT)]
    return run_editor(command, box, env, log, f"emacs {mode} {file}")


@pytest.mark.parametrize("case", QUICK_FIX_CASES, ids=lambda c: f"{c.file}:{c.line}")
def test_preferred_quick_fix(emacs, tmp_path, case) -> None:
    box = sandbox(tmp_path)
    before = findings(box, case.file)
    run = _run(emacs, tmp_path, box, case.file, "quickfix", ["eglot-server-programs"], RAYLINT_LINE=str(case.line))

    diagnostics = run.result["diagnostics"]
    target = [d for d in diagnostics if d["line"] == case.line]
    assert target and target[0]["code"] == "RAY001", diagnostics
    # .dir-locals.el's eglot-workspace-configuration sets severity "error"
    assert all(d["type"] == "eglot-error" for d in diagnostics), f"the settings did not arrive: {diagnostics}"
    assert len(diagnostics) == len(before)
    titles = [a["title"] for a in run.result["actions"]]
    assert titles[0] == PREFERRED and SUPPRESS in titles, titles
    assert [a["title"] for a in run.result["actions"] if a["isPreferred"] is True] == [PREFERRED]
    assert len(run.result["diagnostics_after"]) == len(before) - 1
    # the fix updates the callers in main.py, which is not open: eglot asked (answered y)
    prompts = run.result.get("prompts", [])
    assert len(prompts) == 1 and "Server wants to edit" in prompts[0] and "main.py" in prompts[0], prompts
    assert sorted(run.result["modified"]) == ["main.py"], run.result["modified"]

    check_quick_fix_on_disk(box, case, before)


def test_fix_all_on_save(emacs, tmp_path) -> None:
    box = sandbox(tmp_path)
    run = _run(emacs, tmp_path, box, "tasks.py", "fixall", ["eglot-server-programs", "eglot-fix-all-on-save"])

    assert len(run.result["diagnostics"]) >= 6
    assert run.result["diagnostics_after"] == []
    assert '"source.fixAll.raylint"' in run.log, "no source.fixAll.raylint request in eglot's events"
    assert run.result["modified"] == ["main.py"], "the callers in main.py were not updated in the editor"
    check_fix_all_on_disk(box, tmp_path, "tasks.py")
