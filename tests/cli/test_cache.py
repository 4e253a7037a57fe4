"""The result cache: a second run gives the same output without analysing files again, and
anything a file's findings depend on invalidates its entry (its text, a module it imports,
a module that appears, the rules, raylint's version). A cache shipped with a project is not
believed, and never makes raylint write outside the project."""

from __future__ import annotations

import io
import json
import os
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from raylint import cli
from raylint.core import analyze_module as real_analyze_module

TASK = "import ray\nfrom helpers import store\n\n\n@ray.remote\ndef f(x):\n    return store(x)\n"
REEXPORT = "from ray import put as store\n"
PLAIN = "def store(x):\n    return x\n"


@pytest.fixture
def run(tmp_path, monkeypatch):
    """`raylint check ...` in-process in `tmp_path`: (exit code, output, files analysed)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path.parent / f"{tmp_path.name}-home"))
    analysed: list[str] = []

    def counting(text, path, *args, **kwargs):
        analysed.append(os.path.relpath(path))
        return real_analyze_module(text, path, *args, **kwargs)

    monkeypatch.setattr(cli, "analyze_module", counting)

    def go(*args: str):
        analysed.clear()
        out = io.StringIO()
        with redirect_stdout(out):
            code = cli.main(["check", "--format", "json", *args])
        return code, json.loads(out.getvalue())["findings"], sorted(analysed)

    return go


def write(root: Path, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)


def test_a_second_run_reads_the_cache_and_says_the_same(tmp_path, run):
    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", REEXPORT)
    write(tmp_path, "other.py", "x = 1\n")
    first = run(".")
    assert first[0] == 1 and [f["code"] for f in first[1]] == ["RAY001"]
    assert first[2] == ["helpers.py", "jobs.py", "other.py"]
    second = run(".")
    assert second[:2] == first[:2] and second[2] == []  # nothing analysed again
    assert (tmp_path / ".raylint_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_an_imported_module_that_changes_what_a_name_means_invalidates(tmp_path, run):
    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", REEXPORT)
    assert [f["code"] for f in run(".")[1]] == ["RAY001"]
    write(tmp_path, "helpers.py", PLAIN)  # `store` is no longer ray.put
    code, findings, analysed = run(".")
    assert findings == [] and "jobs.py" in analysed


def test_a_module_that_appears_invalidates_its_importers(tmp_path, run):
    write(tmp_path, "jobs.py", TASK)
    assert run(".")[1] == []  # `helpers` is nowhere: `store` is not Ray's
    write(tmp_path, "helpers.py", REEXPORT)
    assert [f["code"] for f in run(".")[1]] == ["RAY001"]


def test_a_re_export_two_modules_away_is_followed(tmp_path, run):
    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", "from deeper import store\n")
    write(tmp_path, "deeper.py", PLAIN)
    assert run(".")[1] == []
    write(tmp_path, "deeper.py", REEXPORT)
    assert [f["code"] for f in run(".")[1]] == ["RAY001"]


def test_other_rules_or_options_are_another_entry(tmp_path, run):
    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", REEXPORT)
    assert len(run(".")[1]) == 1
    assert run("--ignore", "RAY001", ".")[1] == []
    assert len(run(".")[1]) == 1


def test_no_cache_reads_and_writes_nothing(tmp_path, run):
    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", REEXPORT)
    assert run("--no-cache", ".")[2] == ["helpers.py", "jobs.py"]
    assert not (tmp_path / ".raylint_cache").exists()


def test_a_cache_made_elsewhere_is_not_believed(tmp_path, run):
    """A project ships a cache that hides its finding: it is ignored (its signature is not the
    user's), and the finding is reported."""
    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", REEXPORT)
    run(".")
    stored = json.loads((tmp_path / ".raylint_cache" / "results-v1.json").read_text())
    entries = json.loads(stored["payload"])
    for entry in entries.values():
        entry[1]["findings"] = []
    stored["payload"] = json.dumps(entries)
    (tmp_path / ".raylint_cache" / "results-v1.json").write_text(json.dumps(stored))
    code, findings, analysed = run(".")
    assert [f["code"] for f in findings] == ["RAY001"] and analysed == ["helpers.py", "jobs.py"]


def test_a_cache_folder_that_leads_outside_the_project_is_not_written(tmp_path, run):
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (tmp_path / "project").mkdir()
    os.symlink(outside, tmp_path / "project" / ".raylint_cache")
    write(tmp_path, "project/pyproject.toml", "[tool.raylint]\n")
    write(tmp_path, "project/jobs.py", TASK)
    os.chdir(tmp_path / "project")
    run(".")
    assert list(outside.iterdir()) == []


def test_cache_dir_in_a_project_file_stays_inside_the_project(tmp_path, run, capsys):
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    write(tmp_path, "pyproject.toml", f'[tool.raylint]\ncache-dir = "{outside}"\n')
    write(tmp_path, "jobs.py", TASK)
    run(".")
    assert not outside.exists() and (tmp_path / ".raylint_cache").is_dir()
    assert "cache-dir` ignored" in capsys.readouterr().err
    write(tmp_path, "pyproject.toml", '[tool.raylint]\ncache-dir = "build/lint-cache"\n')
    run(".")
    assert (tmp_path / "build" / "lint-cache" / "results-v1.json").is_file()
