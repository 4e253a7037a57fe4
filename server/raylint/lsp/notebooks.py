"""Jupyter notebooks in the language server: notebook document sync, each notebook's code cells
analysed as one module (raylint.notebook joins them and masks IPython syntax, as on the command
line), diagnostics on each cell's own document, fixes whose edits target the cells.

An open notebook is kept as its cells (their texts as the client edits them, in order) and one
ordinary session record (`OpenDocument`) for the module they form, under the notebook's URI
with a fragment (`MODULE_FRAGMENT`): that record goes through the same scheduler, worker,
caches and call-site search as any text document, and its path is the `.ipynb` file's (so the
worker reads the module as the command line does). The module's URI never reaches the client:
what goes out is translated here — diagnostics are published per cell (always pushed: editors
pull diagnostics for text documents, not for notebook cells), code actions asked on a cell are
asked on the module, and every edit to a module (a fix of the notebook, or of a module task
whose callers are in the notebook) becomes edits to the cells whose text it changes. An edit
to a notebook that is not open (a caller in a closed `.ipynb`) becomes an edit of the cell
sources in the file's JSON, everything else in the file kept.

A notebook's tasks can be called only from its own cells: no module imports a notebook (see
`Worker.notebook_runners` for `%run` and import hooks, which make its fixes to review).
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from raylint.core import Analysis
from raylint.core.model import Position, Range
from raylint.discovery import MAX_PYTHON_FILE, read_regular_file
from raylint.lsp import actions, convert
from raylint.lsp.documents import Document, uri_to_path
from raylint.lsp.scheduler import in_background
from raylint.lsp.session import OpenDocument
from raylint.notebook import Notebook, NotebookError
from raylint.settings import Settings

if TYPE_CHECKING:
    from raylint.lsp.server import RaylintServer

MODULE_FRAGMENT = "#raylint-cells"  # the module record's URI: the notebook's, with this fragment
NOTEBOOK_TYPE = "jupyter-notebook"

SYNC_OPTIONS = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            notebook=NOTEBOOK_TYPE, cells=[types.NotebookCellLanguage(language="python")]
        )
    ],
    save=True,
)


@dataclass(eq=False)
class Cell:
    uri: str
    kind: int  # types.NotebookCellKind


@dataclass(eq=False)
class OpenNotebook:
    uri: str
    version: int
    cells: list[Cell]  # in the notebook's order, markdown included
    texts: dict[str, Document]  # the cells' text documents, by URI
    record: OpenDocument  # the module of the code cells
    view: Notebook = field(default_factory=lambda: Notebook.of_cells([]))  # the module as last built
    masked: dict[int, str] = field(default_factory=dict)  # its IPython lines
    shown: dict[str, list] = field(default_factory=dict)  # diagnostics last pushed, by cell URI
    pending: asyncio.Task | None = None  # its publish, waiting for the debounce

    def cell_uri(self, index: int) -> str | None:
        return self.cells[index].uri if 0 <= index < len(self.cells) else None

    def index_of(self, uri: str) -> int | None:
        return next((i for i, cell in enumerate(self.cells) if cell.uri == uri), None)

    def is_code(self, cell: Cell) -> bool:
        document = self.texts.get(cell.uri)
        return cell.kind == types.NotebookCellKind.Code and document is not None and document.language_id == "python"


class Notebooks:
    """(loop) The open notebooks of a session."""

    def __init__(self, ls: RaylintServer) -> None:
        self.ls = ls
        self.open: dict[str, OpenNotebook] = {}  # by notebook URI
        self.by_module: dict[str, OpenNotebook] = {}  # by the module record's URI
        self.by_cell: dict[str, OpenNotebook] = {}  # by cell URI

    def owns(self, record: OpenDocument) -> OpenNotebook | None:
        notebook = self.by_module.get(record.uri)
        return notebook if notebook is not None and notebook.record is record else None

    # -- sync ---------------------------------------------------------------------------------

    def did_open(self, params: types.DidOpenNotebookDocumentParams) -> None:
        item = params.notebook_document
        if item.uri in self.open:  # opened twice: the first is forgotten
            self._forget(self.open[item.uri])
        texts = {c.uri: Document(c.uri, c.language_id, c.version, c.text) for c in params.cell_text_documents or []}
        cells = [Cell(c.document, c.kind) for c in item.cells or []]
        record = self.ls.open(Document(item.uri + MODULE_FRAGMENT, "python", 0, ""))
        notebook = OpenNotebook(item.uri, item.version, cells, texts, record)
        self.open[item.uri] = self.by_module[record.uri] = notebook
        self._rebuild(notebook)
        self.ls.scheduler.opened(record)
        self.publish_later(notebook, 0)

    def did_change(self, params: types.DidChangeNotebookDocumentParams) -> None:
        notebook = self.open.get(params.notebook_document.uri)
        if notebook is None:
            self.ls.log(f"change to a notebook that is not open: {params.notebook_document.uri}", types.MessageType.Warning)
            return
        notebook.version = params.notebook_document.version
        changes = params.change.cells if params.change is not None else None
        gone: set[str] = set()
        if changes is not None:
            structure = changes.structure
            if structure is not None:
                array = structure.array
                start = min(max(array.start, 0), len(notebook.cells))
                before = {cell.uri for cell in notebook.cells}
                notebook.cells[start : start + max(array.delete_count, 0)] = [Cell(c.document, c.kind) for c in array.cells or []]
                for item in structure.did_open or []:
                    notebook.texts[item.uri] = Document(item.uri, item.language_id, item.version, item.text)
                for identifier in structure.did_close or []:
                    notebook.texts.pop(identifier.uri, None)
                gone = before - {cell.uri for cell in notebook.cells}
            for data in changes.data or []:  # a cell's kind or metadata
                index = notebook.index_of(data.document)
                if index is not None:
                    notebook.cells[index].kind = data.kind
            for content in changes.text_content or []:
                document = notebook.texts.get(content.document.uri)
                if document is None:
                    self.ls.log(f"change to a cell that is not open: {content.document.uri}", types.MessageType.Warning)
                    continue
                for change in content.changes:
                    document.apply(change, self.ls.encoding)
                document.version = content.document.version
        for uri in gone:
            notebook.texts.pop(uri, None)
            self._clear(notebook, uri)
        if self._rebuild(notebook):
            self.ls.scheduler.changed(notebook.record)
        elif gone or (changes is not None and changes.structure is not None):
            # the same module, other cells (a cell replaced by its copy): shown again in them
            self.ls.scheduler.publish_later(notebook.record, 0)
        self.publish_later(notebook)

    def did_save(self, params: types.DidSaveNotebookDocumentParams) -> None:
        self.ls.scheduler.files_may_have_appeared()  # (the saved notebook may be a new one)
        notebook = self.open.get(params.notebook_document.uri)
        if notebook is not None:
            self.publish_later(notebook, 0)

    def did_close(self, params: types.DidCloseNotebookDocumentParams) -> None:
        notebook = self.open.get(params.notebook_document.uri)
        if notebook is None:
            self.ls.scheduler.generation += 1
            return
        self._forget(notebook)

    def _forget(self, notebook: OpenNotebook) -> None:
        del self.open[notebook.uri]
        self.by_module.pop(notebook.record.uri, None)
        for uri in [u for u, n in self.by_cell.items() if n is notebook]:
            del self.by_cell[uri]
        if notebook.pending is not None:
            notebook.pending.cancel()
        record = self.ls.close(notebook.record.uri)
        if record is not None:
            self.ls.scheduler.closed(record)
        for uri in list(notebook.shown):
            self._clear(notebook, uri)

    def _clear(self, notebook: OpenNotebook, uri: str) -> None:
        if self.by_cell.get(uri) is notebook and notebook.index_of(uri) is None:
            del self.by_cell[uri]
        if notebook.shown.pop(uri, None):
            self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def _rebuild(self, notebook: OpenNotebook) -> bool:
        """Build the module of the code cells again; whether its text changed."""
        sources = [(i, notebook.texts[c.uri].text) for i, c in enumerate(notebook.cells) if notebook.is_code(c)]
        view = Notebook.of_cells(sources)
        module, masked = view.module()
        notebook.view, notebook.masked = view, masked
        for cell in notebook.cells:
            self.by_cell[cell.uri] = notebook
        document = notebook.record.document
        if document.text == module:
            return False
        document.text = module
        document.version += 1
        return True

    # -- publishing (always pushed, per cell) -------------------------------------------------

    def publish_later(self, notebook: OpenNotebook, delay_ms: int | None = None) -> None:
        """Push the cells' diagnostics after the debounce. (A pushing client's notebooks are
        published by the scheduler like any document: see `publish`.)"""
        if not self.ls.pull_diagnostics:
            return
        if delay_ms is None:
            delay_ms = self.ls.settings_for(notebook.record.document).debounce
        work = self._publish_later(notebook, delay_ms)
        in_background(notebook, "pending", work, f"checking {notebook.uri}", self.ls.log_error)

    async def _publish_later(self, notebook: OpenNotebook, delay_ms: int) -> None:
        record = notebook.record
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        analysis, settings = await self.ls.scheduler.analysis(record)
        if self.open.get(notebook.uri) is not notebook or analysis is not record.current():
            return  # closed, or changed while we worked: a newer run publishes
        cached = record.result
        self.publish(notebook, cached.callers or analysis, settings)
        self.ls.scheduler.search_later(record, cached)

    def recheck(self) -> None:
        for notebook in list(self.open.values()):
            self.publish_later(notebook, 0)

    def publish(self, notebook: OpenNotebook, analysis: Analysis, settings: Settings) -> None:
        """Push each cell's diagnostics, where they changed (an empty list where they went)."""
        module = notebook.record.document
        by_cell: dict[str, list[types.Diagnostic]] = {}
        for diagnostic in self.ls.diagnostics(module, analysis, settings):
            placed = self._to_cell(notebook, diagnostic.range)
            if placed is None:
                self.ls.log(f"a finding outside the cells of {notebook.uri}: {diagnostic.message}", types.MessageType.Warning)
                continue
            diagnostic.range = placed[1]
            by_cell.setdefault(placed[0], []).append(diagnostic)
        for cell in notebook.cells:
            uri = cell.uri
            diagnostics = by_cell.get(uri, [])
            if notebook.shown.get(uri, []) == diagnostics and (diagnostics or uri in notebook.shown or not notebook.is_code(cell)):
                continue
            notebook.shown[uri] = diagnostics
            document = notebook.texts.get(uri)
            self.ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version if document else None)
            )

    # -- positions ----------------------------------------------------------------------------

    def _to_cell(self, notebook: OpenNotebook, range_: types.Range) -> tuple[str, types.Range] | None:
        """A range in the module (client units) as (cell URI, range in the cell)."""
        module, encoding = notebook.record.document, self.ls.encoding
        core = Range(module.from_client(range_.start, encoding), module.from_client(range_.end, encoding))
        located = notebook.view.locate_range(core)
        if located is None:
            return None
        uri = notebook.cell_uri(located[0])
        document = notebook.texts.get(uri) if uri else None
        if document is None:
            return None
        return uri, document.range_to_client(located[1], encoding)

    def _to_module(self, notebook: OpenNotebook, uri: str, range_: types.Range) -> types.Range | None:
        """A range in a cell (client units) as a range in the module."""
        index, document = notebook.index_of(uri), notebook.texts.get(uri)
        first = notebook.view.first_line(index) if index is not None else None
        if first is None or document is None:
            return None
        module, encoding = notebook.record.document, self.ls.encoding

        def position(at: types.Position) -> types.Position:
            inside = document.from_client(at, encoding)
            return module.to_client(Position(first + inside.line, inside.character), encoding)

        return types.Range(position(range_.start), position(range_.end))

    def location_out(self, location: types.Location) -> types.Location:
        """A location for the client: in a cell, not the module; in a closed notebook, at the
        cell's source in the file."""
        notebook = self.by_module.get(location.uri)
        if notebook is not None:
            placed = self._to_cell(notebook, location.range)
            if placed is not None:
                return types.Location(uri=placed[0], range=placed[1])
            return location
        path = uri_to_path(location.uri)
        if path and path.endswith(".ipynb") and location.uri not in self.open:
            try:
                file = _ClosedNotebook.read(path, self.ls.closed_document(path))
                return types.Location(uri=location.uri, range=file.range_of(location.range, self.ls.encoding))
            except NotebookError:
                pass
        return location

    def diagnostics_out(self, diagnostics: list[types.Diagnostic]) -> list[types.Diagnostic]:
        """Related locations in notebooks, for the client (see `location_out`)."""
        for diagnostic in diagnostics:
            for related in diagnostic.related_information or []:
                if related.location.uri.endswith((".ipynb", MODULE_FRAGMENT)):
                    related.location = self.location_out(related.location)
        return diagnostics

    # -- code actions -------------------------------------------------------------------------

    async def code_actions(self, params: types.CodeActionParams):
        """Code actions asked on a cell: asked on the module, given back in the cell's terms."""
        uri = params.text_document.uri
        notebook = self.by_cell.get(uri)
        if notebook is None:
            return None
        range_ = self._to_module(notebook, uri, params.range)
        if range_ is None:
            return None  # a markdown cell, or one whose text never came
        record = notebook.record
        asked = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=record.uri), range=range_, context=params.context
        )
        return self.actions_out(await actions.code_actions(self.ls, record, asked), notebook)

    def actions_out(self, result: list | None, notebook: OpenNotebook | None = None) -> list | None:
        """Code actions for the client: their diagnostics and edits on the cells, never on a
        module; an action whose edit cannot be put in the cells is dropped (logged)."""
        if not result:
            return result
        kept = []
        for action in result:
            try:
                kept.append(self.action_out(action, notebook))
            except NotebookError as error:
                self.ls.log(f"code action {getattr(action, 'title', '')!r} dropped: {error}", types.MessageType.Warning)
        return kept

    def action_out(self, action: Any, notebook: OpenNotebook | None = None) -> Any:
        if not isinstance(action, types.CodeAction):
            return action
        if action.diagnostics:
            # (copies: one diagnostic object is shared by the actions of a finding)
            action.diagnostics = [copy.copy(d) for d in action.diagnostics]
            for diagnostic in action.diagnostics:
                if notebook is not None:  # a diagnostic of the module: the client has it in the cell
                    placed = self._to_cell(notebook, diagnostic.range)
                    if placed is not None:
                        diagnostic.range = placed[1]
                diagnostic.related_information = [copy.copy(r) for r in diagnostic.related_information or []] or None
            self.diagnostics_out(action.diagnostics)
        if action.edit is not None:
            action.edit = self.edit_out(action.edit)
        return action

    def edit_out(self, edit: types.WorkspaceEdit) -> types.WorkspaceEdit:
        """The edit with every edit to a notebook's module turned into edits of its cells (or, for
        a notebook that is not open, of its file). Raises NotebookError if that cannot be done."""
        if edit.changes:
            changes: dict[str, list[types.TextEdit]] = {}
            for uri, edits in edit.changes.items():
                translated = self._edits_out(uri, None, edits)
                if translated is None:
                    changes.setdefault(uri, []).extend(edits)
                    continue
                for target, (_, cell_edits) in translated.items():
                    changes.setdefault(target, []).extend(cell_edits)
            edit.changes = changes
        if edit.document_changes:
            document_changes = []
            for change in edit.document_changes:
                if not isinstance(change, types.TextDocumentEdit):
                    document_changes.append(change)
                    continue
                identifier = change.text_document
                translated = self._edits_out(identifier.uri, identifier.version, change.edits)
                if translated is None:
                    document_changes.append(change)
                    continue
                for target, (version, cell_edits) in translated.items():
                    document_changes.append(
                        types.TextDocumentEdit(
                            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=target, version=version),
                            edits=cell_edits,
                        )
                    )
            edit.document_changes = document_changes
        return edit

    def _edits_out(self, uri: str, version: int | None, edits: list) -> dict[str, tuple[int | None, list]] | None:
        """Edits (client units) to a notebook's module at `uri`, as edits by URI (with
        versions); None if `uri` is not a notebook's."""
        notebook = self.by_module.get(uri)
        path = uri_to_path(uri)
        if notebook is None and not (path and path.endswith(".ipynb")):
            return None
        if notebook is None and uri.endswith(MODULE_FRAGMENT):
            raise NotebookError(f"{uri}: the notebook was closed")
        annotation = next((e.annotation_id for e in edits if isinstance(e, types.AnnotatedTextEdit)), None)

        def annotated(new: list[types.TextEdit]) -> list:
            if annotation is None:
                return new
            return [types.AnnotatedTextEdit(annotation_id=annotation, range=e.range, new_text=e.new_text) for e in new]

        encoding = self.ls.encoding
        if notebook is None:  # a notebook that is not open: its file's JSON
            if uri in self.open or path in self.ls.by_path:
                raise NotebookError(f"{uri} is open: an edit to its file would be lost or misplaced")
            file = _ClosedNotebook.read(path, self.ls.closed_document(path))
            raw = Document(uri, "json", None, file.raw)
            new_raw = file.notebook.rewritten(_applied(file.module, edits, encoding), file.masked)
            return {uri: (None, annotated(convert.whole_text_edit(raw, new_raw, encoding)))}
        module = notebook.record.document
        if version is not None and version != module.version:
            raise NotebookError("the notebook changed while the fix was made")
        sources = notebook.view.sources(_applied(module, edits, encoding), notebook.masked)
        out: dict[str, tuple[int | None, list]] = {}
        for index, text in sources.items():
            cell_uri = notebook.cell_uri(index)
            document = notebook.texts.get(cell_uri) if cell_uri else None
            if document is None:
                raise NotebookError(f"cell {index} of {notebook.uri} is gone")
            if text != document.text:
                out[cell_uri] = (document.version, annotated(convert.whole_text_edit(document, text, encoding)))
        return out


def _applied(document: Document, edits: list, encoding: str) -> str:
    """The document's text after `edits` (client units, not overlapping)."""
    source, text = document.source, document.text
    spans = []
    for edit in edits:
        start = source.offset(document.from_client(edit.range.start, encoding))
        end = source.offset(document.from_client(edit.range.end, encoding))
        spans.append((min(start, end), max(start, end), edit.new_text))
    spans.sort(key=lambda s: (s[0], s[1]))
    for (_, end, _), (start, _, _) in zip(spans, spans[1:]):
        if start < end:
            raise NotebookError("overlapping edits")
    for start, end, new_text in reversed(spans):
        text = text[:start] + new_text + text[end:]
    return text


@dataclass
class _ClosedNotebook:
    """A notebook file that is not open, with the module its code cells form."""

    raw: str
    notebook: Notebook
    module: Document
    masked: dict[int, str]

    @staticmethod
    def read(path: str, known: Document | None) -> _ClosedNotebook:
        """`known`: the module as the server converted positions in it (the worker's reading):
        edits and locations were made in that text, so the file must still hold it."""
        try:
            raw = read_regular_file(path, MAX_PYTHON_FILE).decode("utf-8")
        except (OSError, ValueError) as error:
            raise NotebookError(f"{path}: {error}") from None
        notebook = Notebook.parse(raw)
        text, masked = notebook.module()
        if known is None or known.text != text:
            raise NotebookError(f"{path} changed on disk")
        return _ClosedNotebook(raw, notebook, Document(Path(path).as_uri(), "python", None, text), masked)

    def range_of(self, range_: types.Range, encoding: str) -> types.Range:
        """Where the cell of a module range is in the file: the start of its `source`."""
        start = self.module.from_client(range_.start, encoding)
        located = self.notebook.locate(start)
        cell = next((c for c in self.notebook.cells if located and c.index == located[0]), None)
        offset = cell.start if cell is not None else 0
        line = self.raw.count("\n", 0, offset)
        column = offset - (self.raw.rfind("\n", 0, offset) + 1)
        raw = Document("", "json", None, self.raw)
        position = raw.to_client(Position(line, column), encoding)
        return types.Range(position, position)


__all__ = ["MODULE_FRAGMENT", "Notebooks", "SYNC_OPTIONS"]
