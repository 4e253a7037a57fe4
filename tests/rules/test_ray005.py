"""RAY005 ray-get-submission-order, Fixit style: small VALID and INVALID programs (each
invalid one with the line:col, 1-based, of every finding), and the fix's results."""

from __future__ import annotations

import ast

import pytest

from raylint.core import Config, analyze, apply_edits
from raylint.rules import ray005

HEADER = """\
import ray


@ray.remote
def f(x):
    return x


@ray.remote
class A:
    def m(self, x=0):
        return x


@ray.remote
class Async:
    async def m(self, x=0):
        return x


"""
OFFSET = HEADER.count("\n")
REFS = "refs = [f.remote(x) for x in range(3)]\n"

INVALID = [
    (REFS + "for ref in refs:\n    print(ray.get(ref))\n", ["3:11"]),
    (REFS + "total = 0\nfor ref in refs:\n    total += ray.get(ref)\n", ["4:14"]),
    (REFS + "for ref in refs:\n    v = ray.get(ref)\n    print(v)\n", ["3:9"]),
    (REFS + "out = []\nfor ref in refs:\n    out.append(ray.get(ref) * 2)\n", ["4:16"]),
    (REFS + "out = []\nfor ref in refs:\n    out.append(ray.get(ref))\n    print(len(out))\n", ["4:16"]),
    (REFS + "for i, ref in enumerate(refs):\n    print(i, ray.get(ref))\n", ["3:14"]),
    (REFS + "for x, ref in zip(range(3), refs):\n    print(x, ray.get(ref))\n", ["3:14"]),
    (REFS + "xs = [ray.get(r) + 1 for r in refs]\n", ["2:7"]),
    (REFS + "xs = {r: str(ray.get(r)) for r in refs}\n", ["2:14"]),
    ("refs = []\nfor x in range(3):\n    refs.append(f.remote(x))\nfor ref in refs:\n    print(ray.get(ref))\n", ["5:11"]),
    ("refs = [f.remote(1), f.options(num_cpus=1).remote(2)]\nfor ref in refs:\n    print(ray.get(ref))\n", ["3:11"]),
    ("def g(xs):\n    refs = [f.remote(x) for x in xs]\n    for ref in refs:\n        print(ray.get(ref))\n", ["4:15"]),
    ("from ray import get\n" + REFS + "for ref in refs:\n    print(get(ref))\n", ["4:11"]),
    ("import ray as r\n" + REFS + "for ref in refs:\n    print(r.get(ref))\n", ["4:11"]),
    # several actors, or one that runs calls concurrently
    ("ws = [A.remote() for _ in range(2)]\nrefs = [w.m.remote() for w in ws]\nfor ref in refs:\n    print(ray.get(ref))\n", ["4:11"]),
    ("a, b = A.remote(), A.remote()\nrefs = [a.m.remote(), b.m.remote()]\nfor ref in refs:\n    print(ray.get(ref))\n", ["4:11"]),
    ("h = Async.remote()\nrefs = [h.m.remote(x) for x in range(3)]\nfor ref in refs:\n    print(ray.get(ref))\n", ["4:11"]),
    ("h = A.options(max_concurrency=2).remote()\nrefs = [h.m.remote(x) for x in range(3)]\nfor ref in refs:\n    print(ray.get(ref))\n", ["4:11"]),
    ("h = A.options(concurrency_groups={'io': 2}).remote()\nrefs = [h.m.remote(x) for x in range(3)]\nfor ref in refs:\n    print(ray.get(ref))\n", ["4:11"]),
    (REFS + "for ref in refs:\n    try:\n        print(ray.get(ref))\n    except Exception:\n        pass\n", ["4:15"]),
    (REFS + "for ref in refs:\n    if ray.get(ref):\n        continue\n    print(ref)\n", ["3:8"]),
]

VALID = [
    # Ray's recommended shapes
    REFS + "unfinished = refs\nwhile unfinished:\n    done, unfinished = ray.wait(unfinished, num_returns=1)\n    print(ray.get(done[0]))\n",
    REFS + "for ref in refs:\n    ready, _ = ray.wait([ref])\n    print(ray.get(ref))\n",
    REFS + "print(ray.get(refs))\n",
    # collecting only: the same as ray.get(refs)
    REFS + "out = []\nfor ref in refs:\n    out.append(ray.get(ref))\n",
    REFS + "out = []\nfor ref in refs:\n    v = ray.get(ref)\n    out.append(v)\n",
    REFS + "out = {}\nfor i, ref in enumerate(refs):\n    out[i] = ray.get(ref)\n",
    REFS + "out = []\nfor ref in refs:\n    try:\n        out.append(ray.get(ref))\n    except Exception:\n        print('failed')\n",
    REFS + "xs = [ray.get(r) for r in refs]\n",
    REFS + "xs = {i: ray.get(r) for i, r in enumerate(refs)}\n",
    # one ordinary actor finishes its calls in order
    "h = A.remote()\nrefs = [h.m.remote(x) for x in range(3)]\nfor ref in refs:\n    print(ray.get(ref))\n",
    "h = A.options(max_concurrency=1).remote()\nrefs = [h.m.remote(x) for x in range(3)]\nfor ref in refs:\n    print(ray.get(ref))\n",
    "class C:\n    def run(self):\n        refs = [self.a.m.remote(x) for x in range(3)]\n        for ref in refs:\n            print(ray.get(ref))\n",
    "def g(h):\n    refs = [h.m.remote(x) for x in range(3)]\n    for ref in refs:\n        print(ray.get(ref))\n",
    # order is the point
    REFS + "for ref in refs:\n    if ray.get(ref):\n        break\n",
    "def g():\n    " + REFS + "    for ref in refs:\n        if ray.get(ref):\n            return ref\n",
    "def g():\n    " + REFS + "    for ref in refs:\n        yield ray.get(ref)\n",
    REFS + "for ref in refs:\n    print(ray.get(ref, timeout=1))\n",
    # not a list of submissions raylint can see
    "def g(refs):\n    for ref in refs:\n        print(ray.get(ref))\n",
    "refs = make()\nfor ref in refs:\n    print(ray.get(ref))\n",
    "for ref in f.remote(3):\n    print(ray.get(ref))\n",
    "gen = f.remote(3)\nfor ref in gen:\n    print(ray.get(ref))\n",
    "refs = [ray.put(x) for x in range(3)]\nfor ref in refs:\n    print(ray.get(ref))\n",
    "refs = [f.remote(x) for x in range(3)]\nrefs = other()\nfor ref in refs:\n    print(ray.get(ref))\n",
    "refs = []\nrefs += [f.remote(x) for x in range(3)]\nfor ref in refs:\n    print(ray.get(ref))\n",  # not followed
    "refs = []\nfor x in range(3):\n    refs.append(f.remote(x))\n    refs.pop(0)\nfor ref in refs:\n    print(ray.get(ref))\n",
    REFS + "for ref in refs:\n    print(ray.get(ref))\n    refs.remove(ref)\n",
    REFS + "for ref in refs:\n    print(ray.get(ref[0]))\n",
    "def g(get):\n    " + REFS + "    for ref in refs:\n        print(get(ref))\n",
    "class C:\n    refs = [f.remote(x) for x in range(3)]\n    for ref in refs:\n        print(ray.get(ref))\n",
]

CONFIG = Config.make([ray005.RULE])


def analysis(text: str):
    return analyze(text, "/tmp/ray005_case.py", CONFIG)


def findings(code: str):
    return analysis(HEADER + code).findings


@pytest.mark.parametrize("code, expected", INVALID)
def test_invalid(code, expected):
    found = findings(code)
    assert [f"{f.range.start.line + 1 - OFFSET}:{f.range.start.character + 1}" for f in found] == expected
    assert all(f.code == "RAY005" for f in found)


@pytest.mark.parametrize("code", VALID)
def test_valid(code):
    assert findings(code) == []


FIXES = [
    (
        REFS + "for ref in refs:\n    print(ray.get(ref))\n",
        REFS + "unfinished = list(refs)\nwhile unfinished:\n    [ref], unfinished = ray.wait(unfinished, num_returns=1)\n    print(ray.get(ref))\n",
    ),
    (
        "def g(xs):\n    refs = [f.remote(x) for x in xs]\n    total = 0\n    for ref in refs:  # sum them\n        total += ray.get(ref)\n    return total\n",
        "def g(xs):\n    refs = [f.remote(x) for x in xs]\n    total = 0\n    unfinished = list(refs)\n    while unfinished:  # sum them\n"
        "        [ref], unfinished = ray.wait(unfinished, num_returns=1)\n        total += ray.get(ref)\n    return total\n",
    ),
    (
        "def g(xs, unfinished):\n    refs = [f.remote(x) for x in xs]\n    for ref in refs:\n        print(ray.get(ref))\n",
        "def g(xs, unfinished):\n    refs = [f.remote(x) for x in xs]\n    unfinished_refs = list(refs)\n    while unfinished_refs:\n"
        "        [ref], unfinished_refs = ray.wait(unfinished_refs, num_returns=1)\n        print(ray.get(ref))\n",
    ),
    (
        "from ray import get, wait as w\n" + REFS + "for ref in refs:\n    print(get(ref))\n",
        "from ray import get, wait as w\n" + REFS + "unfinished = list(refs)\nwhile unfinished:\n    [ref], unfinished = ray.wait(unfinished, num_returns=1)\n    print(get(ref))\n",
    ),
]

NO_FIX = [
    REFS + "for i, ref in enumerate(refs):\n    print(i, ray.get(ref))\n",
    REFS + "for ref in refs: print(ray.get(ref))\n",
    REFS + "for ref in refs:\n    print(ray.get(ref))\nelse:\n    pass\n",
    REFS + "out = []\nfor ref in refs:\n    out.append(ray.get(ref) * 2)\n",
    REFS + "out = {}\nfor ref in refs:\n    v = ray.get(ref)\n    out[v] = str(v)\n",
    REFS + "for ref in refs:\n    sink.write(ray.get(ref))\n",
    REFS + "xs = [ray.get(r) + 1 for r in refs]\n",
]


@pytest.mark.parametrize("code, fixed", FIXES)
def test_fix(code, fixed):
    [finding] = findings(code)
    [fix] = finding.fixes
    assert fix.applicability.value == "unsafe" and "completion order" in fix.unsafe_reason
    after = apply_edits(HEADER + code, list(fix.edits))
    assert after == HEADER + fixed
    ast.parse(after)
    assert analysis(after).findings == []


def test_fix_without_a_name_for_wait():
    code = "from ray import get\n" + REFS.replace("f.remote", "f.remote") + "for ref in refs:\n    print(get(ref))\n"
    text = HEADER.replace("import ray\n", "import ray as _r\n").replace("@ray.", "@_r.") + code
    [finding] = analysis(text).findings
    assert finding.fixes == () or finding.fixes[0].edits  # `_r.wait` is a name for it
    text = code.replace("from ray import get\n", "from ray import get, remote\n\n@remote\ndef f(x):\n    return x\n")
    [finding] = analysis(text).findings
    assert not finding.fixes and "ray.wait" in finding.no_fix_reason


@pytest.mark.parametrize("code", NO_FIX)
def test_no_fix(code):
    found = findings(code)
    assert found and all(not f.fixes and f.no_fix_reason for f in found)


def test_rule_metadata():
    rule = ray005.RULE
    assert (rule.code, rule.name) == ("RAY005", "ray-get-submission-order")
    assert rule.url == "https://docs.ray.io/en/latest/ray-core/patterns/ray-get-submission-order.html"
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety", "## When it is wrong"):
        assert section in rule.docs
    assert rule.docs.splitlines()[0].startswith("RAY005 ray-get-submission-order: ")
