"""RAY003 on real Ray: the callee gets the same value once the fix passes the ref instead of
`ray.get(ref)` (tasks, actor methods, actor constructors, keyword arguments, `.options`), and
what the fix changes (errors surface downstream) is what its unsafe reason says."""

from __future__ import annotations

import pytest

from raylint.core import Config, analyze, fix_text
from raylint.rules.ray003 import RULE

TASKS = """\
import ray
import numpy as np


@ray.remote
def produce():
    return {"a": [1, 2], "n": np.arange(5)}


@ray.remote
def describe(value, k=None):
    return (type(value).__name__, repr(value), type(k).__name__, repr(k))


@ray.remote
class Holder:
    def __init__(self, start=None):
        self.start = start

    def show(self, value, k=None):
        return (type(self.start).__name__, repr(self.start), type(value).__name__, repr(value), repr(k))


"""

PROGRAMS = {
    "positional": "x = ray.get(produce.remote())\nresult = ray.get(describe.remote(x))\n",
    "direct": "result = ray.get(describe.remote(ray.get(produce.remote())))\n",
    "keyword": "result = ray.get(describe.remote(1, k=ray.get(produce.remote())))\n",
    "options": "x = ray.get(produce.remote())\nresult = ray.get(describe.options(num_cpus=0).remote(x, k=x))\n",
    "actor": (
        "x = ray.get(produce.remote())\nh = Holder.remote(x)\n"
        "result = ray.get(h.show.remote(x, k=x))\n"
    ),
    "actor-options": "h = Holder.remote()\nresult = ray.get(h.show.options(name='s').remote(ray.get(produce.remote())))\n",
    "put": "x = ray.get(ray.put([3, 4]))\nresult = ray.get(describe.remote(x))\n",
    "put in a function (the safe fix)": (
        "def program():\n    x = ray.get(ray.put([3, 4]))\n    return ray.get(describe.remote(x, k=x))\n\n\nresult = program()\n"
    ),
    "loop": (
        "refs = []\nfor i in range(3):\n    v = ray.get(produce.remote())\n    refs.append(describe.remote(v))\n"
        "result = ray.get(refs)\n"
    ),
}


def run(code: str):
    namespace: dict = {}
    exec(compile(code, "<program>", "exec"), namespace)
    return namespace["result"]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_callee_gets_the_same_value_after_the_fix(local_ray, name):
    before = TASKS + PROGRAMS[name]
    config = Config.make([RULE])
    findings = analyze(before, "/tmp/ray003_program.py", config).findings
    assert findings, "the program is flagged"
    if name.endswith("(the safe fix)"):
        assert all(finding.fixes[0].safe for finding in findings)
    after, analysis = fix_text(before, "/tmp/ray003_program.py", config)
    assert after != before and "ray.get(produce" not in after and "ray.get(ray.put" not in after
    assert analysis.findings == []
    assert run(after) == run(before)


def test_ray_resolves_top_level_refs_only(local_ray):
    ray = local_ray
    namespace: dict = {}
    exec(compile(TASKS, "<tasks>", "exec"), namespace)
    ref = namespace["produce"].remote()
    kind, *_ = ray.get(namespace["describe"].remote([ref]))
    assert kind == "list"  # a ref nested in a list stays a ref: RAY003 never flags that shape
    inner = ray.get(namespace["describe"].remote([ref]))[1]
    assert "ObjectRef" in inner


def test_errors_surface_downstream_after_the_fix(local_ray):
    """Why the fix is unsafe: the first task's error is raised at the receiving task's get."""
    ray = local_ray
    code = (
        "import ray\n\n\n@ray.remote\ndef boom():\n    raise ValueError('bad')\n\n\n"
        "@ray.remote\ndef use(x):\n    return x\n\n\n"
        "def program():\n    x = ray.get(boom.remote())\n    return use.remote(x)\n"
    )
    (finding,) = analyze(code, "/tmp/ray003_boom.py", Config.make([RULE])).findings
    assert not finding.fixes[0].safe
    fixed, _ = fix_text(code, "/tmp/ray003_boom.py", Config.make([RULE]))
    original: dict = {}
    exec(compile(code, "<before>", "exec"), original)
    with pytest.raises(ValueError):
        original["program"]()  # raised at the get, in the caller
    rewritten: dict = {}
    exec(compile(fixed, "<after>", "exec"), rewritten)
    ref = rewritten["program"]()  # no error here any more
    with pytest.raises(ray.exceptions.RayTaskError) as error:
        ray.get(ref)
    assert isinstance(error.value, ValueError)
    assert "could not be computed" in str(error.value)


@pytest.mark.parametrize("name", ["module global", "locals()"])
def test_a_value_read_by_other_means_is_a_ref_after_the_fix(local_ray, name):
    """Why such a fix is unsafe even for a put ref: what reads the variable other than by its
    name in its own scope (`globals()`, another module's `main.x`, `locals()`) sees the ObjectRef after it."""
    ray = local_ray
    programs = {
        "module global": "x = ray.get(ray.put([3, 4]))\nseen = ray.get(describe.remote(x))\nresult = type(globals()['x']).__name__\n",
        "locals()": (
            "def program():\n    x = ray.get(ray.put([3, 4]))\n    ray.get(describe.remote(x))\n"
            "    return type(locals()['x']).__name__\n\n\nresult = program()\n"
        ),
    }
    before = TASKS + programs[name]
    (finding,) = analyze(before, "/tmp/ray003_program.py", Config.make([RULE])).findings
    assert not finding.fixes[0].safe
    after, _ = fix_text(before, "/tmp/ray003_program.py", Config.make([RULE]))
    assert (run(before), run(after)) == ("list", ray.ObjectRef.__name__)
