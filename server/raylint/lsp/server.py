"""The raylint language server: thin pygls handlers over `raylint.core`.

Analysis runs on one worker thread (jedi is not thread-safe, and the message loop must
never wait on it); results are cached per document version and settings.

The call sites of a document's fixes are searched across the workspace after its
diagnostics are out, once the edits pause, in slices of a few milliseconds on the same
worker: an edit, an analysis or a code action never waits for more than one slice, and a
search whose document or workspace has moved on is dropped between slices.

Every piece of state has one owner. The event loop owns the documents as the client edits
them, the caches of results and everything about publishing. The worker thread owns what
analysis reads: the module index, the list of workspace files, the per-document analyzers,
jedi, and its own copy of the open documents' texts (`open_files`), kept in step by jobs the
loop submits with each open, change and close (the worker runs jobs in order, so an analysis
submitted after an edit sees it). What crosses between them is passed as values: texts, settings,
results, and the texts of closed files that results point into (`texts`, for converting
positions on the loop).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import os
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Awaitable, Callable, Iterator

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcServerNotInitialized,
)
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from raylint import __version__
from raylint.core import Analysis, CallerSearch, ExternalResolver, ModuleIndex, fix_text, fix_workspace
from raylint.core.incremental import DocumentAnalyzer
from raylint.core.names import disk_stamp, read_disk
from raylint.core import Position, Range
from raylint.core.noqa import noqa_comment
from raylint.discovery import Excludes, python_files
from raylint.lsp import convert
from raylint.lsp.configuration import Configuration, is_config_file
from raylint.lsp.documents import Document, uri_to_path
from raylint.lsp.framing import Framer, Message
from raylint.settings import Settings

FIX_ALL_KIND = "source.fixAll.raylint"
_KEPT_TREES = 3  # documents whose last tree is kept for incremental re-analysis
FIX_ALL_TITLE = "Fix all raylint problems"
SEARCH_DELAY = 0.25  # seconds without edits before call sites are searched in the background
SEARCH_SLICE = 0.004  # seconds of search per turn on the worker


TEST_HOOKS = os.environ.get("RAYLINT_TEST_HOOKS") == "1"


class WorkerDict(dict):
    """(RAYLINT_TEST_HOOKS) A dict of the worker's that notes any use on another thread."""

    def __init__(self, server, name: str) -> None:
        super().__init__()
        self.server, self.name = server, name

    def _check(self) -> None:
        self.server.owned_by_worker(self.name)

    def __getitem__(self, key):
        self._check()
        return super().__getitem__(key)

    def __setitem__(self, key, value):
        self._check()
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self._check()
        super().__delitem__(key)

    def __contains__(self, key):
        self._check()
        return super().__contains__(key)

    def get(self, *args):
        self._check()
        return super().get(*args)

    def pop(self, *args):
        self._check()
        return super().pop(*args)


@dataclass
class Cached:
    version: int
    settings: Settings
    analysis: Analysis
    callers: Analysis | None = None  # the same findings, their fixes with call sites
    callers_generation: int = -1  # the workspace generation the call sites were found in


@dataclass(eq=False)
class Search:
    """A call-site search in progress for one analysis of a document."""

    document: Document
    cached: Cached
    generation: int  # the workspace generation it started in
    task: asyncio.Future | None = None
    needed: int = 0  # requests waiting for it: it goes on even if the workspace moves on


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


class RaylintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "raylint",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=RaylintProtocol,
        )
        self.documents: dict[str, Document] = {}
        self.by_path: dict[str, Document] = {}  # open documents by file path (or URI)
        self._index: ModuleIndex | None = None
        self._files: tuple[float, list[str], tuple] = (0.0, [], ())  # (the worker's) when, files, errors
        self.generation = 0  # counts edits anywhere in the workspace: call sites may have moved
        self.own_edits: dict[str, int] = {}  # the part of `generation` that is each document's own edits
        # -- the worker's (see the module docstring) --
        self.analyzers: dict[str, tuple[Settings, DocumentAnalyzer]] = {}
        self.typing_in: dict[str, None] = {}  # edited documents, least recent first
        self.open_files: dict[str, tuple[str, int, str]] = {}  # path → (uri, version, text)
        self.worker_roots: tuple[str, ...] = ()  # the workspace folders, as the loop last sent them
        # -- the loop's --
        self.texts: dict[str, str] = {}  # closed files' texts, as the worker read them for a result
        self.loop: asyncio.AbstractEventLoop | None = None
        self.ownership_errors: list[str] = []  # (RAYLINT_TEST_HOOKS) the worker's state used elsewhere
        if TEST_HOOKS:
            self.analyzers, self.typing_in, self.open_files = (
                WorkerDict(self, "analyzers"), WorkerDict(self, "typing_in"), WorkerDict(self, "open_files")
            )
        self.results: dict[str, Cached] = {}
        self.pending: dict[str, asyncio.Task] = {}
        self.published: dict[str, tuple] = {}  # (version, settings, diagnostics) last pushed
        self.pulled: dict[str, tuple] = {}  # (version, diagnostics) last pulled
        self.analyzing: dict[str, tuple] = {}  # (text, settings, future) of each analysis running
        self.searches: dict[str, Search] = {}  # the call-site search of each document
        self.searching_later: dict[str, asyncio.Task] = {}  # background searches, waiting for a pause
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="raylint-analysis")
        self.externals: dict[str | None, ExternalResolver] = {}
        self.configuration = Configuration(self.log)  # the settings of each document, resolved
        self.pull_diagnostics = False
        self.configured: asyncio.Event | None = None  # set once the editor's settings are in

    # -- the message loop -------------------------------------------------------------------

    async def serve(self, read: Callable[[], Awaitable[bytes]]) -> None:
        """Read messages until `exit` or the end of input (pygls' loop goes deaf on a framing
        error: see framing.py), then stop what still runs, quietly."""
        framer = Framer(object_hook=self.protocol.structure_message)
        self.loop, self._loop_thread = asyncio.get_running_loop(), threading.get_ident()
        protocol = self.protocol
        try:
            while not protocol.exit_requested:
                data = await read()
                events = framer.feed(data) if data else framer.flush()
                for event in events:
                    if isinstance(event, Message):
                        protocol.dispatch(event.value)
                        if protocol.exit_requested:
                            break
                    else:
                        self.log(f"input: {event.message}", types.MessageType.Error)
                if not data:
                    break
        finally:
            await self._stop()

    async def serve_stdio(self) -> None:
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue[bytes] = asyncio.Queue(maxsize=4)  # the reader waits for the loop
        stdin = sys.stdin.buffer

        def pump() -> None:  # (its own thread: reads block)
            data = b"x"
            while data:
                try:
                    data = os.read(stdin.fileno(), 1 << 16)
                except OSError:
                    data = b""
                put = chunks.put(data)
                try:
                    asyncio.run_coroutine_threadsafe(put, loop).result()
                except (RuntimeError, concurrent.futures.CancelledError):  # the loop has ended
                    put.close()  # never run: no "coroutine was never awaited" warning at exit
                    return

        threading.Thread(target=pump, name="raylint-stdin", daemon=True).start()
        self.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
        await self.serve(chunks.get)

    async def serve_tcp(self, host: str, port: int) -> None:
        """One client on a TCP port (for debugging)."""
        done = asyncio.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)
            try:
                await self.serve(lambda: reader.read(1 << 16))
            finally:
                writer.close()
                done.set()

        listening = await asyncio.start_server(connection, host, port)
        async with listening:
            await done.wait()

    async def _stop(self) -> None:
        for tasks in (self.pending, self.searching_later):
            for task in tasks.values():
                task.cancel()
        # an analysis running on the worker finishes on its own; nothing waits for its result
        logging.getLogger("concurrent.futures").setLevel(logging.CRITICAL)
        self.worker.shutdown(wait=False, cancel_futures=True)
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    # -- capabilities of the client -------------------------------------------------------

    def supports(self, dotted: str) -> bool:
        value: Any = self.client_capabilities
        for part in dotted.split("."):
            value = getattr(value, part, None)
            if value is None:
                return False
        return bool(value)

    def edit_support(self) -> convert.EditSupport:
        return convert.EditSupport(
            versioned=self.supports("workspace.workspace_edit.document_changes"),
            annotations=self.supports("workspace.workspace_edit.change_annotation_support"),
        )

    def closed_document(self, path: str) -> Document | None:
        """A file that is not open, as a document (to convert positions in it): as the worker
        read it for the result being converted (the loop never touches the index)."""
        text = self.texts.get(path)
        if text is None:
            text = read_disk(path)
        if text is None:
            return None
        return Document(Path(path).as_uri(), "python", None, text)

    def _worker_document(self, path: str) -> Document | None:
        """(worker) A file as the analysis read it: the open document's text, or the index's."""
        if path in self.open_files:
            uri, version, text = self.open_files[path]
            return Document(uri, "python", version, text)
        text = self.index.text(path)
        return None if text is None else Document(Path(path).as_uri(), "python", None, text)

    def _texts_for(self, analysis: Analysis) -> dict[str, str]:
        """(worker) The texts of the closed files an analysis points into."""
        paths = {r.path for f in analysis.findings for r in f.related}
        paths |= {e.path for f in analysis.findings for fix in f.fixes for e in fix.edits}
        texts = {}
        for path in paths - set(self.open_files) - {analysis.path}:
            text = self.index.text(path)
            if text is not None:
                texts[path] = text
        return texts

    def owned_by_worker(self, what: str) -> None:
        """With RAYLINT_TEST_HOOKS=1, note a use of the worker's state on another thread."""
        if TEST_HOOKS and threading.current_thread().name.startswith("raylint-analysis") is False:
            self.ownership_errors.append(f"{what} on {threading.current_thread().name}")

    # -- the worker's copy of the open documents (jobs the loop submits, run in order) --------

    def send_open(self, document: Document) -> None:
        self.worker.submit(self._set_open, document.path, (document.uri, document.version, document.text))

    def send_closed(self, document: Document) -> None:
        self.worker.submit(self._set_open, document.path, None)

    def send_roots(self) -> None:
        self.worker.submit(setattr, self, "worker_roots", tuple(self.roots()))

    def _set_open(self, path: str, value: tuple | None) -> None:
        if value is None:
            self.open_files.pop(path, None)
        else:
            self.open_files[path] = value

    def _forget(self, uri: str) -> None:
        """(worker) A document was closed: its analyzer and kept tree go."""
        self.analyzers.pop(uri, None)
        self.typing_in.pop(uri, None)

    def _files_appeared(self) -> None:
        """(worker) Files may have appeared or gone: list again, look for modules again."""
        self._files = (0.0, [], ())
        if self._index is not None:
            self._index.files_appeared()

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    # -- logging ----------------------------------------------------------------------------

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        if self.loop is not None and threading.get_ident() != self._loop_thread:
            try:  # from the worker: the loop writes every message
                self.loop.call_soon_threadsafe(self.log, message, kind)
            except RuntimeError:  # the loop has ended
                pass
            return
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=f"raylint: {message}"))
        except Exception:  # the client went away: nothing to tell
            logging.getLogger(__name__).debug("could not log %s", message)

    def log_error(self, doing: str, error: BaseException) -> None:
        self.log(f"{doing} failed: {type(error).__name__}: {error}", types.MessageType.Error)
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.log(trace, types.MessageType.Log)

    def report_server_error(self, error: Exception, source) -> None:
        # pygls would pop up a message box; a log line is enough, and the server goes on.
        if isinstance(error, JsonRpcMethodNotFound):
            return  # the client was answered so; not the server's error
        self.log_error("handling a message", error)

    # -- settings ---------------------------------------------------------------------------

    def settings_for(self, document: Document) -> Settings:
        """The document's settings (resolved once per configuration change: see configuration.py)."""
        return self.configuration.settings(uri_to_path(document.uri), self._folder_of(document.uri))

    def _folder_of(self, uri: str) -> str:
        folders = [f.uri for f in self.workspace.folders.values()] if self.workspace else []
        if self.workspace and self.workspace.root_uri and not folders:
            folders = [self.workspace.root_uri]
        matching = [f for f in folders if uri.startswith(f.rstrip("/") + "/")]
        return max(matching, key=len, default="")

    async def refresh_client_settings(self) -> None:
        if not self.supports("workspace.configuration"):
            return
        folders = [""] + [f.uri for f in self.workspace.folders.values()]
        items = [types.ConfigurationItem(scope_uri=f or None, section="raylint") for f in folders]
        try:
            values = await self.workspace_configuration_async(types.ConfigurationParams(items=items))
        except Exception as error:
            self.log_error("reading the editor's settings", error)
            return
        for folder, value in zip(folders, values or []):
            self.configuration.client_settings[folder] = value if isinstance(value, dict) else {}
        self.configuration.invalidate()

    # -- analysis ---------------------------------------------------------------------------

    async def wait_for_settings(self) -> None:
        """Hold the first analyses until the editor's settings arrive (2 s at most)."""
        if self.configured is not None and not self.configured.is_set():
            try:
                await asyncio.wait_for(self.configured.wait(), timeout=2)
            except asyncio.TimeoutError:
                self.configured.set()

    async def analysis(self, document: Document) -> tuple[Analysis, Settings]:
        """The analysis of the document as it is now (cached per version and settings)."""
        await self.wait_for_settings()
        settings = self.settings_for(document)
        cached = self.results.get(document.uri)
        if cached and cached.version == document.version and cached.settings == settings:
            return cached.analysis, settings
        if not self._wanted(document, settings):
            result = Analysis(document.path)
        else:
            text, version = document.text, document.version
            # one analysis per text and settings: a publish, a pull and code actions asking at
            # once (or a run cancelled and started again) wait for the same one
            running = self.analyzing.get(document.uri)
            if running is None or running[0] is not text or running[1] != settings:
                loop = asyncio.get_running_loop()
                # what else the analysis reads (other documents, files): unchanged while only
                # this document is edited, which lets its analyzer re-check just the edited part
                context = self.generation - self.own_edits.get(document.uri, 0)
                typing = self.own_edits.get(document.uri, 0) > 0
                future = loop.run_in_executor(
                    self.worker, self._analyze, text, document.uri, document.path, settings, context, typing
                )
                running = self.analyzing[document.uri] = (text, settings, future)
                future.add_done_callback(lambda _, uri=document.uri, mine=running: self._analyzed(uri, mine))
            result, texts = await asyncio.shield(running[2])
            self.texts.update(texts)
            if version != document.version or text is not document.text:  # edited meanwhile: stale
                return result, settings
        cached = self.results.get(document.uri)
        if not (cached and cached.analysis is result and cached.version == document.version and cached.settings == settings):
            self.results[document.uri] = Cached(document.version, settings, result)
        return result, settings

    def _analyzed(self, uri: str, running: tuple) -> None:
        if self.analyzing.get(uri) is running:
            del self.analyzing[uri]

    def _wanted(self, document: Document, settings: Settings) -> bool:
        if not settings.enable or not document.is_python:
            return False
        path = uri_to_path(document.uri)
        return not (path and Excludes(settings.exclude, settings.root)(path))

    @property
    def index(self) -> ModuleIndex:
        """(worker) One index for the session: modules are parsed again only when they change."""
        self.owned_by_worker("index")
        if self._index is None:
            self._index = ModuleIndex(list(self.worker_roots), read=self._read, stamp=self._stamp)
        return self._index

    def roots(self) -> list[str]:
        folders = [uri_to_path(f.uri) for f in self.workspace.folders.values()]
        if not folders and self.workspace.root_uri:
            folders = [uri_to_path(self.workspace.root_uri)]
        return [folder for folder in folders if folder]

    def workspace_files(self, settings: Settings) -> tuple[list[str], tuple[str, ...]]:
        """(worker) The workspace's Python files, where callers are searched (listed every 10 s
        at most), and what kept some from being listed (then a search is incomplete). Excluded
        files are listed too: their call sites are reviewed, not edited."""
        listed_at, files, errors = self._files
        if time.monotonic() - listed_at > 10:
            problems: list[tuple[str, str]] = []
            listed: list[str] = []
            try:
                for path in python_files(list(self.worker_roots), Excludes((), settings.root), problems):
                    listed.append(os.path.abspath(path))
            except Exception as error:  # the listing broke off: what was listed is searched
                problems.append((", ".join(self.worker_roots), f"{type(error).__name__}: {error}"))
            files = sorted(set(listed))
            errors = tuple(f"{path}: {message}" for path, message in problems)
            self._files = (time.monotonic(), files, errors)
            self.index.files_appeared()
        return files, errors

    def _caller_search(self, settings: Settings) -> tuple[CallerSearch, tuple[str, ...]]:
        """(worker) A call-site search over the workspace, and why it is incomplete, if it is."""
        files, errors = self.workspace_files(settings)
        excluded = self.excluded_files(settings, files)
        return CallerSearch(files, self.index, excluded, settings.library), errors

    @staticmethod
    def excluded_files(settings: Settings, files: list[str]) -> frozenset[str]:
        return frozenset(filter(Excludes(settings.exclude, settings.root), files))

    def _options(self, settings: Settings) -> dict[str, Any]:
        if settings.python not in self.externals:
            self.externals[settings.python] = ExternalResolver(settings.python)
        return {"index": self.index, "externals": self.externals[settings.python]}

    def _read(self, path: str) -> str | None:
        """(worker) Workspace modules as the user sees them: unsaved text of open documents first."""
        opened = self.open_files.get(path)
        return opened[2] if opened is not None else read_disk(path)

    def _stamp(self, path: str):
        opened = self.open_files.get(path)
        return ("open", opened[1], id(opened[2])) if opened is not None else disk_stamp(path)

    def _analyze(
        self, text: str, uri: str, path: str, settings: Settings, context: int, typing: bool
    ) -> tuple[Analysis, dict[str, str]]:
        """(worker) The analysis, and the texts of the closed files it points into."""
        try:
            known = self.analyzers.get(uri)
            if known is None or known[0] != settings:
                known = self.analyzers[uri] = (settings, DocumentAnalyzer(path, settings.config_for(path), **self._options(settings)))
            # A kept tree costs ~1.5 KB a line: kept only for the few documents being typed in.
            if typing:
                self.typing_in.pop(uri, None)
                self.typing_in[uri] = None
                while len(self.typing_in) > _KEPT_TREES:
                    other = next(iter(self.typing_in))
                    del self.typing_in[other]
                    if other in self.analyzers:
                        self.analyzers[other][1].forget()
            analysis = known[1].analyze(text, context, keep=typing)
            return analysis, self._texts_for(analysis)
        except Exception as error:  # a bug must cost one analysis, not the server
            self.log_error(f"analysing {path}", error)
            return Analysis(path), {}

    async def with_callers(self, document: Document) -> Analysis | None:
        """The document's findings with the call sites of each fix (None if it moved on)."""
        analysis, settings = await self.analysis(document)
        cached = self.results.get(document.uri)
        if cached is None or cached.analysis is not analysis:
            return None
        if cached.callers is not None and cached.callers_generation == self.generation:
            return cached.callers
        search = self._search_for(document, cached)
        search.needed += 1
        try:
            return await asyncio.shield(search.task)
        finally:
            search.needed -= 1

    def _search_for(self, document: Document, cached: Cached) -> Search:
        """The search of this analysis in this workspace generation: joined if it runs."""
        search = self.searches.get(document.uri)
        if search is None or search.cached is not cached or search.generation != self.generation or search.task.done():
            search = Search(document, cached, self.generation)
            self.searches[document.uri] = search  # an older one stops at its next slice
            search.task = asyncio.ensure_future(self._search(search))
        return search

    def _search_stale(self, search: Search) -> bool:
        document, cached = search.document, search.cached
        if self.documents.get(document.uri) is not document or self.results.get(document.uri) is not cached:
            return True  # closed, edited or re-analysed: these findings are gone
        if document.version != cached.version:
            return True
        # A moved workspace makes the result stale, not wrong: finish it for a request waiting
        return not search.needed and (search.generation != self.generation or self.searches.get(document.uri) is not search)

    async def _search(self, search: Search) -> Analysis | None:
        """Search call sites a slice at a time; None if dropped because things moved on."""
        cached = search.cached
        analysis, settings = cached.analysis, cached.settings
        loop = asyncio.get_running_loop()
        try:
            search_in, unlisted = await loop.run_in_executor(self.worker, self._caller_search, settings)
            found: list = []
            steps = self._search_steps(search_in, analysis, found)
            while not self._search_stale(search):
                if await loop.run_in_executor(self.worker, _run_slice, steps, SEARCH_SLICE):
                    break
            else:
                return None
            callers = Analysis(analysis.path, found, analysis.problems)
            if unlisted:
                more = f" and {len(unlisted) - 1} more" if len(unlisted) > 1 else ""
                callers = unsearched(callers, f"the workspace could not all be listed ({unlisted[0]}{more})")
            callers_texts = await loop.run_in_executor(self.worker, self._texts_for, callers)
            self.texts.update(callers_texts)
        except Exception as error:  # a bug must cost the call sites, not the findings
            self.log_error("finding call sites", error)
            callers = unsearched(
                Analysis(analysis.path, analysis.findings, analysis.problems),
                f"the search for call sites failed ({type(error).__name__})",
            )
        finally:
            if self.searches.get(search.document.uri) is search:
                del self.searches[search.document.uri]
        cached.callers, cached.callers_generation = callers, search.generation
        self._show_callers(search.document, cached)
        return callers

    @staticmethod
    def _search_steps(search: CallerSearch, analysis: Analysis, found: list) -> Iterator[None]:
        yield from search.steps(analysis.findings)
        for finding in analysis.findings:
            found.append(search.with_callers(finding))
            yield

    def search_later(self, document: Document, cached: Cached) -> None:
        """Search the call sites of the document's fixes once the edits pause, then show them
        (replaces an earlier background search of the document)."""
        previous = self.searching_later.pop(document.uri, None)
        if previous is not None:
            previous.cancel()
        if any(f.fixes for f in cached.analysis.findings):
            self.searching_later[document.uri] = asyncio.ensure_future(self._search_later(document, cached))

    async def _search_later(self, document: Document, cached: Cached) -> None:
        try:
            while True:
                generation = self.generation
                await asyncio.sleep(SEARCH_DELAY)
                if self.results.get(document.uri) is not cached or document.version != cached.version:
                    return  # edited: the next analysis searches again
                if self.generation != generation:
                    continue  # typing in another document: a search now would be dropped at its next key
                if cached.callers is not None and cached.callers_generation == self.generation:
                    return  # found already (and shown)
                if await asyncio.shield(self._search_for(document, cached).task) is not None:
                    return
                # dropped because the workspace moved on: try again at the next pause
        except asyncio.CancelledError:
            pass
        except Exception as error:
            self.log_error(f"finding call sites for {document.uri}", error)
        finally:
            if self.searching_later.get(document.uri) is asyncio.current_task():
                del self.searching_later[document.uri]

    def _show_callers(self, document: Document, cached: Cached) -> None:
        """Call sites found: push the review list, or ask a pulling client to pull again."""
        if self.documents.get(document.uri) is not document or self._current(document) is not cached.analysis:
            return
        if not self.pull_diagnostics:
            self.publish_new(document, cached.callers, cached.settings)
            return
        diagnostics = self.diagnostics(document, cached.callers, cached.settings)
        if self.pulled.get(document.uri) != (document.version, diagnostics):
            if self.supports("workspace.diagnostics.refresh_support"):
                self.workspace_diagnostic_refresh(None)

    def fix_all(self, document: Document, settings: Settings) -> dict[str, str]:
        """(worker) New texts (by path) after every safe fix of the document (a snapshot),
        callers included."""
        if uri_to_path(document.uri) is None:  # untitled, notebook cell: no workspace callers
            options = self._options(settings)
            return {document.path: fix_text(document.text, document.path, settings.config_for(document.path), **options)[0]}
        files, unlisted = self.workspace_files(settings)
        result = fix_workspace(
            [document.path],
            files,
            list(self.worker_roots),
            read=self._read,
            config=settings.config_for,
            externals=self._options(settings)["externals"],
            excluded=self.excluded_files(settings, files),
            # callers in files not listed cannot be updated: only fixes that change no caller
            library=settings.library or bool(unlisted),
        )
        return result.texts

    # -- publishing -------------------------------------------------------------------------

    def schedule(self, document: Document, delay_ms: int | None = None) -> None:
        """Publish diagnostics for `document` after `delay_ms` (the debounce), replacing any
        earlier pending run for the same document."""
        if self.pull_diagnostics:
            return
        previous = self.pending.pop(document.uri, None)
        if previous is not None:
            previous.cancel()
        if delay_ms is None:
            delay_ms = self.settings_for(document).debounce
        self.pending[document.uri] = asyncio.ensure_future(self._publish_later(document, delay_ms))

    async def _publish_later(self, document: Document, delay_ms: int) -> None:
        try:
            if delay_ms:
                await asyncio.sleep(delay_ms / 1000)
            analysis, settings = await self.analysis(document)
            if self.documents.get(document.uri) is not document or analysis is not self._current(document):
                return  # closed, or changed while we worked: a newer run will publish
            cached = self.results[document.uri]
            self.publish_new(document, cached.callers or analysis, settings)
            # call sites take longer: the diagnostics go out first, the review list after
            self.search_later(document, cached)
        except asyncio.CancelledError:
            pass
        except Exception as error:
            self.log_error(f"checking {document.uri}", error)

    def publish_new(self, document: Document, analysis: Analysis, settings: Settings) -> None:
        """Publish the analysis, unless the client has just that already."""
        diagnostics = self.diagnostics(document, analysis, settings)
        shown = (document.version, settings, diagnostics)
        if self.published.get(document.uri) != shown:
            self.published[document.uri] = shown
            self.publish(document, diagnostics)

    def _current(self, document: Document) -> Analysis | None:
        cached = self.results.get(document.uri)
        return cached.analysis if cached and cached.version == document.version else None

    def diagnostics(self, document: Document, analysis: Analysis, settings: Settings) -> list[types.Diagnostic]:
        locate = self.locator(document)
        return [convert.diagnostic(f, document, self.encoding, settings.severity, locate) for f in analysis.findings]

    def locator(self, document: Document):
        """Finds the document a path names (related locations in other files), read once."""
        found: dict[str, Document | None] = {document.path: document}

        def locate(path: str) -> Document | None:
            if path not in found:
                found[path] = self.by_path.get(path) or self.closed_document(path)
            return found[path]

        return locate

    def publish(self, document: Document, diagnostics: list[types.Diagnostic], version: int | None = None) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.uri, diagnostics=diagnostics, version=document.version if version is None else version
            )
        )

    async def watch_files(self) -> None:
        """Ask the client to tell of Python files and pyproject.toml changed outside the editor
        (a git checkout, a generator): re-exports and call sites may have changed with them."""
        if not self.supports("workspace.did_change_watched_files.dynamic_registration"):
            return
        watchers = [types.FileSystemWatcher(glob_pattern=g) for g in ("**/*.py", "**/pyproject.toml")]
        registration = types.Registration(
            id="raylint-watched-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )
        try:
            await self.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as error:  # the client refused: edits in the editor are still followed
            self.log(f"could not watch files: {error}", types.MessageType.Warning)

    def files_may_have_appeared(self) -> None:
        """A file was saved or changed on disk: call sites may have moved, and a module not
        found before may exist now."""
        self.generation += 1
        self.worker.submit(self._files_appeared)  # (the worker owns the index and the file list)

    def files_changed(self) -> None:
        """Files changed on disk: everything analysed may have read them."""
        self.files_may_have_appeared()
        self.configuration.invalidate()  # (a folder with a pyproject.toml may have gone with them)
        self.texts.clear()
        self.results.clear()  # the documents' own texts did not change, but what they import may have
        self.published.clear()

    async def recheck_all(self) -> None:
        if self.pull_diagnostics:
            if self.supports("workspace.diagnostics.refresh_support"):
                self.workspace_diagnostic_refresh(None)
            return
        for document in list(self.documents.values()):
            self.schedule(document, 0)


server = RaylintServer()


@server.feature(types.INITIALIZE)
def initialize(ls: RaylintServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict):
        # accept both {"raylint": {...}} / {"settings": {...}} and the settings themselves
        options = options.get("raylint", options.get("settings", options))
        ls.configuration.initialization_options = options if isinstance(options, dict) else {}
    ls.pull_diagnostics = ls.supports("text_document.diagnostic")
    ls.send_roots()
    ls.configured = asyncio.Event()


@server.feature(types.INITIALIZED)
async def initialized(ls: RaylintServer, params: types.InitializedParams) -> None:
    try:
        await ls.refresh_client_settings()
    finally:
        ls.configured.set()
    await ls.recheck_all()
    await ls.watch_files()


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: RaylintServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if isinstance(settings, dict) and isinstance(settings.get("raylint"), dict):
        ls.configuration.client_settings[""] = settings["raylint"]
    ls.configuration.invalidate()
    await ls.refresh_client_settings()
    await ls.recheck_all()


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def did_change_watched_files(ls: RaylintServer, params: types.DidChangeWatchedFilesParams) -> None:
    # an open document's own save or change came with didSave/didChange already: only files
    # the editor does not hold make everything be checked again
    if any(is_config_file(uri_to_path(change.uri)) for change in params.changes):
        ls.configuration.invalidate()  # (even one open in the editor: its text on disk changed)
    if all(change.uri in ls.documents for change in params.changes):
        return
    ls.files_changed()
    await ls.recheck_all()


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
async def did_change_folders(ls: RaylintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    ls.send_roots()
    ls.files_may_have_appeared()
    ls.configuration.invalidate()  # settings are per folder
    await ls.refresh_client_settings()
    await ls.recheck_all()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: RaylintServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    document = Document(item.uri, item.language_id, item.version, item.text)
    ls.documents[item.uri] = document
    ls.by_path[document.path] = document
    ls.generation += 1
    ls.send_open(document)
    ls.worker.submit(ls._files_appeared)  # the editor may just have created it
    ls.schedule(document, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: RaylintServer, params: types.DidChangeTextDocumentParams) -> None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        ls.log(f"change to a document that is not open: {params.text_document.uri}", types.MessageType.Warning)
        return
    for change in params.content_changes:
        document.apply(change, ls.encoding)
    document.version = params.text_document.version
    ls.send_open(document)
    ls.generation += 1
    ls.own_edits[document.uri] = ls.own_edits.get(document.uri, 0) + 1
    ls.schedule(document)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: RaylintServer, params: types.DidSaveTextDocumentParams) -> None:
    document = ls.documents.get(params.text_document.uri)
    ls.files_may_have_appeared()  # a saved file may be a new one
    if is_config_file(uri_to_path(params.text_document.uri)):
        ls.configuration.invalidate()  # a pyproject.toml edited in the editor
    if document is not None:
        ls.schedule(document, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: RaylintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    document = ls.documents.pop(uri, None)
    if document is not None and ls.by_path.get(document.path) is document:
        del ls.by_path[document.path]
        ls.send_closed(document)
    ls.generation += 1
    ls.results.pop(uri, None)
    ls.own_edits.pop(uri, None)
    ls.worker.submit(ls._forget, uri)
    ls.published.pop(uri, None)
    ls.pulled.pop(uri, None)
    for tasks in (ls.pending, ls.searching_later):
        task = tasks.pop(uri, None)
        if task is not None:
            task.cancel()
    if document is not None and not ls.pull_diagnostics:
        ls.publish(document, [], version=None)


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(identifier="raylint", inter_file_dependencies=True, workspace_diagnostics=False),
)
async def pull_diagnostics(ls: RaylintServer, params: types.DocumentDiagnosticParams):
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    analysis, settings = await ls.analysis(document)
    shown = analysis
    cached = ls.results.get(document.uri)
    if cached is not None and cached.analysis is analysis:
        # call sites found earlier stay shown (other files' edits rarely move them) while a
        # search in the background looks again; the client is asked to pull once they change
        shown = cached.callers or analysis
        if cached.callers is None or cached.callers_generation != ls.generation:
            ls.search_later(document, cached)
    result_id = f"{document.version}:{hash(settings)}:{id(analysis)}:{id(shown)}"
    if params.previous_result_id == result_id and document.uri in ls.pulled:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    items = ls.diagnostics(document, shown, settings)
    ls.pulled[document.uri] = (document.version, items)  # what the client shows now
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True
    ),
)
async def code_action(ls: RaylintServer, params: types.CodeActionParams):
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    analysis, settings = await ls.analysis(document)
    if analysis is not ls._current(document):
        return None  # the document moved on while we looked: offer nothing rather than wrong edits
    lazy = ls.supports("text_document.code_action.resolve_support")
    if not lazy:  # the edits must be complete now, callers included
        analysis = await ls.with_callers(document)
        if analysis is None:
            return None  # moved on during the search
    else:  # the menu must be instant: call sites found in the background show in the titles
        cached = ls.results.get(document.uri)
        analysis = cached.callers if cached and cached.callers is not None else analysis
    only = params.context.only
    actions: list[types.CodeAction] = []
    if _wants(only, types.CodeActionKind.QuickFix):
        first = document.from_client(params.range.start, ls.encoding).line
        last = document.from_client(params.range.end, ls.encoding).line
        for number, finding in enumerate(analysis.findings):
            if finding.range.start.line <= last and first <= finding.range.end.line:
                actions.extend(_quick_fixes(ls, document, number, finding, settings, lazy))
    if _wants(only, FIX_ALL_KIND) and any(f.fixes for f in analysis.findings) and (only or not actions):
        action = _fix_all_action(ls, document, settings)
        if not lazy:  # on the worker: fixing analyses again, with jedi
            loop = asyncio.get_running_loop()
            action.edit = await loop.run_in_executor(
                ls.worker, _fix_all_edit, ls, _snapshot(document), settings, ls.edit_support(), ls.encoding
            )
        actions.append(action)
    return actions


def _wants(only: list[str] | None, kind: str) -> bool:
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def _quick_fixes(ls, document: Document, number: int, finding, settings: Settings, lazy: bool):
    diagnostic = convert.diagnostic(finding, document, ls.encoding, settings.severity, ls.locator(document))
    actions = []
    for index, fix in enumerate(finding.fixes):
        action = types.CodeAction(
            title=fix.title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=index == 0,
            data={"uri": document.uri, "version": document.version, "finding": number, "fix": index},
        )
        if not lazy:
            action.edit = _fix_edit(ls, document, fix)
        actions.append(action)
    line = finding.range.start.line
    text = document.source.line(line)
    suppressed = noqa_comment(text, finding.code)
    if suppressed != text:
        edit = types.TextEdit(
            range=document.range_to_client(Range(Position(line, 0), Position(line, len(text))), ls.encoding),
            new_text=suppressed,
        )
        actions.append(
            types.CodeAction(
                title=f"Suppress {finding.code} on this line",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=convert.workspace_edit({document.uri: (document, [edit])}, ls.edit_support()),
            )
        )
    return actions


def _fix_edit(ls: RaylintServer, document: Document, fix) -> types.WorkspaceEdit:
    """A fix's edits, across every file it touches (its callers), in the client's terms."""
    by_uri: dict[str, tuple[Document, list[types.TextEdit]]] = {}
    for path in sorted({e.path for e in fix.edits}):
        target = document if path == document.path else ls.by_path.get(path) or ls.closed_document(path)
        if target is None:
            continue
        edits = [e for e in fix.edits if e.path == path]
        by_uri[target.uri] = (target, convert.text_edits(edits, target, ls.encoding))
    return convert.workspace_edit(by_uri, ls.edit_support(), review=fix.unsafe_reason)


def _fix_all_action(ls: RaylintServer, document: Document, settings: Settings) -> types.CodeAction:
    return types.CodeAction(
        title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, data={"uri": document.uri, "version": document.version, "all": True}
    )


def _fix_all_edit(
    ls: RaylintServer, document: Document, settings: Settings, support: convert.EditSupport, encoding: str
) -> types.WorkspaceEdit:
    """(worker) The edit of *Fix all* for a snapshot of the document (see `_snapshot`)."""
    by_uri = {}
    for path, text in ls.fix_all(document, settings).items():
        same = path in (document.path, os.path.abspath(document.path))
        target = document if same else ls._worker_document(path)
        if target is not None:
            by_uri[target.uri] = (target, convert.whole_text_edit(target, text, encoding))
    return convert.workspace_edit(by_uri, support)


def _snapshot(document: Document) -> Document:
    """A copy of the document for the worker: the loop goes on editing the original."""
    return Document(document.uri, document.language_id, document.version, document.text)


@server.feature(types.CODE_ACTION_RESOLVE)
async def resolve_code_action(ls: RaylintServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    document = ls.documents.get(data.get("uri", ""))
    if document is None or document.version != data.get("version") or action.edit is not None:
        return action  # stale or unknown: no edit rather than a wrong one
    settings = ls.settings_for(document)
    if data.get("all"):
        loop = asyncio.get_running_loop()
        edit = await loop.run_in_executor(
            ls.worker, _fix_all_edit, ls, _snapshot(document), settings, ls.edit_support(), ls.encoding
        )
    else:
        analysis = await ls.with_callers(document)
        try:
            fix = analysis.findings[data["finding"]].fixes[data["fix"]]
        except (AttributeError, IndexError, KeyError, TypeError):
            return action
        edit = _fix_edit(ls, document, fix)
    if document.version == data.get("version"):
        action.edit = edit
    return action


@server.feature(types.SHUTDOWN)
def shutdown(ls: RaylintServer, params: Any = None) -> None:
    for tasks in (ls.pending, ls.searching_later):
        for task in tasks.values():
            task.cancel()
        tasks.clear()


if TEST_HOOKS:  # for the tests only: sizes of what the server keeps, and state used off its thread

    @server.feature("raylint/debugState")
    def debug_state(ls: RaylintServer, params: Any = None) -> dict[str, Any]:
        return {
            "request_futures": len(ls.protocol._request_futures),
            "result_types": len(ls.protocol._result_types),
            "documents": len(ls.documents),
            "pending": len(ls.pending),
            "results": len(ls.results),
            "searches": len(ls.searches),
            "searching_later": len(ls.searching_later),
            "tasks": len(asyncio.all_tasks()),
            "ownership_errors": list(dict.fromkeys(ls.ownership_errors)),
        }


def unsearched(analysis: Analysis, why: str) -> Analysis:
    """The analysis with every fix unsafe: its call sites were not all searched (`why`), so a
    caller may be left expecting what the task returned before."""
    reason = f"{why}: call sites there cannot be updated"
    findings = [
        replace(
            finding,
            fixes=tuple(
                replace(
                    fix,
                    title=f"{fix.title} (call sites not all searched)",
                    unsafe_reason=f"{fix.unsafe_reason}; {reason}" if fix.unsafe_reason else reason,
                )
                for fix in finding.fixes
            ),
        )
        for finding in analysis.findings
    ]
    return Analysis(analysis.path, findings, analysis.problems)


def _run_slice(steps: Iterator[None], budget: float) -> bool:
    """Advance a search for about `budget` seconds (on the worker); True once it is done."""
    deadline = time.perf_counter() + budget
    for _ in steps:
        if time.perf_counter() >= deadline:
            return False
    return True


def run(tcp: str | None = None) -> int:
    """Serve until `exit` or the end of input; the exit code is 0 only after a proper
    `shutdown` (LSP)."""
    logging.basicConfig(level=logging.WARNING)
    # The message loop shares the GIL with the worker: hand it over within 1 ms, not 5, so a
    # request that arrives while the worker computes is read and answered at once.
    sys.setswitchinterval(0.001)
    # "cancel for unknown message id" is routine (the answer was already sent): not worth a line
    logging.getLogger("pygls.protocol.json_rpc").setLevel(logging.ERROR)
    # What was imported (pygls, lsprotocol, jedi) lives as long as the server: keep it out of the
    # collector's full passes, which otherwise stall a keystroke's diagnostics now and then.
    gc.freeze()
    try:
        if tcp:
            host, _, port = tcp.rpartition(":")
            asyncio.run(server.serve_tcp(host or "127.0.0.1", int(port)))
        else:
            asyncio.run(server.serve_stdio())
    except KeyboardInterrupt:
        pass
    code = 0 if server.protocol._shutdown and server.protocol.exit_requested else 1
    # An analysis still running on the worker has nobody to answer: the process does not wait
    # for it (the interpreter would, at exit), so `exit` ends it within a second.
    threads = list(getattr(server.worker, "_threads", ()))
    for thread in threads:
        thread.join(timeout=1)
    if any(thread.is_alive() for thread in threads):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
