"""Quick fixes, suppression and fix-all over LSP, applied as the client would apply them."""

from __future__ import annotations

import ast

import pytest
from lsprotocol import types

from lsp_support import Editor

SOURCE = """import ray


@ray.remote
def load(path):
    return ray.put(path.upper())


@ray.remote(num_cpus=1)
def split(a, b):
    return ray.put(a), ray.put(b)


@ray.remote
def shards(n):
    return [ray.put(i) for i in range(n)]
"""
LINES = {"load": 5, "split": 10, "shards": 15}
EXPECTED = {
    "load": ("Return the value directly", "    return path.upper()"),
    "split": ("Use num_returns=2", "    return a, b"),
    "shards": ("Make `shards` a generator task", "        yield i"),
}


def cursor(line: int, character: int = 12) -> types.Range:
    position = types.Position(line, character)
    return types.Range(position, position)


async def actions_at(editor: Editor, uri: str, line: int, with_context: bool) -> list[types.CodeAction]:
    diagnostics = await editor.diagnostics(uri)
    context = [d for d in diagnostics if d.range.start.line == line] if with_context else []
    return await editor.code_actions(uri, cursor(line), diagnostics=context)


@pytest.mark.parametrize("task", sorted(LINES))
@pytest.mark.parametrize("with_context", [True, False], ids=["context", "no-context"])
async def test_preferred_fix_applies_cleanly(editor: Editor, task: str, with_context: bool):
    uri = editor.open("tasks.py", SOURCE)
    actions = await actions_at(editor, uri, LINES[task], with_context)
    preferred = [a for a in actions if a.is_preferred]
    assert len(preferred) == 1
    title, expected_line = EXPECTED[task]
    assert preferred[0].title.startswith(title)
    assert preferred[0].kind == types.CodeActionKind.QuickFix
    fixed = editor.apply(uri, SOURCE, await editor.edit_of(preferred[0]))
    ast.parse(fixed)
    assert expected_line in fixed.splitlines()
    editor.change(uri, types.TextDocumentContentChangeWholeDocument(text=fixed))
    remaining = await editor.diagnostics(uri)
    assert len(remaining) == 2 and all(f"`{task}`" not in d.message for d in remaining)


async def test_tuple_offers_num_returns_and_generator(editor: Editor):
    uri = editor.open("tasks.py", SOURCE)
    actions = await actions_at(editor, uri, LINES["split"], True)
    titles = [a.title for a in actions]
    assert titles[0].startswith("Use num_returns=2")
    assert any(t.startswith("Make `split` a generator task") for t in titles)
    assert "Suppress RAY001 on this line" in titles
    generator = next(a for a in actions if a.title.startswith("Make"))
    fixed = editor.apply(uri, SOURCE, await editor.edit_of(generator))
    assert "    yield a\n    yield b\n" in fixed and "@ray.remote(num_cpus=1)\ndef split" in fixed


async def test_suppress_adds_noqa_and_clears_the_diagnostic(editor: Editor):
    uri = editor.open("tasks.py", SOURCE)
    actions = await actions_at(editor, uri, LINES["load"], False)
    suppress = next(a for a in actions if a.title == "Suppress RAY001 on this line")
    fixed = editor.apply(uri, SOURCE, await editor.edit_of(suppress))
    assert "    return ray.put(path.upper())  # noqa: RAY001\n" in fixed
    editor.change(uri, types.TextDocumentContentChangeWholeDocument(text=fixed))
    assert [d.range.start.line for d in await editor.diagnostics(uri)] == [10, 15]


async def test_suppress_extends_an_existing_noqa(editor: Editor):
    source = SOURCE.replace("return ray.put(path.upper())", "return ray.put(path.upper())  # noqa: E501")
    uri = editor.open("tasks.py", source)
    actions = await actions_at(editor, uri, LINES["load"], True)
    suppress = next(a for a in actions if a.title == "Suppress RAY001 on this line")
    assert "  # noqa: E501, RAY001\n" in editor.apply(uri, source, await editor.edit_of(suppress))


async def test_fix_all_fixes_every_task(editor: Editor):
    uri = editor.open("tasks.py", SOURCE)
    await editor.diagnostics(uri)
    actions = await editor.code_actions(uri, cursor(0, 0), only=["source.fixAll.raylint"])
    (action,) = actions
    assert action.kind == "source.fixAll.raylint" and action.title == "Fix all raylint problems"
    if action.edit is None:  # deferred to codeAction/resolve where the client supports it
        action = await editor.client.code_action_resolve_async(action)
    fixed = editor.apply(uri, SOURCE, await editor.edit_of(action))
    ast.parse(fixed)
    assert "ray.put" not in fixed
    assert "@ray.remote(num_cpus=1, num_returns=2)" in fixed
    editor.change(uri, types.TextDocumentContentChangeWholeDocument(text=fixed))
    assert await editor.diagnostics(uri) == []


async def test_source_fix_all_is_offered_for_the_source_kind(editor: Editor):
    uri = editor.open("tasks.py", SOURCE)
    await editor.diagnostics(uri)
    actions = await editor.code_actions(uri, cursor(0, 0), only=["source"])
    assert [a.kind for a in actions] == ["source.fixAll.raylint"]
    assert await editor.code_actions(uri, cursor(0, 0), only=["quickfix"]) == []


async def test_stale_fix_all_resolves_to_no_edit(editor: Editor):
    if not editor.client.capabilities.text_document.code_action.resolve_support:
        pytest.skip("client without codeAction/resolve")
    uri = editor.open("tasks.py", SOURCE)
    await editor.diagnostics(uri)
    (action,) = await editor.code_actions(uri, cursor(0, 0), only=["source.fixAll"])
    editor.change(uri, types.TextDocumentContentChangeWholeDocument(text=SOURCE + "\n# edited\n"))
    resolved = await editor.client.code_action_resolve_async(action)
    assert resolved.edit is None


async def test_versioned_edits_name_the_current_version(editor: Editor):
    uri = editor.open("tasks.py", SOURCE)
    editor.change(uri, types.TextDocumentContentChangeWholeDocument(text=SOURCE))
    actions = await actions_at(editor, uri, LINES["load"], True)
    edit = await editor.edit_of(actions[0])
    if edit.document_changes:
        assert edit.document_changes[0].text_document.version == editor.versions[uri]
    else:
        assert uri in edit.changes


async def test_no_actions_away_from_findings(editor: Editor):
    uri = editor.open("tasks.py", SOURCE)
    await editor.diagnostics(uri)
    assert await editor.code_actions(uri, cursor(0, 0), only=["quickfix"]) == []


async def test_fix_after_emoji_edits_the_right_columns(editor: Editor):
    source = "import ray\n\n@ray.remote\ndef f():\n    s = '🐍🐍'; return ray.put(s)  # 🎉\n"
    uri = editor.open("emoji.py", source)
    actions = await actions_at(editor, uri, 4, True)
    fixed = editor.apply(uri, source, await editor.edit_of(actions[0]))
    assert fixed.splitlines()[4] == "    s = '🐍🐍'; return s  # 🎉"
