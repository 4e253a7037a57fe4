"""RAY007 global-state-in-remote, Fixit style: code that must pass, and code that must be
flagged at the given 1-based line:column (counted in the case's own text)."""

from __future__ import annotations

import pytest

from raylint.core import Config, analyze
from raylint.rules.ray007 import RULE

HEAD = "import ray\n\n"
LINES = HEAD.count("\n")

VALID = [
    # constants, imports, functions and classes read by a task
    "LIMIT = 3\n@ray.remote\ndef f():\n    return LIMIT",
    "import os\n@ray.remote\ndef f():\n    return os.getpid()",
    "def helper():\n    return 1\n@ray.remote\ndef f():\n    return helper()",
    "try:\n    import numpy as np\nexcept ImportError:\n    np = None\n@ray.remote\ndef f():\n    return np",
    # rebound before the task is first submitted: the task is sent the last value
    "N = 1\nN = 2\n@ray.remote\ndef f():\n    return N\nray.get(f.remote())",
    "@ray.remote\ndef f():\n    return N\nN = 2\nray.get(f.remote())",
    # rebound after another task's submission
    "N = 1\n@ray.remote\ndef f():\n    return N\n@ray.remote\ndef g():\n    return 0\ng.remote()\nN = 2",
    # lazily filled per-process caches
    "_m = None\n@ray.remote\ndef f():\n    global _m\n    if _m is None:\n        _m = object()\n    return _m",
    "_m = None\n@ray.remote\ndef f():\n    global _m\n    if not _m:\n        _m = object()\n    return _m",
    "_m = None\n@ray.remote\ndef f():\n    global _m\n    if _m is not None:\n        return _m\n    _m = object()\n    return _m",
    "_m = None\n@ray.remote\ndef f(k):\n    global _m\n    if _m is None or k:\n        with open('x') as fh:\n            _m = fh.read()\n    return _m",
    "_m = None\n@ray.remote\nclass A:\n    def m(self):\n        global _m\n        if _m is None:\n            _m = 1\n        return _m",
    # the recommended pattern: state in an actor's instance attributes
    "@ray.remote\nclass A:\n    def __init__(self):\n        self.n = 0\n        self._cache = {}\n    def m(self, k):\n        self.n += 1\n        self._cache[k] = 1",
    # a global statement that only reads
    "N = 1\n@ray.remote\ndef f():\n    global N\n    return N",
    # local names shadow globals
    "N = 1\n@ray.remote\ndef f(N):\n    return N\ndef g():\n    global N\n    N = 2",
    "N = 1\n@ray.remote\ndef f():\n    N = 3\n    return N\ndef g():\n    global N\n    N = 2",
    # the task sets the global itself before reading it (through a helper)
    "_c = None\ndef init():\n    global _c\n    _c = 1\n@ray.remote\ndef f():\n    init()\n    return _c",
    "_c = None\ndef init():\n    global _c\n    _c = 1\ndef setup():\n    init()\n@ray.remote\ndef f():\n    setup()\n    return _c",
    # the module's top level calls the writer on import, in every worker too
    "log = None\ndef setup():\n    global log\n    log = 1\nsetup()\n@ray.remote\ndef f():\n    return log",
    # a sibling method of the same actor sets it (the same process)
    "_c = None\n@ray.remote\nclass A:\n    def set(self):\n        global _c\n        if _c is None:\n            _c = 1\n    def get(self):\n        return _c",
    # plain functions are not remote
    "N = 0\ndef bump():\n    global N\n    N += 1",
    # mutation of a module-level container is not flagged (indistinguishable from a memo cache)
    "CACHE = {}\n@ray.remote\ndef f(k):\n    CACHE[k] = 1\n    return CACHE",
    # class variables read, or written through another class
    "@ray.remote\nclass A:\n    n = 0\n    def m(self):\n        return A.n\nclass B:\n    n = 0\n@ray.remote\nclass C:\n    def m(self):\n        B.n = 1",
    # a class of the same name inside the method shadows the actor class
    "@ray.remote\nclass A:\n    def m(self):\n        class A:\n            pass\n        A.n = 1",
    # reassigned after the last submission: no task sees the old value by mistake
    "g = 3\n@ray.remote\ndef f():\n    return g\nray.get(f.remote())\ng = 4",
    "g = 3\n@ray.remote\nclass A:\n    def f(self):\n        return g\na = A.remote()\nray.get(a.f.remote())\ng = 4",
    # dunder names
    "__version__ = '1'\n@ray.remote\ndef f():\n    return __version__\nf.remote()\n__version__ = '2'",
]

INVALID = [
    ("counter = 0\n@ray.remote\ndef f():\n    global counter\n    counter += 1", ["4:5"]),
    ("x = 0\n@ray.remote\ndef f(v):\n    global x\n    x = v", ["4:5"]),
    ("x = 0\n@ray.remote\ndef f():\n    global x\n    del x", ["4:5"]),
    ("x = 0\n@ray.remote\ndef f():\n    global x\n    for x in range(3):\n        pass", ["4:5"]),
    ("@ray.remote\ndef f():\n    global np\n    import numpy as np", ["3:5"]),
    ("x = y = 0\n@ray.remote\ndef f():\n    global x, y\n    x, y = 1, 2", ["4:5"]),
    # a guard on another name is no cache guard
    ("_m = None\n@ray.remote\ndef f(k):\n    global _m\n    if k is None:\n        _m = 1", ["4:5"]),
    # one guarded and one unguarded assignment
    ("_m = None\n@ray.remote\ndef f():\n    global _m\n    if _m is None:\n        _m = 1\n    _m = 2", ["4:5"]),
    ("x = 0\n@ray.remote\nclass A:\n    def m(self):\n        global x\n        x = 1", ["5:9"]),
    ("x = 0\n@ray.remote(num_cpus=1)\nasync def f():\n    global x\n    x = 1", ["4:5"]),
    ("x = 0\ndef f():\n    global x\n    x = 1\nremote_f = ray.remote(f)", ["3:5"]),
    # class variables of the actor's own class
    ("@ray.remote\nclass A:\n    n = 0\n    def __init__(self):\n        A.n += 1", ["5:9"]),
    ("@ray.remote\nclass A:\n    def m(self):\n        type(self).n = 1", ["4:9"]),
    ("@ray.remote\nclass A:\n    def m(this):\n        this.__class__.n: int = 1", ["4:9"]),
    # reads of globals the driver changes after submitting
    ("g = 3\n@ray.remote\nclass A:\n    def f(self):\n        return g + 3\na = A.remote()\ng = 4\nray.get(a.f.remote())", ["5:16"]),
    ("g = 3\n@ray.remote\ndef f():\n    return g\nref = f.remote()\ng = 4\nref = f.remote()", ["4:12"]),
    ("g = 3\n@ray.remote\ndef f():\n    return g\nref = f.options(num_cpus=1).remote()\ng += 1\nf.remote()", ["4:12"]),
    ("g = 3\n@ray.remote\ndef f():\n    return g\nif __name__ == '__main__':\n    ref = f.remote()\n    g = 4\n    ray.get(f.remote())", ["4:12"]),
    ("g = 3\n@ray.remote\ndef f():\n    return g\nfor i in range(3):\n    g = i\n    ray.get(f.remote())", ["4:12"]),
    ("g = 3\n@ray.remote\ndef f():\n    return [g for _ in range(2)]\nref = f.remote()\ng = 4\nf.remote()", ["4:13"]),
    ("g = 3\n@ray.remote\ndef f():\n    return g + g\nref = f.remote()\ng = 4\nf.remote()", ["4:12"]),
    # ... or set in a function
    ("cfg = None\n@ray.remote\ndef f():\n    return cfg\ndef main():\n    global cfg\n    cfg = 1", ["4:12"]),
    ("cfg = None\n@ray.remote\ndef f():\n    def inner():\n        return cfg\n    return inner()\ndef main():\n    global cfg\n    cfg = 1", ["5:16"]),
    # ... by the driver's main guard only: workers that import the module never run it
    ("log = None\ndef setup():\n    global log\n    log = 1\nif __name__ == '__main__':\n    setup()\n@ray.remote\ndef f():\n    return log", ["9:12"]),
    # another task writes it (both flagged)
    ("cfg = None\n@ray.remote\ndef w():\n    global cfg\n    cfg = 1\n@ray.remote\ndef r():\n    return cfg", ["4:5", "8:12"]),
]


def findings(code: str):
    text = HEAD + code + "\n"
    return [f for f in analyze(text, "example.py", Config.make([RULE])).findings if f.code == "RAY007"]


@pytest.mark.parametrize("code", VALID)
def test_valid(code):
    assert findings(code) == []


@pytest.mark.parametrize("code, where", INVALID)
def test_invalid(code, where):
    found = findings(code)
    assert [f"{f.range.start.line + 1 - LINES}:{f.range.start.character + 1}" for f in found] == where
    assert all(f.fixes == () and f.no_fix_reason and f.task for f in found)


def test_a_read_names_the_writes():
    (found,) = findings("cfg = None\n@ray.remote\ndef f():\n    return cfg\ndef main():\n    global cfg\n    cfg = 1\n")
    assert [r.range.start.line + 1 - LINES for r in found.related] == [7]
    assert "function `main`" in found.message
