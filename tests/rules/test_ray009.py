"""RAY009 closure-capture-large-objects, Fixit style: code that must pass, and code that must
be flagged at the given 1-based line:column (counted in the case's own text)."""

from __future__ import annotations

import pytest

from raylint.core import Config, analyze
from raylint.rules.ray009 import RULE

HEAD = "import numpy as np\nimport ray\n\n"
LINES = HEAD.count("\n")
SCRIPT = "\nif __name__ == '__main__':\n    ray.init()\n"

VALID = [
    "big = np.zeros(10**7)\n@ray.remote\ndef f():\n    return big",  # a module meant for import
    "big = np.zeros(10**6)\n@ray.remote\ndef f():\n    return big" + SCRIPT,  # 8 MB: under Ray's 10 MB warning
    "big = np.zeros(10**7)\n@ray.remote\ndef f(big):\n    return big" + SCRIPT,
    "big = np.zeros(10**7)\n@ray.remote\ndef f():\n    big = 1\n    return big" + SCRIPT,
    "big = np.zeros(10**7)\nbig = ray.put(big)\n@ray.remote\ndef f():\n    return big" + SCRIPT,
    "big = np.load('x')\n@ray.remote\ndef f():\n    return big" + SCRIPT,
    "@ray.remote\ndef f():\n    big = np.zeros(10**7)\n    return [big for _ in range(2)]" + SCRIPT,
    "big = np.zeros(10**7)\ndef plain():\n    return big" + SCRIPT,  # not remote
    "@ray.remote\nclass A:\n    big = np.zeros(10**7)\n    def m(self):\n        return self.big" + SCRIPT,
]

INVALID = [
    ("big = np.zeros(10 * 1024 * 1024)\n@ray.remote\ndef f():\n    return len(big)" + SCRIPT, ["4:16"]),
    ("ray.init()\nbig = np.ones((4000, 4000))\n@ray.remote\ndef f():\n    return big", ["5:12"]),
    ("big = np.zeros(10**7)\n@ray.remote\nclass A:\n    def m(self):\n        return big\n    def n(self):\n        return big" + SCRIPT, ["5:16"]),
    ("big = np.zeros(10**7)\n@ray.remote\ndef f():\n    return [big[i] for i in range(3)]" + SCRIPT, ["4:13"]),
    ("def outer():\n    big = np.zeros(10**7)\n    @ray.remote\n    def f():\n        return big\n    return f", ["5:16"]),
    ("def outer():\n    big = np.zeros(10**7)\n    def f():\n        return big\n    return ray.remote(f)", ["4:16"]),
]


def findings(code: str):
    text = HEAD + code + "\n"
    return [f for f in analyze(text, "example.py", Config.make([RULE])).findings if f.code == "RAY009"]


@pytest.mark.parametrize("code", VALID)
def test_valid(code):
    assert findings(code) == []


@pytest.mark.parametrize("code, where", INVALID)
def test_invalid(code, where):
    found = findings(code)
    assert [f"{f.range.start.line + 1 - LINES}:{f.range.start.character + 1}" for f in found] == where
    assert all(f.fixes == () and f.no_fix_reason and "ray.put" in f.message for f in found)
