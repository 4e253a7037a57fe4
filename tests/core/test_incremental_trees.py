"""Edits inside definitions and of module-level assignments, as typing makes them: the tree
the incremental analysis keeps must be exactly the tree of the new text (every node, every
position), the module names it carries over exactly what a collection finds, and the analysis
exactly a full one, whatever the edit: random edits in the fixtures and in generated modules
of every shape (a huge function, a huge class, deep nesting, ...).

(Splicing only the innermost statements of a definition was tried and taken out: these tests
found it building wrong trees — a statement lost at the end of the file, columns after a `;`.)"""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raylint.core import ModuleIndex, analyze
from raylint.core.incremental import DocumentAnalyzer

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from lsp_latency import SHAPES  # noqa: E402

FIXTURES = sorted((ROOT / "tests" / "rules" / "fixtures").glob("RAY*/*.py"))
SOURCES = [
    *(SHAPES[name](300, 11) for name in ("huge_function", "huge_class", "deep_nesting", "functions", "literal_tables")),
    *(p.read_text(encoding="utf-8") for p in FIXTURES),
]
# what typing inside a block looks like: statements, new lines at any indentation, clauses,
# decorators, broken syntax, strings, comments, semicolons, line continuations
TYPED = [
    "x", "1", " ", "\n", "\n    ", "\n        ", "\n\n", "    ", "\t", "(", ")", ":", ",", "#", "é", "\r\n", ";",
    "\\\n", "'''", '"', "y = 2\n", "    y = 2\n", "        y = 2\n", "    return ray.put(y)\n",
    "        return ray.put(y)\n", "    @ray.remote\n", "    def g(self):\n        return 1\n", "else:\n",
    "    else:\n        pass\n", "    except ValueError:\n        pass\n", "if x:\n", "    if x:\n        pass\n",
    "pass; ", "; z = 3", "(x := 1)", "a = b = ", "lambda: 0", "[y for y in x]", "SCALE = ", ": int", "    # noqa: RAY001\n", "global G\n", "x = ray.put\n", "def ", "class ",
]


def tree_of(analyzer: DocumentAnalyzer) -> str:
    return ast.dump(analyzer._last.resolver.module.tree, include_attributes=True)


@st.composite
def inner_edits(draw):
    """The index of a source in SOURCES and 1..6 edits (start, end, typed) of it, each one at
    positions of the text the edits before it made."""
    which = draw(st.sampled_from(range(len(SOURCES))))
    text = SOURCES[which]
    lines = text.splitlines(keepends=True)
    edits = []
    for _ in range(draw(st.integers(1, 6))):
        # mostly at an indented line (inside a definition)
        indented = [i for i, line in enumerate(lines) if line.startswith((" ", "\t"))] or [0]
        number = draw(st.sampled_from(indented)) if draw(st.integers(0, 4)) else draw(st.integers(0, len(lines) - 1))
        offset = sum(len(line) for line in lines[:number])
        start = offset + draw(st.integers(0, len(lines[number]) if number < len(lines) else 0))
        end = min(len(text), start + draw(st.sampled_from([0, 0, 0, 1, 4, 30])))
        typed = draw(st.sampled_from(TYPED)) if draw(st.integers(0, 3)) or start == end else ""
        text = text[:start] + typed + text[end:]
        lines = text.splitlines(keepends=True) or [""]
        edits.append((start, end, typed))
    return which, edits


def replayed(text: str, edits, **options):
    """(analyzer, text, its analysis, edit) after each edit, typed into one DocumentAnalyzer
    (`options`: analyze's)."""
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(text)
    for start, end, typed in edits:
        start, end = min(start, len(text)), min(end, len(text))
        text = text[:start] + typed + text[end:]
        yield analyzer, text, analyzer.analyze(text, **options), (start, end, typed)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inner_edits())
def test_edits_inside_definitions_make_the_tree_and_analysis_of_the_new_text(case):
    which, edits = case
    for analyzer, text, result, edit in replayed(SOURCES[which], edits):
        if analyzer._last is not None:
            assert tree_of(analyzer) == ast.dump(ast.parse(text), include_attributes=True), edit
        assert result == analyze(text, "t.py"), edit


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inner_edits())
def test_the_module_bindings_carried_over_are_those_of_the_new_module(case):
    which, edits = case
    """An edited `name = value` gives the new module the old one's bindings, that statement's
    swapped, instead of collecting them again: they must be what a collection finds."""
    from raylint.core.names import Scope

    for analyzer, text, _, _ in replayed(SOURCES[which], edits, complete=False):
        if analyzer._last is None:
            continue
        module = analyzer._last.resolver.module
        fresh = Scope(module.tree, None, module)
        if module.scope._bindings is not None:
            assert module.scope._bindings == fresh.bindings
            assert module.scope._declared_global == fresh.declared_global
            assert module.scope._star_imports == fresh.star_imports
        # (a deferred keystroke re-checks nothing: the tree is still the last re-checked text's)
        checked = analyzer._last.text
        assert checked == text or analyzer._ahead is not None and analyzer._ahead.text == text
        assert tree_of(analyzer) == ast.dump(ast.parse(checked), include_attributes=True)


def test_a_statement_on_a_line_joined_to_the_one_before_is_not_parsed_alone():
    """`x = 1; \\` joins the next line to it: the statement there is not at the start of a
    logical line, and a line added after it is an unexpected indent for Python (a syntax
    error), although it parses alone."""
    text = "import ray\n\n\n@ray.remote\ndef f(x):\n    x = 1; \\\n        y = 2\n    return ray.put(x)\n"
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(text)
    text = text.replace("y = 2\n", "y = 22\n        z = 3\n")
    assert analyzer.analyze(text, complete=False) == analyze(text, "t.py")
    assert analyze(text, "t.py").problems


def test_a_statement_after_a_semicolon_is_not_parsed_alone():
    """Found by the property test of test_incremental.py: `ref = ray.put(x); return ref` is
    two statements on one line; an edit of the first is not an edit of the `return` alone."""
    text = "import ray\n\n\n@ray.remote\ndef same_line(x):\n    ref = ray.put(x); return ref\n"
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(text)
    text = text.replace("    ref = ray", "    ef = ray")
    assert analyzer.analyze(text, complete=False) == analyze(text, "t.py")
    assert tree_of(analyzer) == ast.dump(ast.parse(text), include_attributes=True)
