"""Issue 9: hostile folders and paths. Each problem is one clear error line, the run goes
on over the other files, and the exit code is 2 (an error), never a traceback (which read
as exit 1, "findings") nor a hang. Runs are subprocesses with a timeout."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

FLAGGED = "import ray\n\n\n@ray.remote\ndef load(x):\n    return ray.put(x)\n"
TIMEOUT = 60


def _run(folder, *args):
    done = subprocess.run(
        [sys.executable, "-m", "raylint", "check", *args],
        cwd=folder, capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr[-3000:]
    return done


def _project(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "tasks.py").write_text(FLAGGED)
    return tmp_path


def _errors(done) -> list[str]:
    return [line for line in (done.stdout + done.stderr).splitlines() if ": error: " in line]


def _still_checked(done):
    assert "pkg/tasks.py:6:12: RAY001" in done.stdout, done.stdout
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)


def test_symlink_loops_are_one_error_each_and_the_run_goes_on(tmp_path):
    root = _project(tmp_path)
    os.symlink("loop.py", root / "loop.py")  # a file that points at itself
    os.symlink("d2", root / "d1")
    os.symlink("d1", root / "d2")  # two folders pointing at each other
    os.symlink("..", root / "pkg" / "up")  # a folder pointing at its parent
    done = _run(root, ".")
    _still_checked(done)
    assert _errors(done) == ["loop.py: error: cannot read: Too many levels of symbolic links"]
    done = _run(root, "loop.py", "pkg")
    _still_checked(done)
    assert _errors(done) == ["loop.py: error: cannot read: Too many levels of symbolic links"]


@pytest.mark.parametrize(
    "how",
    ["--exclude", "pyproject", ".gitignore !", ".gitignore backslash"],
)
def test_an_invalid_gitignore_pattern_is_an_error_not_a_crash(tmp_path, how):
    root = _project(tmp_path)
    args = ["."]
    if how == "--exclude":
        args += ["--exclude", "!", "--exclude", "generated/"]
    elif how == "pyproject":
        (root / "pyproject.toml").write_text('[tool.raylint]\nexclude = ["!", "generated/"]\n')
    else:
        (root / ".gitignore").write_text("generated/\n" + ("!\n" if how.endswith("!") else "\\\n"))
    (root / "generated").mkdir()
    (root / "generated" / "out.py").write_text(FLAGGED)
    done = _run(root, *args)
    _still_checked(done)
    (error,) = _errors(done)
    assert "invalid pattern" in error
    assert "generated/out.py" not in done.stdout  # the valid patterns still apply


def test_an_invalid_exclude_pattern_fixes_nothing(tmp_path):
    """What it was meant to keep from being rewritten is unknown: as with a broken config."""
    root = _project(tmp_path)
    done = _run(root, ".", "--fix", "--exclude", "!")
    assert done.returncode == 2 and "fixed nothing" in done.stdout + done.stderr
    assert (root / "pkg" / "tasks.py").read_text() == FLAGGED


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifos_and_devices_are_never_opened(tmp_path):
    root = _project(tmp_path)
    (root / "walked").mkdir()
    os.mkfifo(root / "walked" / "pipe.py")  # found by the walk
    os.mkfifo(root / "named.py")  # given explicitly
    done = _run(root, "pkg", "walked", "named.py", "/dev/zero")
    _still_checked(done)
    assert sorted(_errors(done)) == [
        "/dev/zero: error: not a regular file (a FIFO, socket or device), skipped",
        "named.py: error: not a regular file (a FIFO, socket or device), skipped",
        "walked/pipe.py: error: not a regular file (a FIFO, socket or device), skipped",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_gitignore_does_not_hang_the_run(tmp_path):
    root = _project(tmp_path)
    os.mkfifo(root / "pkg" / ".gitignore")
    done = _run(root, ".")
    _still_checked(done)
    assert _errors(done) == ["pkg/.gitignore: error: not a regular file (a FIFO, socket or device), ignored"]


def test_a_huge_file_is_skipped_with_an_error(tmp_path):
    root = _project(tmp_path)
    (root / "huge.py").write_text("x = 1\n" * (2 * 1024 * 1024))  # 12 MiB
    done = _run(root, ".")
    _still_checked(done)
    (error,) = _errors(done)
    assert error.startswith("huge.py: error: larger than 10 MiB")


def test_a_file_name_with_control_characters_is_one_line_of_output(tmp_path):
    """A newline (or tab, escape) in a file name split its finding over two lines of text
    output; each finding and error is one line, the character written as its escape."""
    (tmp_path / "we ird\nname.py").write_text(FLAGGED)
    (tmp_path / "tab\there.py").write_bytes(b"x = '\xff'\n")  # (not UTF-8: an error line)
    done = _run(tmp_path, ".")
    lines = done.stdout.splitlines()
    assert "we ird\\nname.py:6:12: RAY001 Task `load` returns an ObjectRef made by ray.put(); return the value itself" in lines
    assert any(line.startswith("tab\\there.py: error: ") for line in lines), done.stdout
