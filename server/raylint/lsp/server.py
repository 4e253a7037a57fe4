"""The raylint language server: a session of open documents, and thin pygls handlers over it.

One record per open document (`session.OpenDocument`: its text, its cached analysis, what
runs and what was shown for it); closing the document drops the record. Elsewhere:
scheduler.py (the debounce, the analysis on the worker thread, the background search of call
sites), worker.py (the worker and what it owns), configuration.py (each document's settings),
actions.py and convert.py (findings and fixes as LSP), protocol.py (pygls' protocol, fixed).

Every piece of state has one owner. The event loop owns the documents as the client edits
them, their records (the caches of results and everything about publishing) and the
settings. The worker thread owns what analysis reads (worker.py): the module index, the list
of workspace files, jedi, and its own record of each open document (the text the last job
sent, the document's analyzer), kept in step by jobs the loop submits with each open, change
and close (the worker runs jobs in order, so an analysis submitted after an edit sees it).
What crosses between them is passed as values: texts, settings, results, and the texts of
closed files that results point into (`texts`, for converting positions on the loop).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import hashlib
import json
import logging
import os
import sys
import threading
import traceback
from collections import OrderedDict
from pathlib import Path
from typing import Any, Awaitable, Callable

from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from raylint import __version__
from raylint.core import Analysis
from raylint.core.names import read_disk
from raylint.lsp import actions, convert, notebooks
from raylint.lsp.configuration import Configuration, is_config_file
from raylint.lsp.documents import Document, uri_to_path
from raylint.lsp.framing import Framer, Message
from raylint.lsp.protocol import RaylintProtocol
from raylint.lsp.scheduler import SEARCH_DELAY, Scheduler  # noqa: F401 (SEARCH_DELAY: benchmarks read it here)
from raylint.lsp.session import Cached, OpenDocument
from raylint.lsp.worker import TEST_HOOKS
from raylint.notebook import NotebookError
from raylint.settings import Settings


# The open documents whose line tables (for converting positions) the loop keeps between
# messages: those opened or edited last (the others' are made again when needed).
KEPT_SOURCES = 3


class RaylintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "raylint",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=notebooks.SYNC_OPTIONS,
            protocol_cls=RaylintProtocol,
        )
        self.records: dict[str, OpenDocument] = {}  # the open documents, by URI
        self.by_path: dict[str, Document] = {}  # (an index) open documents by file path (or URI)
        self.touched: OrderedDict[str, None] = OrderedDict()  # URIs opened or edited, the latest last
        self.texts: dict[str, str] = {}  # closed files' texts, as the worker read them for a result
        self.configuration = Configuration(self.log)  # the settings of each document, resolved
        self.scheduler = Scheduler(self)
        self.notebooks = notebooks.Notebooks(self)  # the open notebooks (each also a record: its module)
        self.pull_diagnostics = False
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def worker(self):
        return self.scheduler.worker

    # -- the message loop -------------------------------------------------------------------

    async def serve(self, read: Callable[[], Awaitable[bytes]]) -> None:
        """Read messages until `exit` or the end of input (pygls' loop goes deaf on a framing
        error: see framing.py), then stop what still runs, quietly."""
        framer = Framer(object_hook=self.protocol.structured)
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
        await self.scheduler.stop()

    # -- the open documents ---------------------------------------------------------------------

    def open(self, document: Document) -> OpenDocument:
        previous = self.records.get(document.uri)
        if previous is not None:  # opened twice: the first is forgotten
            previous.cancel()
        record = self.records[document.uri] = OpenDocument(document)
        self.by_path[document.path] = document
        self.touch(record)
        return record

    def touch(self, record: OpenDocument) -> None:
        """The document was opened or edited: it keeps its line table (see KEPT_SOURCES)."""
        self.touched[record.uri] = None
        self.touched.move_to_end(record.uri)
        while len(self.touched) > KEPT_SOURCES:
            uri, _ = self.touched.popitem(last=False)
            if uri in self.records:
                self.records[uri].document.drop_source()

    def close(self, uri: str) -> OpenDocument | None:
        self.touched.pop(uri, None)
        record = self.records.pop(uri, None)
        if record is not None and self.by_path.get(record.document.path) is record.document:
            del self.by_path[record.document.path]
        return record

    def closed_document(self, path: str) -> Document | None:
        """A file that is not open, as a document (to convert positions in it): as the worker
        read it for the result being converted (the loop never touches the index)."""
        text = self.texts.get(path)
        if text is None:
            text = read_disk(path)
        if text is None:
            return None
        return Document(Path(path).as_uri(), "python", None, text)

    def document_at(self, path: str) -> Document | None:
        """The document a path names: open, or as the worker last read it."""
        return self.by_path.get(path) or self.closed_document(path)

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

    # -- settings and workspace folders --------------------------------------------------------

    def settings_for(self, document: Document) -> Settings:
        """The document's settings (resolved once per configuration change: see configuration.py)."""
        return self.configuration.settings(uri_to_path(document.uri), self._folder_of(document.uri))

    def _folder_of(self, uri: str) -> str:
        folders = [f.uri for f in self.workspace.folders.values()] if self.workspace else []
        if self.workspace and self.workspace.root_uri and not folders:
            folders = [self.workspace.root_uri]
        matching = [f for f in folders if uri.startswith(f.rstrip("/") + "/")]
        return max(matching, key=len, default="")

    def roots(self) -> list[str]:
        folders = [uri_to_path(f.uri) for f in self.workspace.folders.values()]
        if not folders and self.workspace.root_uri:
            folders = [uri_to_path(self.workspace.root_uri)]
        return [folder for folder in folders if folder]

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

    # -- files changed outside the editor -------------------------------------------------------

    async def watch_files(self) -> None:
        """Ask the client to tell of Python files, notebooks and pyproject.toml changed outside the editor
        (a git checkout, a generator): re-exports and call sites may have changed with them."""
        if not self.supports("workspace.did_change_watched_files.dynamic_registration"):
            return
        watchers = [types.FileSystemWatcher(glob_pattern=g) for g in ("**/*.py", "**/*.ipynb", "**/pyproject.toml")]
        registration = types.Registration(
            id="raylint-watched-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )
        try:
            await self.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as error:  # the client refused: edits in the editor are still followed
            self.log(f"could not watch files: {error}", types.MessageType.Warning)

    def files_changed(self) -> None:
        """Files changed on disk: everything analysed may have read them."""
        self.scheduler.files_may_have_appeared()
        self.configuration.invalidate()  # (a folder with a pyproject.toml may have gone with them)
        self.texts.clear()
        for record in self.records.values():
            # the documents' own texts did not change, but what they import may have
            record.result = record.published = None

    # -- publishing -------------------------------------------------------------------------

    def publish_new(self, record: OpenDocument, analysis: Analysis, settings: Settings) -> None:
        """Publish the analysis, unless the client has just that already."""
        document = record.document
        notebook = self.notebooks.owns(record)
        if notebook is not None:  # per cell
            self.notebooks.publish(notebook, analysis, settings)
            return
        diagnostics = self.diagnostics_json(record, analysis, settings)
        if record.uri not in self.touched:
            document.drop_source()  # (made for this publish; see KEPT_SOURCES)
        # (a digest, not the JSON: the diagnostics of every open document would stay in memory)
        digest = hashlib.blake2b("\0".join(diagnostics).encode("utf-8", "surrogatepass"), digest_size=16).digest()
        shown = (document.version, settings, digest)
        if record.published != shown:
            record.published = shown
            params = {"uri": document.uri, "version": document.version}
            params = json.dumps({k: v for k, v in params.items() if v is not None})[:-1]
            self.protocol.send_json(
                f'{{"jsonrpc": "2.0", "method": "{types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}", '
                f'"params": {params}, "diagnostics": [{", ".join(diagnostics)}]}}}}'
            )

    def diagnostics_json(self, record: OpenDocument, analysis: Analysis, settings: Settings) -> tuple[str, ...]:
        """The analysis' diagnostics, each as JSON. While a document is typed in, most findings
        are the last analysis' own objects (carried over: no edit touched their lines), so the
        JSON of the last publish is reused for them: converting hundreds of findings took 15 ms
        a keystroke. (Not for a finding with a location in another file, which may change.)"""
        document, path = record.document, record.document.path
        key = (self.encoding, settings.severity)
        last = record.converted[1] if record.converted[0] == key else {}
        converted, out, locate = {}, [], None
        for finding in analysis.findings:
            hit = last.get(id(finding))
            here = all(r.path == path for r in finding.related)
            if hit is None or hit[0] is not finding:
                if here:
                    data = convert.diagnostic_json(finding, document, self.encoding, settings.severity)
                else:  # (related locations in other files; in notebooks: in their cells)
                    locate = locate or self.locator(document)
                    diagnostic = convert.diagnostic(finding, document, self.encoding, settings.severity, locate)
                    data = self.protocol._converter.unstructure(self.notebooks.diagnostics_out([diagnostic])[0])
                hit = (finding, json.dumps(data))
            if here:
                converted[id(finding)] = hit
            out.append(hit[1])
        # (kept for the documents being typed in, whose next publish reuses it)
        record.converted = (key, converted) if record.uri in self.touched else ((), {})
        return tuple(out)

    def show_callers(self, record: OpenDocument, cached: Cached) -> None:
        """Call sites found: push the review list, or ask a pulling client to pull again."""
        document = record.document
        if self.records.get(record.uri) is not record or record.current() is not cached.analysis:
            return
        if not self.pull_diagnostics or self.notebooks.owns(record):  # (notebooks are pushed)
            self.publish_new(record, cached.callers, cached.settings)
            return
        diagnostics = self.diagnostics(document, cached.callers, cached.settings)
        if record.pulled != (document.version, diagnostics):
            if self.supports("workspace.diagnostics.refresh_support"):
                self.workspace_diagnostic_refresh(None)

    def diagnostics(self, document: Document, analysis: Analysis, settings: Settings) -> list[types.Diagnostic]:
        locate = self.locator(document)
        diagnostics = [convert.diagnostic(f, document, self.encoding, settings.severity, locate) for f in analysis.findings]
        return self.notebooks.diagnostics_out(diagnostics)  # (related locations in notebooks: in their cells)

    def locator(self, document: Document):
        """Finds the document a path names (related locations in other files), read once."""
        found: dict[str, Document | None] = {document.path: document}

        def locate(path: str) -> Document | None:
            if path not in found:
                found[path] = self.document_at(path)
            return found[path]

        return locate

    def publish(self, document: Document, diagnostics: list[types.Diagnostic], version: int | None = None) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.uri, diagnostics=diagnostics, version=document.version if version is None else version
            )
        )

    async def recheck_all(self) -> None:
        self.notebooks.recheck()
        if self.pull_diagnostics:
            if self.supports("workspace.diagnostics.refresh_support"):
                self.workspace_diagnostic_refresh(None)
            return
        for record in list(self.records.values()):
            self.scheduler.publish_later(record, 0)


server = RaylintServer()


@server.feature(types.INITIALIZE)
def initialize(ls: RaylintServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict):
        # accept both {"raylint": {...}} / {"settings": {...}} and the settings themselves
        options = options.get("raylint", options.get("settings", options))
        ls.configuration.initialization_options = options if isinstance(options, dict) else {}
    ls.pull_diagnostics = ls.supports("text_document.diagnostic")
    ls.worker.set_roots(ls.roots())
    ls.scheduler.configured = asyncio.Event()
    # pygls builds the converter of a message type when it first reads one: a few ms the first
    # keystroke of the session would wait for, spent now
    position = {"line": 0, "character": 0}
    change = {"range": {"start": position, "end": position}, "text": ""}
    ls.protocol.structured({
        "jsonrpc": "2.0",
        "method": types.TEXT_DOCUMENT_DID_CHANGE,
        "params": {"textDocument": {"uri": "file:///warm-up.py", "version": 0}, "contentChanges": [change]},
    })


@server.feature(types.INITIALIZED)
async def initialized(ls: RaylintServer, params: types.InitializedParams) -> None:
    try:
        await ls.refresh_client_settings()
    finally:
        ls.scheduler.configured.set()
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
    if all(change.uri in ls.records or change.uri in ls.notebooks.open for change in params.changes):
        return
    ls.files_changed()
    await ls.recheck_all()


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
async def did_change_folders(ls: RaylintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    ls.worker.set_roots(ls.roots())
    ls.scheduler.files_may_have_appeared()
    ls.configuration.invalidate()  # settings are per folder
    await ls.refresh_client_settings()
    await ls.recheck_all()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: RaylintServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.scheduler.opened(ls.open(Document(item.uri, item.language_id, item.version, item.text)))


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: RaylintServer, params: types.DidChangeTextDocumentParams) -> None:
    record = ls.records.get(params.text_document.uri)
    if record is None:
        ls.log(f"change to a document that is not open: {params.text_document.uri}", types.MessageType.Warning)
        return
    for change in params.content_changes:
        record.document.apply(change, ls.encoding)
    record.document.version = params.text_document.version
    ls.touch(record)
    ls.scheduler.changed(record)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: RaylintServer, params: types.DidSaveTextDocumentParams) -> None:
    record = ls.records.get(params.text_document.uri)
    ls.scheduler.files_may_have_appeared()  # a saved file may be a new one
    if is_config_file(uri_to_path(params.text_document.uri)):
        ls.configuration.invalidate()  # a pyproject.toml edited in the editor
    if record is not None:
        ls.scheduler.publish_later(record, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: RaylintServer, params: types.DidCloseTextDocumentParams) -> None:
    record = ls.close(params.text_document.uri)
    if record is None:
        ls.scheduler.generation += 1  # (as for any close: nothing else to drop)
        return
    ls.scheduler.closed(record)
    if not ls.pull_diagnostics:
        ls.publish(record.document, [], version=None)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
def did_open_notebook(ls: RaylintServer, params: types.DidOpenNotebookDocumentParams) -> None:
    ls.notebooks.did_open(params)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
def did_change_notebook(ls: RaylintServer, params: types.DidChangeNotebookDocumentParams) -> None:
    ls.notebooks.did_change(params)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
def did_save_notebook(ls: RaylintServer, params: types.DidSaveNotebookDocumentParams) -> None:
    ls.notebooks.did_save(params)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
def did_close_notebook(ls: RaylintServer, params: types.DidCloseNotebookDocumentParams) -> None:
    ls.notebooks.did_close(params)


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(identifier="raylint", inter_file_dependencies=True, workspace_diagnostics=False),
)
async def pull_diagnostics(ls: RaylintServer, params: types.DocumentDiagnosticParams):
    record = ls.records.get(params.text_document.uri)
    if record is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    document = record.document
    # while typing, a provisional analysis, completed at a pause (the client is then asked to
    # pull again): only a client that can be asked waits for less than the complete one
    refresh = ls.supports("workspace.diagnostics.refresh_support")
    analysis, settings = await ls.scheduler.analysis(record, complete=not refresh)
    shown = analysis
    cached = record.result
    if cached is not None and cached.analysis is analysis and cached.pending:
        ls.scheduler.complete_later(record)
    elif cached is not None and cached.analysis is analysis:
        # call sites found earlier stay shown (other files' edits rarely move them) while a
        # search in the background looks again; the client is asked to pull once they change
        shown = cached.callers or analysis
        if cached.callers is None or cached.callers_generation != ls.scheduler.generation:
            ls.scheduler.search_later(record, cached)
    result_id = f"{document.version}:{hash(settings)}:{id(analysis)}:{id(shown)}"
    if params.previous_result_id == result_id and record.pulled is not None:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    items = ls.diagnostics(document, shown, settings)
    record.pulled = (document.version, items)  # what the client shows now
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL_KIND], resolve_provider=True
    ),
)
async def code_action(ls: RaylintServer, params: types.CodeActionParams):
    record = ls.records.get(params.text_document.uri)
    if record is None:  # a notebook's cell, or nothing open
        return await ls.notebooks.code_actions(params)
    return ls.notebooks.actions_out(await actions.code_actions(ls, record, params))


@server.feature(types.CODE_ACTION_RESOLVE)
async def resolve_code_action(ls: RaylintServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    record = ls.records.get(data.get("uri", ""))
    if record is None or record.document.version != data.get("version") or action.edit is not None:
        return action  # stale or unknown: no edit rather than a wrong one
    resolved = await actions.resolve(ls, record, action, data)
    try:
        return ls.notebooks.action_out(resolved, ls.notebooks.owns(record))
    except NotebookError as error:  # (edits a notebook's cells cannot take: none rather than wrong ones)
        ls.log(f"code action {action.title!r}: no edit: {error}", types.MessageType.Warning)
        resolved.edit = None
        return resolved


@server.feature(types.SHUTDOWN)
def shutdown(ls: RaylintServer, params: Any = None) -> None:
    for record in ls.records.values():
        record.cancel()


if TEST_HOOKS:  # for the tests only: sizes of what the server keeps, and state used off its thread

    @server.feature("raylint/debugState")
    async def debug_state(ls: RaylintServer, params: Any = None) -> dict[str, Any]:
        retention = await ls.worker.run(ls.worker.retention)
        records = ls.records.values()
        return {
            "retention": retention,
            "request_futures": len(ls.protocol._request_futures),
            "result_types": len(ls.protocol._result_types),
            "documents": len(ls.records),
            "pending": sum(r.pending is not None for r in records),
            "results": sum(r.result is not None for r in records),
            "searches": sum(r.search is not None for r in records),
            "searching_later": sum(r.searching_later is not None for r in records),
            "search_counts": dict(ls.scheduler.searches),
            "tasks": len(asyncio.all_tasks()),
            "ownership_errors": list(dict.fromkeys(ls.worker.ownership_errors)),
        }


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
    if not server.worker.join(timeout=1):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
