"""Diagnostics over LSP: open, change (full and incremental), close, exact columns."""

from __future__ import annotations

import ast

import pytest
from lsprotocol import types

from lsp_support import Editor

TASKS = """import ray


@ray.remote
def load(path):
    return ray.put(path.upper())


@ray.remote
def split(a, b):
    return ray.put(a), ray.put(b)
"""


async def test_open_publishes_one_diagnostic_per_return(editor: Editor):
    uri = editor.open("tasks.py", TASKS)
    diagnostics = await editor.diagnostics(uri)
    assert [(d.range.start.line, d.range.start.character) for d in diagnostics] == [(5, 11), (10, 11)]
    first = diagnostics[0]
    assert first.code == "RAY001"
    assert first.source == "raylint"
    assert first.severity == types.DiagnosticSeverity.Warning
    assert first.code_description.href.endswith("return-ray-put.html")
    assert first.range.end == types.Position(5, len("    return ray.put(path.upper())"))
    assert "ray.put()" in first.message and "Task `load`" in first.message
    related = {(r.location.range.start.line, r.message.split()[0]) for r in first.related_information}
    assert related == {(5, "ray.put()"), (3, "`load`")}


async def test_columns_after_emoji_follow_the_negotiated_encoding(editor: Editor):
    line = '    return ray.put("🎉 naïve")  # 🎉'
    text = f"import ray\n\n@ray.remote\ndef party():\n    s = '🐍🐍'; return ray.put(s)\n{line}\n"
    uri = editor.open("emoji.py", text)
    diagnostics = await editor.diagnostics(uri)
    got = sorted((d.range.start.line, d.range.start.character, d.range.end.character) for d in diagnostics)
    put_line = "    s = '🐍🐍'; return ray.put(s)"
    start = put_line.index("ray.put")
    expected = [
        (4, editor.column(put_line, start), editor.column(put_line, len(put_line))),
        (5, editor.column(line, 11), editor.column(line, line.index("  #"))),
    ]
    assert got == expected
    # the two encodings really differ on this line, so the test can tell them apart
    assert editor.column(put_line, start) != len(put_line[:start]) or editor.encoding == "utf-32"


async def test_crlf_tabs_and_bom_give_exact_ranges(editor: Editor):
    text = "\ufeffimport ray\r\n\r\n@ray.remote\r\ndef f(x):\r\n\tif x:\r\n\t\treturn ray.put(x)\r\n"
    uri = editor.open("crlf.py", text)
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.range == types.Range(types.Position(5, 9), types.Position(5, 19))


@pytest.mark.any_profile
async def test_change_updates_diagnostics_with_full_sync(editor: Editor):
    uri = editor.open("tasks.py", TASKS)
    assert len(await editor.diagnostics(uri)) == 2
    fixed = TASKS.replace("return ray.put(path.upper())", "return path.upper()")
    editor.change(uri, types.TextDocumentContentChangeWholeDocument(text=fixed))
    diagnostics = await editor.diagnostics(uri)
    assert [d.range.start.line for d in diagnostics] == [10]


async def test_incremental_changes_are_applied_in_client_units(editor: Editor):
    text = "import ray\n\n@ray.remote\ndef f():\n    x = '🐍'; return x\n"
    uri = editor.open("inc.py", text)
    assert await editor.diagnostics(uri) == []
    line = "    x = '🐍'; return x"
    start = editor.column(line, len(line) - 1)
    # replace the final `x` with `ray.put(x)`, addressing it after the emoji
    editor.change(
        uri,
        types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(4, start), types.Position(4, start + 1)), text="ray.put(x)"
        ),
    )
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.range.start == types.Position(4, start)
    # then type a new line at the end, in two keystrokes
    editor.change(
        uri,
        types.TextDocumentContentChangePartial(range=types.Range(types.Position(5, 0), types.Position(5, 0)), text="y"),
        types.TextDocumentContentChangePartial(range=types.Range(types.Position(5, 1), types.Position(5, 1)), text=" = 1\n"),
    )
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.range.start.line == 4


@pytest.mark.any_profile
async def test_syntax_error_elsewhere_still_reports_intact_code(editor: Editor):
    text = TASKS + "\n\ndef broken(:\n    return (\n"
    uri = editor.open("broken.py", text)
    diagnostics = await editor.diagnostics(uri)
    assert [d.range.start.line for d in diagnostics] == [5, 10]


@pytest.mark.any_profile
async def test_half_typed_code_while_editing(editor: Editor):
    uri = editor.open("typing.py", TASKS)
    await editor.diagnostics(uri)
    partial = TASKS.replace("return ray.put(a), ray.put(b)", "return ray.put(a), ray.")
    editor.change(uri, types.TextDocumentContentChangeWholeDocument(text=partial))
    diagnostics = await editor.diagnostics(uri)
    assert [d.range.start.line for d in diagnostics] == [5]


async def test_close_clears_pushed_diagnostics(editor: Editor):
    if editor.pull:
        pytest.skip("pull client: nothing is pushed, so nothing is cleared")
    uri = editor.open("tasks.py", TASKS)
    assert await editor.diagnostics(uri)
    editor.client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    for _ in range(10):  # a publish made before the close may still be on its way
        params = await editor.next_publish()
        if params.uri == uri and list(params.diagnostics) == []:
            break
    else:
        raise AssertionError("diagnostics were not cleared on close")


async def test_pull_reports_unchanged_with_the_previous_result_id(editor: Editor):
    if not editor.pull:
        pytest.skip("push client")
    uri = editor.open("tasks.py", TASKS)
    identifier = types.TextDocumentIdentifier(uri=uri)
    first = await editor.client.text_document_diagnostic_async(types.DocumentDiagnosticParams(identifier))
    assert first.kind == "full" and len(first.items) == 2
    again = await editor.client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(identifier, previous_result_id=first.result_id)
    )
    assert again.kind == "unchanged" and again.result_id == first.result_id


@pytest.mark.any_profile
async def test_clean_file_has_no_diagnostics(editor: Editor):
    uri = editor.open("clean.py", "import ray\n\ndef driver():\n    return ray.put(1)\n")
    assert await editor.diagnostics(uri) == []
    assert ast.parse(TASKS)
