"""RAY004 on real Ray: hoisted definitions give the same results, and the case the fix calls
unsafe (a task reading an object the loop changes) really differs once hoisted."""

from __future__ import annotations

import ast

import pytest

from raylint.core import Config, analyze, apply_edits, fix_text
from raylint.rules.ray004 import RULE

PROGRAMS = {
    "docs-example": (
        "import ray\n\noutputs = []\nfor i in range(5):\n\n    @ray.remote\n    def double(i):\n        return i * 2\n\n"
        "    outputs.append(double.remote(i))\nresult = ray.get(outputs)\n"
    ),
    "actor": (
        "import ray\n\nresult = []\nfor i in range(3):\n    @ray.remote(num_cpus=0)\n    class Counter:\n"
        "        def __init__(self, start):\n            self.n = start\n\n        def inc(self):\n            self.n += 1\n"
        "            return self.n\n\n    c = Counter.remote(i)\n    result.append(ray.get(c.inc.remote()))\n"
    ),
    "wrap-and-helper": (
        "import math\nimport ray\n\nSCALE = 3\n\n\ndef helper(x):\n    return math.floor(x) * SCALE\n\n\n"
        "def main():\n    refs = []\n    for i in range(4):\n        task = ray.remote(num_cpus=0)(helper)\n"
        "        refs.append(task.remote(i + 0.5))\n    return ray.get(refs)\n\n\nresult = main()\n"
    ),
    "nested-loops": (
        "import ray\n\nresult = []\nfor a in range(2):\n    for b in range(2):\n        @ray.remote\n"
        "        def add(x, y):\n            return x + y\n\n        result.append(ray.get(add.remote(a, b)))\n"
    ),
}


def run(code: str):
    namespace: dict = {}
    exec(compile(code, "<program>", "exec"), namespace)
    return namespace["result"]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_hoisted_program_gives_the_same_results(local_ray, name):
    before = PROGRAMS[name]
    config = Config.make([RULE])
    findings = analyze(before, "/tmp/ray004_program.py", config).findings
    assert findings and all(f.fixes and f.fixes[0].safe for f in findings)
    after, analysis = fix_text(before, "/tmp/ray004_program.py", config)
    ast.parse(after)
    assert analysis.findings == [], after
    assert run(after) == run(before)


# Why such fixes are unsafe, shown on Ray: each program gives other results once hoisted (name →
# program, what the fix's reason says, results before and after the hoist). Ray pickles the
# function (and the globals it reads) at its first `.remote()`: redefined at each pass it sees
# each change, hoisted only the first, however the change is made, in sight of the module's
# bindings or not (tests/rules/test_ray004.py has each shape); and a worker keeps a
# definition's own state between its calls.
DIFFERS_ONCE_HOISTED = {
    "a dict the loop updates": ((
        "import ray\n\nsettings = {'k': 0}\nresult = []\nfor step in range(3):\n    settings['k'] = step\n\n"
        "    @ray.remote\n    def read():\n        return settings['k']\n\n    result.append(ray.get(read.remote()))\n"
    ), "pickles `settings`", [0, 1, 2], [0, 0, 0]),
    "a function rebinds a global": ((
        "import ray\n\nX = 0\n\n\ndef bump(n):\n    global X\n    X = n\n\n\nresult = []\nfor step in range(3):\n"
        "    bump(step)\n\n    @ray.remote\n    def read():\n        return X\n\n    result.append(ray.get(read.remote()))\n"
    ), "Ray pickles", [0, 1, 2], [0, 0, 0]),
    "globals() sets a global": ((
        "import ray\n\nX = 0\nresult = []\nfor step in range(3):\n    globals()['X'] = step\n\n"
        "    @ray.remote\n    def read():\n        return X\n\n    result.append(ray.get(read.remote()))\n"
    ), "Ray pickles", [0, 1, 2], [0, 0, 0]),
    "a nested function rebinds a local": ((
        "import ray\n\n\ndef main():\n    x = 0\n\n    def bump(n):\n        nonlocal x\n        x = n\n\n    out = []\n"
        "    for step in range(3):\n        bump(step)\n\n        @ray.remote\n        def read():\n            return x\n\n"
        "        out.append(ray.get(read.remote()))\n    return out\n\n\nresult = main()\n"
    ), "Ray pickles", [0, 1, 2], [0, 0, 0]),
    "a class attribute list changes in place": ((
        "import ray\n\n\nclass Cfg:\n    items = []\n\n\nresult = []\nfor step in range(3):\n    Cfg.items.append(step)\n\n"
        "    @ray.remote\n    def read():\n        return len(Cfg.items) - 1\n\n    result.append(ray.get(read.remote()))\n"
    ), "Ray pickles", [0, 1, 2], [0, 0, 0]),
    "a class attribute changes": ((
        "import ray\n\n\nclass Cfg:\n    v = 0\n\n\nresult = []\nfor step in range(3):\n    Cfg.v = step\n\n"
        "    @ray.remote\n    def read():\n        return Cfg.v\n\n    result.append(ray.get(read.remote()))\n"
    ), "Ray pickles", [0, 1, 2], [0, 0, 0]),
    "a default list the task appends to": ((
        "import ray\n\nresult = []\nfor step in range(3):\n\n    @ray.remote\n    def count(x, seen=[]):\n"
        "        seen.append(x)\n        return len(seen)\n\n    result.append(ray.get(count.remote(step)))\n"
    ), "keeps state between calls", [1, 1, 1], [1, 2, 3]),
    "the loop keeps each pass's task": ((
        "import ray\n\nhandles = []\nfor step in range(3):\n\n    @ray.remote\n    def double(x):\n        return x * 2\n\n"
        "    handles.append(double)\nresult = [len(set(handles)), ray.get([h.remote(1) for h in handles])]\n"
    ), "`handles.append(double)` uses `double` as a value", [3, [2, 2, 2]], [1, [2, 2, 2]]),
    "the loop sets each pass's options": ((
        "import ray\n\nhandles = []\nfor step in range(3):\n\n    @ray.remote\n    def read(x):\n        return x\n\n"
        "    read._default_options['max_retries'] = step\n    handles.append(read)\n"
        "result = [h._default_options['max_retries'] for h in handles]\n"
    ), "`read._default_options` uses `read` as a value", [0, 1, 2], [2, 2, 2]),
}


@pytest.mark.parametrize("name", sorted(DIFFERS_ONCE_HOISTED))
def test_an_unsafe_hoist_really_differs_on_ray(local_ray, name):
    code, reason, before, after = DIFFERS_ONCE_HOISTED[name]
    (finding,) = analyze(code, "/tmp/ray004_differs.py", Config.make([RULE])).findings
    (fix,) = finding.fixes
    assert reason in fix.unsafe_reason
    hoisted = apply_edits(code, list(fix.edits))
    ast.parse(hoisted)
    assert run(code) == before
    assert run(hoisted) == after
