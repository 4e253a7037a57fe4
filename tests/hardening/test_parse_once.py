"""Issue 9: one run of `raylint check` parses each text once (a 5 MB file was parsed 5 times,
35 s and 2 GB). Counted in-process: every `ast.parse` of a file's text, by text."""

from __future__ import annotations

import ast
import collections
import os

import pytest

from raylint import cli

TASKS = """\
import ray

from helpers import plain


@ray.remote
def load(x):
    return ray.put(x)


@ray.remote
def pair(x):
    return ray.put(x), ray.put(plain(x))
"""
HELPERS = "def plain(x):\n    return x\n"
CALLER = """\
import ray

from tasks import load, pair

print(ray.get(ray.get(load.remote(1))))
a, b = ray.get(pair.remote(2))
"""


@pytest.fixture
def counted(monkeypatch):
    """How often each text was parsed (a text with a leading BOM counts as without it)."""
    seen: collections.Counter = collections.Counter()
    parse = ast.parse

    def counting(source, *args, **kwargs):
        if isinstance(source, str) and kwargs.get("mode", "exec") == "exec" and not args:
            seen[source] += 1
        return parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    return seen


def _project(tmp_path, monkeypatch):
    (tmp_path / "tasks.py").write_text(TASKS)
    (tmp_path / "helpers.py").write_text(HELPERS)
    (tmp_path / "caller.py").write_text(CALLER)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("mode", [[], ["--diff"], ["--fix"]])
def test_each_text_is_parsed_once_per_run(tmp_path, monkeypatch, counted, capsys, mode):
    _project(tmp_path, monkeypatch)
    code = cli.main(["check", ".", *mode])
    out = capsys.readouterr().out
    assert code in (0, 1), out
    assert "RAY001" in out or mode == ["--fix"]
    parsed_twice = {text.splitlines()[0] if text else "": n for text, n in counted.items() if n > 1}
    assert parsed_twice == {}
    # every file was parsed (its text, or the text a fix made of it)
    assert any("def load" in text for text in counted)
    assert any("load.remote" in text for text in counted)


def test_a_module_parsed_for_its_imports_is_not_parsed_again_for_its_own_findings(
    tmp_path, monkeypatch, counted, capsys
):
    # `caller.py` comes first and imports `tasks`, parsed then to follow its names
    (tmp_path / "a_caller.py").write_text("from tasks import load\nimport ray\nray.get(load.remote(1))\n")
    (tmp_path / "tasks.py").write_text(TASKS.replace("from helpers import plain\n", "plain = print\n"))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "."]) == 1
    assert "RAY001" in capsys.readouterr().out
    assert max(counted.values()) == 1, {t[:40]: n for t, n in counted.items()}


def test_a_file_changed_between_the_steps_is_parsed_again(tmp_path, monkeypatch, counted):
    """A parsed module is handed on only while the file still holds its very text."""
    from raylint.core import ParsedOnce, analyze_module

    path = tmp_path / "tasks.py"
    path.write_text(TASKS)
    index = ParsedOnce([str(tmp_path)])
    module = index.module(str(path))
    assert module is not None and index.parsed(str(path), TASKS) is module
    changed = TASKS.replace("def load", "def load2")
    assert index.parsed(str(path), changed) is None
    analysis, resolver = analyze_module(changed, str(path), index=index, parsed=index.parsed(str(path), changed))
    assert resolver.module is not module and resolver.module.source.text == changed
    assert analysis.findings == analyze_module(changed, str(path))[0].findings
    assert [f.task for f in analysis.findings] == ["load2", "pair"]
    os.utime(path, ns=(0, 0))
    path.write_text(changed)
    assert index.module(str(path)).source.text == changed
