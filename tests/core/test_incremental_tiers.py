"""Typing in a document: `DocumentAnalyzer.analyze(text, complete=False)` answers with a
provisional analysis (the edited statement re-checked by the local rules; the findings of the
rules that read the whole module carried over from the last complete analysis, moved with the
lines, without those the edits touched); `analyze(text)` then completes it. Whatever the
edits, with every rule on:

- the completed analysis equals a full `analyze()` of the text;
- the provisional one has exactly the full analysis' findings of the local rules, and every
  carried finding of the others lies (with its fixes, related locations and `# noqa` lines)
  in text no edit since the last complete analysis touched, at the place it has now.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raylint.core import ModuleIndex, analyze, default_config
from raylint.core.incremental import DocumentAnalyzer, _ranges
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
    """A source and 1..8 edits (start, end, typed); each edit may be followed by a pause (the
    analysis is completed there)."""
    text = draw(st.sampled_from(SOURCES))
    steps = []
    for _ in range(draw(st.integers(1, 8))):
        near = draw(st.integers(0, len(text)))
        start = draw(st.integers(max(0, near - 40), min(len(text), near)))
        end = draw(st.integers(start, min(len(text), start + draw(st.sampled_from([0, 0, 1, 3, 20])))))
        typed = draw(st.sampled_from(TYPED)) if draw(st.booleans()) or start == end else ""
        text = text[:start] + typed + text[end:]
        steps.append((start, end, typed, draw(st.integers(0, 4)) == 0))
    return steps


def _text_of(source: SourceText, range_) -> str:
    return source.text_of(range_)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(range(len(SOURCES))), edited_texts())
def test_provisional_analyses_hold_only_current_findings_and_complete_to_a_full_one(which, steps):
    text = SOURCES[which]
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    assert analyzer.analyze(text) == analyze(text, "t.py", index=index)
    complete_text = text  # the text of the last complete analysis
    complete_findings = analyzer.analyze(text).findings
    for start, end, typed, pause in steps:
        start, end = min(start, len(text)), min(end, len(text))
        text = text[:start] + typed + text[end:]
        result = analyzer.analyze(text, complete=False)
        full = analyze(text, "t.py", index=index)
        if not analyzer.pending:  # (a full analysis, or nothing to defer)
            assert result == full, (start, end, typed)
            complete_text, complete_findings = text, result.findings
        else:
            assert [f for f in result.findings if f.code in LOCAL] == [f for f in full.findings if f.code in LOCAL]
            assert not result.problems
            # each carried finding is one the last complete analysis had, in the same text
            old, new = SourceText(complete_text), SourceText(text)
            carried = [f for f in result.findings if f.code not in LOCAL]
            assert len(carried) <= len([f for f in complete_findings if f.code not in LOCAL])
            for finding in carried:
                assert finding.code in analyzer.pending
                for range_ in _ranges(finding, True):
                    if range_.end.line < new.line_count:
                        here = _text_of(new, range_)
                        assert any(
                            here == _text_of(old, r) and r.start.character == range_.start.character
                            for f in complete_findings if f.code == finding.code for r in _ranges(f, True)
                        ), (finding, range_)
        if pause:
            completed = analyzer.analyze(text)
            assert completed == full, (start, end, typed)
            assert not analyzer.pending
            complete_text, complete_findings = text, completed.findings
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
