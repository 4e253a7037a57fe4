"""`DocumentAnalyzer` (re-analysis of the edited top-level statement only) must give exactly
what a full `analyze()` gives, whatever the edits: random sequences of edits on the
fixtures, the examples and a large generated module, checked after every edit."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raylint.core import ModuleIndex, analyze
from raylint.core.incremental import DocumentAnalyzer

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from lsp_latency import generate  # noqa: E402  (the benchmark's module: many tasks, 1,000 lines)

SOURCES = [
    p.read_text(encoding="utf-8")
    for p in sorted([*(ROOT / "tests" / "rules" / "fixtures" / "RAY001").glob("*.py"), *(ROOT / "examples").glob("*.py")])
] + [generate(1000, 3)]

# What an edit may type: code that makes or unmakes tasks, puts, aliases, wrap calls, options,
# nested scopes, line breaks (which move every later finding), and broken syntax.
TYPED = [
    "x", "1", " ", "\n", "\n\n", "    ", "\t", "(", ")", ":", ",", "#", "é", "🚀", "\r\n",
    "ray.put(x)", "return ray.put(1)\n", "    return ray.put(x)\n", "@ray.remote\n", "@ray.remote(num_returns=2)\n",
    "def h(x):\n    return ray.put(x)\n", "t = ray.remote(f)\n", "store = ray.put\n", "put = len\n",
    "ray = None\n", "import ray\n", "from ray import put\n", "global G\n", ".options(num_returns=2)",
    "a._private.remote()", "class K:\n    pass\n", "def ", "return ", "yield x\n", "'''", "# noqa: RAY001",
]


@st.composite
def edit_sequences(draw):
    """A source and 1..6 edits (start, end, typed) of it, each one at positions of the text the
    edits before it made."""
    original = text = draw(st.sampled_from(SOURCES))
    edits = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + draw(st.sampled_from([0, 0, 1, 3, 20, 200])))))
        typed = draw(st.sampled_from(TYPED)) if draw(st.booleans()) or start == end else ""
        edits.append((start, end, typed))
        text = text[:start] + typed + text[end:]
    return original, edits


def test_a_line_added_inside_a_function_keeps_what_a_later_ray_remote_call_makes_remote():
    """Found by the property test below: `wrapped_task = ray.remote(wrapped)` after an edit that
    adds a line inside `wrapped` was read off the old text with the moved tree, and missed."""
    original = next(s for s in SOURCES if "wrapped_task = ray.remote(wrapped)" in s)
    at = original.index("ray.put(b)\n\n\nwrapped_task") + len("ray.put(b")
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    analyzer.analyze(original)
    text = original[:at] + "@ray.remote\n" + original[at:]
    assert analyzer.analyze(text) == analyze(text, "t.py", index=index)
    assert "wrapped" in {f.task for f in analyze(text, "t.py", index=index).findings}


def test_an_edit_spelling_a_put_alias_elsewhere_redoes_the_fixes_that_remove_its_import():
    """Found by the property test below: a fix removes `from ray import put as store` once
    nothing else spells `store`, so an edit deleting the word from a string changes the fixes
    of a task the edit is not in."""
    original = next(s for s in SOURCES if "ref = store(cleaned)" in s)
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    analyzer.analyze(original)
    text = original.replace("through the object store.", "through the object.")
    assert analyzer.analyze(text) == analyze(text, "t.py", index=index)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("return ray.put(dict(self.items))", "return dict(self.items)"),  # the helper no longer puts
        ("return self._helper()", "return self._helper()  # a comment"),
        ("self.snapshots.append(self._helper())", "return self._helper()"),  # another method calls it
    ],
)
def test_an_edit_of_an_actors_method_helper_redoes_the_methods_that_return_its_refs(old, new):
    """`snapshot` returns what `self._helper()` puts: an edit inside `_helper` alone (a def the
    incremental way parses by itself) changes `snapshot`'s finding."""
    original = next(s for s in SOURCES if "return self._helper()" in s)
    assert original.count(old) == 1
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    analyzer.analyze(original)
    text = original.replace(old, new)
    assert analyzer.analyze(text) == analyze(text, "t.py", index=index)
    back = analyzer.analyze(original)
    assert back == analyze(original, "t.py", index=index)
    assert "Store.snapshot" in {f.task for f in back.findings}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(edit_sequences())
def test_incremental_analysis_equals_a_full_one(case):
    original, edits = case
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    text = original
    assert analyzer.analyze(text) == analyze(text, "t.py", index=index)
    for start, end, typed in edits:
        start, end = min(start, len(text)), min(end, len(text))
        text = text[:start] + typed + text[end:]
        assert analyzer.analyze(text) == analyze(text, "t.py", index=index), (start, end, typed)


def edited(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


BASE = textwrap.dedent(
    """\
    import ray

    SCALE = 2


    @ray.remote
    def f(x):
        y = x * SCALE
        return ray.put(y)


    def helper(v):
        return v


    @ray.remote
    def g(x):
        return ray.put(x), ray.put(x + 1)
    """
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("y = x * SCALE", "y = x * SCALE + 1"),  # typing in a task
        ("SCALE = 2", "SCALE = 3"),  # a module-level value
    ],
)
def test_an_edit_inside_one_statement_reuses_the_rest(old, new):
    analyzer = DocumentAnalyzer("t.py")
    first = analyzer.analyze(BASE)
    assert [f.task for f in first.findings] == ["f", "g"]
    text = edited(BASE, old, new)
    assert analyzer.analyze(text) == analyze(text, "t.py")
    assert analyzer.reused == 1


def test_a_line_added_moves_the_later_findings():
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(BASE)
    text = edited(BASE, "    return v\n", "    v += 1\n    return v\n")
    result = analyzer.analyze(text)
    assert analyzer.reused == 1
    assert result == analyze(text, "t.py")
    assert [f.range.start.line for f in result.findings] == [8, 18]
    # the moved statements keep serving: the next edit, below them, is quick too
    again = edited(text, "return ray.put(x), ray.put(x + 1)", "return ray.put(x), ray.put(x + 2)")
    assert analyzer.analyze(again) == analyze(again, "t.py")
    assert analyzer.reused == 2


def test_edits_that_reach_other_definitions_take_the_full_way():
    for old, new in [
        ("SCALE = 2", "SCALE = ray.put"),  # a module-level alias of ray.put
        ("def helper(v):\n    return v", "def helper(v):\n    return ray.remote(f)"),  # makes f remote
        ("    return v\n", "    return g.options(num_returns=2).remote(1)\n"),  # options at a call site
        ("def helper", "def renamed"),  # a module-level name changes
    ]:
        analyzer = DocumentAnalyzer("t.py")
        analyzer.analyze(BASE)
        text = edited(BASE, old, new)
        assert analyzer.analyze(text) == analyze(text, "t.py"), new
        assert analyzer.reused == 0, new


def test_a_different_context_is_a_full_analysis():
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(BASE, context=1)
    analyzer.analyze(edited(BASE, "SCALE = 2", "SCALE = 3"), context=2)
    assert analyzer.reused == 0


def test_nothing_is_reused_when_the_tree_was_not_kept_or_was_forgotten():
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(BASE, keep=False)
    first = edited(BASE, "SCALE = 2", "SCALE = 3")
    assert analyzer.analyze(first) == analyze(first, "t.py")
    assert analyzer.reused == 0
    analyzer.forget()
    second = edited(first, "SCALE = 3", "SCALE = 4")
    assert analyzer.analyze(second) == analyze(second, "t.py")
    assert analyzer.reused == 0
    third = edited(second, "SCALE = 4", "SCALE = 5")
    assert analyzer.analyze(third) == analyze(third, "t.py")
    assert analyzer.reused == 1  # the second analysis kept its tree
