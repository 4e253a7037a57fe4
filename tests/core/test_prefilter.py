"""The prefilter: which rules may apply to a file, from its text and its imports' texts.

A rule the prefilter drops is never run on the file, so every case where a rule finds
something must pass it (tests/core/test_resolution.py runs such workspaces end to end); the
cases here are the other side: what it may skip, which is where the time goes in a Ray
project (nearly every module reaches `remote` and `get` through some import).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from raylint.core import ModuleIndex, analyze, default_config
from raylint.core.prefilter import _UNSURE_IMPORT, _may_misread, may_apply


def applies(root: Path, files: dict[str, str], name: str) -> set[str]:
    for file, code in files.items():
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
    path = root / name
    index = ModuleIndex([str(root)])
    return {rule.code for rule in may_apply(path.read_text(), str(path), index, None, default_config().rules)}


TASKS = "import ray\n\n@ray.remote\ndef work(x):\n    return x\n"
FACTORY = {"tasks.py": "import ray\ngpu_task = ray.remote(num_gpus=0)\n"}


def assert_task_found(tmp_path: Path, files: dict[str, str], case: str) -> None:
    """RAY001 applies to main.py (the prefilter lets it through) and finds its one task."""
    assert "RAY001" in applies(tmp_path, files, "main.py"), case
    path = tmp_path / "main.py"
    found = analyze(path.read_text(), str(path), index=ModuleIndex([str(tmp_path)]))
    assert [f.code for f in found.findings] == ["RAY001"], case


def test_a_module_that_only_imports_a_module_with_tasks_defines_none(tmp_path):
    # `helper` is a plain function of a module that defines tasks: a task-defining rule has
    # nothing to look at in a file that neither spells `remote` nor makes a task with an import
    files = {"tasks.py": TASKS + "def helper(x):\n    return x\n", "main.py": "from tasks import helper\n\nprint(helper(1))\n"}
    assert applies(tmp_path, files, "main.py") == set()


def test_a_decorator_from_a_module_with_tasks_makes_the_task_rules_apply(tmp_path):
    # (`ones`: RAY009 needs an array it can size too)
    files = {"deco.py": "import ray\ntask = ray.remote(num_cpus=1)\n", "main.py": "from deco import task\nfrom numpy import ones\n\n@task\ndef f():\n    pass\n"}
    assert {"RAY004", "RAY007", "RAY009"} <= applies(tmp_path, files, "main.py")


def test_a_plain_decorator_from_a_module_with_tasks_makes_no_task(tmp_path):
    # `logged` is a def of tasks.py, which the resolver never takes for Ray's `remote` (nor
    # reads the body of): that tasks.py spells `remote` elsewhere does not matter. (Until
    # stop 19 the prefilter followed modules, not names, and let this file through.)
    files = {"tasks.py": TASKS + "def logged(f):\n    return f\n", "main.py": "from tasks import logged\n\n@logged\ndef f():\n    pass\n"}
    assert "RAY007" not in applies(tmp_path, files, "main.py")
    files["tasks.py"] = TASKS + "logged = ray.remote\n"  # (an assignment may be Ray's)
    assert "RAY007" in applies(tmp_path, files, "main.py")


def test_a_decorator_of_the_file_is_never_rays(tmp_path):
    # `task` is a def of the file: the resolver does not follow a def's body, so whatever it
    # calls, `@task` makes no task (the agreement tests below check the analysis agrees)
    files = {
        "cluster.py": "import ray\nmake = ray.remote\n",
        "main.py": "from cluster import make\n\ndef task(fn):\n    return make(fn)\n\n@task\ndef f():\n    pass\n",
    }
    assert "RAY007" not in applies(tmp_path, files, "main.py")
    files["main.py"] = "from cluster import make\n\ntask = make\n\n@task\ndef f():\n    pass\n"
    assert "RAY007" in applies(tmp_path, files, "main.py")


def test_submissions_alone_define_no_task(tmp_path):
    # nearly every module of a Ray project spells `remote` in `f.remote(x)`: that makes no task
    files = {
        "tasks.py": TASKS + "\n@ray.remote\nclass Counter:\n    def add(self, x):\n        return x\n",
        "main.py": "import ray\nfrom tasks import Counter, work\n\nrefs = [work.remote(i) for i in range(3)]\nc = Counter.remote()\nc.add.remote(1)\n",
    }
    found = applies(tmp_path, files, "main.py")
    assert not found & {"RAY001", "RAY004", "RAY007", "RAY009", "RAY010"}
    files["main.py"] += "\n\n@ray.remote\ndef g():\n    return 1\n"
    assert {"RAY004", "RAY007"} <= applies(tmp_path, files, "main.py")


def test_submission_rules_need_the_submission_in_the_file(tmp_path):
    # RAY002/RAY003/RAY005/RAY008 look at `.remote(...)` calls of the file: a file that
    # calls a helper submitting elsewhere is not theirs, whatever its imports reach
    files = {
        "tasks.py": TASKS + "def submit(x):\n    return work.remote(x)\n",
        "main.py": "import ray\nfrom tasks import submit\n\nfor i in range(3):\n    print(ray.get(submit(i)))\n",
    }
    found = applies(tmp_path, files, "main.py")
    assert not found & {"RAY002", "RAY003", "RAY005", "RAY008"}
    # (RAY008 needs an array constructor's name too: see test_the_array_rules_need_an_array_word)
    files["main.py"] = "import ray\nimport numpy as np\nfrom tasks import work\n\nrows = np.zeros(4)\nfor i in range(3):\n    print(ray.get(work.remote(i)))\n"
    assert {"RAY002", "RAY003", "RAY005", "RAY008"} <= applies(tmp_path, files, "main.py")
    index = ModuleIndex([str(tmp_path)])
    path = tmp_path / "main.py"
    assert [f.code for f in analyze(path.read_text(), str(path), index=index).findings] == ["RAY002"]


def test_the_array_rules_need_an_array_word(tmp_path):
    # RAY008/RAY009 find only arrays of a size written in the code, made by a function whose
    # name the file (or a workspace module it imports) spells: most Ray modules make none
    files = {
        "tasks.py": TASKS,
        "main.py": "import ray\nfrom tasks import work\n\n@ray.remote\ndef g(rows):\n    return rows\n\ndata = load()\nrefs = [work.remote(data) for _ in range(3)]\n",
    }
    assert not applies(tmp_path, files, "main.py") & {"RAY008", "RAY009"}
    original = files["main.py"]
    for imported, made in [("import numpy as np", "np.zeros(10**8)"), ("import torch", "torch.rand(1024, 1024)"), ("", "bytes(10**8)"), ("import numpy", "numpy.random.standard_normal(10**8)")]:
        files["main.py"] = imported + "\n" + original.replace("load()", made)
        assert {"RAY008", "RAY009"} <= applies(tmp_path, files, "main.py"), made
    # the function's name without numpy or torch (`zeros` of another library), and numpy
    # without one of the functions read, make no array of a known size
    for imported, made in [("from shapes import zeros", "zeros(10**8)"), ("import numpy as np", "np.loadtxt(path)")]:
        files["main.py"] = imported + "\n" + original.replace("load()", made)
        assert not applies(tmp_path, files, "main.py") & {"RAY008", "RAY009"}, made
    files["main.py"] = original
    files["arrays.py"] = "from numpy import ones as make\n"  # (reached through an import)
    files["main.py"] = "from arrays import make\n" + files["main.py"].replace("load()", "make(10**8)")
    assert {"RAY008", "RAY009"} <= applies(tmp_path, files, "main.py")


def test_out_of_band_serialization_needs_dumps_in_the_file(tmp_path):
    files = {"tasks.py": TASKS, "main.py": "import json\nfrom tasks import work\n\nref = work.remote(1)\n"}
    assert "RAY006" not in applies(tmp_path, files, "main.py")
    files["main.py"] = "import pickle\nfrom tasks import work\n\nref = work.remote(1)\ndata = pickle.dumps(ref)\n"
    assert "RAY006" in applies(tmp_path, files, "main.py")


def test_imports_the_line_reader_may_misread_are_read_from_tokens(tmp_path):
    """After `;`, across a backslash, in brackets: found; in a string: not an import. Also in
    a file the parser of this Python rejects (a newer syntax), which still tokenizes."""
    for name in ("a", "b", "c", "d", "e", "nope"):
        (tmp_path / f"{name}.py").write_text("")
    text = textwrap.dedent(
        """\
        x = 1; import a
        from b import \\
            thing  # noqa
        s = "import nope; import nope"
        if x:
            from c import (one,
                two as three)
        f"{'{'}"; import d as dee
        print(f"{'\\n'.join(s)}"); from e import *
        """
    )
    from raylint.core.prefilter import import_lookups

    found = import_lookups(text, str(tmp_path / "main.py"), ModuleIndex([str(tmp_path)], snapshot=True))
    assert sorted({Path(f).stem for _, _, f in found if f}) == ["a", "b", "c", "d", "e"]
    assert import_lookups('x = 1; import a\ns = """never closed\n', str(tmp_path / "main.py"), ModuleIndex()) is None


def test_the_fast_patterns_find_what_the_line_start_patterns_find():
    """`defined_names`/`definitions` and `_assignments` match from the line end before each line
    (faster): the same matches as the `^` patterns they stand for, on any line ends (the values
    of `_assignments` may go on to the end of their statements)."""
    import re
    from pathlib import Path

    from raylint.core import prefilter
    from raylint.core.tasks import DEFINED_NAME, defined_names

    assigned = re.compile(r"^[ \t]*(\w+)[ \t]*(?::[^=\n]*)?=(?!=)([^\n]*)", re.MULTILINE)
    root = Path(__file__).parents[2]
    texts = [
        "def f():\n    pass\n",
        "x = 1\r\nclass A:\r\n  def g(self): y: int = 2\r\n",
        "a = 1\rdef h(): pass\r\tasync  def i(): pass\r",
        "\x0c def j(): pass\n  classdef k\nundef l\n   class\tM(B): z == 3\n",
        "async def n(): pass\n@x\nclass O: pass\nq=1\nr == s\nt: u = v\n",
        "",
        "\n\ndef p",
        *(p.read_text(encoding="utf-8") for p in sorted((root / "server" / "raylint").rglob("*.py"))),
        *(p.read_text(encoding="utf-8") for p in sorted((root / "tests" / "rules" / "fixtures").rglob("*.py"))),
    ]
    for text in texts:
        assert defined_names(text) == DEFINED_NAME.findall(text), text[:100]
        expected: dict[str, list[str]] = {}
        for name, value in assigned.findall(text):
            expected.setdefault(name, []).append(value)
        # (a value that goes on past its line is read to the end of its statement, or None)
        found = {name: [v if v is None else v.split("\n")[0] for v in values] for name, values in prefilter._assignments(text).items()}
        assert found.keys() == expected.keys(), text[:100]
        for name, values in found.items():
            assert all(v is None or v == e for v, e in zip(values, expected[name])), (name, text[:100])


def test_an_import_the_line_reader_misreads_is_followed_to_what_it_reexports(tmp_path):
    """`put` re-exported by a workspace module and imported after `;`, after a compound
    statement's `:` (`try:`, `if x:`) or across a backslash: the file reaches `put`, so RAY001
    applies, and finds the task (the prefilter read only import lines and skipped it)."""
    helpers = {"helpers.py": "from ray import put as store\n"}
    task = "\n\n@ray.remote\ndef f(x):\n    return store(x)\n"
    for head in (
        "import ray; from helpers import store",
        "import ray\ntry: from helpers import store\nexcept ImportError: store = None",
        "import ray\nif True: import helpers; store = helpers.store",
        "import ray\nfrom helpers \\\n    import store",
    ):
        files = {**helpers, "main.py": head + task}
        assert_task_found(tmp_path, files, head)


def test_names_imported_in_brackets_with_comments_are_read(tmp_path):
    """A comment between the names of `from m import (...)` (which may spell `(`, `,` or `as`)
    hides no name: the decorator imported that way makes `f` a task, so RAY001 applies and
    finds it. (The comment used to be read as part of the next name, and the file skipped.)"""
    from raylint.core.prefilter import _imports

    assert _imports("from m import (a,  # b, (c)\n    d as\n    e,  # f\n)\n") == [
        ("m", 0, "", ""), ("m", 0, "a", "a"), ("m", 0, "e", "d")
    ]
    files = {
        **FACTORY,
        "main.py": "import ray\nfrom tasks import (  # decorators (see docs), as agreed\n    gpu_task,\n)\n\n\n"
        "@gpu_task\ndef f(x):\n    return ray.put(x)\n",
    }
    assert_task_found(tmp_path, files, "")


def test_a_star_import_however_written_may_bring_the_decorator(tmp_path):
    """`if x: from helpers import *` and a star after a backslash: the decorator `gpu_task`
    may come from helpers, so RAY001 applies and finds the task (the star was looked for only
    at a line's start, after blanks; and the caller search looked for "import *")."""
    for head in ("if True: from helpers import *", "from helpers import \\\n    *", "from helpers import\t*"):
        files = {
            "helpers.py": "import ray\ngpu_task = ray.remote(num_gpus=0)\n",
            "main.py": f"import ray\n{head}\n\n\n@gpu_task\ndef f(x):\n    return ray.put(x)\n",
        }
        assert_task_found(tmp_path, files, head)


def test_a_decorator_however_written_may_make_a_task(tmp_path):
    """`@(gpu_task)`, `@ ( gpu_task )`, a form feed before `@`, a backslash after it: the
    decorator is the imported factory, so RAY001 applies (the root was read only right after
    `@` and blanks, with nothing but spaces and tabs before it)."""
    for decorator in ("@(gpu_task)", "@ ( gpu_task )", "\x0c@gpu_task", "@ \\\n  gpu_task"):
        files = {
            **FACTORY,
            "main.py": f"import ray\nfrom tasks import gpu_task\n\n\n{decorator}\ndef f(x):\n    return ray.put(x)\n",
        }
        assert_task_found(tmp_path, files, decorator)


def test_a_decorator_assigned_however_written_may_make_a_task(tmp_path):
    """`gpu` bound to the imported factory by a chained assignment, in brackets, across lines
    or a backslash: RAY001 applies (the assignment reader saw only `name = value` on one line,
    so `@gpu` led nowhere and the file was skipped)."""
    for head in (
        "x = gpu = tasks.gpu_task",
        "gpu = (\n    tasks.gpu_task\n)",
        "gpu = \\\n    tasks.gpu_task",
        "(gpu) = tasks.gpu_task",
        "gpu: object = (  # the factory\n    tasks.gpu_task)",
    ):
        files = {
            **FACTORY,
            "main.py": f"import ray\nimport tasks\n\n{head}\n\n\n@gpu\ndef f(x):\n    return ray.put(x)\n",
        }
        assert_task_found(tmp_path, files, head)


def test_a_wrapping_call_however_written_may_make_a_task(tmp_path):
    """`tasks.gpu_task(f)` as formatters write it (the name on its own line, a trailing comma),
    with a comment inside, or with blanks before `(`: RAY001 applies (only `(f)` with blanks
    was read, right after the called name)."""
    for call in (
        "g = tasks.gpu_task(\n    f,\n)",
        "g = tasks.gpu_task(  # wrap\n    f\n)",
        "g = tasks.gpu_task (f)",
        "g = tasks . gpu_task(f)",
    ):
        files = {
            **FACTORY,
            "main.py": f"import ray\nimport tasks\n\n\ndef f(x):\n    return ray.put(x)\n\n\n{call}\n",
        }
        assert_task_found(tmp_path, files, call)


# pieces of lines where imports may be misread: `;`, `:`, backslashes, comments, strings
_PIECES = ["import", "from", " ", "\t", "\n", "\r\n", ";", ":", "\\", "#", "x", ".", '"""', "try", "(", ","]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_misread_check_tries_only_lines_that_spell_an_import_word(text):
    """`_may_misread` answers as the pattern searched at every line does."""
    assert _may_misread(text) == (_UNSURE_IMPORT.search(text) is not None)


# A task made with a factory another module defines, written every way these combine: the
# prefilter must never be the reason a finding is missing (an analysis that skips it finds the
# same). Each form here once hid a task from it.
_IMPORTS = {
    "import tasks": "tasks.gpu_task",
    "import tasks as t": "t.gpu_task",
    "from tasks import gpu_task": "gpu_task",
    "from tasks import (  # the factory (see docs), as agreed\n    gpu_task,\n)": "gpu_task",
    "import os; from tasks import gpu_task": "gpu_task",
    "if True: from tasks import gpu_task": "gpu_task",
    "from tasks import \\\n    gpu_task": "gpu_task",
    "from tasks import *": "gpu_task",
}
_BINDINGS = {
    "direct": None,
    "assigned": "gpu = {}",
    "chained": "x = gpu = {}",
    "bracketed": "gpu = (\n    {}\n)",
}
_APPLIED = {
    "decorator": "@{}\ndef f(x):\n    return {}\n",
    "parenthesized decorator": "@({})\ndef f(x):\n    return {}\n",
    "wrapped": "def f(x):\n    return {}\n\n\ng = {}(f)\n",
    "wrapped, formatted": "def f(x):\n    return {}\n\n\ng = {}(\n    f,\n)\n",
}
_PUTS = {"ray.put": "ray.put(x)", "re-exported put": "store(x)"}


def _combined(imported: str, binding: str, applied: str, put: str) -> str:
    factory = _IMPORTS[imported]
    lines = ["import ray", imported]
    if put == "re-exported put":
        lines.append("from tasks import store")
    if _BINDINGS[binding] is not None:
        lines.append(_BINDINGS[binding].format(factory))
        factory = "gpu"
    body = _APPLIED[applied]
    returned = _PUTS[put]
    code = body.format(factory, returned) if applied.startswith(("decorator", "parenthesized")) else body.format(returned, factory)
    return "\n".join(lines) + "\n\n\n" + code


def test_the_prefilter_never_hides_a_task_made_by_an_imported_factory(tmp_path, monkeypatch):
    import raylint.core as core

    (tmp_path / "tasks.py").write_text("import ray\nfrom ray import put as store\n\ngpu_task = ray.remote(num_gpus=0)\n")
    path = str(tmp_path / "main.py")
    cases = [(i, b, a, p) for i in _IMPORTS for b in _BINDINGS for a in _APPLIED for p in _PUTS]
    filtered = {}
    for case in cases:
        text = _combined(*case)
        compile(text, path, "exec")  # (every case is valid Python)
        filtered[case] = [f.code for f in analyze(text, path, index=ModuleIndex([str(tmp_path)])).findings]
    monkeypatch.setattr(core, "may_apply", lambda text, path, index, externals, rules, known=None: list(rules))
    missed = []
    for case in cases:
        unfiltered = [f.code for f in analyze(_combined(*case), path, index=ModuleIndex([str(tmp_path)])).findings]
        if unfiltered != filtered[case]:
            missed.append((case, unfiltered, filtered[case]))
    assert not missed, "\n".join(map(repr, missed[:10]))
    # (and every combination is a task raylint finds)
    assert [case for case in cases if filtered[case] != ["RAY001"]] == []


# (name, the workspace's files, what main.py's analysis finds): each a shape the prefilter reads
# closely; the analysis with it must equal the analysis without it.
_AGREEMENT = [
    ("submissions only", {"main.py": "import ray\nfrom tasks import work, Counter\n\nrefs = [work.remote(i) for i in range(3)]\nc = Counter.remote()\nfor i in range(3):\n    c.add.remote(i)\n"}, []),
    ("decorated task", {"main.py": "import ray\n\n@ray.remote\ndef f():\n    return ray.put(1)\n"}, ["RAY001"]),
    ("task in a loop", {"main.py": "import ray\n\nfor i in range(3):\n    @ray.remote\n    def f():\n        return 1\n"}, ["RAY004"]),
    ("ray.remote of a parameter in a loop", {"main.py": "import ray\n\ndef run(fn):\n    for i in range(3):\n        ray.remote(fn).remote(i)\n"}, ["RAY004"]),
    ("aliased module", {"main.py": "import ray as rr\n\ndef run(fn):\n    for i in range(3):\n        rr.remote(fn).remote(i)\n"}, ["RAY004"]),
    ("remote imported", {"main.py": "from ray import remote\n\ndef run(fn):\n    for i in range(3):\n        remote(fn).remote(i)\n"}, ["RAY004"]),
    ("remote imported under another name", {"main.py": "from ray import remote as wrap\n\ndef run(fn):\n    for i in range(3):\n        wrap(fn).remote(i)\n"}, ["RAY004"]),
    ("remote assigned", {"main.py": "import ray\nwrap = ray.remote\n\ndef run(fn):\n    for i in range(3):\n        wrap(fn).remote(i)\n"}, ["RAY004"]),
    ("a def of the file as decorator", {"main.py": "import ray\n\ndef deco(f):\n    return ray.remote(f)\n\n@deco\ndef g():\n    return ray.put(1)\n"}, []),
    ("factory in brackets", {"main.py": "import ray\n(\n    gpu\n) = (\n    ray.remote(num_gpus=0)\n)\n\n@gpu\ndef f():\n    return ray.put(1)\n"}, ["RAY001"]),
    ("factory by walrus", {"main.py": "import ray\nif (gpu := ray.remote(num_cpus=1)):\n    pass\n\n@gpu\ndef f():\n    return ray.put(1)\n"}, None),
    ("imported factory, options with brackets", {"main.py": "from tasks import make\nfrom ray import put\n\ndef f():\n    return put(1)\n\ng = make(resources=dict(a=1))(f)\n"}, ["RAY001"]),
    ("re-exported numpy", {"arrays.py": "from numpy import zeros as make\n", "main.py": "from arrays import make\nfrom tasks import work\n\nbig = make(10**8)\nrefs = [work.remote(big) for _ in range(3)]\n"}, ["RAY008"]),
    ("torch array by keyword size", {"main.py": "import torch\nfrom tasks import work\n\nbig = torch.empty(size=(4096, 4096))\nrefs = [work.remote(big) for _ in range(3)]\n"}, ["RAY008"]),
    ("bytearray", {"main.py": "from tasks import work\n\nbig = bytearray(10**6)\nrefs = [work.remote(big) for _ in range(3)]\n"}, ["RAY008"]),
    ("random submodule imported under another name", {"main.py": "from numpy.random import randint as draw\nfrom tasks import work\n\nbig = draw(0, 9, 10**6)\nrefs = [work.remote(big) for _ in range(3)]\n"}, ["RAY008"]),
    ("captured re-exported array", {"arrays.py": "from numpy import full\n", "main.py": "import ray\nfrom arrays import full\n\nbig = full((4096, 4096), 1.0)\n\n@ray.remote\ndef f():\n    return len(big)\n\nif __name__ == '__main__':\n    f.remote()\n"}, ["RAY009"]),
    ("re-exported pickle", {"helpers.py": "from pickle import dumps\n", "main.py": "import ray\nfrom helpers import dumps\n\nref = ray.put(1)\ndata = dumps(ref)\n"}, ["RAY006"]),
    ("byte order mark", {"main.py": "\ufefffrom ray import remote, put\n@remote\ndef f():\n    return put(1)\n"}, ["RAY001"]),
    ("byte order mark, imported factory", {"main.py": "\ufefffrom tasks import make\nfrom ray import put\n\n@make\ndef f():\n    return put(1)\n"}, ["RAY001"]),
    ("lone CR line ends, imported factory", {"main.py": "from tasks import make\rfrom ray import put\r\r@make\rdef f():\r    return put(1)\r"}, ["RAY001"]),
]
_AGREEMENT_TASKS = "import ray\nmake = ray.remote\n\n@ray.remote\ndef work(x):\n    return x\n\n@ray.remote\nclass Counter:\n    def add(self, x):\n        return x\n"


@pytest.mark.parametrize("name, files, expected", _AGREEMENT, ids=[case[0] for case in _AGREEMENT])
def test_the_prefilter_agrees_with_the_analysis(tmp_path, monkeypatch, name, files, expected):
    import raylint.core as core

    (tmp_path / "tasks.py").write_text(_AGREEMENT_TASKS)
    for file, code in files.items():
        (tmp_path / file).write_text(code, encoding="utf-8")
    path = str(tmp_path / "main.py")
    text = (tmp_path / "main.py").read_text(encoding="utf-8")
    filtered = [f.code for f in analyze(text, path, index=ModuleIndex([str(tmp_path)])).findings]
    monkeypatch.setattr(core, "may_apply", lambda text, path, index, externals, rules, known=None: list(rules))
    unfiltered = [f.code for f in analyze(text, path, index=ModuleIndex([str(tmp_path)])).findings]
    assert filtered == unfiltered
    if expected is not None:
        assert filtered == expected


def test_every_task_of_the_fixtures_and_programs_is_let_through():
    """Every file of the rule fixtures and the test programs where the task finder finds a task
    or actor: the prefilter's `remote` need holds there (it stands for a task the file defines)."""
    import ast

    from raylint.core.names import ModuleInfo, Resolver
    from raylint.core.prefilter import _File
    from raylint.core.source import SourceText, parse
    from raylint.core.tasks import _remote_decorator, find_remote_functions, remote_wrapped_names

    root = Path(__file__).parents[2]
    paths = sorted([*(root / "tests" / "rules" / "fixtures").rglob("*.py"), *(root / "tests" / "programs").rglob("*.py"), *(root / "examples").rglob("*.py")])
    with_tasks = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        index = ModuleIndex([str(path.parent)])
        source = SourceText(text)
        tree, errors = parse(source)
        if tree is None:
            continue
        resolver = Resolver(ModuleInfo(str(path), source, tree, errors), index, None)
        found = bool(find_remote_functions(resolver) or remote_wrapped_names(resolver)) or any(
            isinstance(node, ast.ClassDef) and _remote_decorator(resolver, node, resolver.module.scope) for node in ast.walk(tree)
        )
        with_tasks += found
        assert not found or _File(text, str(path), index, None).defines_task(), path
    assert with_tasks > 40  # (the check saw real tasks)


@pytest.mark.parametrize("name, files, expected", _AGREEMENT, ids=[case[0] for case in _AGREEMENT])
def test_the_quick_prefilter_of_a_keystroke_lets_through_what_the_thorough_one_does(tmp_path, name, files, expected):
    # (at a keystroke the server asks the quick way: it may let more rules through, never fewer)
    (tmp_path / "tasks.py").write_text(_AGREEMENT_TASKS)
    for file, code in files.items():
        (tmp_path / file).write_text(code, encoding="utf-8")
    path = tmp_path / "main.py"
    text = path.read_text(encoding="utf-8")
    rules = default_config().rules
    thorough = {r.code for r in may_apply(text, str(path), ModuleIndex([str(tmp_path)]), None, rules)}
    quick = {r.code for r in may_apply(text, str(path), ModuleIndex([str(tmp_path)]), None, rules, {}, quick=True)}
    assert thorough <= quick
    if name == "submissions only":  # (it spells `remote`: the quick way does not read further)
        assert "RAY007" in quick and "RAY007" not in thorough


def test_lambdas_given_to_calls_are_read_up_to_a_bound_then_the_file_may_define_a_task():
    """Each `(lambda` is read back 200 characters for its callee: past 200 of them the reader
    is unsure (a file of 200,000 took 4.7 s), and unsure keeps the file (it may make a task)."""
    from raylint.core.prefilter import _lambda_wrappers

    few = "import ray\n" + "gpu(lambda x: x)\ndf.apply(lambda y: y)\nray.remote(num_cpus=f(1))(lambda z: z)\n"
    assert _lambda_wrappers(few) == [("gpu", "gpu"), ("*", None)]  # (a method's lambda is not a task's)
    many = "import ray\n" + "df.apply(lambda y: y)\n" * 500
    assert _lambda_wrappers(many) == [("*", None)]


_WORDS = ["put", "remote", "ray", "get", "dumps"]
_PIECES = ["put", "remote", "ray", "x", " ", "\n", "_", "(", ".", "get", "dumps", "1", "#"]


@settings(max_examples=300, deadline=None)
@example(start=[" ", "put"], edits=[(0, 1, ["x"])])  # (the character before the word is edited)
@example(start=["put", " "], edits=[(3, 1, ["x"])])  # (the character after it)
@example(start=["x", "put"], edits=[(0, 1, [" "])])  # (a word made by the edit of its neighbour)
@given(
    start=st.lists(st.sampled_from(_PIECES), max_size=40),
    edits=st.lists(
        st.tuples(st.integers(0, 200), st.integers(0, 6), st.lists(st.sampled_from(_PIECES), max_size=4)),
        min_size=1,
        max_size=12,
    ),
)
def test_a_documents_words_learnt_from_its_last_text_are_those_of_a_fresh_read(start, edits):
    """While a document is typed in, the prefilter takes a word's place in the last text as
    still good when the edit is elsewhere, and looks only in the edited span for a word the
    last text lacked: after any run of edits, each word is spelled exactly when a fresh read
    of the text spells it."""
    from raylint.core.prefilter import _File, spells

    text = "".join(start)
    known: dict = {}
    index = ModuleIndex()
    for at, removed, inserted in edits:
        at = min(at, len(text))
        text = text[:at] + "".join(inserted) + text[at + removed :]
        file = _File(text, "/t/m.py", index, None, known, quick=True)
        for word in _WORDS:
            assert file.spelled(word) == spells(text, word), (word, text)
        file.remember()


@pytest.mark.parametrize(
    "files",
    [
        {"main.py": "import ｒａｙ\n\n\n@ｒａｙ.ｒｅｍｏｔｅ\ndef f():\n    return ｒａｙ.ｐｕｔ(1)\n"},
        {"tasks.py": "import ray\ngpu_ｔａｓｋ = ray.remote(num_gpus=0)\n", "main.py": "import ray\nfrom ｔａｓｋｓ import gpu_task\n\n\n@gpu_task\ndef f():\n    return ray.put(1)\n"},
    ],
    ids=["names in the file", "a module and name imported"],
)
def test_names_in_compatibility_characters_are_read_as_the_parser_reads_them(tmp_path, files):
    """`ｒａｙ` is `ray` to Python (names are NFKC-normalized); the prefilter searched the text for
    `ray` and `remote` and passed the task over."""
    assert_task_found(tmp_path, files, "NFKC")
