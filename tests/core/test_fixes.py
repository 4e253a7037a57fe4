"""Every fix raylint offers, on every fixture and example: it parses, it clears its finding,
it leaves the rest of the file alone; fixing a whole file works and is idempotent."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

from raylint.core import Config, ModuleIndex, analyze, apply_edits, choose_fixes, fix_text

ROOT = Path(__file__).parents[2]
FIXTURES = Path(__file__).parents[1] / "rules" / "fixtures" / "RAY001"
OPTIONS = {"generator_dynamic.py": {"config": Config.make(options={"generator-style": "dynamic"})}}
FILES = sorted([*FIXTURES.glob("*.py"), *(ROOT / "examples").glob("*.py")])


def options_for(path: Path) -> dict:
    return {**OPTIONS.get(path.name, {}), "index": ModuleIndex([str(path.parent)])}


def read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def parses(text: str) -> bool:
    try:
        ast.parse(text.removeprefix("\ufeff"))
    except SyntaxError:
        return False
    return True


def comments(text: str) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(text.removeprefix("\ufeff")).readline)
    return [(t.start[0] - 1, t.string) for t in tokens if t.type == tokenize.COMMENT]


def offered_fixes():
    for path in FILES:
        text = read(path)
        if not parses(text):
            continue  # the syntax-error fixture: its fixes are checked on the intact part below
        for finding in analyze(text, str(path), **options_for(path)).findings:
            for fix in finding.fixes:
                yield pytest.param(path, finding, fix, id=f"{path.name}:{finding.range.start.line + 1}:{fix.id}")


@pytest.mark.parametrize(("path", "finding", "fix"), list(offered_fixes()))
def test_each_fix_parses_clears_and_keeps_the_rest(path, finding, fix):
    text = read(path)
    options = options_for(path)
    before = [f for f in analyze(text, str(path), **options).findings if f.task == finding.task]
    fixed = apply_edits(text, list(fix.edits))

    assert parses(fixed)
    after = [f for f in analyze(fixed, str(path), **options).findings if f.task == finding.task]
    assert after == []  # every rewrite fixes every return of the task (return-value too: one fix for all)

    # Comments outside the edited lines survive, in order.
    edited = {line for e in fix.edits for line in range(e.range.start.line, e.range.end.line + 1)}
    kept = [c for line, c in comments(text) if line not in edited]
    remaining = [c for _, c in comments(fixed)]
    assert all(c in remaining for c in kept)
    # The line ending style is kept.
    if "\r\n" in text:
        assert "\n" not in fixed.replace("\r\n", "")


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fix_all_is_complete_and_idempotent(path):
    text = read(path)
    options = options_for(path)
    analysis = analyze(text, str(path), **options)
    chosen = choose_fixes(analysis.findings)
    ranges = sorted(e.range for fix in chosen for e in fix.edits)
    assert all(not a.overlaps(b) for a, b in zip(ranges, ranges[1:]))

    fixed, after = fix_text(text, str(path), **options)
    assert parses(fixed) or not parses(text)
    # Whatever is left has no mechanical fix; a second run changes nothing.
    assert all(not f.fixes for f in after.findings)
    again, _ = fix_text(fixed, str(path), **options)
    assert again == fixed
    if any(f.fixes for f in analysis.findings):
        assert fixed != text


def test_examples_have_every_kind_of_fix():
    ids = set()
    for path in (ROOT / "examples").glob("*.py"):
        for finding in analyze(read(path), str(path), **options_for(path)).findings:
            ids.update(fix.id for fix in finding.fixes)
    assert ids == {"return-value", "num-returns", "generator"}


def test_a_tuple_of_puts_and_values_makes_the_num_returns_fix_unsafe_and_no_generator():
    """`return ray.put(x), x * 2` gives callers one ref to a tuple holding a ref and a value.
    With num_returns=2 (or as a generator) the value reaches them as a ref of its own, and
    `r, v = ray.get(f.remote())` → `r, v = f.remote()` leaves `v` a ref where the value was
    used (seen on Ray). Declared as num_returns=2 already, each element was a ref before too."""
    head = "import ray\n\n\n@ray.remote{options}\ndef f(x):\n    return ray.put(x), x * 2\n"
    (finding,) = analyze(head.format(options=""), "t.py").findings
    assert [fix.id for fix in finding.fixes] == ["num-returns"]
    assert "`x * 2` is not a ray.put ref, yet with num_returns it reaches callers as a ref of its own" in finding.fixes[0].unsafe_reason
    (finding,) = analyze(head.format(options="(num_returns=2)"), "t.py").findings
    assert [fix.id for fix in finding.fixes] == ["num-returns", "generator"]
    assert all("is not a ray.put ref" not in fix.unsafe_reason for fix in finding.fixes)


@pytest.mark.parametrize("put, option", [("ray.put(x, _owner=owner)", "_owner"), ("ray.put(x, **options)", "**"), ("ray.put(value=x)", None)])
def test_a_put_with_options_makes_every_rewrite_unsafe(put, option):
    """`ray.put(x, _owner=o)` gave the object another owner, and raises on Ray 2.56 and later:
    the rewrite dropped the option and the error with it (the program ran after the "safe"
    fix, on Ray 2.60). A returned value keeps no option of a put."""
    code = f"import ray\n\n\n@ray.remote\ndef f(x, owner=None, options=None):\n    return {put}\n"
    (finding,) = analyze(code, "t.py").findings
    (fix,) = finding.fixes
    if option is None:
        assert fix.safe
    else:
        assert not fix.safe and f"the ray.put on line 6 passes `{option}`, which a returned value does not keep" in fix.unsafe_reason


def test_a_put_inside_a_try_makes_every_rewrite_unsafe():
    """Inside a `try` with an `except`, `ray.put` raises where the handler catches it; a value
    returned instead is serialized after the task hands it over (seen on Ray for the
    return-value and generator shapes): each rewrite says so, the tuple's two included."""
    head = "import ray\n\n\n@ray.remote\ndef f(x):\n"
    guarded = head + "    try:\n        return ray.put(x), ray.put(x + 1)\n    except TypeError:\n        return ray.put(0), ray.put(0)\n"
    findings = analyze(guarded, "t.py").findings
    assert len(findings) == 2
    for finding in findings:
        assert [fix.id for fix in finding.fixes] == ["num-returns", "generator"]
        for fix in finding.fixes:
            assert "`ray.put(x)` (line 7) is inside a `try` whose `except` (line 8) catches" in fix.unsafe_reason
    (finding,) = analyze(head + "    return ray.put(x), ray.put(x + 1)\n", "t.py").findings
    assert [fix.id for fix in finding.fixes] == ["num-returns", "generator"]
    assert all(fix.safe for fix in finding.fixes)
