"""pygls' protocol, with what it gets wrong for a server that runs for days fixed: requests
it cannot read or that come before `initialize` or after `shutdown` are answered, the futures
of notifications do not pile up, `exit` ends the message loop instead of raising through it,
and the documents (notebooks too) are raylint's own (see `lsp_text_document__did_open`)."""

from __future__ import annotations

import asyncio
import inspect
import logging
from types import SimpleNamespace
from typing import Any

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidRequest,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method


class RaylintProtocol(LanguageServerProtocol):
    """pygls' protocol, with what it gets wrong for a server that runs for days fixed here."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_seen = False  # LSP: nothing but `initialize` (and `exit`) before it
        self.exit_requested = False  # `exit` came: the message loop stops (see RaylintServer.serve)

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            # pygls drops a request it cannot read; answer it, or the client waits forever
            if isinstance(data, dict) and "method" in data and data.get("id") is not None:
                self._send_response(data["id"], error=error.to_response_error())
            return SimpleNamespace(jsonrpc="unreadable")  # handle_message ignores it

    def handle_message(self, message) -> None:
        method = getattr(message, "method", None)
        is_request = method is not None and getattr(message, "id", None) is not None
        if not self.initialize_seen and method != types.EXIT:
            # LSP: a request before `initialize` gets ServerNotInitialized; a notification is dropped
            if method == types.INITIALIZE:
                self.initialize_seen = True
            else:
                if is_request:
                    error = JsonRpcServerNotInitialized(f"{method} before initialize")
                    self._send_response(message.id, error=error.to_response_error())
                return
        # LSP: requests after `shutdown` get InvalidRequest (pygls would drop them unanswered)
        if self._shutdown and method != types.EXIT and is_request:
            error = JsonRpcInvalidRequest(f"the server is shutting down; {method} refused")
            self._send_response(message.id, error=error.to_response_error())
            return
        super().handle_message(message)

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        # pygls files the future of every notification (and of every step of its built-in
        # handlers) under a made-up id in `_request_futures`, and only a request's answer
        # removes its entry: 2.3 KB a keystroke, for as long as the server runs. Each entry
        # goes when its future is done.
        def done(future, msg_id=msg_id):
            if self._request_futures.get(msg_id) is future:
                del self._request_futures[msg_id]
            callback(future)

        super()._execute_handler(msg_id, handler, done, args, kwargs)

    def _run_generator(self, future, *, gen, result_future):
        # a step cancelled (at shutdown, or the loop ending) cancels the handler quietly,
        # rather than raising CancelledError in a callback (a traceback on stderr)
        if future is not None and future.cancelled():
            gen.close()
            result_future.cancel()
            return
        super()._run_generator(future, gen=gen, result_future=result_future)

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args):
        # pygls raises SystemExit from inside the handler, which unwinds through the event loop
        # and prints the traceback of every task it cancels; the message loop ends instead
        if (user_handler := self.fm.features.get(types.EXIT)) is not None:
            yield user_handler, args, None
        self.exit_requested = True

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args):
        # as pygls', but over a copy: cancelling a future now removes it from the map
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True
        return None

    # raylint keeps its own documents (lsp/documents.py): pygls' copy of each text cost memory
    # and a second application of every edit, and an edit to a document it did not hold (a
    # client's mistake) made it raise KeyError

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params):
        if (user_handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield user_handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params):
        if (user_handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield user_handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params):
        if (user_handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield user_handler, (params,), None

    # notebooks too (lsp/notebooks.py): pygls' workspace raised KeyError on a change to a
    # notebook it did not hold, and kept a second copy of every cell

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def lsp_notebook_document__did_open(self, params):
        if (user_handler := self.fm.features.get(types.NOTEBOOK_DOCUMENT_DID_OPEN)) is not None:
            yield user_handler, (params,), None

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def lsp_notebook_document__did_change(self, params):
        if (user_handler := self.fm.features.get(types.NOTEBOOK_DOCUMENT_DID_CHANGE)) is not None:
            yield user_handler, (params,), None

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def lsp_notebook_document__did_close(self, params):
        if (user_handler := self.fm.features.get(types.NOTEBOOK_DOCUMENT_DID_CLOSE)) is not None:
            yield user_handler, (params,), None

    def send_json(self, body: str) -> None:
        """Send a message already serialized (ASCII JSON), as `_send_data` sends an object: the
        diagnostics of a document are kept as JSON between publishes (see `publish_new`)."""
        if self.writer is None:
            return
        if self._include_headers:
            body = f"Content-Length: {len(body)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n" + body
        written = self.writer.write(body.encode(self.CHARSET))
        if inspect.isawaitable(written):
            asyncio.ensure_future(written)

    def structured(self, data: dict) -> Any:
        """pygls' `structure_message` as the JSON decoder's object hook: a message it cannot
        make a JSON-RPC message of (`{"jsonrpc": "2.0"}`, a request with wrong params) stays a
        plain dict, which `dispatch` reports in one line."""
        try:
            return self.structure_message(data)
        except Exception:  # (pygls logged it: the filter below keeps its traceback out of the log)
            return dict(data)

    def dispatch(self, value: Any) -> None:
        """Handle one decoded message (what `framing.Framer` read)."""
        if not hasattr(value, "jsonrpc"):  # JSON, but not a JSON-RPC message
            if isinstance(value, dict) and value.get("id") is not None and "method" in value:
                error = JsonRpcInvalidRequest("not a JSON-RPC 2.0 request")
                self._send_response(value["id"], error=error.to_response_error())
            self._server.log(f"ignored a message that is not JSON-RPC: {str(value)[:100]}", types.MessageType.Warning)
            return
        try:
            self.handle_message(value)
        except Exception as error:
            self._server.log_error("handling a message", error)


class _NoDeserializeTraceback(logging.Filter):
    """pygls logs a traceback for every message it cannot deserialize: junk on the input is
    the client's problem, reported by `dispatch` in one line, not a crash of the server."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unable to deserialize message")


logging.getLogger("pygls.protocol.json_rpc").addFilter(_NoDeserializeTraceback())
