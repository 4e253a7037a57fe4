"""Issue 9, data safety: how `raylint check --fix` writes.

Never outside the workspace (symlinks resolved); atomically (temporary file beside the original,
fsync, mode bits kept, renamed over); only over the text that was analysed; every file of a fix
or none; and each problem is one error line, exit 2, with the rest of the run going on.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from cli_support import FLAGGED, without_root_powers
from security_support import CALLER, TASK, no_leftovers

FIXED = FLAGGED.replace("return ray.put(x)", "return x")


def error_lines(result) -> list[str]:
    return [line for line in result.out.splitlines() if ": error: " in line]


# -- outside the tree ---------------------------------------------------------------------------


def test_a_symlink_to_a_file_outside_the_workspace_is_not_written(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.py"
    victim.write_text(FLAGGED)
    (project.root / "innocent.py").symlink_to(victim)
    project.write("own.py", FLAGGED)
    result = project.run("check", "--fix", ".")
    assert victim.read_text() == FLAGGED, "raylint wrote outside the workspace"
    assert (project.root / "own.py").read_text() == FIXED  # the rest of the run went on
    assert result.code == 2
    [error] = error_lines(result)
    assert error.startswith("innocent.py: error: refused to write outside the workspace") and str(victim) in error
    assert "RAY001" in result.out  # it was still checked, and its finding stays
    assert no_leftovers(elsewhere)


def test_a_caller_reached_through_a_link_to_outside_refuses_the_whole_fix(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a_caller.py").write_text(CALLER)
    (project.root / "a_caller.py").symlink_to(elsewhere / "a_caller.py")
    project.write("z_task.py", TASK)
    result = project.run("check", "--fix", ".")
    assert (elsewhere / "a_caller.py").read_text() == CALLER
    assert (project.root / "z_task.py").read_text() == TASK  # the task without its caller: not written
    assert result.code == 2 and "z_task.py" in error_lines(result)[0]


def test_a_symlink_inside_the_workspace_is_followed_and_kept(project):
    project.write("real/jobs.py", FLAGGED)
    (project.root / "link.py").symlink_to(project.root / "real/jobs.py")
    result = project.run("check", "--fix", "link.py")
    assert result.code == 0, result
    assert (project.root / "link.py").is_symlink()
    assert (project.root / "real/jobs.py").read_text() == FIXED


def test_two_names_of_one_file_in_the_workspace_are_fixed_once(project):
    project.write("jobs.py", FLAGGED)
    (project.root / "alias.py").symlink_to("jobs.py")
    result = project.run("check", "--fix", ".")
    assert result.code == 0, result
    assert (project.root / "alias.py").is_symlink() and (project.root / "jobs.py").read_text() == FIXED


def test_fixed_files_keep_their_owner_when_root_fixes_them(project):
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    path = project.write("jobs.py", FLAGGED)
    os.chown(path, 12345, 23456)
    assert project.run("check", "--fix", ".").code == 0
    assert path.read_text() == FIXED and (path.stat().st_uid, path.stat().st_gid) == (12345, 23456)


# -- atomic writes ------------------------------------------------------------------------------


def test_a_write_cut_short_leaves_the_original_intact(project):
    # RLIMIT_FSIZE: writing more than 4 KB fails (EFBIG), as a full disk would
    padding = "".join(f"# line {i} of padding, to make the file larger than the limit\n" for i in range(200))
    original = FLAGGED.replace("return ray.put(x)", "return ray.put(x)  # the fixed line") + padding
    path = project.write("big.py", original)
    mode = 0o640
    path.chmod(mode)
    result = project.run("check", "--fix", "big.py", wrapper=["prlimit", "--fsize=4096", "--"])
    assert path.read_text() == original, "a failed write damaged the file"
    assert result.code == 2
    [error] = error_lines(result)
    assert error.startswith("big.py: error: cannot write: File too large"), error
    assert no_leftovers(project.root)
    # and without the limit, the fix is written, with the file's mode bits
    result = project.run("check", "--fix", "big.py")
    assert result.code == 0 and path.read_text() == original.replace("ray.put(x)", "x")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert no_leftovers(project.root)


def test_fixed_files_keep_their_mode_bits(project):
    path = project.write("tool.py", FLAGGED)
    path.chmod(0o751)
    assert project.run("check", "--fix", ".").code == 0
    assert path.read_text() == FIXED and stat.S_IMODE(path.stat().st_mode) == 0o751


# -- read-only files and all-or-nothing fixes ----------------------------------------------------


def test_a_fix_is_written_in_all_its_files_or_in_none(project):
    wrapper = without_root_powers()
    if wrapper is None:
        pytest.skip("running as root without setpriv: permissions do not bind")
    project.write("a_caller.py", CALLER)  # written first, in name order
    task = project.write("z_task.py", TASK)
    task.chmod(0o444)
    try:
        result = project.run("check", "--fix", ".", wrapper=wrapper)
    finally:
        task.chmod(0o644)
    assert task.read_text() == TASK
    assert (project.root / "a_caller.py").read_text() == CALLER, "the caller was rewritten without its task"
    assert result.code == 2
    [error] = error_lines(result)
    assert error.startswith("z_task.py: error: cannot write: the file is read-only, not fixed")
    assert "a_caller.py" in error  # the line says which other file was left alone
    assert no_leftovers(project.root)


def test_a_fix_in_a_read_only_folder_is_not_written(project):
    wrapper = without_root_powers()
    if wrapper is None:
        pytest.skip("running as root without setpriv: permissions do not bind")
    project.write("a_caller.py", CALLER)
    project.write("locked/z_task.py", TASK)
    project.write("locked/__init__.py", "")
    project.write("a_caller.py", CALLER.replace("from z_task", "from locked.z_task"))
    (project.root / "locked").chmod(0o555)
    try:
        result = project.run("check", "--fix", ".", wrapper=wrapper)
    finally:
        (project.root / "locked").chmod(0o755)
    assert (project.root / "locked/z_task.py").read_text() == TASK
    assert "from locked.z_task import load" in (project.root / "a_caller.py").read_text()
    assert "ray.get(ray.get(" in (project.root / "a_caller.py").read_text()
    assert result.code == 2 and len(error_lines(result)) == 1


def test_independent_fixes_are_written_when_another_fails(project):
    wrapper = without_root_powers()
    if wrapper is None:
        pytest.skip("running as root without setpriv: permissions do not bind")
    locked = project.write("locked.py", FLAGGED)
    locked.chmod(0o444)
    project.write("open.py", FLAGGED)
    try:
        result = project.run("check", "--fix", ".", wrapper=wrapper)
    finally:
        locked.chmod(0o644)
    assert locked.read_text() == FLAGGED and (project.root / "open.py").read_text() == FIXED
    assert result.code == 2
    assert "locked.py:6:12: RAY001" in result.out  # still there, and still reported
    assert "open.py:" not in result.out.replace("open.py: error", "")


# -- the file changed while raylint ran; internal errors -------------------------------------------


def _run_in_process(monkeypatch, capsys, cwd: Path, argv: list[str]) -> tuple[int, str]:
    from raylint import cli

    monkeypatch.chdir(cwd)
    code = cli.main(argv)
    return code, capsys.readouterr().out


def test_a_file_edited_while_fixing_is_not_overwritten(project, monkeypatch, capsys):
    from raylint import cli

    path = project.write("jobs.py", FLAGGED)
    project.write("other.py", FLAGGED)
    real_fix_workspace = cli.fix_workspace

    def fix_then_edit(*args, **kwargs):
        result = real_fix_workspace(*args, **kwargs)
        with open(path, "a") as handle:  # the user saves the file while raylint works
            handle.write("# typed meanwhile\n")
        return result

    monkeypatch.setattr(cli, "fix_workspace", fix_then_edit)
    code, out = _run_in_process(monkeypatch, capsys, project.root, ["check", "--fix", "."])
    assert path.read_text() == FLAGGED + "# typed meanwhile\n"
    assert (project.root / "other.py").read_text() == FIXED
    assert code == 2
    assert [line for line in out.splitlines() if ": error: " in line] == [
        "jobs.py: error: changed on disk while raylint was running, skipped, not fixed"
    ]


def test_an_internal_error_costs_only_its_file(project, monkeypatch, capsys):
    from raylint import cli

    project.write("bad.py", FLAGGED)
    project.write("good.py", FLAGGED)
    real_fix_workspace = cli.fix_workspace

    def failing_on_bad(paths, *args, **kwargs):
        if any(p.endswith("bad.py") for p in paths):
            raise RuntimeError("boom")
        return real_fix_workspace(paths, *args, **kwargs)

    monkeypatch.setattr(cli, "fix_workspace", failing_on_bad)
    code, out = _run_in_process(monkeypatch, capsys, project.root, ["check", "--fix", "."])
    assert (project.root / "good.py").read_text() == FIXED
    assert (project.root / "bad.py").read_text() == FLAGGED
    assert code == 2
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert errors == ["bad.py: error: internal error: RuntimeError: boom, not fixed"]
    assert "bad.py:6:12: RAY001" in out  # its finding is still reported


def test_an_internal_error_outside_the_files_is_one_line_and_exit_2(project, monkeypatch, capsys):
    from raylint import cli

    project.write("jobs.py", FLAGGED)
    monkeypatch.setattr(cli, "Report", None)  # anything that breaks the run as a whole
    monkeypatch.chdir(project.root)
    code = cli.main(["check", "."])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("raylint: error: internal error: TypeError") and len(err.splitlines()) == 1
