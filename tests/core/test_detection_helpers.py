"""Detection precision: what a call does with a put's ref, helpers that make the task's refs,
and messages that name what really blocks a fix."""

from __future__ import annotations

import textwrap

import pytest

from raylint.core import ModuleIndex, analyze
from raylint.core.incremental import DocumentAnalyzer


def findings(code: str) -> list:
    return analyze(textwrap.dedent(code), "case.py").findings


def line_of(code: str, fragment: str) -> int:
    """0-based line of the first line holding `fragment`."""
    return next(i for i, line in enumerate(textwrap.dedent(code).splitlines()) if fragment in line)


@pytest.mark.parametrize(
    "returned",
    [
        "consumer.remote(ray.put(x))",
        "consumer.options(num_cpus=1).remote(ray.put(x))",
        "helper(ray.put(x))",
        "pool.submit(ray.put(x))",
        "await consumer.remote(ray.put(x))",
        "self_check(ref)",
    ],
)
def test_a_ref_passed_into_a_call_whose_result_is_returned_is_not_flagged(returned):
    code = f"""
        import ray

        def helper(ref):
            return 1

        @ray.remote
        async def task(x, pool):
            ref = ray.put(x)
            return {returned}
    """
    assert findings(code) == []


@pytest.mark.parametrize(
    "returned",
    ["list(ray.put(v) for v in x)", "tuple([ray.put(x)])", "dict(a=ray.put(x))", "Box(ray.put(x))", "copy.copy(ray.put(x))"],
)
def test_a_call_that_keeps_its_arguments_still_holds_the_ref(returned):
    code = f"""
        import copy
        import ray

        class Box:
            def __init__(self, ref):
                self.ref = ref

        @ray.remote
        def task(x):
            return {returned}
    """
    (finding,) = findings(code)
    assert finding.fixes == () and finding.no_fix_reason


def test_a_shadowed_builtin_is_not_a_container():
    code = """
        import ray

        def list(x):
            return 0

        @ray.remote
        def task(x):
            return list(ray.put(x))
    """
    assert findings(code) == []


HELPER = """
    import ray

    def make_refs(x):
        return [ray.put(v) for v in x]

    @ray.remote
    def task(x):
        return make_refs(x)
"""


def test_a_task_returning_a_helpers_puts_is_flagged_at_its_return_without_a_fix():
    (finding,) = findings(HELPER)
    assert finding.range.start.line == line_of(HELPER, "return make_refs(x)")
    assert finding.fixes == ()
    assert finding.no_fix_reason == "the refs are made in helper `make_refs`; rewrite it by hand"
    put = finding.related[0]
    assert put.range.start.line == line_of(HELPER, "ray.put(v)")
    assert put.message == "ray.put() in helper `make_refs` makes the returned ref here"
    assert finding.related[-1].message == "`task` is made a Ray task here"


@pytest.mark.parametrize(
    ("helper", "task_body"),
    [
        ("def make_ref(x):\n    return ray.put(x)", "return make_ref(x)"),
        ("def make_ref(x):\n    ref = ray.put(x)\n    return ref", "ref = make_ref(x)\n    return ref"),
        ("def make_ref(x):\n    return ray.put(x)", "return [make_ref(v) for v in x]"),
        ("def make_ref(x):\n    return ray.put(x)", "return ray.put(x), make_ref(x)"),
        ("async def make_ref(x):\n    return ray.put(x)", "return await make_ref(x)"),
    ],
    ids=["single", "through a name", "in a comprehension", "beside the task's own put", "async helper"],
)
def test_helper_shapes(helper, task_body):
    code = f"import ray\n\n{helper}\n\n@ray.remote\nasync def task(x):\n    {task_body}\n"
    (finding,) = analyze(code, "case.py").findings
    assert "the refs are made in helper `make_ref`" in finding.no_fix_reason and finding.fixes == ()


def test_a_helper_of_a_helper_is_followed_and_named_where_the_put_is():
    code = """
        import ray

        def one(x):
            return ray.put(x)

        def make_refs(xs):
            return [one(x) for x in xs]

        def loops(x):
            return loops(x)

        @ray.remote
        def task(xs):
            loops(xs)
            return make_refs(xs)
    """
    (finding,) = findings(code)
    assert "helper `make_refs`" in finding.no_fix_reason
    assert finding.related[0].message == "ray.put() in helper `one` makes the returned ref here"


def test_a_task_called_like_a_helper_is_not_a_helper():
    code = """
        import ray

        @ray.remote
        def other(x):
            return ray.put(x)

        @ray.remote
        def task(x):
            return other(x)
    """
    assert [f.task for f in findings(code)] == ["other"]


def test_a_helper_edited_into_returning_a_put_flags_the_task_in_the_editor_too():
    index = ModuleIndex()
    analyzer = DocumentAnalyzer("t.py", index=index)
    before = textwrap.dedent(HELPER).replace("return [ray.put(v) for v in x]", "return list(x)")
    assert analyzer.analyze(before) == analyze(before, "t.py", index=index)
    after = textwrap.dedent(HELPER)
    assert analyzer.analyze(after) == analyze(after, "t.py", index=index)
    assert len(analyzer.analyze(after).findings) == 1
    again = after.replace("return [ray.put(v) for v in x]", "return [v for v in x]")
    assert analyzer.analyze(again).findings == [] == analyze(again, "t.py", index=index).findings


def test_a_function_wide_reason_names_the_return_that_blocks():
    code = """
        import ray

        @ray.remote
        def task(c, a, b):
            first = ray.put(a)
            log(first)
            if c:
                return first, ray.put(1)
            second = ray.put(b)
            return ray.put(2), second
    """
    by_line = {f.range.start.line: f.no_fix_reason for f in findings(code)}
    blocked_here = by_line[line_of(code, "return first, ray.put(1)")]
    assert "the ref `first`" in blocked_here and "(in the return at line" not in blocked_here
    other = by_line[line_of(code, "return ray.put(2), second")]
    assert f"the ref `first` is bound more than once or used elsewhere (in the return at line {line_of(code, 'return first,') + 1})" in other


def test_each_return_names_its_own_blocker_first():
    code = """
        import ray

        @ray.remote
        def task(c, a, b):
            first = ray.put(a)
            second = ray.put(b)
            log(first, second)
            if c:
                return first, ray.put(1)
            return ray.put(2), second
    """
    by_line = {f.range.start.line: f.no_fix_reason for f in findings(code)}
    assert "the ref `first`" in by_line[line_of(code, "return first,")]
    assert "the ref `second`" in by_line[line_of(code, "return ray.put(2), second")]
    assert "`first`" not in by_line[line_of(code, "return ray.put(2), second")]


def test_return_value_is_not_offered_on_one_path_while_another_keeps_returning_refs():
    code = """
        import ray

        @ray.remote
        def task(c, a, b):
            if c:
                return {"a": ray.put(a)}
            return ray.put(b)
    """
    wrapped, single = sorted(findings(code), key=lambda f: f.range.start)
    assert wrapped.fixes == () and single.fixes == ()
    assert f"the return at line {line_of(code, 'return {') + 1} cannot be rewritten the same way" in single.no_fix_reason


def test_return_value_is_still_offered_when_every_return_is_a_single_put():
    code = """
        import ray

        @ray.remote
        def task(c, a, b):
            if c:
                return ray.put(a)
            return ray.put(b)
    """
    assert [[x.id for x in f.fixes] for f in findings(code)] == [["return-value"], ["return-value"]]


def test_a_name_holding_another_names_ref_is_named_as_such_not_as_a_list():
    code = """
        import ray

        @ray.remote
        def task(a):
            first = ray.put(a)
            second = first
            return second
    """
    (finding,) = findings(code)
    assert finding.fixes == ()
    assert finding.no_fix_reason == "`second` is not bound directly to ray.put()"
    assert "yields" not in finding.message


def test_a_word_is_spelled_where_the_whole_word_pattern_finds_it():
    """The caller search's `_Spelling.search` reads plain words by their occurrences and the
    characters around them (`prefilter.spells`, not a regex over every position): it must
    answer as `\\bword\\b` does, for letters beyond ASCII, digits, `_`, and many near misses."""
    import random
    import re

    from raylint.core.callers import _Spelling

    rng = random.Random(7)
    alphabet = ["a", "b", "_", "1", " ", ".", "é", "٣", "\n", "ab", "ba", "a_b", "(", "#"]
    for _ in range(5000):
        word = rng.choice(["a", "ab", "a_b", "b1", "é", "_"])
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert _Spelling([word]).search(text) == (re.search(r"\b%s\b" % re.escape(word), text) is not None), (word, text)
        pair = rng.sample(["a", "ab", "a_b", "b1", "é", "_"], 2)
        assert _Spelling(pair).search(text) == (re.search(r"\b(?:%s)\b" % "|".join(map(re.escape, pair)), text) is not None), (pair, text)
    assert _Spelling(["a"]).search("ab" * 10_000 + " a ")  # (past 64 near misses: the pattern goes on)
    assert not _Spelling(["a"]).search("ab" * 10_000)
