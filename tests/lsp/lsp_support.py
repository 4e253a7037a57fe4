"""What the LSP tests drive the server with: its command, the client profiles, and `Editor`.

(Not in conftest.py: test modules import these, and `from conftest import ...` finds whichever
conftest module pytest imported last — tests/cli's when tests/cli is collected after this
folder.)
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import subprocess
import sys
import threading
import zlib

from lsprotocol import types
from pytest_lsp import LanguageClient

# The client profiles pytest-lsp ships, chosen to cover push and pull diagnostics, UTF-8,
# UTF-16 and UTF-32 columns, code action resolve, and versioned workspace edits:
#
#   profile             columns  diagnostics  codeAction/resolve  documentChanges  configuration  file watching
#   visual_studio_code  UTF-16   push         yes                 yes (annotated)  asked          yes
#   neovim@v0.11.0      UTF-8    pull         yes                 no               asked          no
#   neovim@v0.10.0      UTF-16   pull         yes                 no               asked          no
#   neovim@v0.7.0       UTF-16   push         yes                 no               pushed         no
#   emacs               UTF-32   push         no                  yes              asked          yes
#
# Which tests run under which profiles (a deliberate choice; tests/lsp/conftest.py applies it):
# - All five, the default: every test whose outcome goes through one of the columns above
#   (columns or ranges, pushed or pulled diagnostics, a fix's edit that is resolved or not,
#   versioned or not, annotated or not). With servers shared per module (conftest.py) the
#   matrix costs little more than the work the test does, so it is kept wherever in doubt.
# - `@pytest.mark.profiles(...)`: a test that needs a server of its own (`fresh_server`: it
#   costs a server start per profile) runs under the profiles that take its different paths,
#   named next to it (for example settings asked with workspace/configuration or pushed by
#   the client; pushed or pulled diagnostics).
# - `@pytest.mark.any_profile`: the test checks what no profile column changes (a crash, a
#   document's text, ASCII-only positions, a timing) and runs under one profile. The profile
#   is `one_profile(name)`: fixed per test, spread over the five by the test's name, so each
#   profile still runs a share of these paths and a bug of one profile on them can show.
CLIENTS = ["visual_studio_code", "neovim@v0.11.0", "neovim@v0.10.0", "neovim@v0.7.0", "emacs"]
SERVER = [sys.executable, "-m", "raylint", "server", "--stdio"]


def one_profile(test_name: str) -> str:
    """The one profile an `any_profile` test runs under: fixed for the test, spread over all."""
    return CLIENTS[zlib.crc32(test_name.encode()) % len(CLIENTS)]


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def offset(text: str, position: types.Position, encoding: str) -> int:
    lines = re.split(r"(?<=\r\n)|(?<=\r)(?!\n)|(?<=\n)", text)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    count = 0
    for index, char in enumerate(line):
        if count >= position.character:
            return start + index
        count += units(char, encoding)
    return start + len(line.rstrip("\r\n"))


def apply_text_edits(text: str, edits, encoding: str) -> str:
    spans = sorted(
        ((offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


class Editor:
    """What the tests do to the server, as an editor would."""

    def __init__(self, client: LanguageClient):
        self.client = client
        self.versions: dict[str, int] = {}
        # Every publish, kept in order: waiting for "the next notification" alone loses a publish
        # that arrives before the test starts waiting (a race that made tests flaky under load).
        self.publishes: list[types.PublishDiagnosticsParams] = []
        self.consumed = 0
        self.published = asyncio.Event()
        features = client.protocol.fm.features
        default = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

        def record(params: types.PublishDiagnosticsParams):
            self.publishes.append(params)
            self.published.set()
            return default(params)

        features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record

    @property
    def pull(self) -> bool:
        return self.client.capabilities.text_document.diagnostic is not None

    @property
    def encoding(self) -> str:
        return self.client.initialize_result.capabilities.position_encoding or "utf-16"

    def column(self, line: str, characters: int) -> int:
        """A column in the negotiated encoding's units."""
        return units(line[:characters], self.encoding)

    async def edit_of(self, action: types.CodeAction) -> types.WorkspaceEdit:
        """The action's edit, resolved first where the server deferred it (as clients do)."""
        if action.edit is None:
            assert self.client.capabilities.text_document.code_action.resolve_support, "no edit, no resolve"
            action = await self.client.code_action_resolve_async(action)
        assert action.edit is not None
        return action.edit

    def apply(self, uri: str, text: str, edit: types.WorkspaceEdit) -> str:
        """The document's text after a workspace edit, as the client would apply it."""
        if edit.document_changes:
            changes = [c for c in edit.document_changes if c.text_document.uri == uri]
            (change,) = changes
            assert change.text_document.version == self.versions[uri], "edit for another version"
            edits = change.edits
        else:
            edits = edit.changes[uri]
        return apply_text_edits(text, edits, self.encoding)

    def open(self, name: str, text: str, language: str = "python") -> str:
        path = self.client.workspace_root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, newline="")
        uri = path.as_uri()
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text))
        )
        return uri

    def change(self, uri: str, *changes: types.TextDocumentContentChangeEvent) -> None:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=list(changes),
            )
        )

    async def diagnostics(self, uri: str, version: int | None = None) -> list[types.Diagnostic]:
        """The diagnostics for the document's current version (pulled or pushed)."""
        version = self.versions[uri] if version is None else version
        if self.pull:
            report = await self.client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
            return list(report.items)
        for _ in range(200):
            params = await self.next_publish()
            if params.uri == uri and (params.version is None or params.version >= version):
                return list(params.diagnostics)
        raise AssertionError("no diagnostics for the current version")

    async def next_publish(self, timeout: float = 30) -> types.PublishDiagnosticsParams:
        """The oldest publish the test has not looked at yet, waiting for one if there is none."""
        while self.consumed == len(self.publishes):
            self.published.clear()
            await asyncio.wait_for(self.published.wait(), timeout)
        self.consumed += 1
        return self.publishes[self.consumed - 1]

    async def code_actions(
        self, uri: str, range_: types.Range, diagnostics=None, only=None
    ) -> list[types.CodeAction]:
        result = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=range_,
                context=types.CodeActionContext(diagnostics=diagnostics or [], only=only),
            )
        )
        return list(result or [])


def accept_registrations(client: LanguageClient) -> None:
    """Answer `client/registerCapability` as an editor does (the server asks to watch files),
    keeping what was registered in `client.registrations`."""
    client.registrations = []
    if types.CLIENT_REGISTER_CAPABILITY not in client.protocol.fm.features:
        client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: client.registrations.extend(params.registrations))


class RawServer:
    """The server over stdio, spoken to by hand: bytes in, decoded messages out (read on a
    thread, so a server that stops answering fails the test instead of hanging it)."""

    def __init__(self, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            SERVER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        self.next_id = 0
        self.messages: queue.Queue = queue.Queue()
        self.logs: list[str] = []  # window/logMessage texts, in order
        self.stderr = b""
        threading.Thread(target=self._read_all, daemon=True).start()
        self._stderr_thread = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_thread.start()

    def _read_all(self) -> None:
        stdout = self.process.stdout
        length = None
        while True:
            line = stdout.readline()
            if not line:
                self.messages.put(None)
                return
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            elif line in (b"\r\n", b"\n") and length is not None:
                message = json.loads(stdout.read(length))
                length = None
                if message.get("method") == "window/logMessage":
                    self.logs.append(message["params"]["message"])
                self.messages.put(message)

    def _read_stderr(self) -> None:
        self.stderr = self.process.stderr.read()

    def send_bytes(self, body: bytes, header: bytes | None = None) -> None:
        self.write((b"Content-Length: %d\r\n\r\n" % len(body) if header is None else header) + body)

    def write(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    @staticmethod
    def message(method: str, params=None, id=None) -> bytes:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if id is not None:
            message["id"] = id
        return json.dumps(message).encode()

    def send(self, method: str, params=None, request: bool = True):
        request_id = None
        if request:
            self.next_id += 1
            request_id = self.next_id
        self.send_bytes(self.message(method, params, request_id))
        return request_id

    def read(self, timeout: float = 30) -> dict:
        try:
            message = self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the server said nothing for {timeout} s") from None
        if message is None:
            self.messages.put(None)
            raise EOFError("server closed its output")
        return message

    def response(self, request_id, timeout: float = 30) -> dict:
        for _ in range(1000):
            message = self.read(timeout)
            if message.get("id") == request_id and "method" not in message:
                return message
        raise AssertionError(f"no response to {request_id}")

    def initialize(self, capabilities=None, root_uri=None) -> None:
        params = {"processId": None, "rootUri": root_uri, "capabilities": capabilities or {}}
        reply = self.response(self.send("initialize", params))
        assert "capabilities" in reply["result"]
        self.send("initialized", {}, request=False)

    def close(self) -> int:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            return self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self._stderr_thread.join(timeout=10)
            for stream in (self.process.stdout, self.process.stderr):
                stream.close()
