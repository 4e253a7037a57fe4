"""Shared by the real-editor tests: a copy of examples/, the README's snippets, running an
editor headless under a hard timeout, and checking the files it saved."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
DOC = REPO / "README.md"
HERE = Path(__file__).resolve().parent

TIMEOUT_S = 60  # hard limit on one editor run, server included
WAIT_S = 20  # limit on each wait inside the editor (first diagnostics, the fix, ...)
LINGER_S = 10  # how long the server may outlive the editor (well under 1 s seen)

PREFERRED = "Return the value directly instead of a ray.put() ref"
SUPPRESS = "Suppress RAY001 on this line"


@dataclass(frozen=True)
class QuickFixCase:
    """The RAY001 finding on `line` of `file`, whose preferred fix makes each (file, line, old,
    new) of `edits`: the task itself and its call sites in main.py."""

    file: str
    line: int  # 1-based line of the diagnostic
    task: str
    edits: tuple[tuple[str, int, str, str | None], ...]  # (file, 1-based line, old text, new text or None: deleted)


QUICK_FIX_CASES = [
    QuickFixCase(
        "tasks.py", 22, "load",
        (
            ("tasks.py", 22, "    return ray.put(text)", "    return text"),
            ("main.py", 23, "        text = ray.get(ray.get(load.remote(doc_id)))  # return-value",
             "        text = ray.get(load.remote(doc_id))  # return-value"),
        ),
    ),
    # the fix removes the line that made the ref and returns the value (`ref = store(cleaned)`
    # then `return ref` becomes `return cleaned`)
    QuickFixCase(
        "tasks.py", 29, "clean",
        (
            ("tasks.py", 28, "    ref = store(cleaned)", None),
            ("tasks.py", 29, "    return ref", "    return cleaned"),
            ("main.py", 24, "        cleaned = ray.get(ray.get(clean.remote(text)))  # return-value",
             "        cleaned = ray.get(clean.remote(text))  # return-value"),
        ),
    ),
    QuickFixCase(
        "actors.py", 24, "WordCounter.top",
        (
            ("actors.py", 24, "        return ray.put(ranked[:n])", "        return ranked[:n]"),
            ("main.py", 32, '    print("top words:", ray.get(ray.get(counter.top.remote(3))))  # return-value',
             '    print("top words:", ray.get(counter.top.remote(3)))  # return-value'),
        ),
    ),
]


def require_editor(binary: str, packages: str) -> str:
    """The editor's path; fails when it is missing. RAYLINT_SKIP_EDITORS=1 skips the tests."""
    if os.environ.get("RAYLINT_SKIP_EDITORS") == "1":
        pytest.skip("RAYLINT_SKIP_EDITORS=1")
    path = shutil.which(binary)
    if path:
        return path
    message = f"`{binary}` is not installed: apt-get install -y {packages}"
    pytest.fail(f"{message}\n(or set RAYLINT_SKIP_EDITORS=1 to skip the real-editor tests)", pytrace=False)


def snippet(name: str) -> str:
    """The code block that follows `<!-- tested: NAME -->` in README.md."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^<!-- tested: {re.escape(name)} -->\n```\w*\n(.*?)^```$", text, re.M | re.S)
    assert match, f"no code block marked `<!-- tested: {name} -->` in {DOC}"
    return match.group(1)


def write_snippets(folder: Path, names: list[str], suffix: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        path = folder / f"{name}{suffix}"
        path.write_text(snippet(name), encoding="utf-8")
        paths.append(str(path))
    return paths


@dataclass
class Sandbox:
    root: Path  # the test's tmp_path
    workspace: Path  # the copy of examples/, the editor's working directory
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NVIM", "VIM", "MYVIMRC", "EMACS", "XDG_"))}
        for name in ("EXINIT", "LISPDIR", "EMACSLOADPATH", "EMACSDATA", "EMACSPATH", "EMACSDOC"):
            env.pop(name, None)
        xdg = self.root / "xdg"
        runtime = xdg / "runtime"
        runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(xdg / "config"),
            XDG_DATA_HOME=str(xdg / "data"),
            XDG_STATE_HOME=str(xdg / "state"),
            XDG_CACHE_HOME=str(xdg / "cache"),
            XDG_RUNTIME_DIR=str(runtime),
            RAYLINT_PYTHON=sys.executable,  # the server runs as `sys.executable -m raylint server`
            RAYLINT_RESULT=str(self.root / "result.json"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(extra)
        return env

    def text(self, name: str) -> str:
        return (self.workspace / name).read_text(encoding="utf-8")


def sandbox(tmp_path: Path) -> Sandbox:
    """examples/ copied to the test's own folder (the repository's copy is never touched)."""
    workspace = tmp_path / "examples"
    shutil.copytree(EXAMPLES, workspace, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    home = tmp_path / "home"
    home.mkdir()
    return Sandbox(tmp_path, workspace, home)


@dataclass
class Run:
    returncode: int
    output: str
    result: dict
    seconds: float
    log: str


def _group_alive(pgid: int) -> bool:
    """Whether a live (not zombie) process is left in the group: the editor's orphaned server
    may stay a zombie for a while when nothing reaps orphans (as in some containers)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def run_editor(command: list[str], box: Sandbox, env: dict[str, str], log: Path, what: str) -> Run:
    """Run the editor headless in its own process group (the server is its child) with a hard
    timeout; kill whatever of the group is left. Fails with the editor's output and log."""
    result_file = Path(env["RAYLINT_RESULT"])
    result_file.unlink(missing_ok=True)
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=box.workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    timed_out = False
    try:
        output, _ = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    finally:
        seconds = time.monotonic() - started
        # the editor is gone; its server should follow once its stdin closes
        deadline = time.monotonic() + LINGER_S
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        lingering = _group_alive(process.pid)
        linger_s = time.monotonic() - started - seconds
        if os.environ.get("RAYLINT_EDITOR_TIMES"):  # for looking into slow runs
            print(f"\n{what}: editor {seconds:.2f} s, server gone {linger_s:.2f} s later", file=sys.stderr)
        if lingering:
            os.killpg(process.pid, signal.SIGKILL)
    text = output.decode("utf-8", "replace")
    log_text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else f"(no log at {log})"
    result = {}
    if result_file.exists():
        result = json.loads(result_file.read_text(encoding="utf-8"))

    def details() -> str:
        return (
            f"\n--- editor output ---\n{_tail(text)}\n--- result ---\n{json.dumps(result, indent=1)[-6000:]}"
            f"\n--- log {log} (tail) ---\n{_tail(log_text, 60)}"
        )

    if timed_out:
        pytest.fail(f"{what}: the editor did not finish within {TIMEOUT_S} s (killed){details()}", pytrace=False)
    if process.returncode != 0 or not result.get("ok"):
        pytest.fail(
            f"{what}: the editor exited with {process.returncode}: {result.get('error') or '(no error recorded)'}"
            f"{details()}",
            pytrace=False,
        )
    assert not lingering, f"{what}: the language server was still running {LINGER_S} s after the editor exited{details()}"
    return Run(process.returncode, text, result, seconds, log_text)


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:]) if text.strip() else "(empty)"


def findings(box: Sandbox, name: str) -> list[dict]:
    """`raylint check` on one file of the workspace, as the CLI reports it."""
    check = subprocess.run(
        [sys.executable, "-m", "raylint", "check", name, "--format", "json"],
        cwd=box.workspace,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert check.stdout.strip(), f"raylint check printed nothing (exit {check.returncode}):\n{check.stderr}"
    return json.loads(check.stdout)["findings"]


def expected_fix_all(tmp_path: Path, name: str) -> dict[str, str]:
    """What `raylint check --fix NAME` makes of the workspace (NAME and its callers), in a copy."""
    copy = tmp_path / "expected"
    shutil.copytree(EXAMPLES, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    fix = subprocess.run(
        [sys.executable, "-m", "raylint", "check", "--fix", "--quiet", name],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert fix.returncode == 0, f"raylint check --fix failed ({fix.returncode}):\n{fix.stdout}{fix.stderr}"
    return {p.name: p.read_text(encoding="utf-8") for p in copy.glob("*.py")}


def check_quick_fix_on_disk(box: Sandbox, case: QuickFixCase, before: list[dict]) -> None:
    """Every file of the workspace is the original with exactly the fix's lines changed (the
    task's and its callers'), the changed files parse, and `raylint check` reports every
    finding it did before except the fixed one."""
    expected = {p.name: p.read_text(encoding="utf-8").splitlines(keepends=True) for p in EXAMPLES.glob("*.py")}
    # (a new text of None: the line is deleted; edits apply from the bottom up)
    for name, line, old, new in sorted(case.edits, key=lambda e: (e[0], -e[1])):
        assert expected[name][line - 1] == old + "\n", f"examples/{name}:{line} changed: update the test case"
        if new is None:
            del expected[name][line - 1]
        else:
            expected[name][line - 1] = new + "\n"
    for name, lines in sorted(expected.items()):
        saved = box.text(name)
        for file, line, _, new in case.edits:
            if file == name and new is not None:
                deleted_above = sum(1 for f, l, _, n in case.edits if f == name and n is None and l < line)
                assert saved.splitlines()[line - 1 - deleted_above] == new, f"{name}:{line}"
        assert saved == "".join(lines), f"{name} on disk differs from the original by more than the fix"
        ast.parse(saved, filename=name)
    after = findings(box, case.file)
    assert case.task in [f["task"] for f in before], f"`raylint check` did not report {case.task} before: {before}"
    assert case.task not in [f["task"] for f in after], f"`raylint check` still reports {case.task}: {after}"
    assert len(after) == len(before) - 1, f"the other findings changed: {after}"


def check_fix_all_on_disk(box: Sandbox, tmp_path: Path, name: str) -> None:
    """Every file is what `raylint check --fix NAME` makes of it; NAME has no finding left."""
    expected = expected_fix_all(tmp_path, name)
    changed = sorted(n for n, text in expected.items() if text != (EXAMPLES / n).read_text(encoding="utf-8"))
    assert name in changed, "raylint check --fix changed nothing"
    for file, text in sorted(expected.items()):
        assert box.text(file) == text, f"{file} on disk is not what `raylint check --fix {name}` makes of it"
        ast.parse(box.text(file), filename=file)
    saved = box.text(name)
    # spot checks, so that the comparison above cannot pass vacuously
    assert "    return text\n" in saved and "@r.remote(num_cpus=1, num_returns=2)\n" in saved
    assert "        yield words[start : start + size]\n" in saved
    assert findings(box, name) == [], "`raylint check` still reports problems in the saved file"
