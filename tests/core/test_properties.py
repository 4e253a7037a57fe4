"""Property tests: the analysis never raises, whatever text it gets; every fix it offers on
generated task code parses and clears the finding."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raylint.core import Analysis, Config, analyze, apply_edits, fix_text
from raylint.core.source import SourceText

ROOT = Path(__file__).parents[2]
SOURCES = [
    p.read_text(encoding="utf-8")
    for p in sorted([*(ROOT / "tests" / "rules" / "fixtures" / "RAY001").glob("*.py"), *(ROOT / "examples").glob("*.py")])
]
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_well_formed(text: str, analysis: Analysis) -> None:
    """Ranges lie inside the text; every offered fix applies."""
    source = SourceText(text)
    for finding in analysis.findings:
        for range_ in [finding.range, *(r.range for r in finding.related)]:
            assert range_.start <= range_.end
            for position in (range_.start, range_.end):
                assert position.line < source.line_count
                assert position.character <= len(source.line(position.line))
        for fix in finding.fixes:
            apply_edits(text, list(fix.edits))


# Text that looks like Python around Ray: fragments the analysis reacts to, shuffled.
FRAGMENTS = [
    "import ray\n", "import ray as r\n", "from ray import put as store\n", "from ray import *\n",
    "@ray.remote\n", "@ray.remote(num_returns=2)\n", "@ray.method(num_returns=1)\n", "class A:\n",
    "def f(x):\n", "async def g(self):\n", "    return ray.put(x)\n", "    return ray.put(x), ray.put(1)\n",
    "    return [ray.put(i) for i in x]\n", "    refs = []\n", "    for i in x:\n", "        refs.append(ray.put(i))\n",
    "    return refs\n", "t = ray.remote(f)\n", "(", ")", "[", "]", ":", ",", "\t", "\r\n", "\r", "\ufeff", "é",
    "🚀", "# noqa: RAY001", "'''", '"', "\\\n", "lambda: ", "yield ", "ray.put(", "return ", "    ", "\x00",
]
pythonish = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
truncated = st.sampled_from(SOURCES).flatmap(lambda text: st.integers(0, len(text)).map(lambda end: text[:end]))


@QUICK
@given(st.one_of(st.text(max_size=400), pythonish, truncated))
def test_analysis_never_raises_on_text(text):
    check_well_formed(text, analyze(text, "t.py"))


@QUICK
@given(st.binary(max_size=400), st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_analysis_never_raises_on_decoded_bytes(data, encoding):
    text = data.decode(encoding, errors="replace")
    check_well_formed(text, analyze(text, "t.py"))


@QUICK
@given(truncated)
def test_fixing_truncated_code_never_raises(text):
    fixed, analysis = fix_text(text, "t.py")
    check_well_formed(fixed, analysis)


# -- generated task code -------------------------------------------------------------------

IMPORTS = "import ray\nimport ray as r\nfrom ray import put as store\n\n\n"
PUTS = ["ray.put", "r.put", "store"]
VALUES = ["x", "x + 1", "[x, 2]", "f'{x}!'", "{'k': x}", "len(x)", "x[0]", "(x, 1)"]
NAMES = ["ref", "out", "handle", "résultat"]


# How a put call may be laid out (`{p}` the put, `{v}` the value): every one must unwrap to code that parses.
LAYOUTS = [
    "{p}({v})", "{p}(\n        {v},  # the value\n    )", "{p}(\n        {v}\n    )", "{p}({v},)", "{p}(value={v})",
    "{p}(\n        value={v},\n    )", "{p}(\n        ({v})\n    )", "{p}(({v}))", "({p}({v}))", "{p} \\\n        ({v})",
    "{p}(  # why\n        {v}  # what\n        # more\n    )", "{p}(\n        {v}\n        ,\n    )",
]


@st.composite
def put_call(draw) -> str:
    put, value = draw(st.sampled_from(PUTS)), draw(st.sampled_from(VALUES))
    return draw(st.sampled_from(LAYOUTS)).format(p=put, v=value)


@st.composite
def body(draw) -> list[str]:
    shape = draw(st.sampled_from(["single", "named", "tuple", "list", "comprehension", "append"]))
    put = draw(st.sampled_from(PUTS))
    if shape == "single":
        return [f"return {draw(put_call())}"]
    if shape == "named":
        name = draw(st.sampled_from(NAMES))
        return [f"{name} = {draw(put_call())}", "print('made it')  # keep me", f"return {name}"]
    if shape in ("tuple", "list"):
        elements = draw(st.lists(st.one_of(put_call(), st.sampled_from(["0", "x", "'label'"])), min_size=2, max_size=4))
        if not any(".put(" in e or "store(" in e for e in elements):
            elements[0] = draw(put_call())
        joined = ", ".join(elements)
        return [f"return [{joined}]" if shape == "list" else f"return {joined}"]
    condition = draw(st.sampled_from(["", " if i", " if i % 2 == 0"]))
    if shape == "comprehension":
        return [f"return [{put}(i * 2) for i in range(x){condition}]"]
    return ["refs = []", "for i in range(x):", f"    refs.append({put}(i))  # one each", "return refs"]


@st.composite
def task_module(draw) -> str:
    lines = draw(body())
    kind = draw(st.sampled_from(["bare", "options", "num_returns_1", "alias", "call-form", "actor", "actor-method"]))
    is_async = kind.startswith("actor") and draw(st.booleans())
    name = draw(st.sampled_from(["task", "load", "split_ränge"]))
    if kind.startswith("actor"):
        decorator = "    @ray.method(num_returns=1)\n" if kind == "actor-method" else ""
        keyword = "async def" if is_async else "def"
        code = "".join(f"        {line}\n" for line in lines)
        return f"{IMPORTS}@ray.remote\nclass Worker:\n{decorator}    {keyword} {name}(self, x):\n{code}"
    decorator = {
        "bare": "@ray.remote\n",
        "options": "@ray.remote(num_cpus=1)\n",
        "num_returns_1": "@ray.remote(num_returns=1, max_retries=0)\n",
        "alias": "@r.remote\n",
        "call-form": "",
    }[kind]
    code = "".join(f"    {line}\n" for line in lines)
    tail = f"\n\n{name}_remote = ray.remote({name})\n" if kind == "call-form" else ""
    return f"{IMPORTS}{decorator}def {name}(x):\n{code}{tail}"


@settings(max_examples=200, deadline=None)
@given(task_module(), st.sampled_from(["streaming", "dynamic"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_every_offered_fix_parses_and_clears_the_finding(code, style, newline):
    code = code.replace("\n", newline)
    ast.parse(code)
    analysis = analyze(code, "t.py", config=Config.make(options={"generator-style": style}))
    assert analysis.findings, "every generated task returns a put"
    for finding in analysis.findings:
        assert finding.fixes or finding.no_fix_reason
        for fix in finding.fixes:
            fixed = apply_edits(code, list(fix.edits))
            ast.parse(fixed)
            assert "remote()" not in fixed  # Ray rejects `@ray.remote()` without arguments
            assert analyze(fixed, "t.py", config=Config.make(options={"generator-style": style})).findings == []
            assert "\n" not in fixed.replace(newline, "") if newline != "\n" else True
    fixed, after = fix_text(code, "t.py", config=Config.make(options={"generator-style": style}))
    assert after.findings == [] or all(not f.fixes for f in analysis.findings)
    assert fix_text(fixed, "t.py", config=Config.make(options={"generator-style": style}))[0] == fixed


# -- whole-file transforms: the fixtures with other line ends, form feeds, tabs ---------------

FIXTURES = {p.name: p for p in sorted((ROOT / "tests" / "rules" / "fixtures" / "RAY001").glob("*.py"))}
OPTIONS = {"generator_dynamic.py": {"config": Config.make(options={"generator-style": "dynamic"})}}


def _read(name: str) -> str:
    with open(FIXTURES[name], encoding="utf-8", newline="") as handle:
        return handle.read()


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@st.composite
def transformed(draw, name: str) -> str:
    """The fixture with every line end drawn from \\n, \\r\\n and \\r (or all one of them), form
    feeds before the indentation of some lines (Python counts indentation from a form feed),
    and/or its indentation in tabs."""
    lines = _lines(_read(name))
    if draw(st.booleans()):  # tabs: every four leading spaces become one
        units = [(len(line) - len(line.lstrip(" "))) // 4 for line in lines]
        lines = ["\t" * unit + line[unit * 4 :] for line, unit in zip(lines, units)]
    if draw(st.booleans()):  # form feeds at the start of some lines
        feeds = draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
        lines = [("\x0c" + line if feed else line) for line, feed in zip(lines, feeds)]
    style = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    if style == "mixed":
        ends = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines) - 1, max_size=len(lines) - 1))
    else:
        ends = [style] * (len(lines) - 1)
    return "".join(line + end for line, end in zip(lines, ends)) + lines[-1]


def _parses(text: str) -> bool:
    try:
        ast.parse(text.removeprefix("\ufeff"))
    except SyntaxError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(FIXTURES))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_fix_of_every_fixture_survives_line_ends_form_feeds_and_tabs(name, data):
    text = data.draw(transformed(name))
    options = OPTIONS.get(name, {})
    intact = _parses(text)
    assert intact == _parses(_read(name))  # the transforms keep Python's reading of the file
    analysis = analyze(text, name, **options)
    check_well_formed(text, analysis)
    # Python counts a line end alike whatever its style: so must every position
    lf = analyze("\n".join(_lines(text)), name, **options)
    assert [(f.task, f.range) for f in analysis.findings] == [(f.task, f.range) for f in lf.findings]
    cr_only = "\r" in text and "\n" not in text
    for finding in analysis.findings:
        before = [f for f in analysis.findings if f.task == finding.task]
        for fix in finding.fixes:
            fixed = apply_edits(text, list(fix.edits))
            assert _parses(fixed) or not intact, (fix.id, fixed)
            after = [f for f in analyze(fixed, name, **options).findings if f.task == finding.task]
            assert len(after) < len(before), fix.id  # its finding is cleared
            if cr_only:  # a CR-only file gets no other line end
                assert "\n" not in fixed
    fixed, after = fix_text(text, name, **options)
    assert _parses(fixed) or not intact
    assert all(not f.fixes for f in after.findings)
    assert fix_text(fixed, name, **options)[0] == fixed  # idempotent


def test_line_starts_and_first_lines_take_their_fast_ways_to_the_same_answer():
    """SourceText's line starts (from str.splitlines when only "\\n" ends lines) are the line
    ends' pattern's; read_python_file's first two lines are bytes.splitlines'."""
    import random

    from raylint.core.source import _LINE_END, SourceText
    from raylint.discovery import _first_lines

    generator = random.Random(7)
    pieces = ["a", "é", " ", "\n", "\r", "\r\n", "\x0c", "\u2028", "\x85"]
    texts = ["", "\n", "a", "a\n", "a\nb", *("".join(generator.choice(pieces) for _ in range(generator.randint(0, 30))) for _ in range(3000))]
    texts += ["".join(generator.choice("ab\n") for _ in range(generator.randint(0, 30))) for _ in range(3000)]
    for text in texts:
        assert list(SourceText(text).line_starts) == [0, *(m.end() for m in _LINE_END.finditer(text))], repr(text)
        data = text.encode("utf-8")
        assert _first_lines(data) == data.splitlines(keepends=True)[:2], repr(text)
    for size in (4095, 4096, 4097, 40000):  # (lines longer than the first look)
        for data in (b"x" * size + b"\r\ny\n", b"x" * size + b"\r\nz", b"x" * size, b"\n" * size):
            assert _first_lines(data) == data.splitlines(keepends=True)[:2]
