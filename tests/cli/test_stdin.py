"""`raylint check -` / `--stdin-filename`: one file's text from stdin, as editors' linter
plugins and formatters pipe an unsaved buffer (ruff's interface). The findings name the file
as given; with --fix the text comes back on stdout (byte for byte in its own encoding and line
ends), the findings go to stderr, and nothing on disk is written."""

from __future__ import annotations

import json

from cli_support import CLEAN, FLAGGED

FIXED = FLAGGED.replace("return ray.put(x)", "return x")
TASKS = "import ray\n\n\n@ray.remote\ndef f(x):\n    return ray.put(x + 1)\n"
CALLER = "import ray\nfrom tasks import f\n\nprint(ray.get(ray.get(f.remote(1))))\n"


def test_the_text_on_stdin_is_checked_under_the_name_given(project):
    project.write("jobs.py", CLEAN)  # (the buffer is checked, not the file on disk)
    named = project.run("check", "--stdin-filename", "jobs.py", stdin=FLAGGED.encode())
    assert named.code == 1
    assert named.out.startswith("jobs.py:6:12: RAY001 Task `load` returns an ObjectRef made by ray.put()")
    dash = project.run("check", "--stdin-filename", "jobs.py", "-", stdin=FLAGGED.encode())
    assert (dash.code, dash.out) == (1, named.out)
    unnamed = project.run("check", "-", "--format", "json", stdin=FLAGGED.encode())
    assert unnamed.code == 1
    assert [f["path"] for f in json.loads(unnamed.out)["findings"]] == ["-"]
    clean = project.run("check", "-", stdin=CLEAN.encode())
    assert (clean.code, clean.out.strip()) == (0, "All checks passed.")
    assert not (project.root / ".raylint_cache").exists()  # (nothing kept for a text that has no file)


def test_fix_writes_the_fixed_text_to_stdout_and_nothing_to_disk(project):
    project.write("jobs.py", CLEAN)
    # a declared Latin-1 file with CRLF line ends and a non-ASCII comment
    text = ("# -*- coding: latin-1 -*-\n# café\n" + FLAGGED).replace("\n", "\r\n").encode("latin-1")
    fixed = project.run("check", "--fix", "--stdin-filename", "jobs.py", stdin=text)
    assert fixed.code == 0, fixed.err
    assert fixed.raw == ("# -*- coding: latin-1 -*-\n# café\n" + FIXED).replace("\n", "\r\n").encode("latin-1")
    assert "Found 1 problem: 1 fixed." in fixed.err
    assert (project.root / "jobs.py").read_text() == CLEAN
    # nothing to fix: the text comes back as it was
    for source in (CLEAN.encode(), b"", b"def broken(:\n"):
        same = project.run("check", "--fix", "-", stdin=source)
        assert same.raw == source
    diff = project.run("check", "--diff", "--stdin-filename", "jobs.py", stdin=FLAGGED.encode())
    assert "-    return ray.put(x)\n+    return x\n" in diff.out and diff.code == 1


def test_a_fix_that_needs_other_files_is_unsafe_for_a_text_from_stdin(project):
    project.write("tasks.py", TASKS)
    project.write("main.py", CALLER)
    on_disk = project.run("check", ".")
    assert "1 fixable with --fix" in on_disk.out  # (on disk, the caller in main.py is rewritten too)
    piped = project.run("check", "--stdin-filename", "tasks.py", stdin=TASKS.encode())
    assert piped.code == 1
    assert "[unsafe: 1 call site must be updated by hand]" in piped.out
    assert "review call site main.py:4:23: it is in a file on disk, and a text read from stdin is the only one --fix changes" in piped.out
    kept = project.run("check", "--fix", "--stdin-filename", "tasks.py", stdin=TASKS.encode())
    assert (kept.code, kept.raw) == (1, TASKS.encode())
    assert (project.root / "tasks.py").read_text() == TASKS and (project.root / "main.py").read_text() == CALLER


def test_the_configuration_of_the_named_path_applies(project):
    project.write("pyproject.toml", '[tool.raylint]\nexclude = ["generated/"]\nignore = ["RAY001"]\n')
    project.write("sub/pyproject.toml", "[tool.raylint]\nselect = [\"RAY001\"]\n")
    ignored = project.run("check", "--stdin-filename", "jobs.py", stdin=FLAGGED.encode())
    assert (ignored.code, ignored.out.strip()) == (0, "All checks passed.")
    selected = project.run("check", "--stdin-filename", "sub/jobs.py", stdin=FLAGGED.encode())
    assert selected.code == 1 and selected.out.startswith("sub/jobs.py:6:12: RAY001")
    # an excluded file is passed over, as when it is named on the command line
    excluded = project.run("check", "--fix", "--stdin-filename", "generated/jobs.py", stdin=FLAGGED.encode())
    assert (excluded.code, excluded.raw) == (0, FLAGGED.encode())


def test_a_notebook_on_stdin_is_read_as_one_and_fixed_in_its_cells(project):
    cells = [FLAGGED.splitlines(keepends=True), ["ref = load.remote(1)\n", "print(ray.get(ray.get(ref)))"]]
    document = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{n}", "metadata": {}, "outputs": [], "source": s} for n, s in enumerate(cells)],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    data = (json.dumps(document, indent=1) + "\n").encode()
    checked = project.run("check", "--stdin-filename", "work.ipynb", stdin=data)
    assert checked.code == 1 and "work.ipynb" in checked.out and "cell 1" in checked.out
    fixed = project.run("check", "--fix", "--stdin-filename", "work.ipynb", stdin=data)
    assert fixed.code == 0, fixed.err
    sources = ["".join(cell["source"]) for cell in json.loads(fixed.raw)["cells"]]
    assert sources == [FIXED, "ref = load.remote(1)\nprint(ray.get(ref))"]


def test_bad_input_on_stdin_is_one_error_line(project):
    bad = project.run("check", "--stdin-filename", "jobs.py", stdin=b"x = '\xff'\n")
    assert bad.code == 2 and "jobs.py: error: invalid or missing encoding declaration" in bad.out
    echoed = project.run("check", "--fix", "-", stdin=b"x = '\xff'\n")
    assert (echoed.code, echoed.raw) == (2, b"x = '\xff'\n") and "-: error: invalid or missing encoding declaration" in echoed.err
    binary = project.run("check", "-", stdin=b"\x00\x01")
    assert binary.code == 2 and "binary file" in binary.out


def test_stdin_is_checked_alone(project):
    project.write("jobs.py", FLAGGED)
    both = project.run("check", "-", "jobs.py", stdin=b"")
    assert both.code == 2 and "`-` (stdin) is checked alone" in both.err
    named = project.run("check", "jobs.py", "--stdin-filename", "x.py", stdin=b"")
    assert named.code == 2 and "--stdin-filename names the text read from stdin" in named.err


def test_fix_gives_the_text_back_when_a_broken_config_turns_fixes_off(project):
    project.write("pyproject.toml", "[tool.raylint\nselect = [")
    kept = project.run("check", "--fix", "--stdin-filename", "jobs.py", stdin=FLAGGED.encode())
    assert (kept.code, kept.raw) == (2, FLAGGED.encode())  # (an editor replaces its buffer with stdout)
    assert "config: " in kept.err and "fixed nothing" in kept.err


def test_a_text_too_large_to_check_is_passed_through(project):
    big = b"x = 1\n" * 2_000_000  # (12 MB: over the 10 MiB a file may have)
    checked = project.run("check", "-", stdin=big)
    assert checked.code == 2 and "-: error: larger than 10 MiB, skipped" in checked.out
    fixed = project.run("check", "--fix", "-", stdin=big)
    assert fixed.code == 2 and fixed.raw == big
