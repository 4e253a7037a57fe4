"""The server's state has one owner each (the event loop, or the analysis worker), and a
call-site search that could not list the whole workspace makes the fixes unsafe."""

from __future__ import annotations

from lsp_support import RawServer

TASK = "import ray\n\n@ray.remote\ndef f(x):\n    return ray.put(x)\n"
CALLER = "import ray\nfrom a import f\n\nprint(ray.get(ray.get(f.remote(1))))\n"
CAPABILITIES = {
    "workspace": {"workspaceEdit": {"documentChanges": True, "changeAnnotationSupport": {}}},
    "textDocument": {"publishDiagnostics": {}},
}


def _server() -> RawServer:
    return RawServer(env={"RAYLINT_TEST_HOOKS": "1"})


def _open(raw: RawServer, path, text: str, version: int = 1) -> str:
    path.write_text(text)
    uri = path.as_uri()
    item = {"uri": uri, "languageId": "python", "version": version, "text": text}
    raw.send("textDocument/didOpen", {"textDocument": item}, request=False)
    return uri


def _quick_fixes(raw: RawServer, uri: str) -> list[dict]:
    position = {"line": 4, "character": 8}
    params = {"textDocument": {"uri": uri}, "range": {"start": position, "end": position}, "context": {"diagnostics": []}}
    actions = raw.response(raw.send("textDocument/codeAction", params), timeout=60)["result"]
    return [a for a in actions if a.get("kind") == "quickfix" and a.get("isPreferred")]


def _edited_uris(action: dict) -> set[str]:
    return {change["textDocument"]["uri"] for change in action["edit"]["documentChanges"]}


def test_worker_state_is_used_on_the_worker_only(tmp_path):
    (tmp_path / "b.py").write_text(CALLER)
    raw = _server()
    try:
        raw.initialize(capabilities=CAPABILITIES, root_uri=tmp_path.as_uri())
        uri = _open(raw, tmp_path / "a.py", TASK)
        (fix,) = _quick_fixes(raw, uri)  # call sites in b.py, a closed file: converted on the loop
        assert not [m for m in raw.logs if "failed" in m], raw.logs
        assert (tmp_path / "b.py").as_uri() in _edited_uris(fix)
        change = {"range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 0}}, "text": "# x\n"}
        raw.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]}, request=False)
        _quick_fixes(raw, uri)
        position = {"line": 0, "character": 0}
        fix_all = {"textDocument": {"uri": uri}, "range": {"start": position, "end": position}, "context": {"diagnostics": [], "only": ["source.fixAll.raylint"]}}
        raw.response(raw.send("textDocument/codeAction", fix_all), timeout=60)
        raw.send("textDocument/didClose", {"textDocument": {"uri": uri}}, request=False)
        state = raw.response(raw.send("raylint/debugState"))["result"]
        assert state["ownership_errors"] == []
        assert raw.response(raw.send("shutdown"))["result"] is None
        raw.send("exit", request=False)
        assert raw.close() == 0
    finally:
        if raw.process.poll() is None:
            raw.process.kill()
            raw.close()


def test_a_workspace_that_cannot_all_be_listed_makes_the_fix_unsafe(tmp_path):
    (tmp_path / "b.py").write_text(CALLER)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / ".gitignore").write_text("\\\n")  # not a valid pattern: the folder cannot be listed
    (broken / "c.py").write_text(CALLER)
    raw = _server()
    try:
        raw.initialize(capabilities=CAPABILITIES, root_uri=tmp_path.as_uri())
        uri = _open(raw, tmp_path / "a.py", TASK)
        (fix,) = _quick_fixes(raw, uri)
        assert "not all searched" in fix["title"], fix["title"]
        annotations = fix["edit"].get("changeAnnotations") or {}
        assert any(a["needsConfirmation"] for a in annotations.values()), fix["edit"]
        (annotation,) = annotations.values()
        assert "listed" in annotation["description"]
        # fix all applies safe fixes only: this one is not, so the task stays as it is
        position = {"line": 0, "character": 0}
        fix_all = {"textDocument": {"uri": uri}, "range": {"start": position, "end": position}, "context": {"diagnostics": [], "only": ["source.fixAll.raylint"]}}
        actions = raw.response(raw.send("textDocument/codeAction", fix_all), timeout=60)["result"]
        for action in actions:
            assert not action.get("edit") or not action["edit"].get("documentChanges") or all(
                not change["edits"] for change in action["edit"]["documentChanges"]
            ), action
    finally:
        if raw.process.poll() is None:
            raw.process.kill()
        raw.close()
