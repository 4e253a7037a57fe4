"""RAY002 ray-get-loop, Fixit style: small VALID and INVALID programs (each invalid one with
the line:col, 1-based, of every finding), and the fixes' results."""

from __future__ import annotations

import ast
import textwrap

import pytest

from raylint.core import Config, analyze, apply_edits
from raylint.rules import ray002

HEADER = """\
import ray


@ray.remote
def f(x):
    return x


@ray.remote
class A:
    def m(self, x=0):
        return x


"""
OFFSET = HEADER.count("\n")

INVALID = [
    # (code after HEADER, ["line:col" relative to the code, 1-based])
    ("out = []\nfor x in range(3):\n    out.append(ray.get(f.remote(x)))\n", ["3:16"]),
    ("for x in range(3):\n    print(ray.get(f.remote(x)))\n", ["2:11"]),
    ("for x in range(3):\n    ray.get(f.remote(x))\n", ["2:5"]),
    ("for x in range(3):\n    ref = f.remote(x)\n    print(ray.get(ref))\n", ["3:11"]),
    ("for x in range(3):\n    y = ray.get(f.options(num_cpus=1).remote(x))\n    print(y)\n", ["2:9"]),
    ("total = 0\nfor x in range(3):\n    total += ray.get(f.remote(x))\n", ["3:14"]),
    ("i = 0\nwhile i < 3:\n    print(ray.get(f.remote(i)))\n    i += 1\n", ["3:11"]),
    ("xs = [ray.get(f.remote(x)) for x in range(3)]\n", ["1:7"]),
    ("xs = {ray.get(f.remote(x)) for x in range(3)}\n", ["1:7"]),
    ("xs = {x: ray.get(f.remote(x)) for x in range(3)}\n", ["1:10"]),
    ("xs = sum(ray.get(f.remote(x)) for x in range(3))\n", ["1:10"]),
    ("xs = sorted(ray.get(f.remote(x)) for x in range(3))\n", ["1:13"]),
    ("def g(xs):\n    return [ray.get(f.remote(x)) for x in xs]\n", ["2:13"]),
    ("import ray as r\nxs = [r.get(f.remote(x)) for x in range(3)]\n", ["2:7"]),
    ("from ray import get\nxs = [get(f.remote(x)) for x in range(3)]\n", ["2:7"]),
    ("from ray import get as fetch\nxs = [fetch(f.remote(x)) for x in range(3)]\n", ["2:7"]),
    ("g = ray.remote(lambda x: x)\nxs = [ray.get(g.remote(x)) for x in range(3)]\n", ["2:7"]),
    ("class C:\n    def run(self, xs):\n        for x in xs:\n            self.v = ray.get(f.remote(x))\n", ["4:22"]),
    ("async def g(xs):\n    for x in xs:\n        print(ray.get(f.remote(x)))\n", ["3:15"]),
    ("for x in range(3):\n    if x:\n        print(ray.get(f.remote(x)))\n", ["3:15"]),
    ("for x in range(3):\n    try:\n        print(ray.get(f.remote(x)))\n    except Exception:\n        continue\n", ["3:15"]),
    ("for x in range(3):\n    for y in range(2):\n        print(ray.get(f.remote(y)))\n", ["3:15"]),
    ("for x in range(3):\n    v = ray.get(f.remote(x))\n    if v > 1:\n        print(v)\n", ["2:9"]),
    ("for x in range(3):\n    v = ray.get(f.remote(x))\n    if x > 1:\n        break\n", ["2:9"]),
    ("for x in range(3):\n    y = x * 2\n    print(ray.get(f.remote(y)))\n", ["3:11"]),
    ("results = {}\nfor x in range(3):\n    results[x] = ray.get(f.remote(x))\n", ["3:18"]),
    ("import tasks\nxs = [ray.get(tasks.work.remote(x)) for x in range(3)]\n", ["2:7"]),
]

VALID = [
    # Ray's recommended shapes
    "refs = [f.remote(x) for x in range(3)]\nvalues = ray.get(refs)\n",
    "refs = []\nfor x in range(3):\n    refs.append(f.remote(x))\nvalues = ray.get(refs)\n",
    "refs = [f.remote(x) for x in range(3)]\nwhile refs:\n    ready, refs = ray.wait(refs)\n    print(ray.get(ready))\n",
    # dependent iterations
    "state = 0\nfor _ in range(3):\n    state = ray.get(f.remote(state))\n",
    "x = 0\nfor _ in range(3):\n    y = ray.get(f.remote(x))\n    x = y + 1\n",
    "acc = []\nfor _ in range(3):\n    acc.append(ray.get(f.remote(acc)))\n",
    "class C:\n    def run(self):\n        for _ in range(3):\n            self.state = ray.get(f.remote(self.state))\n",
    "queue = [1]\nwhile queue:\n    item = queue.pop()\n    queue.extend(ray.get(f.remote(item)))\n",
    "done = False\nwhile not done:\n    done = ray.get(f.remote(0))\n",
    "while not ray.get(f.remote(0)):\n    pass\n",
    "for x in range(3):\n    if ray.get(f.remote(x)):\n        break\n",
    "for x in range(3):\n    v = ray.get(f.remote(x))\n    if v:\n        raise ValueError(v)\n",
    "for x in range(3):\n    v = ray.get(f.remote(x))\n    if not v:\n        continue\n    print(v)\n",
    "def g():\n    for x in range(3):\n        if ray.get(f.remote(x)):\n            return x\n",
    "def g():\n    for x in range(3):\n        return ray.get(f.remote(x))\n",
    "def g():\n    for x in range(3):\n        yield ray.get(f.remote(x))\n",
    "def g(model):\n    w = ray.put(model.w)\n    for _ in range(3):\n        grads = ray.get(f.remote(w))\n        model.apply(grads)\n        w = ray.put(model.w)\n",
    "def g(model):\n    for _ in range(3):\n        w = model.weights()\n        grads = ray.get(f.remote(w))\n        model.apply(grads)\n",
    # retry loops, timeouts, timing
    "for _ in range(3):\n    try:\n        v = ray.get(f.remote(1))\n        break\n    except Exception:\n        pass\n",
    "for x in range(3):\n    print(ray.get(f.remote(x), timeout=1))\n",
    "import time\nfor x in range(3):\n    t = time.time()\n    ray.get(f.remote(x))\n    print(time.time() - t)\n",
    # actors: a barrier on stateful actors
    "a = A.remote()\nfor x in range(3):\n    print(ray.get(a.m.remote(x)))\n",
    "workers = [A.remote() for _ in range(2)]\nfor _ in range(3):\n    ray.get([w.m.remote() for w in workers])\n",
    "workers = [A.remote() for _ in range(2)]\nxs = [ray.get(w.m.remote()) for w in workers]\n",
    "class C:\n    def step(self):\n        for _ in range(3):\n            ray.get(self.actor.m.remote())\n",
    "for x in range(3):\n    print(ray.get(A.options(name='a').remote().m.remote()))\n",
    # batches and windows
    "for batch in [[1], [2]]:\n    print(ray.get([f.remote(x) for x in batch]))\n",
    "for batch in [[1], [2]]:\n    refs = [f.remote(x) for x in batch]\n    print(ray.get(refs))\n",
    "window = []\nfor x in range(9):\n    window.append(f.remote(x))\n    if len(window) > 3:\n        ray.get(window.pop(0))\n",
    "ref = f.remote(0)\nfor x in range(3):\n    print(ray.get(ref))\n",
    # lazy generators, the value sent to another task
    "print(any(ray.get(f.remote(x)) for x in range(3)))\n",
    "gen = (ray.get(f.remote(x)) for x in range(3))\n",
    "out = [f.remote(ray.get(f.remote(x))) for x in range(3)]\n",
    # not Ray's get, or not Ray's remote
    "def g(get):\n    return [get(f.remote(x)) for x in range(3)]\n",
    "import other\nxs = [other.get(f.remote(x)) for x in range(3)]\n",
    "xs = [ray.get(ray.remote(x)) for x in range(3)]\n",
    "for x in range(3):\n    def later():\n        return ray.get(f.remote(x))\n",
    "for x in range(3):\n    later = lambda: ray.get(f.remote(x))\n",
    "ray.get(f.remote(1))\n",
    "for x in ray.get(f.remote([1, 2])):\n    print(x)\n",
]

CONFIG = Config.make([ray002.RULE])


def findings(code: str):
    return analyze(HEADER + code, "/tmp/ray002_case.py", CONFIG).findings


@pytest.mark.parametrize("code, expected", INVALID)
def test_invalid(code, expected):
    found = [f"{f.range.start.line + 1 - OFFSET}:{f.range.start.character + 1}" for f in findings(code)]
    assert found == expected
    assert all(f.code == "RAY002" for f in findings(code))


@pytest.mark.parametrize("code", VALID)
def test_valid(code):
    assert findings(code) == []


FIXES = [
    (
        "out = []\nfor x in range(3):\n    out.append(ray.get(f.remote(x)))\nprint(out)\n",
        "out = []\nfor x in range(3):\n    out.append(f.remote(x))\nout = ray.get(out)\nprint(out)\n",
    ),
    (
        "def g(xs):\n    out = []\n    for x in xs:\n        ref = f.remote(x)\n        out.append(ray.get(ref))\n    return out\n",
        "def g(xs):\n    out = []\n    for x in xs:\n        ref = f.remote(x)\n        out.append(ref)\n    out = ray.get(out)\n    return out\n",
    ),
    ("xs = [ray.get(f.remote(x)) for x in range(3)]\n", "xs = ray.get([f.remote(x) for x in range(3)])\n"),
    ("out = []\nfor x in range(3):\n    out.append(ray.get(f.remote(x)))", "out = []\nfor x in range(3):\n    out.append(f.remote(x))\nout = ray.get(out)"),
    ("out = []\r\nfor x in range(3):\r\n    out.append(ray.get(f.remote(x)))\r\n", "out = []\r\nfor x in range(3):\r\n    out.append(f.remote(x))\r\nout = ray.get(out)\r\n"),
]

NO_FIX = [
    "total = 0\nfor x in range(3):\n    total += ray.get(f.remote(x))\n",
    "out = [0]\nfor x in range(3):\n    out.append(ray.get(f.remote(x)))\n",
    "out = []\nprint(out)\nfor x in range(3):\n    out.append(ray.get(f.remote(x)))\n",
    "out = []\nfor x in range(3):\n    print(x)\n    out.append(ray.get(f.remote(x)))\n",
    "out = []\nfor x in range(3):\n    out.append(ray.get(f.remote(x)))\nelse:\n    pass\n",
    "out = []\nfor x in out:\n    out.append(ray.get(f.remote(x)))\n",
    "xs = {ray.get(f.remote(x)) for x in range(3)}\n",
    "xs = [ray.get(f.remote(x), timeout=None) for x in range(3)]\n",
]


@pytest.mark.parametrize("code, fixed", FIXES)
def test_fix(code, fixed):
    header = HEADER.replace("\n", "\r\n") if "\r\n" in code else HEADER
    [finding] = analyze(header + code, "/tmp/ray002_case.py", CONFIG).findings
    [fix] = finding.fixes
    assert fix.unsafe_reason and fix.applicability.value == "unsafe"
    header = HEADER.replace("\n", "\r\n") if "\r\n" in code else HEADER
    after = apply_edits(header + code, list(fix.edits))
    assert after == header + fixed
    ast.parse(after)
    assert analyze(after, "/tmp/ray002_case.py", CONFIG).findings == []


@pytest.mark.parametrize("code", NO_FIX)
def test_no_fix(code):
    found = findings(code)
    assert all(not f.fixes and f.no_fix_reason for f in found)


def test_finding_details():
    code = textwrap.dedent(
        """\
        def driver(xs):
            out = []
            for x in xs:
                out.append(ray.get(f.remote(x)))  # the anti-pattern
            return out
        """
    )
    [finding] = findings(code)
    assert finding.task == "driver"
    assert finding.related[0].range.start.line + 1 - OFFSET == 4
    assert finding.statement.start.line + 1 - OFFSET == 4
    assert "one at a time" in finding.message


def test_rule_metadata():
    rule = ray002.RULE
    assert (rule.code, rule.name) == ("RAY002", "ray-get-loop")
    assert rule.url == "https://docs.ray.io/en/latest/ray-core/patterns/ray-get-loop.html"
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety", "## When it is wrong"):
        assert section in rule.docs
    assert rule.docs.splitlines()[0].startswith("RAY002 ray-get-loop: ")


def test_a_name_bound_to_an_actor_method_is_an_actor_call():
    code = "h = A.remote()\nfn = h.m\nfor x in range(3):\n    print(ray.get(fn.remote(x)))\n"
    assert findings(code) == []
    code = "import tasks\ng = tasks.work\nfor x in range(3):\n    print(ray.get(g.remote(x)))\n"
    assert len(findings(code)) == 1


@pytest.mark.parametrize(
    "code",
    [
        # a Serve handle (or any object made by a call) is not a task
        "from ray import serve\nfor name in ['a', 'b']:\n    handle = serve.get_deployment(name).get_handle()\n    print(ray.get(handle.remote(1)))\n",
        "def g(fn, xs):\n    return [ray.get(fn.remote(x)) for x in xs]\n",
    ],
)
def test_receivers_that_may_not_be_tasks(code):
    assert findings(code) == []


@pytest.mark.parametrize(
    "code",
    [
        "g = ray.remote(num_cpus=1)(lambda x: x)\nxs = [ray.get(g.remote(x)) for x in range(3)]\n",
        "g = f.options(num_cpus=1)\nxs = [ray.get(g.remote(x)) for x in range(3)]\n",
        "from tasks import work\nxs = [ray.get(work.remote(x)) for x in range(3)]\n",
    ],
)
def test_receivers_that_are_tasks(code):
    assert len(findings(code)) == 1


def test_a_helper_that_makes_a_function_remote():
    code = "def _work(x):\n    return x\nwork = make_remote(_work)\nfor x in range(3):\n    print(ray.get(work.remote(x)))\n"
    assert len(findings(code)) == 1


@pytest.mark.parametrize(
    "edited",
    [
        "out = [0]\n",  # the list is no longer empty: no fix
        "out = []  # fresh\n",  # the same list: the fix again
        "outs = []\n",  # another name: no fix
    ],
)
def test_editing_the_statement_before_a_module_level_loop_redoes_its_fix(edited):
    """The fix of a module-level loop reads the top-level statement before it: the language
    server's incremental analysis must not keep the old fix when that statement changes."""
    from raylint.core import ModuleIndex
    from raylint.core.incremental import DocumentAnalyzer

    loop = "for x in range(3):\n    out.append(ray.get(f.remote(x)))\n"
    original = HEADER + "out = []\n" + loop
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", CONFIG, index=index)
    analyzer.analyze(original)
    text = HEADER + edited + loop
    assert analyzer.analyze(text) == analyze(text, "t.py", CONFIG, index=index)


@pytest.mark.parametrize(
    "loop, code",
    [
        ("for x in xs:\n        fetch(f.remote(x))\n", "RAY002"),
        ("for ref in refs:\n        print(fetch(ref))\n", "RAY005"),
    ],
)
def test_a_get_reexported_under_another_name_is_found_in_a_file_that_never_spells_get(tmp_path, loop, code):
    """`from helpers import fetch`, where helpers re-exports `ray.get` (and `ray.wait` as
    `settle`): the file spells neither `get` nor `wait`, and the loop is still the rules'.
    (The loops helper looked at no call in a file that did not spell `get`.)"""
    from raylint.core import ModuleIndex, default_config

    (tmp_path / "helpers.py").write_text("from ray import get as fetch, wait as settle\n")
    text = (
        "import ray\nfrom helpers import fetch, settle\n\n\n@ray.remote\ndef f(x):\n    return x\n\n\n"
        "def run(xs):\n    refs = [f.remote(x) for x in xs]\n    " + loop
    )
    assert "get" not in text and "wait" not in text
    path = tmp_path / "main.py"
    path.write_text(text)
    found = analyze(text, str(path), default_config(), index=ModuleIndex([str(tmp_path)])).findings
    assert code in [f.code for f in found]


@pytest.mark.parametrize(
    "tools, imported, called",
    [
        ("from helpers import fetch as grab\n", "from tools import grab", "grab"),
        ("from helpers import *\ngrab = fetch\n", "from tools import grab", "grab"),
        ("from compat import ray as R\ngrab = R.get\n", "from tools import grab", "grab"),
        ("", "from compat import ray as R", "R.get"),
    ],
    ids=["renamed", "star-then-assigned", "attribute-of-a-reexported-ray", "reexported-ray"],
)
def test_a_get_reached_through_modules_that_spell_neither_get_nor_wait_is_found(tmp_path, tools, imported, called):
    """A `ray.get` in a loop, reached through workspace modules that never spell `get`: tools
    re-exports helpers' `fetch` (`from ray import get as fetch`), or compat's `ray` (it spells
    `import ray` only; the base of `R.get` is followed whatever it spells)."""
    from raylint.core import ModuleIndex, default_config

    (tmp_path / "helpers.py").write_text("from ray import get as fetch\n")
    (tmp_path / "compat.py").write_text("import ray\n")
    (tmp_path / "tools.py").write_text(tools)
    (tmp_path / "shapes.py").write_text("class Spec:\n    pass\n")
    text = (
        f"import ray\n{imported}\nfrom shapes import Spec\n\n\n@ray.remote\ndef f(x):\n    return x\n\n\n"
        f"def run(xs):\n    for x in xs:\n        Spec()\n        {called}(f.remote(x))\n"
    )
    path = tmp_path / "main.py"
    path.write_text(text)
    found = analyze(text, str(path), default_config(), index=ModuleIndex([str(tmp_path)])).findings
    assert [(f.code, f.range.start.line) for f in found if f.code == "RAY002"] == [("RAY002", 13)]
