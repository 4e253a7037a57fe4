"""Typing in a document: `DocumentAnalyzer.analyze(text, complete=False)` answers with a
provisional analysis (the edited statement re-checked by the local rules, or nothing re-checked
when that would read more than `DEFER_LINES` lines; the findings of the rules not run carried
over, moved with the lines, without those the edits touched); `analyze(text)` then completes
it. Whatever the edits, with every rule on:

- the completed analysis equals a full `analyze()` of the text;
- the provisional one has exactly the full analysis' findings of the rules that ran (every
  local rule, unless deferred), and every carried finding of the others lies (with its fixes,
  related locations and `# noqa` lines) in text no edit since touched, at the place it has now.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raylint.core import ModuleIndex, analyze, default_config
from raylint.core.incremental import DEFER_LINES, DocumentAnalyzer, _ranges
from raylint.core.source import SourceText

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from lsp_latency import SHAPES  # noqa: E402
from test_incremental import TYPED  # noqa: E402

FIXTURES = sorted((ROOT / "tests" / "rules" / "fixtures").glob("RAY*/*.py"))
SOURCES = [p.read_text(encoding="utf-8") for p in FIXTURES] + [
    *(p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.py"))),
    *(shape(400, 3) for shape in SHAPES.values()),
]
LOCAL = {rule.code for rule in default_config().rules if rule.local}


@st.composite
def edited_texts(draw):
    """The index of a source in SOURCES and 1..8 edits (start, end, typed) of it, each at
    positions of the text the edits before it made; each edit may be followed by a pause (the
    analysis is completed there)."""
    which = draw(st.sampled_from(range(len(SOURCES))))
    text = SOURCES[which]
    steps = []
    for _ in range(draw(st.integers(1, 8))):
        near = draw(st.integers(0, len(text)))
        start = draw(st.integers(max(0, near - 40), min(len(text), near)))
        end = draw(st.integers(start, min(len(text), start + draw(st.sampled_from([0, 0, 1, 3, 20])))))
        typed = draw(st.sampled_from(TYPED)) if draw(st.booleans()) or start == end else ""
        text = text[:start] + typed + text[end:]
        steps.append((start, end, typed, draw(st.integers(0, 4)) == 0))
    return which, steps


def _text_of(source: SourceText, range_) -> str:
    return source.text_of(range_)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(edited_texts())
@pytest.mark.parametrize("defer_lines", [DEFER_LINES, 10**9], ids=["deferring", "never-deferring"])
def test_provisional_analyses_hold_only_current_findings_and_complete_to_a_full_one(defer_lines, case):
    which, steps = case
    text = SOURCES[which]
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index, defer_lines=defer_lines)
    assert analyzer.analyze(text) == analyze(text, "t.py", index=index)
    # the analyses since the last complete one, which carried findings may come from
    since = [(text, analyzer.analyze(text).findings)]
    for start, end, typed, pause in steps:
        start, end = min(start, len(text)), min(end, len(text))
        text = text[:start] + typed + text[end:]
        result = analyzer.analyze(text, complete=False)
        full = analyze(text, "t.py", index=index)
        pending = analyzer.pending
        if not pending:  # (a full analysis, or nothing to defer)
            assert result == full, (start, end, typed)
            since = [(text, result.findings)]
            continue
        # the rules that ran find what a full analysis does (with `defer_lines` out of reach,
        # every local rule runs on every keystroke)
        assert [f for f in result.findings if f.code not in pending] == [f for f in full.findings if f.code not in pending]
        if defer_lines == 10**9:
            assert LOCAL.isdisjoint(pending)
        assert not result.problems
        # each carried finding is one an analysis since the last complete one had, in the same text
        new = SourceText(text)
        carried = [f for f in result.findings if f.code in pending]
        assert len(carried) <= max(len([f for f in findings if f.code in pending]) for _, findings in since)
        for finding in carried:
            for range_ in _ranges(finding, True):
                if range_.end.line < new.line_count:
                    here = _text_of(new, range_)
                    assert any(
                        here == _text_of(SourceText(old), r) and r.start.character == range_.start.character
                        for old, findings in since for f in findings if f.code == finding.code for r in _ranges(f, True)
                    ), (finding, range_)
        since.append((text, result.findings))
        if pause:
            completed = analyzer.analyze(text)
            assert completed == full, (start, end, typed)
            assert not analyzer.pending
            since = [(text, completed.findings)]
    assert analyzer.analyze(text) == analyze(text, "t.py", index=index)
    assert not analyzer.pending


def test_typing_in_a_large_module_defers_the_whole_module_rules_and_a_pause_completes():
    text = SHAPES["functions"](2000, 5)
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    analyzer.analyze(text)
    at = text.index("MIDDLE = SCALE * 10") + len("MIDDLE = SCALE * 1")
    for digit in "1010":
        text = text[:at] + digit + text[at + 1 :]
        provisional = analyzer.analyze(text, complete=False)
        assert {"RAY003", "RAY004"} <= analyzer.pending <= {r.code for r in default_config().rules if not r.local}
        assert provisional == analyze(text, "t.py", index=index)  # (an edit that changes nothing else)
    stops = []
    assert analyzer.analyze(text, stop=lambda: stops.append(1) or True).findings == provisional.findings
    assert analyzer.pending and stops == [1]  # gave up before the first rule
    assert analyzer.analyze(text) == analyze(text, "t.py", index=index)
    assert not analyzer.pending
    assert analyzer.reused == 4


ALL = {r.code for r in default_config().rules}


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_typing_in_a_huge_function_moves_the_last_findings_and_the_pause_rechecks(newline):
    text = SHAPES["huge_function"](1000, 5).replace("\n", newline)
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    before = analyzer.analyze(text)
    at = text.index("middle = SCALE * 10")
    typed = f"x = ray.put(1){newline}    "  # a line added above half the findings
    for n in range(1, len(typed) + 1):
        provisional = analyzer.analyze(text[:at] + typed[:n] + text[at:], complete=False)
        assert analyzer.pending == ALL
    text = text[:at] + typed + text[at:]
    assert analyzer.deferred == len(typed) and analyzer.reused == 0 and analyzer.full == 1
    # the findings are the last ones, those below moved a line down: the same text under each
    old, new = SourceText(text[: at] + text[at + len(typed) :]), SourceText(text)
    assert [new.text_of(f.range) for f in provisional.findings] == [old.text_of(f.range) for f in before.findings]
    assert [f.range.start.line for f in provisional.findings] == [
        f.range.start.line + (f.range.start.line >= text.count("\n", 0, at)) for f in before.findings
    ]
    # at the pause: the local rules re-check the function, then the others (which may give up)
    stops = []
    analyzer.analyze(text, stop=lambda: stops.append(1) or True)
    assert stops == [1] and analyzer.pending and LOCAL.isdisjoint(analyzer.pending)
    assert analyzer.analyze(text) == analyze(text, "t.py", index=index)
    assert not analyzer.pending and analyzer.full == 1


def test_a_syntax_error_typed_in_a_large_module_is_reported_at_the_pause_not_on_each_keystroke():
    text = SHAPES["functions"](1000, 5)
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    before = analyzer.analyze(text)
    at = text.index("MIDDLE = SCALE * 10") + len("MIDDLE = SCALE * 10")
    for typed in ("[", "[s", "[se", "[self."):  # the text does not parse from the first key on
        provisional = analyzer.analyze(text[:at] + typed + text[at:], complete=False)
        assert analyzer.pending == ALL and not provisional.problems
    assert provisional.findings == [f for f in before.findings if f.range.start.line != text.count("\n", 0, at)]
    assert analyzer.full == 1  # no keystroke parsed the module again
    completed = analyzer.analyze(text[:at] + "[self." + text[at:])
    assert completed.problems and completed == analyze(text[:at] + "[self." + text[at:], "t.py", index=index)
    assert not analyzer.pending


def test_a_small_module_is_rechecked_on_every_keystroke():
    text = 'import ray\n\n\n@ray.remote\ndef f():\n    return ray.put(1)\n'
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(text)
    for typed in ("(", "(x"):  # a syntax error: the whole module again, now
        assert analyzer.analyze(text + typed, complete=False).problems
    assert analyzer.deferred == 0


def test_a_keystroke_after_the_context_changed_is_deferred_in_a_large_module():
    """Another document opened or edited (a new `context`): the whole module is analysed again,
    at the pause; the keystrokes meanwhile carry the last findings."""
    text = SHAPES["functions"](1000, 5)
    analyzer = DocumentAnalyzer("t.py")
    before = analyzer.analyze(text, context=1)
    at = text.index("MIDDLE = SCALE * 10") + len("MIDDLE = SCALE * 1")
    for context, digit in ((2, "1"), (2, "2"), (3, "3")):
        text = text[:at] + digit + text[at + 1 :]
        assert analyzer.analyze(text, context=context, complete=False).findings == before.findings
        assert analyzer.pending == ALL and analyzer.full == 1
    assert analyzer.analyze(text, context=3) == analyze(text, "t.py")
    assert analyzer.full == 2 and not analyzer.pending


def test_an_edit_in_a_method_that_must_recheck_its_long_class_is_deferred():
    """A parameter typed in a method's signature changes what the def is to its class: the
    method alone is not re-checked (`_update_inner`), and its class is over DEFER_LINES
    lines: the keystroke is deferred rather than re-checking the class on the keystroke."""
    text = SHAPES["huge_class"](1000, 5)
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    analyzer.analyze(text)
    analyzer.prepare()
    at = text.index("(self, batch", text.index("        middle = SCALE * 10") - 200) + len("(self, batch")
    text = text[:at] + ", extra=None" + text[at:]
    provisional = analyzer.analyze(text, complete=False)
    assert analyzer.deferred == 1 and analyzer.reused == 0 and analyzer.pending == ALL
    assert provisional.findings
    assert analyzer.analyze(text) == analyze(text, "t.py", index=index)
    assert not analyzer.pending
