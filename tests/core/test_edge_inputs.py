"""Inputs editors hand the analysis: CRLF, tabs, a BOM, non-ASCII text, half-typed code."""

from __future__ import annotations

import ast

import pytest

from raylint.core import Position, analyze, apply_edits, fix_text

TASKS = """\
import ray


@ray.remote
def one(x):
    return ray.put(x)


@ray.remote
def pair(x):
    return ray.put(x), ray.put(x)


@ray.remote
def many(n):
    refs = []
    for i in range(n):
        refs.append(ray.put(i))  # one per item
    return refs


@ray.remote
class Actor:
    def items(self, n) -> list:
        return [ray.put(i) for i in range(n)]
"""


def fixed_with_each_fix(text: str):
    for finding in analyze(text, "t.py").findings:
        for fix in finding.fixes:
            yield fix.id, apply_edits(text, list(fix.edits))


def test_crlf_gives_the_same_positions_and_fixes_keep_crlf():
    crlf = TASKS.replace("\n", "\r\n")
    lf_findings = analyze(TASKS, "t.py").findings
    crlf_findings = analyze(crlf, "t.py").findings
    assert [f.range for f in crlf_findings] == [f.range for f in lf_findings]
    assert len(crlf_findings) == 4
    for fix_id, fixed in fixed_with_each_fix(crlf):
        assert "\n" not in fixed.replace("\r\n", ""), fix_id  # no lone LF was introduced
        assert fixed.replace("\r\n", "\n") in {t for _, t in fixed_with_each_fix(TASKS)}
    fixed, after = fix_text(crlf, "t.py")
    assert fixed == fix_text(TASKS, "t.py")[0].replace("\n", "\r\n")
    assert after.findings == []


def test_tabs_are_kept_by_the_generator_rewrite():
    text = TASKS.replace("    ", "\t")
    fixed, after = fix_text(text, "t.py")
    assert after.findings == []
    body = [line for line in fixed.splitlines() if line.startswith((" ", "\t"))]
    assert body and all(not line.startswith(" ") for line in body)
    assert "\t\tfor i in range(n):\n\t\t\tyield i" in fixed


def test_bom_counts_as_a_character_on_the_first_line():
    # Bindings are order-free to the analysis, so the task can be made on line 1.
    text = "\ufefftask = ray.remote(f)\nimport ray\n\n\ndef f(x):\n    return ray.put(x)\n"
    (finding,) = analyze(text, "t.py").findings
    assert finding.range.start == Position(5, 11)
    made_here = finding.related[-1].range
    assert made_here.start == Position(0, 8)  # BOM + "task = "
    fixed, _ = fix_text(text, "t.py")
    assert fixed == text.replace("ray.put(x)", "x")  # BOM kept


def test_bom_with_a_fix_on_the_first_line():
    text = "\ufeffwrapped = ray.remote(f)\nimport ray\n\n\ndef f():\n    return ray.put(1), ray.put(2)\n"
    fixed, after = fix_text(text, "t.py")
    assert fixed.startswith("\ufeffwrapped = ray.remote(num_returns=2)(f)\n")
    assert after.findings == []


@pytest.mark.parametrize(
    ("prefix", "column"),
    [("", 11), ("é = 1; ", 18), ("s = '🚀🚀'; ", 21), ("x = 'e\u0301'; ", 21), ("s = '𝔘'; ", 20)],
)
def test_columns_count_characters_after_non_ascii_text(prefix, column):
    text = f"import ray\n\n\n@ray.remote\ndef f(x):\n    {prefix}return ray.put(x)\n"
    (finding,) = analyze(text, "t.py").findings
    assert finding.range.start == Position(5, column)
    assert finding.range.end == Position(5, column + len("ray.put(x)"))
    fixed, _ = fix_text(text, "t.py")
    assert fixed.splitlines()[5] == f"    {prefix}return x"


def test_syntax_error_elsewhere_keeps_the_intact_parts_checked():
    half_typed = TASKS + "\n\ndef unfinished(x:\n    return [x for\n"
    analysis = analyze(half_typed, "t.py")
    assert len(analysis.findings) == 4
    assert analysis.problems and "syntax error" in analysis.problems[0].message
    assert [f.range for f in analysis.findings] == [f.range for f in analyze(TASKS, "t.py").findings]


def test_syntax_error_inside_a_task_still_checks_the_others():
    broken = TASKS.replace("def pair(x):\n    return ray.put(x), ray.put(x)", "def pair(x):\n    return ray.put(x), ray.put(")
    analysis = analyze(broken, "t.py")
    assert {f.task for f in analysis.findings} >= {"one", "many", "Actor.items"}
    assert analysis.problems


def test_multi_line_put_keeps_its_comment():
    text = "import ray\n\n\n@ray.remote\ndef f(rows):\n    return ray.put(\n        sorted(rows),  # stable\n    )\n"
    fixed, after = fix_text(text, "t.py")
    assert after.findings == []
    assert "# stable" in fixed
    assert "ray.put" not in fixed
    ast.parse(fixed)


def test_return_annotation_follows_the_generator_rewrite():
    text = (
        "import typing\nimport ray\n\n\n@ray.remote\n"
        "async def f(n) -> typing.List[int]:\n    return [ray.put(i) for i in range(n)]\n"
    )
    # An async *task* cannot stream: no generator fix is offered, and the message says why.
    (finding,) = analyze(text, "t.py").findings
    assert not finding.fixes and "async tasks cannot be generators" in finding.no_fix_reason
    method = text.replace("@ray.remote\nasync def f(n)", "@ray.remote\nclass A:\n    async def f(self, n)").replace(
        "\n    return [", "\n        return ["
    )
    fixed, after = fix_text(method, "t.py")
    assert after.findings == []
    assert "async def f(self, n) -> typing.AsyncIterator[int]:" in fixed


@pytest.mark.parametrize("text", ["", "\ufeff", "\r\n\r\n", "\t", "ray.put", "@ray.remote\ndef", "\x00", "\u2028put"])
def test_degenerate_text(text):
    analysis = analyze(text, "t.py")
    assert analysis.findings == []


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"])
def test_a_lone_cr_in_a_broken_line_keeps_later_positions(newline):
    # `"a\rb"`: Python ends the line at the lone CR, so the string is unterminated on two
    # lines. The recovery blanks both: their ends ("\r", then the file's own) must stay two
    # line ends, or everything after them is one line off (and a fix lands on the wrong line).
    text = f'import ray{newline}{newline}MSG = "a\rb"{newline}{newline}@ray.remote{newline}def f(x):{newline}    return ray.put(x){newline}'
    analysis = analyze(text, "t.py")
    (finding,) = analysis.findings
    assert finding.range.start == Position(7, 11)
    assert analysis.problems
    fixed, _ = fix_text(text, "t.py")
    assert fixed == text.replace("ray.put(x)", "x")


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"])
def test_form_feed_lines_do_not_split_the_recovered_block(newline):
    # A form feed resets Python's indentation count: `\x0c    x = 1` is an indented line,
    # not the start of a new top-level statement for the syntax-error recovery.
    lines = ["import ray", "", "", "@ray.remote", "def f(x):", "    if x:", "\x0c    return ray.put(x)", "", "",
             "@ray.remote", "def g(x):", "    return ray.put(x)", ""]
    analysis = analyze(newline.join(lines), "t.py")
    assert [f.task for f in analysis.findings] == ["g"]
    assert analysis.findings[0].range.start == Position(11, 11)


@pytest.mark.parametrize(
    "body",
    [
        "\x0c    return [ray.put(i) for i in range(n)]",
        "  \x0c  return [ray.put(i) for i in range(n)]",
        "\x0c    x = 1\n    return [ray.put(i) for i in range(n)]",
        "    x = 1\n\x0c    return [ray.put(i) for i in range(n)]",
        "    refs = []\n\x0c    for i in range(n):\n\x0c        refs.append(ray.put(i))\n    return refs",
    ],
)
def test_form_feed_in_indentation_and_the_generator_rewrite(body):
    # Python counts indentation from the last form feed: new lines get the indentation after it.
    text = f"import ray\n\n\n@ray.remote\ndef g(n):\n{body}\n"
    ast.parse(text)
    fixed, after = fix_text(text, "t.py")
    ast.parse(fixed)
    assert after.findings == []
    assert "yield i" in fixed
    assert all("\x0c" not in line[1:] for line in fixed.splitlines() if line.strip(" \t\x0c").startswith(("yield", "for")))


def test_form_feed_before_a_method_and_the_added_decorator():
    text = "import ray\n\n\n@ray.remote\nclass A:\n\x0c    def g(self):\n        return ray.put(1), ray.put(2)\n"
    fixed, after = fix_text(text, "t.py")
    assert after.findings == []
    assert "\n    @ray.method(num_returns=2)\n\x0c    def g(self):\n        return 1, 2\n" in fixed


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_tasks_made_by_a_call_are_found_whatever_the_line_ends(newline):
    # `ray.remote(f)` is found from the text first: a lone CR must end a line there too
    text = (
        "import ray\n\n\ndef f(x):\n    return ray.put(\n        x,  # the value\n    )\n\n\n"
        "class C:\n    def m(self):\n        return ray.put(1)\n\n\nt = ray.remote(f)\nA = ray.remote(C)\n"
    )
    analysis = analyze(text.replace("\n", newline), "t.py")
    assert [(f.task, f.range) for f in analysis.findings] == [(f.task, f.range) for f in analyze(text, "t.py").findings]
    assert {f.task for f in analysis.findings} == {"f", "C.m"}
