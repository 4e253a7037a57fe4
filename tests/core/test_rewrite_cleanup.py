"""What a fix leaves behind: return annotations naming ObjectRef, imports nothing uses any
more, and where an import the fix needs goes."""

from __future__ import annotations

import ast
import json
import textwrap

import pytest

from raylint.core import analyze, apply_edits, fix_text


def fixed(code: str, path: str = "t.py", fix_id: str | None = None) -> str:
    text = textwrap.dedent(code).lstrip("\n")
    if fix_id is None:
        out, after = fix_text(text, path)
        assert after.findings == []
    else:
        (fix,) = [f for finding in analyze(text, path).findings for f in finding.fixes if f.id == fix_id][:1]
        out = apply_edits(text, list(fix.edits))
    ast.parse(out)
    return out


@pytest.mark.parametrize(
    ("signature", "expected"),
    [
        ("def f(x) -> ray.ObjectRef:", "def f(x):"),
        ("def f(x)  ->  ray.ObjectRef :", "def f(x) :"),
        ("def f(x) -> 'ray.ObjectRef':", "def f(x):"),
        ("def f(x) -> ray.ObjectRef[int]:", "def f(x) -> int:"),
        ("def f(x) -> typing.Optional[ray.ObjectRef]:", "def f(x):"),
        ("def f(\n    x,\n) -> ray.ObjectRef:", "def f(\n    x,\n):"),
        ("def f(x) -> int:", "def f(x) -> int:"),  # not about refs: left alone
    ],
)
def test_return_value_updates_an_objectref_return_annotation(signature, expected):
    out = fixed(f"import typing\nimport ray\n\n\n@ray.remote\n{signature}\n    return ray.put(x)\n")
    assert f"@ray.remote\n{expected}\n    return x\n" in out


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("tuple[ObjectRef, ObjectRef]", ""),
        ("tuple[ObjectRef[int], ObjectRef[str]]", " -> tuple[int, str]"),
        ("list[ray.ObjectRef]", ""),
        ("tuple[int, int]", " -> tuple[int, int]"),
    ],
)
def test_num_returns_updates_an_objectref_return_annotation(annotation, expected):
    code = f"import ray\nfrom ray import ObjectRef\n\n\n@ray.remote\ndef f(a, b) -> {annotation}:\n    return ray.put(a), ray.put(b)\n"
    out = fixed(code, fix_id="num-returns")
    assert f"def f(a, b){expected}:\n    return a, b\n" in out
    # `ObjectRef` used only in the annotation: the import goes with it (one unused before stays)
    assert ("from ray import ObjectRef" in out) == ("ObjectRef" not in annotation.replace("ray.ObjectRef", ""))


def test_the_generator_rewrite_keeps_an_objectref_element_type():
    out = fixed(
        "import ray\n\n\n@ray.remote\ndef f(n) -> list[ray.ObjectRef[int]]:\n    return [ray.put(i) for i in range(n)]\n"
    )
    assert "def f(n) -> Iterator[int]:" in out


def test_objectref_import_used_only_in_the_annotation_goes():
    out = fixed("import ray\nfrom ray import ObjectRef\n\n\n@ray.remote\ndef f(x) -> ObjectRef:\n    return ray.put(x)\n")
    assert out == "import ray\n\n\n@ray.remote\ndef f(x):\n    return x\n"


def test_an_aliased_put_import_used_nowhere_else_goes():
    out = fixed("import ray\nfrom ray import put as store\n\n\n@ray.remote\ndef f(x):\n    return store(x)\n")
    assert out == "import ray\n\n\n@ray.remote\ndef f(x):\n    return x\n"


def test_an_aliased_put_in_a_list_of_imports_goes_alone():
    out = fixed("from ray import get, put as store, remote\n\n\n@remote\ndef f(x):\n    return store(x)\n\n\nget\n")
    assert out.startswith("from ray import get, remote\n")
    out = fixed("from ray import (\n    remote,\n    put as store,\n)\n\n\n@remote\ndef f(x):\n    return store(x)\n")
    assert out.startswith("from ray import (\n    remote,\n)\n")


@pytest.mark.parametrize(
    "elsewhere",
    [
        "\n\ndef helper(x):\n    return store(x)\n",  # another use
        '\n\n__all__ = ["store"]\n',  # exported
        "\n\nalso = store\n",
    ],
)
def test_an_import_still_used_stays(elsewhere):
    out = fixed(f"import ray\nfrom ray import put as store\n\n\n@ray.remote\ndef f(x):\n    return store(x)\n{elsewhere}")
    assert "from ray import put as store\n" in out


def test_a_package_init_keeps_its_imports():
    text = "import ray\nfrom ray import put as store\n\n\n@ray.remote\ndef f(x):\n    return store(x)\n"
    out, _ = fix_text(text, "pkg/__init__.py")
    assert "from ray import put as store\n" in out


def test_each_fix_keeps_an_import_another_task_still_uses():
    code = "import ray\nfrom ray import put as store\n\n\n@ray.remote\ndef f(x):\n    return store(x)\n\n\n@ray.remote\ndef g(x):\n    return store(x)\n"
    for finding in analyze(code, "t.py").findings:
        out = apply_edits(code, list(finding.fixes[0].edits))
        assert "from ray import put as store\n" in out  # the other task still needs it


HEADER = '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"""The module."""\nfrom __future__ import annotations\n'
TASK = "\n\n@ray.remote\ndef f(n) -> list[int]:\n    return [ray.put(i) for i in range(n)]\n"


@pytest.mark.parametrize(
    ("head", "before"),
    [
        (HEADER + "\nimport ray\n", "\n\n@ray.remote"),  # after the last import
        (HEADER + "\nimport ray\nX = 1\nimport os\n", "\n\n@ray.remote"),  # after the last one before the code
        ("#!/usr/bin/env python\n# header comment\nX = 1\nimport ray\n", "\n\n@ray.remote"),
        ("#!/usr/bin/env python\n# header\ntry:\n    import ray\nexcept ImportError:\n    ray = None\n", "\n\n@ray.remote"),
    ],
)
def test_an_added_import_goes_with_the_others(head, before):
    out = fixed(head + TASK)
    lines = out.splitlines()
    at = lines.index("from collections.abc import Iterator")
    assert out.startswith(head.split("\n")[0])  # a shebang stays first
    assert out.index("from __future__") < out.index("from collections.abc") if "__future__" in head else True
    assert out.index("from collections.abc") > out.index("import ray")
    assert lines[at + 1 :][: 2] == before.split("\n")[1:3] or lines[at + 1] == ""


@pytest.mark.parametrize(
    "other",
    [
        "from tasks import store\n",
        "import tasks\n\nprint(tasks.store(1))\n",  # (an attribute of the module: found on real Ray)
        "import importlib\n\nprint(getattr(importlib.import_module('ta' + 'sks'), 'store')(1))\n",
    ],
    ids=["imported", "attribute", "computed-module"],
)
def test_an_import_another_module_takes_from_this_one_stays(tmp_path, other):
    from raylint.core import ModuleIndex

    code = "import ray\nfrom ray import put as store\n\n\n@ray.remote\ndef f(x):\n    return store(x)\n"
    (tmp_path / "tasks.py").write_text(code)
    index = ModuleIndex([str(tmp_path)])
    out, _ = fix_text(code, str(tmp_path / "tasks.py"), index=index)
    assert "from ray import put as store\n" not in out  # nobody else imports it
    (tmp_path / "other.py").write_text(other)
    out, _ = fix_text(code, str(tmp_path / "tasks.py"), index=ModuleIndex([str(tmp_path)]))
    assert "from ray import put as store\n" in out  # a re-export: removing it would break other.py


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("analysis.ipynb", json.dumps({
            "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                       "source": ["from tasks import store\n", "print(store(1))\n"]}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }).encode()),
        ("bin/run_job", b"#!/usr/bin/env python3\nfrom tasks import store\nprint(store(1))\n"),
        ("legacy.py", b"# caf\xe9\nfrom tasks import store\n"),  # (not UTF-8: it cannot be read)
    ],
    ids=["notebook", "script", "unreadable"],
)
def test_an_import_a_notebook_or_a_script_takes_from_this_module_stays(tmp_path, name, content):
    """The files the caller search reads (notebooks, extensionless Python scripts) count as
    importers too, and a file that cannot be read may be one."""
    from raylint.core import ModuleIndex

    code = "import ray\nfrom ray import put as store\n\n\n@ray.remote\ndef f(x):\n    return store(x)\n"
    (tmp_path / "tasks.py").write_text(code)
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(content)
    out, _ = fix_text(code, str(tmp_path / "tasks.py"), index=ModuleIndex([str(tmp_path)]))
    assert "from ray import put as store\n" in out
