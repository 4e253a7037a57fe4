"""Headless Neovim 0.7.2 (Debian's `neovim`) with the README's client setup: open a file of
examples/, get RAY001, apply the preferred quick fix through vim.lsp.buf.code_action(), save;
and the README's fix-all-on-save (source.fixAll.raylint, resolved with codeAction/resolve).

The editor is driven by nvim/raylint_test.lua; the README's Lua blocks marked
`<!-- tested: ... -->` in README.md are sourced as an init.lua would source them.
Fails when `nvim` is missing (set RAYLINT_SKIP_EDITORS=1 to skip)."""

from __future__ import annotations

import json
import re
import subprocess

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
    write_snippets,
)

PACKAGES = "neovim"
SCRIPT = HERE / "nvim" / "raylint_test.lua"
ERROR = 1  # LSP DiagnosticSeverity: the README's 0.7 snippet sets severity "error"


@pytest.fixture(scope="module")
def nvim() -> str:
    path = require_editor("nvim", PACKAGES)
    version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    found = re.search(r"NVIM v(\d+)\.(\d+)", version)
    assert found and (int(found[1]), int(found[2])) >= (0, 7), f"Neovim 0.7 or newer is needed:\n{version}"
    return path


def _run(nvim: str, tmp_path, box, file: str, mode: str, snippets: list[str], **extra: str):
    env = box.env(
        RAYLINT_MODE=mode,
        RAYLINT_SNIPPETS=json.dumps(write_snippets(tmp_path / "snippets", snippets, ".lua")),
        RAYLINT_WAIT_MS=str(WAIT_S * 1000),
        **extra,
    )
    command = [nvim, "--headless", "-n", "-i", "NONE", "--noplugin", "-u", str(SCRIPT), file]
    log = tmp_path / "xdg" / "cache" / "nvim" / "lsp.log"
    return run_editor(command, box, env, log, f"nvim {mode} {file}")


@pytest.mark.parametrize("case", QUICK_FIX_CASES, ids=lambda c: f"{c.file}:{c.line}")
def test_preferred_quick_fix(nvim, tmp_path, case) -> None:
    box = sandbox(tmp_path)
    before = findings(box, case.file)
    run = _run(nvim, tmp_path, box, case.file, "quickfix", ["nvim-0.7"], RAYLINT_LINE=str(case.line))

    diagnostics = run.result["diagnostics"]
    target = [d for d in diagnostics if d["line"] == case.line]
    assert target and target[0]["code"] == "RAY001" and target[0]["source"] == "raylint", diagnostics
    assert all(d["severity"] == ERROR for d in diagnostics), f"the snippet's settings did not arrive: {diagnostics}"
    assert len(diagnostics) == len(before)
    titles = [a["title"] for a in run.result["actions"]]
    assert titles[0] == PREFERRED and SUPPRESS in titles, titles
    assert [a["title"] for a in run.result["actions"] if a["isPreferred"]] == [PREFERRED]
    assert run.result["picked"] == PREFERRED
    assert len(run.result["diagnostics_after"]) == len(before) - 1
    # the fix updated the callers in main.py: Neovim opened and changed it, and :wall saved it
    assert sorted(run.result["modified"]) == sorted({case.file, "main.py"}), run.result["modified"]

    check_quick_fix_on_disk(box, case, before)


def test_fix_all_on_save(nvim, tmp_path) -> None:
    box = sandbox(tmp_path)
    before = findings(box, "tasks.py")
    run = _run(nvim, tmp_path, box, "tasks.py", "fixall", ["nvim-0.7", "nvim-fix-all-on-save"])

    assert len(run.result["diagnostics"]) == len(before) >= 6
    assert run.result["resolve_provider"] is True
    # Neovim announces codeAction/resolve: the edit must have come from a resolve request
    assert '"codeAction/resolve"' in run.log, "no codeAction/resolve request in the LSP log"
    assert run.result["diagnostics_after"] == []
    assert run.result["modified"] == ["main.py"], "the callers in main.py were not updated in the editor"
    check_fix_all_on_disk(box, tmp_path, "tasks.py")
