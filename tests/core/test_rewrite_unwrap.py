"""Unwrapping `ray.put(...)`: whatever the call's layout, every fix gives code that parses
and clears its finding, and keeps the comments inside the call."""

from __future__ import annotations

import ast

import pytest

from raylint.core import analyze, apply_edits, fix_text

PUTS = {
    "parenthesized value": "ray.put(\n        (data * factor)\n    )",
    "parenthesized value, trailing comma": "ray.put(\n        (data * factor),\n    )",
    "comments": "ray.put(  # why\n        data  # the data\n    )",
    "trailing comma": "ray.put(data,)",
    "trailing comma, multi-line": "ray.put(\n        data,\n    )",
    "keyword": "ray.put(value=data)",
    "keyword, multi-line": "ray.put(\n        value=data,  # kw\n    )",
    "keyword, parenthesized value": "ray.put(\n        value=(\n            data\n        ),\n    )",
    "backslash before the parenthesis": "ray.put \\\n        (data)",
    "backslash inside": "ray.put(data + \\\n        factor)",
    "in parentheses": "(ray.put(data))",
    "in parentheses, multi-line": "(\n        ray.put(data)\n    )",
    "multi-line list": "ray.put(\n        [data,\n         factor],  # a list\n    )",
    "comment after the value": "ray.put(\n        data\n        # trailing comment\n    )",
    "multi-line string": "ray.put(\n        '''multi\nline''',\n    )",
    "comma on its own line": "ray.put(\n        data if factor else None  # c\n        ,\n    )",
    "generator expression": "ray.put(x for x in data)",
    "generator expression, multi-line": "ray.put(\n        x for x in data\n    )",
    "another argument": "ray.put(\n        data,\n        _owner=None,  # old\n    )",
    "lambda": "ray.put(\n        lambda: data,\n    )",
    "assignment expression": "ray.put(\n        (copy := data)\n    )",
}
SHAPES = {
    "return": "return {p}",
    "named": "ref = {p}\n    return ref",
    "tuple": "return {p}, {p}",
    "list": "return [{p}, 1]",
    "append": "refs = []\n    refs.append({p})\n    return refs",
}


@pytest.mark.parametrize("put", PUTS.values(), ids=PUTS.keys())
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_every_fix_of_every_layout_parses_and_clears(put, shape, newline):
    text = f"import ray\n\n\n@ray.remote\ndef f(data, factor):\n    {shape.format(p=put)}\n".replace("\n", newline)
    ast.parse(text)
    findings = analyze(text, "t.py").findings
    assert findings and all(f.fixes for f in findings)
    for finding in findings:
        for fix in finding.fixes:
            fixed = apply_edits(text, list(fix.edits))
            ast.parse(fixed)
            assert analyze(fixed, "t.py").findings == []
            assert "put" not in fixed.replace("import ray", "")


def test_a_parenthesized_value_keeps_both_pairs_of_parentheses():
    text = "import ray\n\n\n@ray.remote\ndef f(data, factor):\n    return ray.put(\n        (data * factor)\n    )\n"
    fixed, _ = fix_text(text, "t.py")
    assert fixed.endswith("    return (\n        (data * factor)\n    )\n")


@pytest.mark.parametrize(
    ("put", "expected"),
    [
        ("ray.put(\n        value=data,  # kw\n    )", "(\n        data  # kw\n    )"),
        ("ray.put(\n        data,\n    )", "(\n        data\n    )"),  # no comma: not a tuple
        ("ray.put(\n        data,\n        _owner=None,\n    )", "(\n        data\n    )"),
        ("ray.put(data,)", "data"),
        ("ray.put(value=data)", "data"),
    ],
)
def test_what_goes_and_what_stays(put, expected):
    text = f"import ray\n\n\n@ray.remote\ndef f(data):\n    return {put}\n"
    fixed, _ = fix_text(text, "t.py")
    assert fixed == f"import ray\n\n\n@ray.remote\ndef f(data):\n    return {expected}\n"


def test_a_multi_line_put_in_a_comprehension_keeps_its_comment_in_the_yield():
    text = (
        "import ray\n\n\n@ray.remote\ndef f(rows):\n"
        "    return [\n        ray.put(\n            row,  # one row\n        )\n        for row in rows\n    ]\n"
    )
    fixed, after = fix_text(text, "t.py")
    assert after.findings == []
    assert "# one row" in fixed
    ast.parse(fixed)
