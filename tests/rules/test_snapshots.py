"""Fixture-per-rule snapshots, in ruff's model.

Each file in `fixtures/<CODE>/` holds flagged and clean shapes of one kind for that rule;
`snapshots/<CODE>/<name>.snap` shows what the rule says about it (the rule alone): every
finding with a caret under its range, its related locations, each fix's title and diff, and
the whole file after `--fix`. A reviewer reads the snapshot. Every registered rule has
fixtures. Regenerate with `RAYLINT_UPDATE_SNAPSHOTS=1 python -m pytest tests/rules`.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from raylint.core import Analysis, Config, Finding, analyze, apply_edits, fix_text
from raylint.core.source import SourceText
from raylint.rules import BY_CODE, RULES

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
SNAPSHOTS = HERE / "snapshots"
UPDATE = os.environ.get("RAYLINT_UPDATE_SNAPSHOTS") == "1"
# Fixtures analysed with other settings than the defaults.
OPTIONS = {"RAY001/generator_dynamic.py": {"generator-style": "dynamic"}}

# "RAY001/return_value.py"
FIXTURE_NAMES = sorted(f"{p.parent.name}/{p.name}" for p in FIXTURES.glob("*/*.py"))


def config_for(name: str) -> Config:
    code = name.split("/")[0]
    return Config.make([BY_CODE[code]], OPTIONS.get(name))


def read_fixture(name: str) -> str:
    # newline="" keeps the file's own line ends; utf-8 keeps a BOM a character, as editors see it
    with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
        return handle.read()


def render(name: str, text: str, analysis: Analysis, fixed: str) -> str:
    source = SourceText(text)
    out = [f"# raylint snapshot of fixtures/{name} ({name.split('/')[0]} alone)"]
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
    lines = [f"{name}:{start.line + 1}:{start.character + 1}: {finding.code} {finding.message}"]
    if finding.no_fix_reason:
        lines.append(f"  no fix: {finding.no_fix_reason}")
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
    config = config_for(name)
    analysis = analyze(text, str(FIXTURES / name), config)
    fixed, _ = fix_text(text, str(FIXTURES / name), config)
    rendered = render(name, text, analysis, fixed)
    snapshot = SNAPSHOTS / f"{name[:-3]}.snap"
    if UPDATE or not snapshot.exists():
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(rendered, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"new snapshot written: {snapshot.name}; review it and run again")
    assert rendered == snapshot.read_text(encoding="utf-8"), (
        f"{snapshot.name} differs; review and set RAYLINT_UPDATE_SNAPSHOTS=1 to accept"
    )


def test_every_snapshot_has_a_fixture():
    stale = {f"{p.parent.name}/{p.stem}" for p in SNAPSHOTS.glob("*/*.snap")} - {n[:-3] for n in FIXTURE_NAMES}
    assert not stale, f"snapshots without a fixture: {sorted(stale)}"


@pytest.mark.parametrize("code", [rule.code for rule in RULES])
def test_every_rule_has_fixtures_that_flag_and_that_pass(code):
    """Each rule's fixtures hold shapes it flags and shapes it must not flag (a snapshot
    with findings, and clean code in some fixture: checked by `no findings` or by a fixture
    whose file after --fix differs only where findings were)."""
    names = [n for n in FIXTURE_NAMES if n.startswith(code + "/")]
    assert names, f"{code} has no fixtures in tests/rules/fixtures/{code}/"
    flagged = [n for n in names if analyze(read_fixture(n), str(FIXTURES / n), config_for(n)).findings]
    assert flagged, f"no fixture of {code} has a finding"
    clean = [n for n in names if n.split("/")[1].startswith(("valid", "not_flagged", "clean"))]
    assert clean, f"{code} needs a fixture of shapes it must not flag (valid*.py / not_flagged*.py)"
    for name in clean:
        assert not analyze(read_fixture(name), str(FIXTURES / name), config_for(name)).findings, name


