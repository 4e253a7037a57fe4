"""`library = true` / `--library`: the tasks are also called from outside the workspace, so no
fix that changes what callers get is applied by `--fix` (only with `--unsafe-fixes`)."""

from __future__ import annotations

import json

import pytest

from cli_support import FLAGGED

CALLER = "import ray\n\nfrom jobs import load\n\nprint(ray.get(ray.get(load.remote(1))))\n"


@pytest.fixture
def library(project):
    project.write("jobs.py", FLAGGED)
    project.write("main.py", CALLER)
    return project


def test_without_library_the_fix_is_safe_and_applied(library):
    result = library.run("check", "--fix", ".")
    assert result.code == 0, result.out
    assert "return x\n" in (library.root / "jobs.py").read_text()
    assert "print(ray.get(load.remote(1)))" in (library.root / "main.py").read_text()


@pytest.mark.parametrize("how", ["flag", "pyproject"])
def test_library_makes_caller_changing_fixes_unsafe(library, how):
    args = ["--library"] if how == "flag" else []
    if how == "pyproject":
        library.write("pyproject.toml", "[tool.raylint]\nlibrary = true\n")
    result = library.run("check", "--fix", ".", *args)
    assert result.code == 1
    assert (library.root / "jobs.py").read_text() == FLAGGED
    assert (library.root / "main.py").read_text() == CALLER
    assert "[unsafe: the project is a library (`library = true`)" in result.out

    data = json.loads(library.run("check", "--format", "json", ".", *args).out)
    (fix,) = data["findings"][0]["fixes"]
    assert fix["applicability"] == "unsafe" and "library" in fix["unsafe_reason"]

    unsafe = library.run("check", "--fix", "--unsafe-fixes", ".", *args)
    assert unsafe.code == 0, unsafe.out
    assert "return x\n" in (library.root / "jobs.py").read_text()
    assert "print(ray.get(load.remote(1)))" in (library.root / "main.py").read_text()


def test_library_must_be_true_or_false(library):
    library.write("pyproject.toml", '[tool.raylint]\nlibrary = "yes"\n')
    result = library.run("check", ".")
    assert result.code == 2
    assert "`library` must be true or false, not 'yes'" in result.out
