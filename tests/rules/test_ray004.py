"""RAY004 redefine-remote-in-loop, Fixit style: code that must pass, code that must be
flagged (at line:col, 1-based), and what the hoist fix makes of it."""

from __future__ import annotations

import ast

import pytest

from raylint.core import Config, analyze, apply_edits, fix_text
from raylint.rules.ray004 import RULE

HEAD = "import ray\n\n\ndef work(x):\n    return x\n\n\n"
LINES = HEAD.count("\n")

VALID = [
    "@ray.remote\ndef f():\n    return 1\n\n\nfor i in range(3):\n    f.remote()\n",
    "g = ray.remote(work)\nfor i in range(3):\n    g.remote(i)\n",
    # a plain def or class in the loop: its body runs only when called
    "for i in range(3):\n    def make():\n        @ray.remote\n        def f():\n            return 1\n        return f\n",
    "for i in range(3):\n    class C:\n        def m(self):\n            return ray.remote(work)\n",
    # a different function at each pass
    "for fn in [work, len]:\n    ray.remote(fn)\n",
    "for i in range(2):\n    fn = pick(i)\n    ray.remote(fn)\n",
    "for i in range(2):\n    tasks = [ray.remote(fn) for fn in fns]\n",
    # a lambda, an except handler, a loop's else
    "for i in range(2):\n    later = lambda: ray.remote(work)\n",
    "while True:\n    try:\n        break\n    except ValueError:\n        ray.remote(work).remote(1)\n",
    "for i in range(2):\n    pass\nelse:\n    @ray.remote\n    def f():\n        return 1\n",
    # not Ray's remote
    "def h(ray):\n    for i in range(2):\n        @ray.remote\n        def f():\n            return 1\n",
    "from mylib import remote\nfor i in range(2):\n    @remote\n    def f():\n        return 1\n",
    "for i in range(2):\n    @other.remote\n    def f():\n        return 1\n",
    # a comprehension is not a loop statement
    "fs = [ray.remote(work) for _ in range(2)]\n",
    # ray.remote(...) that makes a decorator only
    "for i in range(2):\n    deco = ray.remote(num_cpus=1)\n",
]

INVALID = [
    # (code, line:col of the finding, the code after the fix; None: no fix; "unsafe": an unsafe fix)
    (
        "for i in range(3):\n    @ray.remote\n    def f(x):\n        return x\n\n    f.remote(i)\n",
        "2:5",
        "@ray.remote\ndef f(x):\n    return x\n\nfor i in range(3):\n    f.remote(i)\n",
    ),
    (
        "out = []\nwhile out:\n    @ray.remote(num_cpus=1)\n    class A:\n        def m(self):\n            return work(1)\n\n    out.append(A.remote())\n",
        "3:5",
        "out = []\n\n@ray.remote(num_cpus=1)\nclass A:\n    def m(self):\n        return work(1)\n\nwhile out:\n    out.append(A.remote())\n",
    ),
    (
        "async def main():\n    async for i in source():\n        @ray.remote\n        def f():\n            return 1\n",
        "3:9",
        "async def main():\n    @ray.remote\n    def f():\n        return 1\n\n    async for i in source():\n        pass\n",
    ),
    (
        "for i in range(3):\n    g = ray.remote(work)\n    g.remote(i)\n",
        "2:9",
        "g = ray.remote(work)\nfor i in range(3):\n    g.remote(i)\n",
    ),
    (
        "for i in range(3):\n    g = ray.remote(num_cpus=1)(work)\n    g.remote(i)\n",
        "2:9",
        "g = ray.remote(num_cpus=1)(work)\nfor i in range(3):\n    g.remote(i)\n",
    ),
    (
        "from ray import remote\nfor i in range(3):\n    @remote\n    def f():\n        return 1\n",
        "3:5",
        "from ray import remote\n\n@remote\ndef f():\n    return 1\n\nfor i in range(3):\n    pass\n",
    ),
    (
        "gpu = ray.remote(num_gpus=1)\nfor i in range(3):\n    @gpu\n    def f():\n        return 1\n",
        "3:5",
        "gpu = ray.remote(num_gpus=1)\n\n@gpu\ndef f():\n    return 1\n\nfor i in range(3):\n    pass\n",
    ),
    # no fix: reads the loop variable, options use it, rebound, not assigned
    ("for i in range(3):\n    @ray.remote\n    def f():\n        return i\n", "2:5", None),
    ("for n in range(3):\n    @ray.remote(num_cpus=n)\n    def f():\n        return 1\n", "2:5", None),
    ("for n in range(3):\n    @ray.remote\n    def f(k=n):\n        return k\n", "2:5", None),
    ("for n in range(3):\n    total = n\n    @ray.remote\n    def f():\n        return total\n", "3:5", None),
    ("for n in range(3):\n    @ray.remote\n    def f():\n        return 1\n    f = f.options(num_cpus=1)\n", "2:5", None),
    ("for n in range(3):\n    ray.remote(work).remote(n)\n", "2:5", None),
    ("for n in range(3):\n    g = ray.remote(num_cpus=n)(work)\n", "2:9", None),
    ("for n in range(3):\n    def h():\n        return 1\n    g = ray.remote(h)\n", "4:9", None),
    # unsafe: reads a mutable global, under a condition, a call in the decorator, bound elsewhere
    ("cfg = {}\nfor n in range(3):\n    cfg['k'] = n\n    @ray.remote\n    def f():\n        return cfg['k']\n", "4:5", "unsafe"),
    ("for n in range(3):\n    if n:\n        @ray.remote\n        def f():\n            return 1\n", "3:9", "unsafe"),
    ("for n in range(3):\n    @ray.remote(num_cpus=cpus())\n    def f():\n        return 1\n", "2:5", "unsafe"),
    ("f = None\nfor n in range(3):\n    @ray.remote\n    def f():\n        return 1\n", "3:5", "unsafe"),
    ("def outer(model):\n    for n in range(3):\n        @ray.remote\n        def f():\n            return model\n", "3:9", "unsafe"),
    # unsafe: a constant the module rebinds other than by its own bindings, a class whose attributes change
    ("X = 0\ndef bump(n):\n    global X\n    X = n\nfor n in range(3):\n    bump(n)\n    @ray.remote\n    def f():\n        return X\n", "7:5", "unsafe"),
    ("X = 0\nfor n in range(3):\n    globals()['X'] = n\n    @ray.remote\n    def f():\n        return X\n", "4:5", "unsafe"),
    ("import sys\nX = 0\nfor n in range(3):\n    setattr(sys.modules[__name__], 'X', n)\n    @ray.remote\n    def f():\n        return X\n", "5:5", "unsafe"),
    ("class Cfg:\n    v = 0\nfor n in range(3):\n    Cfg.v = n\n    @ray.remote\n    def f():\n        return Cfg.v\n", "5:5", "unsafe"),
    ("class Cfg:\n    v = 0\n    @classmethod\n    def set(cls, n):\n        cls.v = n\nfor n in range(3):\n    Cfg.set(n)\n    @ray.remote\n    def f():\n        return Cfg.v\n", "8:5", "unsafe"),
    ("def helper():\n    return 1\nfor n in range(3):\n    helper.calls = n\n    @ray.remote\n    def f():\n        return helper.calls\n", "5:5", "unsafe"),
    ("for n in range(3):\n    @ray.remote\n    def f(x, acc=[]):\n        acc.append(x)\n        return len(acc)\n", "2:5", "unsafe"),
    ("for n in range(3):\n    @ray.remote\n    def f(x):\n        f.calls = getattr(f, 'calls', 0) + 1\n        return f.calls\n", "2:5", "unsafe"),
    ("class Cfg:\n    items = []\nfor n in range(3):\n    Cfg.items.append(n)\n    @ray.remote\n    def f():\n        return len(Cfg.items)\n", "5:5", "unsafe"),
    ("def helper(acc=[]):\n    return len(acc)\nfor n in range(3):\n    helper()\n    @ray.remote\n    def f():\n        return helper()\n", "5:5", "unsafe"),
    ("class Cfg:\n    v = 0\nc = Cfg()\nfor n in range(3):\n    c.__class__.v = n\n    @ray.remote\n    def f():\n        return Cfg.v\n", "6:5", "unsafe"),
    ("def main():\n    x = 0\n    def bump(n):\n        nonlocal x\n        x = n\n    for n in range(3):\n        bump(n)\n        @ray.remote\n        def f():\n            return x\n", "8:9", "unsafe"),
]


def findings(code: str):
    return analyze(HEAD + code, "/tmp/ray004_case.py", Config.make([RULE])).findings


@pytest.mark.parametrize("code", VALID)
def test_valid(code):
    assert findings(code) == []


@pytest.mark.parametrize("code, where, fixed", INVALID)
def test_invalid(code, where, fixed):
    (finding,) = findings(code)
    line, col = map(int, where.split(":"))
    assert (finding.range.start.line + 1 - LINES, finding.range.start.character + 1) == (line, col)
    assert finding.code == "RAY004"
    if fixed is None:
        assert finding.fixes == () and finding.no_fix_reason
        return
    (fix,) = finding.fixes
    after = apply_edits(HEAD + code, list(fix.edits))
    ast.parse(after)
    if fixed == "unsafe":
        assert fix.unsafe_reason
        return
    assert fix.safe, fix.unsafe_reason
    assert after == HEAD + fixed
    assert findings(fixed) == [], "the fix leaves nothing to flag"


def test_fix_rounds_hoist_out_of_nested_loops():
    code = "for a in range(2):\n    for b in range(2):\n        @ray.remote\n        def f():\n            return 1\n        f.remote()\n"
    fixed, analysis = fix_text(HEAD + code, "/tmp/ray004_case.py", Config.make([RULE]))
    assert analysis.findings == []
    assert fixed == HEAD + "@ray.remote\ndef f():\n    return 1\n\nfor a in range(2):\n    for b in range(2):\n        f.remote()\n"


def test_tabs_crlf_and_docstrings_are_kept():
    code = "def main():\r\n\tfor i in range(2):\r\n\t\t@ray.remote\r\n\t\tdef f():\r\n\t\t\t'''Doc.\r\n\r\n\t\t\tmore'''\r\n\t\t\treturn 1\r\n\t\tf.remote()\r\n"
    text = HEAD.replace("\n", "\r\n") + code
    (finding,) = analyze(text, "/tmp/ray004_case.py", Config.make([RULE])).findings
    after = apply_edits(text, list(finding.fixes[0].edits))
    assert "\n" not in after.replace("\r\n", "")
    tree = ast.parse(after)
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    f = main.body[0]
    assert isinstance(f, ast.FunctionDef) and ast.get_docstring(f, clean=False) == "Doc.\n\n\t\t\tmore"
    assert "\tfor i in range(2):\r\n\t\tf.remote()\r\n" in after


def test_comments_move_with_the_definition():
    code = "for i in range(2):\n    # the task\n    @ray.remote\n    def f():  # trailing\n        return 1\n    f.remote()\n"
    (finding,) = findings(code)
    after = apply_edits(HEAD + code, list(finding.fixes[0].edits))
    assert after == HEAD + "# the task\n@ray.remote\ndef f():  # trailing\n    return 1\n\nfor i in range(2):\n    f.remote()\n"


def test_docs_and_url():
    assert RULE.docs.splitlines()[0].startswith("RAY004 redefine-remote-in-loop: ")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety", "## When it is wrong"):
        assert section in RULE.docs
    assert RULE.url == "https://docs.ray.io/en/latest/ray-core/patterns/redefine-task-actor-loop.html"


def test_class_options_that_use_the_loop_variable_point_to_options():
    code = "for n in range(3):\n    @ray.remote(num_cpus=n)\n    class A:\n        pass\n"
    (finding,) = findings(code)
    assert "`.options(...)`" in finding.no_fix_reason


@pytest.mark.parametrize(
    "code",
    [
        "cache = None\nfor i in range(3):\n    if cache is None:\n        cache = ray.remote(work).remote()\n",
        "state = {}\nfor i in range(3):\n    if not state.get('a'):\n        pass\n    if not holder.actor:\n        holder.actor = ray.remote(num_cpus=0)(work).remote()\n",
        "while retry:\n    ray.init()\n    @ray.remote\n    def f():\n        return 1\n    retry = False\n",
    ],
)
def test_made_once_shapes_are_not_flagged(code):
    assert findings(code) == []


def test_a_lazy_guard_does_not_hide_other_definitions():
    code = "for i in range(3):\n    if cache is None:\n        @ray.remote\n        def other():\n            return 1\n        cache = 1\n"
    (finding,) = findings(code)
    assert finding.fixes and not finding.fixes[0].safe


def test_a_name_imported_from_an_installed_package_makes_the_hoist_unsafe(tmp_path):
    """`from config import settings` may be a dict the loop changes: Ray pickles it by value at
    the first call, so the hoisted task would see it as it was then (a wrong safe fix)."""
    from raylint.core import Config, ModuleIndex, analyze
    from raylint.rules import BY_CODE

    code = (
        "import ray\nfrom somepackage import settings\n\nfor i in range(3):\n    settings['n'] = i\n\n"
        "    @ray.remote\n    def f():\n        return settings['n']\n\n    print(ray.get(f.remote()))\n"
    )
    (finding,) = analyze(code, str(tmp_path / "job.py"), Config.make([BY_CODE["RAY004"]]), index=ModuleIndex([str(tmp_path)])).findings
    (fix,) = finding.fixes
    assert not fix.safe and "settings" in fix.unsafe_reason
    (tmp_path / "helpers.py").write_text("def double(x):\n    return 2 * x\n")
    code = code.replace("from somepackage import settings", "from helpers import double").replace("settings['n'] = i", "pass").replace("return settings['n']", "return double(1)")
    (finding,) = analyze(code, str(tmp_path / "job.py"), Config.make([BY_CODE["RAY004"]]), index=ModuleIndex([str(tmp_path)])).findings
    assert finding.fixes[0].safe, finding.fixes[0].unsafe_reason  # a workspace function: code, not state
