"""The result cache: a second run gives the same output without analysing files again, and
anything a file's findings depend on invalidates its entry (its text, a module it imports,
a module that appears, the rules, raylint's version). A cache shipped with a project is not
believed, and never makes raylint write outside the project."""

from __future__ import annotations

import io
import json
import os
import time
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


def age(root: Path, seconds: int = 60, inside: bool = True) -> None:
    """Make `root` and (`inside`) every file and folder under it look written `seconds` ago:
    stamps that old are believed (a file written just before a run may be written again in
    the same tick)."""
    when = time.time() - seconds
    for path in [root, *root.rglob("*")] if root.is_dir() and inside else [root]:
        os.utime(path, (when, when))


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


def test_a_first_run_of_many_files_keeps_every_result(tmp_path, run, monkeypatch):
    # As many files as make the run use worker processes: the files the cache has no entry
    # for are keyed from what the workers read of them (their analyses are not counted here).
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", REEXPORT)
    for i in range(cli._PARALLEL_FROM):
        write(tmp_path, f"m{i}.py", f"from helpers import store\nx = {i}\n")
    age(tmp_path)
    first = run(".")
    assert [f["code"] for f in first[1]] == ["RAY001"]
    kept = json.loads((tmp_path / ".raylint_cache" / "results-v2.json").read_bytes().partition(b"\n")[2])["files"]
    assert len(kept) == cli._PARALLEL_FROM + 2  # every result was kept
    second = run(".")
    assert second[:2] == first[:2]
    write(tmp_path, "helpers.py", PLAIN)  # (what `store` means changes for every file)
    third = run(".")
    assert third[0] == 0 and third[1] == []


def _entries(folder: Path) -> dict:
    kept = json.loads((folder / "results-v2.json").read_bytes().partition(b"\n")[2])
    return {part: kept[part] for part in ("files", "imports", "folders", "complete")}


def test_a_first_run_in_worker_processes_keeps_what_one_process_keeps(tmp_path, tmp_path_factory, run, monkeypatch):
    """The workers send what the keys need of each file (its text's hash, stamp and import
    lookups; the folders they looked into): the entries are those a run in one process keeps,
    and a module that appears later is seen by its importer."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    # (no finding in the first runs: the workspace step would look up imports in this process)
    tree = tmp_path / "tree"
    write(tree, "jobs.py", TASK)
    write(tree, "helpers.py", PLAIN)
    write(tree, "late.py", TASK.replace("from helpers", "from later"))  # (`later` is nowhere yet)
    write(tree, "pkg/__init__.py", "from .sub import *\n")
    write(tree, "pkg/sub.py", "from .. import helpers\nimport pkg.missing\nimport odd\n")
    # its imports cannot be read for sure (it cannot be tokenized): its importers are keyed on its text
    write(tree, "odd.py", 'x = 1; import helpers\ns = """never closed\n')
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": ["from helpers import store\n"]}
    write(tree, "book.ipynb", json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    many = cli._PARALLEL_FROM
    for i in range(many):
        write(tree, f"m{i}.py", f"from helpers import store\nfrom pkg import sub\nimport nowhere{i % 3}\nx = {i}\n")
    age(tree)
    caches = tmp_path_factory.mktemp("caches")  # (not in a folder a lookup looks into)
    monkeypatch.chdir(tree)
    run(".", "--cache-dir", str(caches / "parallel"))
    monkeypatch.setattr(cli, "_PARALLEL_FROM", 10**9)
    run(".", "--cache-dir", str(caches / "serial"))
    parallel, serial = _entries(caches / "parallel"), _entries(caches / "serial")
    assert parallel == serial and len(parallel["files"]) == many + 6 and parallel["folders"]
    assert any(unsure for _, unsure, _ in parallel["imports"].values())
    monkeypatch.undo()  # (worker processes again)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.chdir(tree)
    write(tree, "later.py", REEXPORT)
    code, findings, analysed = run(".", "--cache-dir", str(caches / "parallel"))
    assert [f["path"] for f in findings] == ["late.py"]


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


def test_another_build_of_raylint_with_the_same_version_does_not_believe_the_entries(tmp_path, run, monkeypatch):
    """An editable install or one from a newer commit keeps the version number: the entries
    are keyed by a digest of raylint's own code too, or a run of the new code would repeat
    what the old analysis said."""
    from raylint import cache

    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", REEXPORT)
    age(tmp_path)
    assert run(".")[2] == ["helpers.py", "jobs.py"]
    assert run(".")[2] == []
    assert len(cache.code_fingerprint()) == 16
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another-build")
    assert run(".")[2] == ["helpers.py", "jobs.py"]


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
    age(tmp_path)  # (so that the second run would believe the files' stamps)
    stored = tmp_path / ".raylint_cache" / "results-v2.json"
    mac, payload = stored.read_bytes().split(b"\n", 1)
    entries = json.loads(payload)
    for entry in entries["files"].values():
        entry[-1] = None  # "nothing found here"
    stored.write_bytes(mac + b"\n" + json.dumps(entries).encode())
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
    assert (tmp_path / "build" / "lint-cache" / "results-v2.json").is_file()


# -- checked by stamps: an unchanged project is not read again ---------------------------------

CALLER = "import ray\nfrom jobs import f\n\nprint(ray.get(ray.get(f.remote(1))))\n"
PUT_TASK = "import ray\n\n\n@ray.remote\ndef f(x):\n    return ray.put(x)\n"


@pytest.fixture
def reads(monkeypatch):
    """The Python files read (as text) during a run."""
    from raylint import discovery

    read: list[str] = []
    real = discovery.read_python_file

    def counting(path):
        read.append(os.path.relpath(path))
        return real(path)

    monkeypatch.setattr(discovery, "read_python_file", counting)
    monkeypatch.setattr(cli, "read_python_file", counting)
    return read


def test_an_unchanged_project_is_not_read_again(tmp_path, run, reads):
    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", REEXPORT)
    write(tmp_path, "pkg/__init__.py", "")
    write(tmp_path, "pkg/mod.py", "from . import other\nimport numpy\nfrom helpers import store\n")
    write(tmp_path, "pkg/other.py", "x = 1; import os\n")  # (imports read from its tree)
    age(tmp_path)
    first = run(".")
    assert first[2] == ["helpers.py", "jobs.py", "pkg/__init__.py", "pkg/mod.py", "pkg/other.py"]
    reads.clear()
    second = run(".")
    assert second[:2] == first[:2] and second[2] == [] and reads == []


def test_a_changed_stamp_is_read_again(tmp_path, run, reads):
    """An imported module edited (same size, another mtime): its importer is checked again."""
    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", REEXPORT)
    age(tmp_path)
    assert [f["code"] for f in run(".")[1]] == ["RAY001"]
    write(tmp_path, "helpers.py", REEXPORT.replace("store", "stash").replace("put", "get"))  # same size
    age(tmp_path / "helpers.py", 30)
    code, findings, analysed = run(".")
    assert findings == [] and "jobs.py" in analysed


def test_a_module_that_appears_is_seen_by_its_folders_stamp(tmp_path, run, reads):
    """Only the folder's mtime tells that `helpers` now exists: every file keeps its stamp."""
    write(tmp_path, "jobs.py", TASK)
    age(tmp_path)
    assert run(".")[1] == []
    write(tmp_path, "helpers.py", REEXPORT)
    for new in ("helpers.py", "."):
        age(tmp_path / new, 30, inside=False)  # (not the other files: only folders say what is new)
    assert [f["path"] for f in run(".")[1]] == ["jobs.py"]


def test_a_module_in_a_new_folder_is_seen_by_the_nearest_folders_stamp(tmp_path, run, reads):
    """`data/more` did not exist: `data` (which holds no module) tells that it now does."""
    cache = str(tmp_path.parent / f"{tmp_path.name}-cache")  # (a cache folder made in the tree would change its mtime)
    write(tmp_path, "data/README.txt", "no modules here\n")
    write(tmp_path, "jobs.py", TASK.replace("from helpers", "from data.more.helpers"))
    age(tmp_path)
    assert run("--cache-dir", cache, ".")[1] == []
    write(tmp_path, "data/more/helpers.py", REEXPORT)
    for new in ("data/more/helpers.py", "data/more", "data"):
        age(tmp_path / new, 30, inside=False)
    assert [f["path"] for f in run("--cache-dir", cache, ".")[1]] == ["jobs.py"]


def test_a_stamp_as_new_as_the_run_is_not_believed(tmp_path, run, reads):
    """A file written again right after it was read, in the same mtime tick and at the same
    size, keeps its stamp: a stamp that close to the run that took it is checked by the text."""
    write(tmp_path, "jobs.py", TASK)
    write(tmp_path, "helpers.py", REEXPORT)
    assert [f["code"] for f in run(".")[1]] == ["RAY001"]
    stamp = os.stat(tmp_path / "helpers.py")
    write(tmp_path, "helpers.py", REEXPORT.replace("store", "stash").replace("put", "get"))
    os.utime(tmp_path / "helpers.py", ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert run(".")[1] == []


def test_a_run_from_another_folder_reports_its_own_paths(tmp_path, run, capsys):
    """An analysis holds paths as given on the command line (in its findings and notes)."""
    write(tmp_path, "sub/jobs.py", TASK)
    write(tmp_path, "sub/helpers.py", REEXPORT)
    write(tmp_path, "sub/broken.py", "import ray\n\n\n@ray.remote\ndef f():\n    return 1\ndef g(:\n    pass\n")
    age(tmp_path)

    def text(*args):
        capsys.readouterr()
        cli.main(["check", "--cache-dir", str(tmp_path / ".raylint_cache"), *args])
        return capsys.readouterr().out

    assert "sub/broken.py:7: note: syntax error" in text("sub")
    os.chdir(tmp_path / "sub")
    out = text(".")
    assert "\nbroken.py:7: note: syntax error" in "\n" + out and "sub/" not in out
    (finding,) = run("--cache-dir", str(tmp_path / ".raylint_cache"), ".")[1]
    assert finding["path"] == "jobs.py" and finding["fixes"][0]["edits"][0]["path"] == "jobs.py"


def test_the_callers_step_is_kept_until_a_workspace_file_changes(tmp_path, run, monkeypatch):
    """Whether a fix is safe depends on every caller: the step that finds them is reused only
    while no workspace file has another stamp."""
    steps = []
    real = cli.fix_workspace

    def counting(*args, **kwargs):
        steps.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cli, "fix_workspace", counting)
    write(tmp_path, "jobs.py", PUT_TASK)
    write(tmp_path, "main.py", CALLER)
    age(tmp_path)

    def applicability():
        (finding,) = run(".")[1]
        return finding["fixes"][0]["applicability"]

    assert applicability() == "safe" and len(steps) == 1
    assert applicability() == "safe" and len(steps) == 1  # nothing changed: not searched again
    write(tmp_path, "main.py", CALLER.replace("print(ray.get(ray.get(f.remote(1))))", "keep = f.remote(1)\nsend(keep)"))
    age(tmp_path / "main.py", 30)
    assert applicability() == "unsafe" and len(steps) == 2
    write(tmp_path, "other.py", "from jobs import f\n\nf.remote(2)\n")  # a new caller
    age(tmp_path, 20)
    assert len(run(".")[1]) == 1 and len(steps) == 3
