"""Typing: each keystroke publishes a provisional analysis (the edited statement re-checked;
the findings of the rules that read the whole module carried over, without those the edit
touched), and a pause completes it. What the editor is left with must be exactly the
diagnostics of the same text opened fresh, and a code action asked in between must never
offer a fix of a finding that was not checked again."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from lsprotocol import types

from lsp_support import Editor

FIXTURE = (Path(__file__).parents[1] / "rules" / "fixtures" / "RAY004" / "invalid.py").read_text()
TYPED_AT = "        batch = batches.pop()\n"


def key(diagnostic: types.Diagnostic):
    r = diagnostic.range
    return (r.start.line, r.start.character, r.end.line, r.end.character, diagnostic.code, diagnostic.message)


def position_after(text: str, needle: str) -> tuple[int, types.Position]:
    index = text.index(needle) + len(needle)
    line = text.count("\n", 0, index)
    return index, types.Position(line, index - (text.rfind("\n", 0, index) + 1))


async def test_a_pause_leaves_the_diagnostics_of_a_fresh_open_and_no_stale_fix_is_offered(editor: Editor):
    text = FIXTURE
    uri = editor.open("typed.py", text)
    before = await editor.diagnostics(uri)
    assert any(d.code == "RAY004" for d in before)
    # lines typed inside `train`, the function with the actor class defined in a loop (the
    # first edit after the open is analysed afresh: the server keeps the trees of documents
    # being typed in)
    for typed in ("        size = 1\n", "        size = len(batch)\n"):
        index, position = position_after(text, TYPED_AT)
        editor.change(uri, types.TextDocumentContentChangePartial(range=types.Range(position, position), text=typed))
        text = text[:index] + typed + text[index:]
        if typed.endswith("1\n"):
            await editor.diagnostics(uri)
    # a code action asked at the finding in `train` at once, before any pause: it gets the
    # fixes of this text (the finding was checked again), as in the same text opened fresh
    line = text[: text.index("        class Worker:")].count("\n")
    finding_range = types.Range(types.Position(line - 1, 0), types.Position(line, 10))  # (with its decorator)
    actions = await editor.code_actions(uri, finding_range)
    fresh_uri = editor.open("fresh.py", text)
    expected = sorted(map(key, await _final(editor, fresh_uri, quiet=0.5)))
    fresh_actions = await editor.code_actions(fresh_uri, finding_range)
    assert [a.title for a in actions] == [a.title for a in fresh_actions]
    assert any("RAY004" in str(a.diagnostics) for a in actions)
    for action, fresh_action in zip(actions, fresh_actions):
        if action.kind == types.CodeActionKind.QuickFix and "RAY004" in action.title + str(action.diagnostics):
            edited = editor.apply(uri, text, await editor.edit_of(action))
            assert edited == editor.apply(fresh_uri, text, await editor.edit_of(fresh_action))
    # every publish for the edited version holds only findings of the text, and the last is all of them
    shown = await _final(editor, uri, expected)
    assert sorted(map(key, shown)) == expected


async def _final(editor: Editor, uri: str, expected=None, quiet: float = 1.5) -> list[types.Diagnostic]:
    """The diagnostics of the document's current version once the server is quiet (no
    publish for `quiet` s); each publish of that version must be part of `expected`, if given."""
    if editor.pull:
        await asyncio.sleep(quiet)
        return await editor.diagnostics(uri)
    version = editor.versions[uri]
    for _ in range(200):
        seen = len(editor.publishes)
        await asyncio.sleep(quiet)
        mine = [p for p in editor.publishes if p.uri == uri and p.version == version]
        if mine and len(editor.publishes) == seen:
            break
    if expected is not None:
        for params in mine:
            assert set(map(key, params.diagnostics)) <= set(expected)
    return list(mine[-1].diagnostics)


def test_a_pulling_client_gets_the_provisional_analysis_then_is_asked_to_pull_the_complete_one(tmp_path):
    """A client that pulls diagnostics and can be asked to pull again (VS Code) gets the
    provisional analysis while typing; at a pause the server completes it and sends
    `workspace/diagnostic/refresh`; the next pull is the complete analysis."""
    from lsp_support import RawServer

    raw = RawServer()
    try:
        capabilities = {"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": True}}}
        params = {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": capabilities}
        assert "capabilities" in raw.response(raw.send("initialize", params))["result"]
        raw.send("initialized", {}, request=False)

        def pull(uri: str) -> set:
            reply = raw.response(raw.send("textDocument/diagnostic", {"textDocument": {"uri": uri}}))
            return {(d["range"]["start"]["line"], d["range"]["start"]["character"], d["code"], d["message"]) for d in reply["result"]["items"]}

        def open_(name: str, text: str) -> str:
            uri = (tmp_path / name).as_uri()
            item = {"uri": uri, "languageId": "python", "version": 1, "text": text}
            raw.send("textDocument/didOpen", {"textDocument": item}, request=False)
            return uri

        text = FIXTURE
        uri = open_("typed.py", text)
        assert any(code == "RAY004" for _, _, code, _ in pull(uri))
        for version, typed in enumerate(("        size = 1\n", "        size = len(batch)\n"), start=2):
            index, position = position_after(text, TYPED_AT)
            change = {"range": {"start": vars_of(position), "end": vars_of(position)}, "text": typed}
            raw.send(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
                request=False,
            )
            text = text[:index] + typed + text[index:]
            provisional = pull(uri)
        fresh = pull(open_("fresh.py", text))
        assert provisional < fresh  # the finding in `train`, which the edit touched, comes back
        for _ in range(1000):
            message = raw.read()
            if message.get("method") == "workspace/diagnostic/refresh":
                raw.send_bytes(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": None}).encode())
                break
        assert pull(uri) == fresh
    finally:
        raw.send("shutdown")
        raw.send("exit", request=False)
        raw.close()


def vars_of(position: types.Position) -> dict:
    return {"line": position.line, "character": position.character}
