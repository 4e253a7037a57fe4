"""RAY003 unnecessary-ray-get, Fixit style: code that must pass, code that must be flagged
(at line:col, 1-based), and what the fix makes of it."""

from __future__ import annotations

import ast
import textwrap

import pytest

from raylint.core import Config, analyze, apply_edits
from raylint.rules.ray003 import RULE

HEAD = """\
import ray


@ray.remote
def f():
    return 1


@ray.remote
def g(x, k=None):
    return x


"""
LINES = HEAD.count("\n")

VALID = [
    # the recommended pattern
    "ref = f.remote()\nray.get(g.remote(ref))\n",
    # the value is used by the caller too
    "x = ray.get(f.remote())\nprint(x)\ng.remote(x)\n",
    "x = ray.get(f.remote())\ng.remote(x)\nassert x == 1\n",
    "x = ray.get(f.remote())\ng.remote(x + 1)\n",
    "x = ray.get(f.remote())\ng.remote(x[0])\n",
    "x = ray.get(f.remote())\ng.remote(x.attr)\n",
    "x = ray.get(f.remote())\ng(x)\n",
    "x = ray.get(f.remote())\nplain(x)\n",
    # nested in a container: not resolved by Ray
    "x = ray.get(f.remote())\ng.remote([x])\n",
    "g.remote((ray.get(f.remote()),))\n",
    "g.remote(*ray.get(f.remote()))\n",
    "g.remote(**ray.get(f.remote()))\n",
    # lists of refs
    "g.remote(ray.get([f.remote()]))\n",
    "refs = [f.remote()]\ng.remote(ray.get(refs))\n",
    "g.remote(ray.get([f.remote() for _ in range(3)]))\n",
    # timeout, keyword form
    "g.remote(ray.get(f.remote(), timeout=5))\n",
    "g.remote(ray.get(object_refs=f.remote()))\n",
    # not certainly one ref
    "def h(r):\n    g.remote(ray.get(r))\n",
    "g.remote(ray.get(refs[0]))\n",
    "g.remote(ray.get(self_ref.ref))\n",
    "g.remote(ray.get(make_ref()))\n",
    "r = f.remote() if c else [f.remote()]\ng.remote(ray.get(r))\n",
    # several returns, a generator, options that change the count
    "@ray.remote(num_returns=2)\ndef two():\n    return 1, 2\n\n\ng.remote(ray.get(two.remote()))\n",
    "@ray.remote\ndef gen():\n    yield 1\n\n\ng.remote(ray.get(gen.remote()))\n",
    "g.remote(ray.get(f.options(num_returns=2).remote()))\n",
    "g.remote(ray.get(f.options(**opts).remote()))\n",
    "def w(x):\n    return x\n\n\ntwo = ray.remote(num_returns=2)(w)\ng.remote(ray.get(two.remote()))\n",
    # a barrier: a call between the get and its use
    "x = ray.get(f.remote())\nray.kill(actor)\ng.remote(x)\n",
    "x = ray.get(f.remote())\nwrite_file()\ng.remote(x)\n",
    "x = ray.get(f.remote())\nray.get(other.remote())\ng.remote(x)\n",
    # errors handled here
    "try:\n    x = ray.get(f.remote())\nexcept Exception:\n    x = None\ng.remote(x)\n",
    "try:\n    g.remote(ray.get(f.remote()))\nexcept Exception:\n    pass\n",
    # bound twice, augmented, deleted, annotated, unpacked, global
    "x = ray.get(f.remote())\nx = ray.get(f.remote())\ng.remote(x)\n",
    "x = ray.get(f.remote())\nx += 1\ng.remote(x)\n",
    "x = ray.get(f.remote())\ng.remote(x)\ndel x\n",
    "x: int = ray.get(f.remote())\ng.remote(x)\n",
    "x, y = ray.get(f.remote())\ng.remote(x)\n",
    "x = y = ray.get(f.remote())\ng.remote(x)\n",
    "x = ray.get(f.remote())\n\n\ndef h():\n    global x\n    x = 2\n\n\ng.remote(x)\n",
    # no use at all, or read in another scope as something else
    "x = ray.get(f.remote())\n",
    "ray.get(f.remote())\n",
    "x = ray.get(f.remote())\n\n\ndef h():\n    return x\n",
    # a plain `.remote` of ray itself, not Ray's get
    "ray.remote(ray.get(f.remote()))\n",
    "def h(ray):\n    g.remote(ray.get(f.remote()))\n",
    "from somewhere import get\ng.remote(get(f.remote()))\n",
    # a ref passed to ray.get inside a comprehension result
    "[g.remote(v) for v in ray.get([f.remote()])]\n",
]

INVALID = [
    # (code, line:col of the `ray.get`, the code after the fix)
    ("x = ray.get(f.remote())\ng.remote(x)\n", "1:5", "x = f.remote()\ng.remote(x)\n"),
    ("g.remote(ray.get(f.remote()))\n", "1:10", "g.remote(f.remote())\n"),
    ("g.remote(1, k=ray.get(f.remote()))\n", "1:15", "g.remote(1, k=f.remote())\n"),
    ("g.options(num_cpus=1).remote(ray.get(f.remote()))\n", "1:30", "g.options(num_cpus=1).remote(f.remote())\n"),
    ("r = f.remote()\nx = ray.get(r)\ng.remote(x)\n", "2:5", "r = f.remote()\nx = r\ng.remote(x)\n"),
    ("x = ray.get(ray.put(1))\ng.remote(x)\n", "1:5", "x = ray.put(1)\ng.remote(x)\n"),
    ("def h():\n    x = ray.get(ray.put(1))\n    g.remote(x)\n", "2:9", "def h():\n    x = ray.put(1)\n    g.remote(x)\n"),
    ("g.remote(ray.get(ray.put(1)))\n", "1:10", "g.remote(ray.put(1))\n"),
    ("from ray import get as fetch\ng.remote(fetch(f.remote()))\n", "2:10", "from ray import get as fetch\ng.remote(f.remote())\n"),
    ("import ray as r\ng.remote(r.get(f.remote()))\n", "2:10", "import ray as r\ng.remote(f.remote())\n"),
    # actor methods and constructors, several uses, a loop in between
    (
        "def sync(learner, workers, Cls):\n    w = ray.get(learner.get.remote())\n    for worker in workers:\n        worker.set.remote(w)\n    return Cls.remote(w)\n",
        "2:9",
        "def sync(learner, workers, Cls):\n    w = learner.get.remote()\n    for worker in workers:\n        worker.set.remote(w)\n    return Cls.remote(w)\n",
    ),
    # harmless calls between: appending the submissions, logging
    (
        "x = ray.get(f.remote())\nout = []\nout.append(g.remote(x))\nlogger.info('sent')\nout.append(g.remote(k=x))\n",
        "1:5",
        "x = f.remote()\nout = []\nout.append(g.remote(x))\nlogger.info('sent')\nout.append(g.remote(k=x))\n",
    ),
    # inside a task
    ("@ray.remote\ndef t():\n    return g.remote(ray.get(f.remote()))\n", "3:21", "@ray.remote\ndef t():\n    return g.remote(f.remote())\n"),
    # in a comprehension
    ("[g.remote(ray.get(f.remote())) for _ in range(3)]\n", "1:11", "[g.remote(f.remote()) for _ in range(3)]\n"),
    # a multi-line get with a comment
    ("x = ray.get(\n    f.remote()  # here\n)\ng.remote(x)\n", "1:5", "x = (\n    f.remote()  # here\n)\ng.remote(x)\n"),
]


def findings(code: str):
    return analyze(HEAD + code, "/tmp/ray003_case.py", Config.make([RULE])).findings


@pytest.mark.parametrize("code", VALID)
def test_valid(code):
    assert findings(code) == []


@pytest.mark.parametrize("code, where, fixed", INVALID)
def test_invalid(code, where, fixed):
    (finding,) = findings(code)
    line, col = map(int, where.split(":"))
    assert (finding.range.start.line + 1 - LINES, finding.range.start.character + 1) == (line, col)
    assert finding.code == "RAY003" and finding.message.startswith("`ray.get` fetches a value only")
    (fix,) = finding.fixes
    after = apply_edits(HEAD + code, list(fix.edits))
    assert after == HEAD + fixed
    ast.parse(after)
    assert findings(fixed) == [], "the fix leaves nothing to flag"


def test_fix_is_safe_only_for_put_refs_no_one_else_reads():
    # (the module-level case was safe until a run on Ray showed `import main; main.x` getting
    # the ObjectRef after the fix: a global or class attribute is read from anywhere)
    safe = {code: finding.fixes[0].safe for code, *_ in INVALID for finding in findings(code)}
    assert [code for code, ok in safe.items() if ok] == [
        "def h():\n    x = ray.get(ray.put(1))\n    g.remote(x)\n",
        "g.remote(ray.get(ray.put(1)))\n",
    ]
    assert "no longer waits" in findings("g.remote(ray.get(f.remote()))\n")[0].fixes[0].unsafe_reason


@pytest.mark.parametrize(
    "code, reason",
    [
        ("x = ray.get(ray.put(1))\ng.remote(x)\n", "`x` is a module global: other modules"),
        ("class C:\n    x = ray.get(ray.put(1))\n    g.remote(x)\n", "`x` is a class attribute (`C.x`)"),
        ("def h(e):\n    x = ray.get(ray.put(1))\n    g.remote(x)\n    return eval(e)\n", "`eval` may read `x`"),
        ("def h():\n    x = ray.get(ray.put(1))\n    g.remote(x)\n    return locals()\n", "`locals` may read `x`"),
        ("def h():\n    x = ray.get(ray.put(1))\n    g.remote(x)\n    log()\n\n\ndef log():\n    print(sys._getframe(1).f_locals)\n", "`.f_locals` (line 21) may read"),
    ],
)
def test_a_value_read_other_than_by_its_name_makes_the_fix_unsafe(code, reason):
    # Each was a wrong safe fix on Ray: the read saw an ObjectRef where it had seen the value.
    (finding,) = findings(code)
    assert not finding.fixes[0].safe
    assert reason in finding.fixes[0].unsafe_reason


def test_locals_of_another_scope_leave_the_fix_safe():
    code = "def h():\n    x = ray.get(ray.put(1))\n    g.remote(x)\n\n\ndef other(locals=dict):\n    return locals(), vars\n"
    (finding,) = findings(code)
    assert finding.fixes[0].safe


def test_related_points_at_each_use_and_task_is_named():
    code = textwrap.dedent(
        """\
        class C:
            def m(self, a):
                x = ray.get(f.remote())
                a.remote(x)
                a.remote(k=x)
        """
    )
    (finding,) = findings(code)
    assert finding.task == "C.m"
    assert [r.range.start.line + 1 - LINES for r in finding.related] == [4, 5]


def test_docs_and_url():
    assert RULE.docs.splitlines()[0].startswith("RAY003 unnecessary-ray-get: ")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety", "## When it is wrong"):
        assert section in RULE.docs
    assert RULE.url == "https://docs.ray.io/en/latest/ray-core/patterns/unnecessary-ray-get.html"


def test_never_raises_on_odd_code():
    for code in ["ray.get()\n", "ray.get(*a)\n", "x = ray.get(f.remote())\n(lambda: g.remote(x))()\n", "g.remote(ray.get(f.remote()))" * 3 + "\n"]:
        try:
            findings(code)
        except SyntaxError:
            pass


def test_a_get_imported_inside_a_function_is_still_ray_get():
    """The cheap test before resolving looks at imports at any depth (Ray code often imports
    lazily)."""
    from raylint.core import Config, analyze
    from raylint.rules import BY_CODE

    tasks = "import ray\n\n@ray.remote\ndef a():\n    return 1\n\n@ray.remote\ndef b(x):\n    return x\n\n"
    for body, get in (("import ray", "ray.get"), ("import ray as r", "r.get"), ("from ray import get as fetch", "fetch")):
        code = tasks + f"def main():\n    {body}\n    x = {get}(a.remote())\n    return b.remote(x)\n"
        found = analyze(code, "t.py", Config.make([BY_CODE["RAY003"]])).findings
        assert [(f.code, f.range.start.line) for f in found] == [("RAY003", 12)], code


def test_pass_ref_is_safe_only_into_a_ray_task_or_actor_call():
    """Ray resolves a top-level ref argument for its tasks and actor methods; a `.remote` of
    something else (a Serve handle, a library object) may receive the ref itself."""
    from raylint.core import Config, analyze
    from raylint.rules import BY_CODE

    config = Config.make([BY_CODE["RAY003"]])
    head = "import ray\n\n@ray.remote\ndef task(x):\n    return x\n\n@ray.remote\nclass A:\n    def m(self, x):\n        return x\n\n"
    for call, safe in [("task.remote(v)", True), ("task.options(num_cpus=1).remote(v)", True),
                       ("A.remote().m.remote(v)", True), ("handle.m.remote(v)", False), ("other.remote(v)", False)]:
        code = head + f"def main(data, handle, other):\n    v = ray.get(ray.put(data))\n    return {call}\n"
        (finding,) = analyze(code, "t.py", config).findings
        (fix,) = finding.fixes
        assert fix.safe == safe, (call, fix.unsafe_reason)


def test_pass_ref_is_unsafe_into_a_task_a_decorator_was_handed():
    """A decorator above `@ray.remote` is handed the task and its result is bound: perhaps the
    task, perhaps a wrapper whose `.remote` passes the ref on nested (where Ray does not resolve
    it). Under `@ray.remote`, or Ray's own, the name is still the task."""
    from raylint.core import Config, analyze
    from raylint.rules import BY_CODE

    config = Config.make([BY_CODE["RAY003"]])
    for decorators, safe in [("@batching\n@ray.remote\n", False), ("@ray.remote\n@batching\n", True),
                             ("@ray.remote(num_cpus=1)\n", True), ("@batching\n@ray.remote(num_cpus=1)\n", False)]:
        code = f"import ray\nfrom helpers import batching\n\n{decorators}def task(x):\n    return x\n\n"
        code += "def main(data):\n    v = ray.get(ray.put(data))\n    return task.remote(v)\n"
        (finding,) = analyze(code, "t.py", config).findings
        (fix,) = finding.fixes
        assert fix.safe == safe, (decorators, fix.unsafe_reason)
