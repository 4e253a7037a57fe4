"""RAY006 out-of-band-ref-serialization, Fixit style: code that must pass, and code that must
be flagged at the given 1-based line:column."""

from __future__ import annotations

import textwrap

import pytest

from raylint.core import Config, analyze
from raylint.rules.ray006 import RULE

HEAD = "import pickle\nimport ray\n\n@ray.remote\ndef task(x):\n    return x\n\n@ray.remote\nclass Actor:\n    def m(self):\n        return 1\n\n"
LINES = HEAD.count("\n")

VALID = [
    "pickle.dumps(ray.get(task.remote(1)))",
    "pickle.dumps(1)",
    "pickle.dumps(Actor.remote())",  # an actor handle
    "def f(ref):\n    return pickle.dumps(ref)",  # not known to be a ref
    "def f(x):\n    ref = ray.put(x)\n    return task.remote(ref)",  # passed in band
    "def f(x):\n    v = ray.put(x)\n    v = ray.get(v)\n    return pickle.dumps(v)",
    "def f(pickle):\n    return pickle.dumps(ray.put(1))",  # shadowed
    "import json\njson.dumps(ray.put(1))",  # not a pickler
    "pickle.loads(b'')",
    "pickle.dumps(other.remote())",  # an unknown name
    "import mod\npickle.dumps(mod.task.remote())",  # a task of another module: unknown
    "@ray.remote\ndef gen():\n    yield 1\npickle.dumps(gen.remote())",  # a generator task
    "def f():\n    refs = []\n    refs.append(task.remote(1))\n    refs.append(2)\n    return pickle.dumps(refs)",
    "def f(h):\n    return pickle.dumps(h.m.remote())",  # h: not known to be an actor handle
    "def f(*args):\n    return pickle.dumps(*args)",
    "pickle.dumps()",
    "a, b = task.options(num_returns=2).remote(1)\npickle.dumps(len([a]))",
    "def f(x: 'ray.ObjectRef'):\n    return pickle.dumps(x.hex())",
    "def f(x):\n    ref = ray.put(x)\n    del ref\n    ref = 3\n    return pickle.dumps(ref)",
]

INVALID = [
    ("pickle.dumps(ray.put(1))", "1:1"),
    ("ref = ray.put(1)\nblob = pickle.dumps(ref)", "2:8"),
    ("pickle.dumps(task.remote(1))", "1:1"),
    ("pickle.dumps(task.options(num_cpus=2).remote(1))", "1:1"),
    ("pickle.dumps([task.remote(i) for i in range(3)])", "1:1"),
    ("pickle.dumps({'a': ray.put(1), 'b': 2})", "1:1"),
    ("pickle.dumps((1, ray.put(2)))", "1:1"),
    ("pickle.dump(ray.put(1), open('f', 'wb'))", "1:1"),
    ("pickle.dump(obj=ray.put(1), file=None)", "1:1"),
    ("import cloudpickle as cp\ncp.dumps(ray.put(1))", "2:1"),
    ("import cloudpickle\ncloudpickle.dump(ray.put(1), None)", "2:1"),
    ("from ray import cloudpickle\ncloudpickle.dumps(ray.put(1))", "2:1"),
    ("import ray.cloudpickle\nray.cloudpickle.dumps(ray.put(1))", "2:1"),
    ("from ray.cloudpickle import dumps\ndumps(ray.put(1))", "2:1"),
    ("from pickle import dumps as d\nd(ray.put(1))", "2:1"),
    ("import dill\ndill.dumps(ray.put(1))", "2:1"),
    ("import ray as r\npickle.dumps(r.put(1))", "2:1"),
    ("from ray import put\npickle.dumps(put(1))", "2:1"),
    ("h = Actor.remote()\npickle.dumps(h.m.remote())", "2:1"),
    ("h = Actor.options(name='a').remote()\npickle.dumps([h.m.remote()])", "2:1"),
    ("h = ray.get_actor('a')\npickle.dumps(h.m.remote())", "2:1"),
    ("def plain(x):\n    return x\nt = ray.remote(plain)\npickle.dumps(t.remote(1))", "4:1"),
    ("def f(ref: ray.ObjectRef):\n    return pickle.dumps(ref)", "2:12"),
    ("from ray import ObjectRef\ndef f(refs: list[ObjectRef]):\n    return pickle.dumps(refs)", "3:12"),
    ("def f():\n    refs = []\n    for i in range(3):\n        refs.append(task.remote(i))\n    return pickle.dumps(refs)", "5:12"),
    ("refs = [task.remote(i) for i in range(3)]\nfor ref in refs:\n    pickle.dumps(ref)", "3:5"),
    ("refs = [ray.put(1), ray.put(2)]\npickle.dumps(refs[0])", "2:1"),
    ("@ray.remote\ndef inner():\n    ref = ray.put(1)\n    return pickle.dumps(ref)", "4:12"),
    ("x = pickle.dumps(ref := ray.put(1))", "1:5"),
    ("ref = ray.put(1)\nwith open('f', 'wb') as fh:\n    pickle.dump(ref, fh)\ndel ref", "3:5"),  # Ray's guide's shape
    ("pickle.dumps(task.options(num_returns=2).remote(1))", "1:1"),
]


def findings(code: str):
    text = HEAD + textwrap.dedent(code) + "\n"
    return [f for f in analyze(text, "example.py", Config.make([RULE])).findings if f.code == "RAY006"]


@pytest.mark.parametrize("code", VALID)
def test_valid(code):
    assert findings(code) == []


@pytest.mark.parametrize("code, where", INVALID)
def test_invalid(code, where):
    found = findings(code)
    assert [f"{f.range.start.line + 1 - LINES}:{f.range.start.character + 1}" for f in found] == [where]
    assert found[0].fixes == () and found[0].no_fix_reason
    assert "out of band" in found[0].message
