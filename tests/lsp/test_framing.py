"""The server never goes deaf: broken framing on stdin (a stray byte, a wrong or huge
Content-Length, a lower-case header, junk) costs at most the broken message, the next valid
one is answered. Also the protocol's edges: requests before `initialize`, edits to documents
never opened, `exit` without `shutdown` and the end of input, and memory over many edits."""

from __future__ import annotations

import json
import os
import random
import time

import pytest

from lsp_support import RawServer

TASK = "import ray\n\n@ray.remote\ndef f(x):\n    return ray.put(x)\n"
UNKNOWN = "raylint/noSuchMethod"  # answered at once with MethodNotFound: proof of hearing


@pytest.fixture
def raw():
    server = RawServer(env={"RAYLINT_TEST_HOOKS": "1"})
    yield server
    if server.process.poll() is None:
        server.process.kill()
    server.close()


def answered(raw: RawServer, timeout: float = 20) -> None:
    """A valid request sent now is answered."""
    assert raw.response(raw.send(UNKNOWN, {}), timeout)["error"]["code"] == -32601


def shuts_down_cleanly(raw: RawServer) -> None:
    assert raw.response(raw.send("shutdown"))["result"] is None
    raw.send("exit", request=False)
    assert raw.close() == 0
    assert b"Traceback" not in raw.stderr, raw.stderr.decode()


def framing_errors(raw: RawServer) -> list[str]:
    return [m for m in raw.logs if "input:" in m]


def test_a_stray_byte_before_a_message(raw: RawServer):
    raw.initialize()
    raw.write(b"x")
    answered(raw)
    shuts_down_cleanly(raw)


def test_a_lower_case_header_name(raw: RawServer):
    raw.initialize()
    body = raw.message(UNKNOWN, {}, id=77)
    raw.send_bytes(body, header=b"content-length: %d\r\n\r\n" % len(body))
    assert raw.response(77)["error"]["code"] == -32601
    shuts_down_cleanly(raw)


@pytest.mark.parametrize("delta", [-10, -1, 1, 25])
def test_a_wrong_content_length(raw: RawServer, delta: int):
    raw.initialize()
    body = raw.message(UNKNOWN, {}, id=55)
    raw.send_bytes(body, header=b"Content-Length: %d\r\n\r\n" % (len(body) + delta))
    following = raw.send(UNKNOWN, {})
    if delta > 0:  # too long: the message itself is read up to the next one
        assert raw.response(55)["error"]["code"] == -32601
    assert raw.response(following)["error"]["code"] == -32601
    if delta < 0:
        assert framing_errors(raw), "the broken message was not reported"
    shuts_down_cleanly(raw)


def test_a_too_long_content_length_on_the_last_message(raw: RawServer):
    """The client sends one request with a length a little too long and waits for its answer:
    nothing more comes to complete the body, and the request is answered anyway."""
    raw.initialize()
    body = raw.message(UNKNOWN, {}, id=56)
    raw.send_bytes(body, header=b"Content-Length: %d\r\n\r\n" % (len(body) + 3))
    assert raw.response(56, timeout=20)["error"]["code"] == -32601
    shuts_down_cleanly(raw)


def test_64_kib_of_junk(raw: RawServer):
    raw.initialize()
    raw.write(random.Random(9).randbytes(64 * 1024))
    answered(raw)
    assert framing_errors(raw)
    shuts_down_cleanly(raw)


def test_a_huge_content_length_is_refused_not_allocated(raw: RawServer):
    raw.initialize()
    raw.write(b"Content-Length: 1000000000000\r\n\r\n{\"jsonrpc\": \"2.0\"}")
    answered(raw)
    assert any("refused" in m for m in framing_errors(raw))
    assert raw.process.poll() is None
    shuts_down_cleanly(raw)


def test_headers_without_content_length_and_a_body_that_is_not_json(raw: RawServer):
    raw.initialize()
    raw.write(b"Content-Type: application/vscode-jsonrpc\r\n\r\n")
    raw.send_bytes(b"\xff\xfe not json at all")
    raw.send_bytes(b"[1, 2, 3]")
    raw.send_bytes(b'{"id": 3, "method": "x"}')  # JSON, but not JSON-RPC 2.0
    answered(raw)
    shuts_down_cleanly(raw)


def test_content_type_before_content_length_is_no_error(raw: RawServer):
    raw.initialize()
    body = raw.message(UNKNOWN, {}, id=60)
    raw.send_bytes(body, header=b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body))
    assert raw.response(60)["error"]["code"] == -32601
    assert not framing_errors(raw)
    shuts_down_cleanly(raw)


# -- the protocol's edges -------------------------------------------------------------------


def test_requests_before_initialize_get_server_not_initialized(raw: RawServer):
    position = {"line": 0, "character": 0}
    params = {"textDocument": {"uri": "file:///tmp/x.py"}, "range": {"start": position, "end": position}, "context": {"diagnostics": []}}
    reply = raw.response(raw.send("textDocument/codeAction", params))
    assert reply["error"]["code"] == -32002 and "result" not in reply
    # notifications are dropped: this document is not open once the server is initialized
    item = {"uri": "file:///tmp/early.py", "languageId": "python", "version": 1, "text": TASK}
    raw.send("textDocument/didOpen", {"textDocument": item}, request=False)
    assert raw.response(raw.send("shutdown"))["error"]["code"] == -32002
    raw.initialize()
    shuts_down_cleanly(raw)
    assert not any(m.get("method") == "textDocument/publishDiagnostics" for m in _drain(raw))


def _drain(raw: RawServer) -> list[dict]:
    out = []
    while not raw.messages.empty():
        message = raw.messages.get()
        if message is not None:
            out.append(message)
    return out


def test_a_change_to_a_document_never_opened_is_one_warning(raw: RawServer):
    raw.initialize()
    change = {"textDocument": {"uri": "file:///tmp/never.py", "version": 2}, "contentChanges": [{"text": TASK}]}
    raw.send("textDocument/didChange", change, request=False)
    answered(raw)
    assert any("not open" in m for m in raw.logs)
    assert not any("KeyError" in m for m in raw.logs), raw.logs
    shuts_down_cleanly(raw)


@pytest.mark.parametrize("how", ["exit", "end of input"])
def test_exit_without_shutdown_and_end_of_input_are_quiet(raw: RawServer, tmp_path, how: str):
    # the client supports workspace/configuration and never answers the server's request for
    # it: the `initialized` handler is still waiting for it when the server stops
    raw.initialize(capabilities={"workspace": {"configuration": True}}, root_uri=tmp_path.as_uri())
    text = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n" for i in range(20_000)) + TASK
    item = {"uri": (tmp_path / "a.py").as_uri(), "languageId": "python", "version": 1, "text": text}
    raw.send("textDocument/didOpen", {"textDocument": item}, request=False)
    if how == "exit":
        raw.send("exit", request=False)
    assert raw.close() == 1  # no shutdown first
    assert raw.stderr == b"", raw.stderr.decode()


def test_5000_edits_keep_no_per_message_state(raw: RawServer, tmp_path):
    """pygls filed a future for every notification and never removed it (2.3 KB a keystroke)."""
    raw.initialize(root_uri=tmp_path.as_uri())
    uri = (tmp_path / "a.py").as_uri()
    item = {"uri": uri, "languageId": "python", "version": 1, "text": TASK}
    raw.send("textDocument/didOpen", {"textDocument": item}, request=False)
    before = raw.response(raw.send("raylint/debugState"))["result"]
    edits = []
    for version in range(2, 5002):
        change = {"range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 0}}, "text": "#"}
        params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
        edits.append(b"Content-Length: %d\r\n\r\n" % len(body := raw.message("textDocument/didChange", params)) + body)
    raw.write(b"".join(edits))
    state = raw.response(raw.send("raylint/debugState"), timeout=120)["result"]
    assert state["request_futures"] <= before["request_futures"] + 5, (before, state)
    assert state["documents"] == 1 and state["pending"] <= 1, state
    # and the document has every edit
    time.sleep(0.5)
    shuts_down_cleanly(raw)


def test_json_that_is_not_a_valid_json_rpc_message_is_reported_without_a_traceback():
    """Found by the fuzz test: `{"jsonrpc": "2.0"}` (no method, no id), a response to nothing,
    a request whose params are not an object: pygls logged a traceback for each."""
    raw = RawServer()
    raw.initialize()
    for junk in [b'{"jsonrpc": "2.0"}', b'{"jsonrpc": "2.0", "id": 7}', b'{}',
                 b'{"jsonrpc": "2.0", "id": 9, "method": "textDocument/hover", "params": 5}']:
        raw.write(b"Content-Length: %d\r\n\r\n" % len(junk) + junk)
    assert "error" in raw.response(9)  # (a request: answered, with an error)
    shuts_down_cleanly(raw)


# -- fuzzing the framing --------------------------------------------------------------------


def _junk(rnd: random.Random) -> bytes:
    body = RawServer.message(UNKNOWN, {"x": "é" * rnd.randint(0, 5)}, id=rnd.randint(10**6, 10**7))
    kinds = [
        lambda: rnd.randbytes(rnd.randint(1, 2000)),
        lambda: bytes(rnd.choice(b"\r\n:{} Content-Length0123456789") for _ in range(rnd.randint(1, 200))),
        lambda: b"Content-Length: %d\r\n\r\n" % rnd.randint(0, 3000),
        lambda: b"content-length: %d\r\n" % rnd.randint(0, 300),
        lambda: b"Content-Length: %d\r\n\r\n" % rnd.randint(10**9, 10**15),
        lambda: b"Content-Length: -5\r\n\r\n",
        lambda: b"Content-Length: %d\r\n\r\n" % (len(body) + rnd.randint(-20, 20)) + body,
        lambda: b"Content-Length: %d\r\n\r\n" % len(body) + body[: rnd.randint(0, len(body))],
        lambda: b"X-Other: 1\r\n\r\n",
        lambda: b"\r\n" * rnd.randint(1, 5),
        lambda: b"Content-Length: 40\r\n\r\n{" + rnd.randbytes(rnd.randint(0, 60)),
    ]
    return b"".join(rnd.choice(kinds)() for _ in range(rnd.randint(1, 4)))


def test_fuzz_framing(tmp_path):
    """Junk and malformed headers between valid requests: every valid request is answered
    (or the server exits cleanly, which it does not). RAYLINT_FUZZ_SECONDS runs it longer."""
    seconds = float(os.environ.get("RAYLINT_FUZZ_SECONDS", "8"))
    seed = int(os.environ.get("RAYLINT_FUZZ_SEED", str(random.randrange(10**9))))
    rnd = random.Random(seed)
    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        raw = RawServer()
        try:
            raw.initialize()
            for _ in range(20):
                sent = _junk(rnd)
                request_id = 10**8 + rounds
                raw.write(sent + b"Content-Length: %d\r\n\r\n" % len(body := raw.message(UNKNOWN, {}, request_id)) + body)
                try:
                    reply = raw.response(request_id, timeout=20)
                except (AssertionError, EOFError):
                    if raw.process.poll() is not None and b"Traceback" not in raw.stderr:
                        break  # exited cleanly: the client restarts it
                    raise AssertionError(f"seed {seed}, round {rounds}: no answer after {sent[-300:]!r}")
                assert reply["error"]["code"] == -32601
                rounds += 1
                if time.monotonic() > deadline:
                    break
            else:
                shuts_down_cleanly(raw)
                continue
        finally:
            if raw.process.poll() is None:
                raw.process.kill()
            raw.close()
    assert rounds > 20, rounds
