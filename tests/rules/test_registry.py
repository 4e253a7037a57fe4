"""The registry: every rule is documented the same way, and the README's table is the registry's.

Regenerate the README's table with `RAYLINT_UPDATE_README=1 python -m pytest tests/rules/test_registry.py`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from raylint import rules
from raylint.core import Config, analyze
from raylint.core.rule import Rule

README = Path(__file__).parents[2] / "README.md"
START = "<!-- rules-table: generated from the registry (raylint/rules); tests/rules/test_registry.py checks it -->"
END = "<!-- rules-table: end -->"
SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Fix safety", "## When it is wrong"]


def table() -> str:
    rows = ["| code | name | finds | fix | Ray docs |", "|---|---|---|---|---|"]
    for rule in rules.RULES:
        fix = {"always": "fix", "sometimes": "fix?", "none": ""}[rule.fix.value]
        rows.append(f"| `{rule.code}` | {rule.name} | {rule.summary} | {fix} | [page]({rule.url}) |")
    return "\n".join(rows)


def test_the_readme_table_is_the_registry():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    wanted = f"{head}{START}\n{table()}\n{END}{tail}"
    if os.environ.get("RAYLINT_UPDATE_README") == "1":
        README.write_text(wanted, encoding="utf-8")
    assert text == wanted, "the README's rules table is not the registry's: RAYLINT_UPDATE_README=1 rewrites it"


@pytest.mark.parametrize("rule", rules.RULES, ids=lambda r: r.code)
def test_every_rule_is_documented_like_ruff(rule: Rule):
    assert re.fullmatch(r"RAY\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", rule.name)
    assert rule.docs.strip().startswith(f"{rule.code} {rule.name}: ")
    at = [rule.docs.find(section) for section in SECTIONS]
    assert all(i >= 0 for i in at), f"{rule.code}: missing {[s for s, i in zip(SECTIONS, at) if i < 0]}"
    assert at == sorted(at), f"{rule.code}: sections out of order"
    assert rule.url.startswith("https://docs.ray.io/")
    assert rule.summary and "\n" not in rule.summary
    assert rule.needs, "a rule names the words a file must reach (the prefilter)"
    assert rules.rule(rule.code) is rule and rules.rule(rule.name) is rule


def test_codes_are_unique_and_in_order():
    codes = [rule.code for rule in rules.RULES]
    assert codes == sorted(set(codes))
    assert len({rule.name for rule in rules.RULES}) == len(codes)


@pytest.mark.parametrize(
    "select, ignore, expected",
    [
        (None, (), "all"),
        (["ALL"], ["RAY001"], "all but RAY001"),
        (["RAY001"], ["RAY"], ["RAY001"]),  # the longer prefix wins
        (["RAY"], ["RAY001"], "all but RAY001"),
        (["RAY001"], ["RAY001"], []),  # equally specific: ignore wins
        ([], (), []),
    ],
)
def test_select_and_ignore(select, ignore, expected):
    every = [r.code for r in rules.RULES]
    if expected == "all":
        expected = every
    elif expected == "all but RAY001":
        expected = [c for c in every if c != "RAY001"]
    assert [r.code for r in rules.selected(select, ignore)] == expected


def test_unknown_codes():
    assert rules.unknown_codes(["RAY999", "RAY00", "ALL", "E501"]) == ["RAY999", "E501"]


PUT_TASK = "import ray\n\n@ray.remote\ndef f(x):\n    return ray.put(x)\n"


def test_a_rule_left_out_finds_nothing_and_noqa_is_per_code():
    everything = analyze(PUT_TASK, "t.py").findings
    assert [f.code for f in everything] == ["RAY001"]
    without = Config.make([r for r in rules.RULES if r.code != "RAY001"])
    assert analyze(PUT_TASK, "t.py", without).findings == []
    other = PUT_TASK.replace("return ray.put(x)", "return ray.put(x)  # noqa: RAY999")
    assert [f.code for f in analyze(other, "t.py").findings] == ["RAY001"]
    mine = PUT_TASK.replace("return ray.put(x)", "return ray.put(x)  # noqa: E501, ray001")
    assert analyze(mine, "t.py").findings == []
