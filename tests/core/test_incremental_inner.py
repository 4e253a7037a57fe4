"""Edits inside a method of a class (a def in the body of a top-level class or of a class in
it): the incremental analysis parses that def alone and checks only it. The tree it keeps must be
exactly the tree of the new text (every node, every position) and the analysis exactly a full
one, whatever the edit, in classes with methods, nested defs and classes, decorators, `;`,
comments, blank lines, strings across lines, a last line without a line end, CRLF, tabs."""

from __future__ import annotations

import ast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raylint.core import analyze
from raylint.core.incremental import DocumentAnalyzer
from raylint.core.names import Scope
from raylint.core.source import SourceText, common_ends

CLASS = '''import ray
from ray import put as stash


def helper(x):
    return ray.put(x)


@ray.remote
class Service:
    """An actor."""

    LIMIT = 3

    def __init__(self):
        self.count = 0

    def first(self, value):
        data = [value] * 3
        return ray.put(data)

    @ray.method(num_returns=2)
    def pair(self, value):
        a = ray.put(value); b = ray.put(value)
        return a, b

    # a comment between methods

    def loop(self, items, task):
        out = []
        for item in items:
            out.append(ray.get(task.remote(item)))
        return out

    def nested(self, value):
        def inner(y):
            return ray.put(y)

        class Box:
            def get(self):
                return stash(1)

        return inner(value)

    @staticmethod
    def plain(value):
        text = """a string
    across lines"""
        return ray.put(text)

    def _private(self, v):
        return ray.put(v)

    def last(self, v):
        ref = stash(v)
        return ref


@ray.remote
def task(rows):
    def local(row):
        return row * 2

    total = [local(r) for r in rows]
    return ray.put(total)


class Plain:
    def method(self, x):
        return ray.put(x)

    def other(self, x):
        for y in x:
            ray.get(task.remote(y))
'''

NESTED = '''import ray


@ray.remote
def outer(rows):
    @ray.remote
    def inner_task(x):
        return ray.put(x)

    def helper(x):
        def deeper(z):
            return ray.put(z)
        return deeper(x)

    refs = [inner_task.remote(r) for r in rows]
    return ray.get(refs)


@ray.remote
class Outer:
    class Inner:
        def method(self, v):
            return ray.put(v)

    def run(self, v):
        return ray.put(v)'''


def _variants(text: str) -> list[str]:
    return [
        text,
        text.replace("\n", "\r\n"),
        text.replace("    ", "\t"),
        text.rstrip("\n"),
    ]


SOURCES = [v for text in (CLASS, NESTED) for v in _variants(text)]
TYPED = [
    "x", "1", " ", "\n", "\r\n", "\n    ", "\n        ", "\n\n", "    ", "\t", "(", ")", ":", ",", "#", "é",
    ";", "\\\n", "'''", '"""', '"', "y = 2\n", "    y = 2\n", "        y = 2\n", "            y = 2\n",
    "        return ray.put(y)\n", "    @ray.remote\n", "    @staticmethod\n", "    def g(self):\n        return 1\n",
    "        def h():\n            return ray.put(1)\n", "    class K:\n        pass\n", "else:\n",
    "        if x:\n            pass\n        else:\n", "pass; ", "; z = 3", "(x := 1)", "lambda: 0",
    "[y for y in x]", "        # noqa: RAY001\n", "  # noqa\n", "nonlocal q\n", "global G\n", "x = ray.put\n",
    "def ", "class ", "self._private.remote()", ".options(num_returns=2)", "helper(", "stash(v)", "ray.get(",
    "async ", "await x", "yield x", "\x0c", "\x00",
]


# whole statements, typed at the indentation of the line they go before (the text stays valid)
STATEMENTS = [
    "y = 2", "return ray.put(y)", "z = ray.get(task.remote(1))", "def h():\n{0}    return ray.put(1)",
    "a = 1; b = 2", 's = """x\ny"""', "# a comment", "pass  # noqa: RAY001", "",
    "for i in x:\n{0}    ray.get(task.remote(i))", "@staticmethod\n{0}def s():\n{0}    return 1",
    "class C:\n{0}    def m(self):\n{0}        return ray.put(0)", "if y:\n{0}    return ray.put(y)",
]


@st.composite
def edits(draw, text):
    steps = []
    for _ in range(draw(st.integers(1, 6))):
        lines = text.splitlines(keepends=True) or [""]
        # mostly inside a method: a line indented twice or more
        deep = [i for i, line in enumerate(lines) if line.startswith(("        ", "\t\t"))] or [0]
        number = draw(st.sampled_from(deep)) if draw(st.integers(0, 4)) else draw(st.integers(0, len(lines) - 1))
        offset = sum(len(line) for line in lines[:number])
        line = lines[number] if number < len(lines) else ""
        kind = draw(st.integers(0, 3))
        if kind == 0:  # a statement before the line, at its indentation
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            newline = "\r\n" if "\r\n" in text else "\n"
            typed = indent + draw(st.sampled_from(STATEMENTS)).format(indent).replace("\n", newline) + newline
            start = end = offset
        elif kind == 1:  # a letter or digit typed over one
            body = line.rstrip("\r\n")
            words = [i for i, c in enumerate(body) if c.isalnum()] or [0]
            start = offset + draw(st.sampled_from(words))
            end = min(start + 1, len(text))
            typed = draw(st.sampled_from(["x", "1", "0", "q"]))
        elif kind == 2:  # a whole line deleted
            start, end, typed = offset, offset + len(line), ""
        else:
            start = offset + draw(st.integers(0, len(line)))
            end = min(len(text), start + draw(st.sampled_from([0, 0, 0, 1, 2, 6, 40])))
            typed = draw(st.sampled_from(TYPED)) if draw(st.integers(0, 3)) or start == end else ""
        text = text[:start] + typed + text[end:]
        steps.append((text, draw(st.integers(0, 3)) == 0))
    return steps


@st.composite
def cases(draw):
    text = draw(st.sampled_from(SOURCES))
    return text, draw(edits(text))


def tree_of(analyzer: DocumentAnalyzer) -> str:
    return ast.dump(analyzer._last.resolver.module.tree, include_attributes=True)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_edits_inside_nested_defs_make_the_tree_and_analysis_of_the_new_text(case):
    text, steps = case
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(text)
    for new_text, typing in steps:
        result = analyzer.analyze(new_text, complete=not typing)
        if analyzer._last is not None:
            assert tree_of(analyzer) == ast.dump(ast.parse(new_text), include_attributes=True), (text, new_text)
            module = analyzer._last.resolver.module
            assert module.source.line_starts == SourceText(new_text).line_starts
            for key, scope in module.scopes.items():  # (no copy checked in its container's stead is left)
                assert key == id(scope.node)
                if scope._bindings is not None:  # carried over or collected: what a collection finds
                    fresh = Scope(scope.node, scope.parent, module)
                    assert (scope._bindings, scope._declared_global) == (fresh.bindings, fresh.declared_global)
        full = analyze(new_text, "t.py")
        if typing:  # a provisional analysis holds only findings of the new text; completed, a full one
            assert set(result.findings) <= set(full.findings) or result.problems
            result = analyzer.analyze(new_text)
        assert result == full, (text, new_text)
        text = new_text


def _typed(text: str, old: str, new: str, complete: bool = True):
    analyzer = DocumentAnalyzer("t.py")
    analyzer.analyze(text)
    assert old in text
    edited = text.replace(old, new, 1)
    result = analyzer.analyze(edited, complete=complete)
    return analyzer, edited, result


@pytest.mark.parametrize(
    "old, new",
    [
        ("data = [value] * 3", "data = [value] * 4"),  # within a line
        ("        data = [value] * 3\n", "        data = [value] * 3\n        more = 1\n\n"),  # lines added: later nodes move
        ("        return ray.put(data)\n\n", "        return ray.put(data)\n        x = 1\n\n"),  # after the last statement
    ],
    ids=["within-a-line", "lines-added", "after-the-last-statement"],
)
def test_a_method_edit_in_a_class_parses_and_checks_that_method_only(old, new):
    analyzer, edited, result = _typed(CLASS, old, new)
    assert analyzer.inner == 1
    assert result == analyze(edited, "t.py")
    assert tree_of(analyzer) == ast.dump(ast.parse(edited), include_attributes=True)


def test_a_statement_typed_at_class_level_between_methods_is_not_taken_for_the_method():
    analyzer, edited, result = _typed(CLASS, "    # a comment between methods\n", "    LATER = 2\n")
    assert analyzer.inner == 0
    assert result == analyze(edited, "t.py")


def test_the_last_method_of_the_file_without_a_line_end():
    text = NESTED
    analyzer, edited, result = _typed(text, "return ray.put(v)", "return ray.put(v + 1)")
    assert analyzer.inner == 1
    assert result == analyze(edited, "t.py")
    assert tree_of(analyzer) == ast.dump(ast.parse(edited), include_attributes=True)


def test_a_renamed_or_redecorated_method_takes_the_longer_way():
    for old, new in [("def first(self", "def firsts(self"), ("    @ray.method(num_returns=2)\n", ""), ("def pair(self, value)", "def pair(self, value, other=1)")]:
        analyzer, edited, result = _typed(CLASS, old, new)
        assert analyzer.inner == 0, old
        assert result == analyze(edited, "t.py")


def test_a_line_continuation_at_the_end_of_a_method_joins_the_next_one():
    """`\\` on the last line of a method's lines joins the next method's first line: not a
    def that parses alone."""
    text = CLASS.replace("        return out\n\n    def nested", "        return out\n    def nested")
    analyzer, edited, result = _typed(text, "        return out\n", "        return out \\\n")
    assert analyzer.inner == 0
    assert result == analyze(edited, "t.py")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["a", "\r", "\n", "\r\n", "b", "\n\n", "\r\r"]), max_size=12), st.data())
def test_the_line_starts_of_an_edited_text_are_those_of_the_text(parts, data):
    """`SourceText.edited` takes the line starts outside the edit from the old text: a lone
    `\r` becoming `\r\n`, or the other way, on either side of the edit, moves them."""
    old = "".join(parts)
    start = data.draw(st.integers(0, len(old)))
    end = data.draw(st.integers(start, min(len(old), start + 4)))
    typed = "".join(data.draw(st.lists(st.sampled_from(["a", "\r", "\n", "\r\n"]), max_size=3)))
    new = old[:start] + typed + old[end:]
    if new == old:
        return
    edited = SourceText.edited(SourceText(old), new, *common_ends(old, new))
    assert edited.line_starts == SourceText(new).line_starts


def test_a_finding_that_names_a_line_is_not_moved_with_the_lines():
    """"the return at line 27 cannot be rewritten": a line added above it (in another method,
    or another top-level statement) changes that number, which moving ranges does not."""
    text = CLASS.replace("    def pair(self, value):\n", "    def pair(self, value):\n        return ray.put(y)\n")
    assert any("at line" in f.no_fix_reason for f in analyze(text, "t.py").findings)
    for old, new in [("        self.count = 0\n", "        self.count = 0\n        y = 2\n"), ("def helper(x):\n", "def helper(x):\n    y = 1\n")]:
        analyzer, edited, result = _typed(text, old, new)
        assert result == analyze(edited, "t.py")
        analyzer, edited, result = _typed(text, old, new, complete=False)
        assert set(result.findings) <= set(analyze(edited, "t.py").findings)


def test_a_def_in_a_method_is_checked_with_the_method():
    """Found by the property test: a `ray.put` typed in a def nested in a method changes the
    method's own finding (its fix is unsafe: a call between the put and the return may change
    the value), so the method is what is parsed and checked again, not the nested def."""
    text = CLASS.replace(
        "        a = ray.put(value); b = ray.put(value)\n",
        "        a = ray.put(value); b = ray.put(value)\n        @staticmethod\n        def s():\n            return 1\n",
    )
    analyzer, edited, result = _typed(text, "            return 1\n", "            return ray.put(y)\n            return 1\n")
    assert analyzer.inner == 1
    assert result == analyze(edited, "t.py")
    assert any("may change" in fix.unsafe_reason for f in result.findings for fix in f.fixes)


def test_the_word_global_in_a_docstring_does_not_send_an_edit_the_long_way():
    """`global x` as a statement reaches outside its def; the word in prose does not."""
    plain = 'def scale(x):\n    """By the global row index (the global settings: read once)."""\n    return x * 2\n\n\n'
    text = CLASS.replace("def helper(x):\n", plain + "def helper(x):\n")
    analyzer, edited, result = _typed(text, "    return x * 2\n", "    return x * 3\n")
    assert (analyzer.reused, analyzer.full) == (1, 1)
    assert result == analyze(edited, "t.py")
    analyzer, edited, result = _typed(text, "    return x * 2\n", "    global LIMIT\n    return x * 2\n")
    assert (analyzer.reused, analyzer.full) == (0, 2)  # (a `global` statement: a full analysis)
    assert result == analyze(edited, "t.py")


def test_the_common_ends_of_two_texts_are_found_across_chunks():
    """`common_ends` compares 4,096 characters at a time, then bisects the chunk that differs:
    edits at, before and after chunk boundaries of texts of several chunks give the lengths a
    character-by-character comparison gives."""
    import random

    def by_character(a: str, b: str) -> tuple[int, int]:
        prefix = 0
        while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
            prefix += 1
        suffix = 0
        while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
            suffix += 1
        return prefix, suffix

    rng = random.Random(7)
    for _ in range(300):
        a = "".join(rng.choice("ab\n") for _ in range(rng.randint(0, 3 * 4096 + 10)))
        at = rng.choice([0, len(a), rng.randint(0, len(a)), *(n * 4096 + d for n in (1, 2) for d in (-1, 0, 1) if n * 4096 + d <= len(a))])
        b = a[:at] + "".join(rng.choice("abc") for _ in range(rng.randint(0, 3))) + a[at + rng.randint(0, 3) :]
        if a != b:
            assert common_ends(a, b) == by_character(a, b)
