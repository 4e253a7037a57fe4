"""RAY008 pass-large-arg-by-value, Fixit style: code that must pass, and code that must be
flagged at the given 1-based line:column (counted in the case's own text)."""

from __future__ import annotations

import pytest

from raylint.core import Config, analyze
from raylint.rules.ray008 import RULE

HEAD = "import numpy as np\nimport ray\nimport torch\n\n@ray.remote\ndef f(a, b=None):\n    return a\n\n"
LINES = HEAD.count("\n")

VALID = [
    "a = np.zeros(12800)\n[f.remote(a) for _ in range(9)]",  # exactly 100 KiB: inline
    "a = np.zeros(100)\nfor _ in range(9):\n    f.remote(a)",
    "a = np.zeros(10**7)\nf.remote(a)",  # once
    "a = ray.put(np.zeros(10**7))\n[f.remote(a) for _ in range(9)]",
    "for i in range(9):\n    a = np.zeros(10**7)\n    f.remote(a)",
    "a = np.zeros(n)\n[f.remote(a) for _ in range(9)]",  # unknown size
    "a = np.zeros((n, 10**6))\n[f.remote(a) for _ in range(9)]",
    "a = np.load('x.npy')\n[f.remote(a) for _ in range(9)]",
    "a = np.zeros(10**7)\na = a.sum()\n[f.remote(a) for _ in range(9)]",  # rebound
    "def g(a):\n    return [f.remote(a) for _ in range(9)]",  # a parameter
    "a = np.zeros(10**7)\n[f.remote(a[i]) for i in range(9)]",  # slices, not the name
    "a = np.zeros(10**7)\n[f.remote(len(a)) for i in range(9)]",
    "import numpy\ndef np_local():\n    np = object\n    a = np.zeros(10**7)\n    return [f.remote(a) for _ in range(9)]",
    "a = bytes(1000)\n[f.remote(a) for _ in range(9)]",
    "a = np.zeros(10**7)\n[g(a) for _ in range(9)]",  # not a .remote call
]

INVALID = [
    ("a = np.zeros(10 * 1024 * 1024)\nrefs = [f.remote(a) for _ in range(10)]", "2:18"),
    ("a = np.ones((1000, 1000))\nfor _ in range(3):\n    f.remote(a)", "3:14"),
    ("a = np.empty(shape=(2 ** 20,))\nwhile True:\n    f.remote(b=a)", "3:16"),
    ("a = np.full((1000, 1000), 7)\n{i: f.remote(a) for i in range(3)}", "2:14"),
    ("a = np.zeros((1000, 1000), dtype=np.uint8)\nf.remote(a)\nf.remote(a)", "2:10"),
    ("a = np.zeros((1000, 1000), dtype=custom)\nf.remote(a)\nf.remote(a)", "2:10"),  # 1 byte each at least
    ("a = np.random.rand(1000, 1000)\n[f.remote(a) for _ in range(2)]", "2:11"),
    ("a = np.random.randint(0, 10, size=(1000, 1000))\n[f.remote(a) for _ in range(2)]", "2:11"),
    ("a = np.arange(10**6)\n[f.remote(a) for _ in range(2)]", "2:11"),
    ("a = torch.zeros(1024, 1024)\n[f.remote(a) for _ in range(2)]", "2:11"),
    ("a = torch.ones((1024, 1024), dtype=torch.float16)\n[f.remote(a) for _ in range(2)]", "2:11"),
    ("a = bytearray(1 << 20)\n[f.remote(a) for _ in range(2)]", "2:11"),
    ("def g(h):\n    a = np.zeros(10**6)\n    h.m.remote(a)\n    h.n.remote(a)", "3:16"),
    ("from numpy import zeros\na = zeros(10**6)\n[f.remote(a) for _ in range(2)]", "3:11"),
    ("@ray.remote\nclass A:\n    def __init__(self, t):\n        pass\nt = np.zeros(10**6)\nactors = [A.remote(t) for _ in range(4)]", "6:20"),
]


def findings(code: str):
    text = HEAD + code + "\n"
    return [f for f in analyze(text, "example.py", Config.make([RULE])).findings if f.code == "RAY008"]


@pytest.mark.parametrize("code", VALID)
def test_valid(code):
    assert findings(code) == []


@pytest.mark.parametrize("code, where", INVALID)
def test_invalid(code, where):
    found = findings(code)
    assert [f"{f.range.start.line + 1 - LINES}:{f.range.start.character + 1}" for f in found] == [where]
    assert found[0].fixes == () and found[0].no_fix_reason and "ray.put" in found[0].message


def test_sizes():
    (found,) = findings("a = np.zeros(10 * 1024 * 1024)\nrefs = [f.remote(a) for _ in range(10)]")
    assert "(80 MiB)" in found.message
    assert found.related[0].range.start.line + 1 - LINES == 1
