"""An edit inside a top-level def or class parses only the innermost statements that hold it
again (`_inner_edit`) and splices them into a copy of the definition. The tree so built must
be exactly the tree of the new text (every node, every position), and the analysis exactly a
full one, whatever the edit: random edits inside the definitions of the fixtures and of
generated modules of every shape (a huge function, a huge class, deep nesting, ...)."""

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
    text = draw(st.sampled_from(SOURCES))
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
    return edits


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(range(len(SOURCES))), inner_edits())
def test_statements_parsed_inside_a_definition_make_the_tree_and_analysis_of_the_new_text(which, edits):
    text = SOURCES[which]
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    analyzer.analyze(text)
    for start, end, typed in edits:
        start, end = min(start, len(text)), min(end, len(text))
        text = text[:start] + typed + text[end:]
        inner = analyzer.inner
        result = analyzer.analyze(text, complete=False)
        if analyzer.inner > inner:
            assert tree_of(analyzer) == ast.dump(ast.parse(text), include_attributes=True), (start, end, typed)
        assert analyzer.analyze(text) == analyze(text, "t.py", index=index), (start, end, typed)
        del result


def test_a_keystroke_in_a_method_of_a_huge_class_parses_that_method_only():
    text = SHAPES["huge_class"](3000, 2)
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(text)
    at = text.index("SCALE * 10  #") + len("SCALE * 1")
    for digit in "1010":
        text = text[:at] + digit + text[at + 1 :]
        assert analyzer.analyze(text) == analyze(text, "t.py")
    assert analyzer.inner == 4
    assert tree_of(analyzer) == ast.dump(ast.parse(text), include_attributes=True)


def test_a_line_added_at_the_end_of_a_function_body_and_in_an_else_clause():
    text = textwrap.dedent(
        """\
        import ray


        @ray.remote
        def f(x):
            if x:
                y = 1
            else:
                y = 2
            return ray.put(y)


        @ray.remote
        def g(x):
            return ray.put(x)
        """
    )
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(text)
    for old, new in [
        ("        y = 2\n", "        y = 2\n        y += 1\n"),  # in the else clause
        ("    return ray.put(y)\n", "    return ray.put(y)\n    z = 1\n"),  # after the last statement
        ("        y = 1\n", "        y = (1,\n             2)\n"),  # a statement over two lines
    ]:
        text = text.replace(old, new, 1)
        assert analyzer.analyze(text, complete=False) is not None
        assert tree_of(analyzer) == ast.dump(ast.parse(text), include_attributes=True), new
        assert analyzer.analyze(text) == analyze(text, "t.py"), new
    assert analyzer.inner >= 2  # (the first edit reads as typed into `return`: a new indentation there)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(range(len(SOURCES))), inner_edits())
def test_the_module_bindings_carried_over_are_those_of_the_new_module(which, edits):
    """An edited `name = value` gives the new module the old one's bindings, that statement's
    swapped, instead of collecting them again: they must be what a collection finds."""
    from raylint.core.names import Scope

    text = SOURCES[which]
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(text)
    for start, end, typed in edits:
        start, end = min(start, len(text)), min(end, len(text))
        text = text[:start] + typed + text[end:]
        analyzer.analyze(text, complete=False)
        if analyzer._last is None:
            continue
        module = analyzer._last.resolver.module
        fresh = Scope(module.tree, None, module)
        if module.scope._bindings is not None:
            assert module.scope._bindings == fresh.bindings
            assert module.scope._declared_global == fresh.declared_global
            assert module.scope._star_imports == fresh.star_imports
        assert tree_of(analyzer) == ast.dump(ast.parse(text), include_attributes=True)


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
