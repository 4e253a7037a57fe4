"""Fixture-per-shape snapshots, in ruff's model.

Each file in `fixtures/` holds flagged and clean shapes of one kind; `snapshots/<name>.snap`
shows what raylint says about it: every finding with a caret under its range, its related
locations, each fix's title and diff, and the whole file after `--fix`. A reviewer reads
the snapshot. Regenerate with `RAYLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/core`.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from raylint.analysis import Analysis, Finding, analyze, apply_edits, fix_text
from raylint.analysis.source import SourceText

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
SNAPSHOTS = HERE / "snapshots"
UPDATE = os.environ.get("RAYLINT_UPDATE_SNAPSHOTS") == "1"
# Fixtures analysed with other settings than the defaults.
OPTIONS = {"generator_dynamic.py": {"generator_style": "dynamic"}}

FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.py"))


def read_fixture(name: str) -> str:
    # newline="" keeps the file's own line ends; utf-8 keeps a BOM a character, as editors see it
    with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
        return handle.read()


def render(name: str, text: str, analysis: Analysis, fixed: str) -> str:
    source = SourceText(text)
    out = [f"# raylint snapshot of fixtures/{name}"]
    if OPTIONS.get(name):
        out.append(f"# options: {OPTIONS[name]}")
    for problem in analysis.problems:
        where = f"{problem.range.start.line + 1}" if problem.range else "-"
        out.append(f"\nproblem at line {where}: {problem.message}")
    if not analysis.findings:
        out.append("\nno findings")
    for finding in analysis.findings:
        out.extend(["", *render_finding(name, source, finding)])
    out.append("")
    out.append("=== the file after `raylint check --fix` ===")
    out.append("(unchanged)" if fixed == text else "\n".join(f"{i:>3} | {line}" for i, line in enumerate(fixed.splitlines(), 1)))
    return "\n".join(out).rstrip() + "\n"


def render_finding(name: str, source: SourceText, finding: Finding) -> list[str]:
    start, end = finding.range.start, finding.range.end
    head, _, rest = finding.message.partition(", which")
    reason = rest.partition(" No automatic fix: ")[2]
    lines = [f"{name}:{start.line + 1}:{start.character + 1}: {finding.code} {head}"]
    if reason:
        lines.append(f"  no fix: {reason}")
    width = len(str(end.line + 1))
    for line in range(start.line, end.line + 1):
        code = source.line(line)
        first = start.character if line == start.line else len(code) - len(code.lstrip())
        last = end.character if line == end.line else len(code)
        lines.append(f"  {line + 1:>{width}} | {code}")
        lines.append(f"  {'':>{width}} | {''.join(c if c == chr(9) else ' ' for c in code[:first])}{'^' * max(1, last - first)}")
    for related in finding.related:
        lines.append(f"  related {related.range.start.line + 1}:{related.range.start.character + 1}: {related.message}")
    for fix in finding.fixes:
        lines.append(f"  fix {fix.id}: {fix.title}")
        lines.extend("    " + line for line in diff(name, source.text, apply_edits(source.text, list(fix.edits))).splitlines())
    return lines


def diff(name: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), f"a/{name}", f"b/{name}", n=1, lineterm=""
    )
    return "\n".join(line.replace("\t", "→   ") for line in lines)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_snapshot(name):
    text = read_fixture(name)
    options = OPTIONS.get(name, {})
    analysis = analyze(text, str(FIXTURES / name), **options)
    fixed, _ = fix_text(text, str(FIXTURES / name), **options)
    rendered = render(name, text, analysis, fixed)
    snapshot = SNAPSHOTS / f"{Path(name).stem}.snap"
    if UPDATE or not snapshot.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        snapshot.write_text(rendered, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"new snapshot written: {snapshot.name}; review it and run again")
    assert rendered == snapshot.read_text(encoding="utf-8"), (
        f"{snapshot.name} differs; review and set RAYLINT_UPDATE_SNAPSHOTS=1 to accept"
    )


def test_every_snapshot_has_a_fixture():
    stale = {p.stem for p in SNAPSHOTS.glob("*.snap")} - {Path(n).stem for n in FIXTURE_NAMES}
    assert not stale, f"snapshots without a fixture: {sorted(stale)}"


