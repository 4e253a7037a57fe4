"""RAY003 and RAY004 on odd inputs: never raise, and every fix they offer applies and parses
(CR-only and CRLF line ends, form feeds, tabs, a BOM, truncated files, hostile lines)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from raylint.core import Config, analyze, apply_edits
from raylint.rules.ray003 import RULE as RAY003
from raylint.rules.ray004 import RULE as RAY004

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted([*FIXTURES.glob("RAY003/*.py"), *FIXTURES.glob("RAY004/*.py")])
CONFIG = Config.make([RAY003, RAY004])
HOSTILE = [
    "for i in range(2):\n\x0c    @ray.remote\n    def f():\n        return 1\n",
    "for i in range(2):\n    @ray.remote\n    def f(): return 1\n",
    "for i in range(2):\n    g = ray.remote(f); g.remote()\n",
    "for i in range(2): ray.remote(f)\n",
    "while x := ray.remote(f):\n    @ray.remote\n    def h():\n        '''a\nb'''\n",
    "x = ray.get(f.remote()); g.remote(x)\n",
    "g.remote(ray.get(f.remote()), ray.get(f.remote()))\n",
    "for i in range(2):\n    @ray.remote\n    def f():\n        return 1\n    @ray.remote\n    def f():\n        return 2\n",
    "for i in range(2):\n  @ray.remote\n  def f():\n      x = '''\n  text\n'''\n      return x\n",
    "@" + "ray." * 200 + "remote\ndef f():\n    pass\n",
    "for i in range(2): g = ray.remote(f)\n",
    "ray.get(" * 50 + ")" * 50 + "\n",
]


FIRST_LINE = "for i in range(2):\n    @ray.remote\n    def f():\n        return 1\nimport ray\n"


def test_a_loop_on_the_first_line_of_a_file_with_a_byte_order_mark():
    text = "\ufeff" + FIRST_LINE
    (finding,) = analyze(text, "/tmp/robust.py", CONFIG).findings
    after = apply_edits(text, list(finding.fixes[0].edits))
    assert after.startswith("\ufeff@ray.remote\ndef f():")
    ast.parse(after[1:])


def _variants(text: str):
    yield text
    yield text.replace("\n", "\r")
    yield text.replace("\n", "\r\n")
    yield "\ufeff" + text
    yield text.replace("    ", "\t")
    yield text[: len(text) // 2]


def _check(text: str) -> None:
    analysis = analyze(text, "/tmp/robust.py", CONFIG)
    try:
        ast.parse(text.lstrip("\ufeff"))
        parsed = True
    except (SyntaxError, ValueError):
        parsed = False
    for finding in analysis.findings:
        for fix in finding.fixes:
            after = apply_edits(text, list(fix.edits))
            if parsed:
                ast.parse(after.lstrip("\ufeff"))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixtures_in_every_shape(seed):
    for text in _variants(seed.read_text(encoding="utf-8")):
        _check(text)


@pytest.mark.parametrize("code", HOSTILE)
def test_hostile_code(code):
    for text in _variants("import ray\n\n" + code):
        _check(text)
