"""Bad input never stops the server: odd documents, out-of-order and malformed messages,
cancellation, and the shutdown/exit sequence. The raw tests speak JSON-RPC by hand, so
they can send what no well-behaved client library would."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest
from lsprotocol import types

from lsp_support import SERVER, Editor, RawServer

TASK = "import ray\n\n@ray.remote\ndef f(x):\n    return ray.put(x)\n"


@pytest.mark.any_profile
async def test_two_megabyte_file(editor: Editor):
    filler = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n" for i in range(50_000))
    text = filler + TASK
    assert len(text) > 2_000_000
    uri = editor.open("huge.py", text)
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.range.start.line == text.count("\n") - 1


@pytest.mark.parametrize(
    "uri",
    ["untitled:Untitled-1", "vscode-notebook-cell:/home/u/nb.ipynb#W0sZmlsZQ%3D%3D", "inmemory://model/3"],
)
@pytest.mark.any_profile
async def test_documents_without_a_file_are_checked(editor: Editor, uri: str):
    editor.versions[uri] = 1
    editor.client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=TASK))
    )
    assert [d.code for d in await editor.diagnostics(uri)] == ["RAY001"]


@pytest.mark.any_profile
async def test_non_python_documents_are_left_alone(editor: Editor):
    uri = editor.open("notes.md", "```python\n" + TASK + "```\n", language="markdown")
    assert await editor.diagnostics(uri) == []


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02 binary \xff",
        "(" * 5000,
        "def f(:\n" * 200,
        "@ray.remote\n" * 3 + "def",
        "import ray\n@ray.remote\ndef f():\n    return ray.put(",
        "\r\r\n\n\u2028\x0c\x1c  return ray.put(x)\n",
    ],
    ids=["binary", "deep-nesting", "syntax-errors", "dangling-decorators", "unclosed-call", "odd-line-ends"],
)
@pytest.mark.any_profile
async def test_garbage_text_gets_no_crash(editor: Editor, text: str):
    uri = editor.open("garbage.py", text)
    assert await editor.diagnostics(uri) == []
    # and the server still works
    good = editor.open("good.py", TASK)
    assert len(await editor.diagnostics(good)) == 1


@pytest.mark.any_profile
async def test_messages_about_unknown_documents(editor: Editor):
    ghost = (editor.client.workspace_root / "ghost.py").as_uri()
    editor.versions[ghost] = 1
    editor.change(ghost, types.TextDocumentContentChangeWholeDocument(text=TASK))
    position = types.Position(0, 0)
    assert await editor.code_actions(ghost, types.Range(position, position)) == []
    uri = editor.open("real.py", TASK)
    assert len(await editor.diagnostics(uri)) == 1


async def test_out_of_range_positions_are_clamped(editor: Editor):
    uri = editor.open("a.py", TASK)
    await editor.diagnostics(uri)
    far = types.Range(types.Position(3, 500), types.Position(999, 999))
    actions = await editor.code_actions(uri, far)
    assert any(a.is_preferred for a in actions)
    editor.change(
        uri, types.TextDocumentContentChangePartial(range=types.Range(types.Position(99, 0), types.Position(99, 0)), text="# end\n")
    )
    assert len(await editor.diagnostics(uri)) == 1


# -- raw JSON-RPC -----------------------------------------------------------------------------


@pytest.fixture
def raw():
    server = RawServer()
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.close()


def test_malformed_messages_get_errors_not_a_crash(raw: RawServer):
    raw.initialize()
    raw.send_bytes(b"{this is not json")
    raw.send_bytes(b'{"jsonrpc": "2.0", "id": 900, "method": "textDocument/codeAction", "params": {"bogus": 1}}')
    assert raw.response(900)["error"]["code"] == -32602  # InvalidParams, not silence
    raw.send("textDocument/didOpen", {"textDocument": {"uri": 7}}, request=False)
    unknown = raw.send("raylint/noSuchMethod", {})
    assert raw.response(unknown)["error"]["code"] == -32601  # MethodNotFound
    raw.send("$/someNotification", {}, request=False)  # unknown notifications are ignored
    # still serving real work afterwards
    uri = "file:///tmp/raylint-raw.py"
    raw.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": TASK}}, request=False)
    for _ in range(100):
        message = raw.read()
        if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
            assert [d["code"] for d in message["params"]["diagnostics"]] == ["RAY001"]
            break
    else:
        raise AssertionError("no diagnostics after malformed input")
    raw.response(raw.send("shutdown"))
    raw.send("exit", request=False)
    assert raw.close() == 0


def test_requests_after_shutdown_are_refused_and_exit_ends_the_process(raw: RawServer):
    raw.initialize()
    assert raw.response(raw.send("shutdown"))["result"] is None
    position = {"line": 0, "character": 0}
    params = {
        "textDocument": {"uri": "file:///tmp/x.py"},
        "range": {"start": position, "end": position},
        "context": {"diagnostics": []},
    }
    after = raw.response(raw.send("textDocument/codeAction", params))
    assert after["error"]["code"] == -32600  # InvalidRequest
    raw.send("exit", request=False)
    assert raw.close() == 0


def test_exit_without_shutdown_exits_with_an_error_code(raw: RawServer):
    raw.initialize()
    raw.send("exit", request=False)
    assert raw.close() == 1


def test_server_accepts_stdio_flag_and_reports_its_version():
    output = subprocess.run([sys.executable, "-m", "raylint", "--version"], capture_output=True, text=True, check=True)
    assert output.stdout.startswith("raylint ")


def test_cancelled_request_is_answered_as_cancelled_and_the_server_goes_on(raw: RawServer):
    raw.initialize()
    # a big document, so the code action still waits for its analysis when the cancel comes
    text = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n" for i in range(50_000)) + TASK
    uri = "file:///tmp/raylint-cancel.py"
    item = {"uri": uri, "languageId": "python", "version": 1, "text": text}
    raw.send("textDocument/didOpen", {"textDocument": item}, request=False)
    position = {"line": text.count("\n") - 1, "character": 12}
    params = {
        "textDocument": {"uri": uri},
        "range": {"start": position, "end": position},
        "context": {"diagnostics": []},
    }
    cancelled = raw.send("textDocument/codeAction", params)
    raw.send("$/cancelRequest", {"id": cancelled}, request=False)
    assert raw.response(cancelled)["error"]["code"] == -32800  # RequestCancelled
    answered = raw.response(raw.send("textDocument/codeAction", params))
    assert any(action.get("isPreferred") for action in answered["result"])


def test_tcp_mode_serves_the_same_protocol(tmp_path):
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "raylint", "server", "--tcp", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not listen on its TCP port")
        with connection:
            body = json.dumps(
                {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}
            ).encode()
            connection.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            reader = connection.makefile("rb")
            length = None
            while True:
                line = reader.readline()
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif line in (b"\r\n", b"\n") and length is not None:
                    break
            reply = json.loads(reader.read(length))
            assert reply["id"] == 1 and reply["result"]["serverInfo"]["name"] == "raylint"
    finally:
        process.kill()
        process.communicate(timeout=10)


async def test_fix_all_in_an_untitled_document(editor: Editor):
    uri = "untitled:Untitled-2"
    editor.versions[uri] = 1
    editor.client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=TASK))
    )
    await editor.diagnostics(uri)
    position = types.Position(0, 0)
    (action,) = await editor.code_actions(uri, types.Range(position, position), only=["source.fixAll.raylint"])
    # An untitled buffer is in no workspace folder: its task's callers are not searched, so the
    # fix that changes what they get is not safe, and Fix all leaves it (it used to apply it
    # without looking for callers, even in the same buffer)
    assert not _edits_for(await editor.edit_of(action), uri)


async def test_a_file_outside_the_workspace_folders_has_no_safe_caller_changing_fix(editor: Editor, tmp_path_factory):
    """Its callers may be anywhere: the fix is offered to review, and Fix all leaves it."""
    outside = tmp_path_factory.mktemp("elsewhere") / "tasks.py"
    outside.write_text(TASK)
    uri = outside.as_uri()
    editor.versions[uri] = 1
    editor.client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=TASK))
    )
    assert [d.code for d in await editor.diagnostics(uri)] == ["RAY001"]
    position = types.Position(0, 0)
    (action,) = await editor.code_actions(uri, types.Range(position, position), only=["source.fixAll.raylint"])
    assert not _edits_for(await editor.edit_of(action), uri)


def _edits_for(edit: types.WorkspaceEdit, uri: str) -> list:
    """The text edits a workspace edit makes to `uri`."""
    if edit.document_changes:
        return [e for c in edit.document_changes if c.text_document.uri == uri for e in c.edits]
    return list((edit.changes or {}).get(uri, []))
