"""Jupyter notebooks in the language server (issue 12): notebookDocument/* as VS Code sends them;
the code cells are one module, diagnostics go to each cell's document with cell-relative
positions, fixes edit the cells (and callers in other cells), the cells' order and number follow
the notebook's edits."""

from __future__ import annotations

import asyncio
import json

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_support import SERVER, Editor, accept_registrations, apply_text_edits

# push + UTF-16 + resolve (VS Code), pull + UTF-8 (Neovim 0.11), UTF-32 and no versioned edits (Emacs)
PROFILES = ["visual_studio_code", "neovim@v0.11.0", "emacs"]
CODE, MARKUP = types.NotebookCellKind.Code, types.NotebookCellKind.Markup

TASK = "import ray\n\n@ray.remote\ndef load(x):\n    return ray.put(x)\n"
CALLER = "print(ray.get(ray.get(load.remote(1))))"


def capabilities(profile: str) -> types.ClientCapabilities:
    found = client_capabilities(profile)
    # (pytest-lsp's profiles predate notebooks: the sync capability every notebook client sends)
    found.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities(dynamic_registration=True, execution_summary_support=True)
    )
    return found


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=PROFILES)
async def client(lsp_client: LanguageClient, request, tmp_path):
    lsp_client.workspace_root = tmp_path
    lsp_client.profile = request.param
    accept_registrations(lsp_client)
    folder = types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(request.param),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[folder],
            initialization_options={"debounce": 0},
        )
    )
    yield
    await lsp_client.shutdown_session()


class NotebookEditor(Editor):
    """An editor with a notebook open, sending what VS Code sends."""

    def __init__(self, client: LanguageClient):
        super().__init__(client)
        self.latest: dict[str, list[types.Diagnostic]] = {}
        self.changed = asyncio.Event()
        features = self.client.protocol.fm.features
        recorded = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

        def latest(params: types.PublishDiagnosticsParams):
            self.latest[params.uri] = list(params.diagnostics)
            self.changed.set()
            return recorded(params)

        features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = latest
        self.notebook_version = 0
        self.cell_count = 0
        self.cells: list[str] = []  # cell URIs in order
        self.texts: dict[str, str] = {}
        self.kinds: dict[str, int] = {}

    def cell(self, text: str, kind: int = CODE) -> tuple[types.NotebookCell, types.TextDocumentItem]:
        self.cell_count += 1
        uri = f"vscode-notebook-cell:{self.path}#W{self.cell_count}sZmlsZQ%3D%3D"
        self.texts[uri], self.kinds[uri], self.versions[uri] = text, kind, 1
        language = "python" if kind == CODE else "markdown"
        return types.NotebookCell(kind=kind, document=uri), types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)

    def open_notebook(self, name: str, cells: list, on_disk: bool = True) -> list[str]:
        self.path = self.client.workspace_root / name
        if on_disk:
            self.path.write_text(notebook_json([text if kind == CODE else None for kind, text in cells]))
        self.uri = self.path.as_uri()
        made = [self.cell(text, kind) for kind, text in cells]
        self.cells = [c.document for c, _ in made]
        self.notebook_version = 1
        self.client.notebook_document_did_open(
            types.DidOpenNotebookDocumentParams(
                notebook_document=types.NotebookDocument(
                    uri=self.uri, notebook_type="jupyter-notebook", version=1, cells=[c for c, _ in made]
                ),
                cell_text_documents=[item for _, item in made],
            )
        )
        return list(self.cells)

    def _change(self, cells: types.NotebookDocumentCellChanges) -> None:
        self.notebook_version += 1
        self.client.notebook_document_did_change(
            types.DidChangeNotebookDocumentParams(
                notebook_document=types.VersionedNotebookDocumentIdentifier(version=self.notebook_version, uri=self.uri),
                change=types.NotebookDocumentChangeEvent(cells=cells),
            )
        )

    def edit_cell(self, uri: str, text: str) -> None:
        """Replace the cell's text (one whole-range change, as a paste does)."""
        old = self.texts[uri]
        lines = old.split("\n")
        end = types.Position(len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2 if self.encoding == "utf-16" else len(lines[-1].encode("utf-8")) if self.encoding == "utf-8" else len(lines[-1]))
        self.texts[uri] = text
        self.versions[uri] += 1
        change = types.TextDocumentContentChangePartial(range=types.Range(types.Position(0, 0), end), text=text)
        self._change(
            types.NotebookDocumentCellChanges(
                text_content=[
                    types.NotebookDocumentCellContentChanges(
                        document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]), changes=[change]
                    )
                ]
            )
        )

    def splice(self, start: int, delete: int, new: list[tuple[int, str]] = (), moved: list[str] = ()) -> list[str]:
        """Cells [start, start + delete) replaced by `new` cells (opened) and `moved` ones (kept
        open: a move is a delete and an insert of the same document, as VS Code sends it)."""
        made = [self.cell(text, kind) for kind, text in new]
        inserted = [types.NotebookCell(kind=self.kinds[uri], document=uri) for uri in moved] + [c for c, _ in made]
        removed = self.cells[start : start + delete]
        self.cells[start : start + delete] = [c.document for c in inserted]
        closed = [uri for uri in removed if uri not in self.cells]
        self._change(
            types.NotebookDocumentCellChanges(
                structure=types.NotebookDocumentCellChangeStructure(
                    array=types.NotebookCellArrayChange(start=start, delete_count=delete, cells=inserted),
                    did_open=[item for _, item in made],
                    did_close=[types.TextDocumentIdentifier(uri=uri) for uri in closed],
                )
            )
        )
        return [c.document for c, _ in made]

    def close_notebook(self) -> None:
        self.client.notebook_document_did_close(
            types.DidCloseNotebookDocumentParams(
                notebook_document=types.NotebookDocumentIdentifier(uri=self.uri),
                cell_text_documents=[types.TextDocumentIdentifier(uri=uri) for uri in self.cells],
            )
        )

    async def settle(self, condition, timeout: float = 30) -> None:
        """Wait until `condition()` holds over the latest pushed diagnostics."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            self.changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"diagnostics never settled: {self.summary()}")
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def summary(self) -> dict:
        return {uri[-12:]: [(d.code, d.range.start.line, d.range.start.character) for d in ds] for uri, ds in self.latest.items()}

    def codes(self, uri: str) -> list:
        return [(d.code, d.range.start.line) for d in self.latest.get(uri) or []]

    def apply_edit(self, edit: types.WorkspaceEdit) -> set[str]:
        """Apply a workspace edit to the cells (checking versions); the URIs it edited."""
        if edit.document_changes:
            by_uri = {}
            for change in edit.document_changes:
                uri = change.text_document.uri
                assert uri in self.texts, f"an edit to {uri}, not a cell"
                assert change.text_document.version == self.versions[uri], "edit for another version"
                by_uri[uri] = change.edits
        else:
            by_uri = dict(edit.changes)
        for uri, edits in by_uri.items():
            assert uri in self.texts, f"an edit to {uri}, not a cell"
            self.edit_cell(uri, apply_text_edits(self.texts[uri], edits, self.encoding))
        return set(by_uri)


def notebook_json(sources: list[str | None]) -> str:
    cells = []
    for source in sources:
        if source is None:
            cells.append({"cell_type": "markdown", "metadata": {}, "source": ["# Notes"]})
        else:
            cells.append(
                {
                    "cell_type": "code",
                    "execution_count": 1,
                    "metadata": {},
                    "outputs": [{"name": "stdout", "output_type": "stream", "text": ["ok\n"]}],
                    "source": source.splitlines(keepends=True),
                }
            )
    notebook = {"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1) + "\n"


@pytest.fixture
def editor(client: LanguageClient) -> NotebookEditor:
    return NotebookEditor(client)


def at_line(diagnostics: list[types.Diagnostic], line: int) -> types.Range:
    return next(d.range for d in diagnostics if d.range.start.line == line)


@pytest.mark.asyncio
async def test_capability_names_jupyter_notebooks_with_python_cells(client, editor):
    sync = client.initialize_result.capabilities.notebook_document_sync
    assert sync is not None and sync.save
    (selector,) = sync.notebook_selector
    assert selector.notebook == "jupyter-notebook"
    assert [c.language for c in selector.cells] == ["python"]


@pytest.mark.asyncio
async def test_diagnostics_go_to_each_cell_with_cell_relative_positions(client, editor):
    markdown, task, caller = editor.open_notebook("nb.ipynb", [(MARKUP, "# Loading"), (CODE, TASK), (CODE, CALLER)])
    await editor.settle(lambda: editor.codes(task))
    (diagnostic,) = editor.latest[task]
    assert diagnostic.code == "RAY001"
    line = "    return ray.put(x)"
    assert diagnostic.range.start == types.Position(4, editor.column(line, line.index("ray.put")))
    assert not editor.latest.get(caller) and not editor.latest.get(markdown)
    # nothing is said of the notebook itself or of anything but its cells
    assert set(editor.latest) <= {task, caller}
    if editor.pull:  # cells' diagnostics are pushed; a pull of a cell has none (no duplicates)
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=task))
        )
        assert list(report.items) == []
    # the call site in the other cell is the related location, in that cell
    await editor.settle(lambda: any(r.location.uri == caller for d in editor.latest[task] for r in d.related_information or []) or True)
    for d in editor.latest[task]:
        for related in d.related_information or []:
            assert related.location.uri in (task, caller)


@pytest.mark.asyncio
async def test_an_emoji_before_the_column_counts_in_the_negotiated_units(client, editor):
    line = "    s = '😀🐍'; return ray.put(x)"
    (task,) = editor.open_notebook("nb.ipynb", [(CODE, "import ray\n@ray.remote\ndef load(x):\n" + line + "\n")])
    await editor.settle(lambda: editor.codes(task))
    (diagnostic,) = editor.latest[task]
    assert diagnostic.range.start == types.Position(3, editor.column(line, line.index("ray.put")))
    assert diagnostic.range.end == types.Position(3, editor.column(line, line.index(")") + 1))
    # asked at that range (the cell's units, back into the module's), the fix edits the cell right
    actions = await editor.code_actions(task, diagnostic.range, [diagnostic])
    preferred = next(a for a in actions if a.is_preferred)
    editor.apply_edit(await editor.edit_of(preferred))
    assert editor.texts[task].splitlines()[3] == "    s = '😀🐍'; return x"


@pytest.mark.asyncio
async def test_quick_fix_edits_the_task_cell_and_the_caller_in_another_cell(client, editor):
    task, caller = editor.open_notebook("nb.ipynb", [(CODE, TASK), (CODE, CALLER)])
    await editor.settle(lambda: editor.codes(task))
    (diagnostic,) = editor.latest[task]
    actions = await editor.code_actions(task, diagnostic.range, [diagnostic])
    preferred = next(a for a in actions if a.is_preferred)
    assert "review" not in preferred.title and "not all searched" not in preferred.title, preferred.title
    assert [d.range for d in preferred.diagnostics] == [diagnostic.range]  # the cell's, not the module's
    edit = await editor.edit_of(preferred)
    assert not edit.change_annotations  # safe: every caller is in the notebook, and was found
    assert editor.apply_edit(edit) == {task, caller}
    assert editor.texts[task] == TASK.replace("return ray.put(x)", "return x")
    assert editor.texts[caller] == "print(ray.get(load.remote(1)))"
    await editor.settle(lambda: not editor.latest.get(task))


@pytest.mark.asyncio
async def test_suppress_and_fix_all_edit_the_cells(client, editor):
    _, task, caller = editor.open_notebook("nb.ipynb", [(CODE, "%pip install ray\n!ls"), (CODE, TASK), (CODE, CALLER)])
    await editor.settle(lambda: editor.codes(task))
    (diagnostic,) = editor.latest[task]
    actions = await editor.code_actions(task, diagnostic.range, [diagnostic])
    suppress = next(a for a in actions if a.title.startswith("Suppress"))
    edit = await editor.edit_of(suppress)
    assert editor.apply_edit(edit) == {task}
    assert "    return ray.put(x)  # noqa: RAY001\n" in editor.texts[task]
    await editor.settle(lambda: not editor.latest.get(task))
    editor.edit_cell(task, TASK)
    await editor.settle(lambda: editor.codes(task))
    (fix_all,) = await editor.code_actions(caller, types.Range(types.Position(0, 0), types.Position(0, 0)), only=["source.fixAll.raylint"])
    edit = await editor.edit_of(fix_all)
    assert editor.apply_edit(edit) == {task, caller}
    assert editor.texts[caller] == "print(ray.get(load.remote(1)))"
    assert "return x" in editor.texts[task]
    assert editor.texts[editor.cells[0]] == "%pip install ray\n!ls"  # the magics as they were


@pytest.mark.asyncio
async def test_cells_added_removed_and_moved_keep_diagnostics_in_their_cells(client, editor):
    task, caller = editor.open_notebook("nb.ipynb", [(CODE, TASK), (CODE, CALLER)])
    await editor.settle(lambda: editor.codes(task) == [("RAY001", 4)])
    # a cell added above: the finding stays at its line in its cell
    (first,) = editor.splice(0, 0, [(CODE, "x = 1\n")])
    # a finding typed into a new cell at the end
    (second,) = editor.splice(3, 0, [(CODE, "@ray.remote\ndef two():\n    return ray.put(2)\n")])
    await editor.settle(lambda: editor.codes(second) == [("RAY001", 2)] and editor.codes(task) == [("RAY001", 4)])
    assert not editor.latest.get(first)
    # moved: the task's cell goes last; its finding goes with it
    editor.splice(1, 2, moved=[caller, task])  # (one array change, as VS Code sends a move)
    assert editor.cells == [first, caller, task, second]
    await editor.settle(lambda: editor.codes(task) == [("RAY001", 4)] and editor.codes(second) == [("RAY001", 2)])
    # removed: its diagnostics are cleared
    editor.splice(3, 1)
    await editor.settle(lambda: editor.latest.get(second) == [])
    # a cell whose text fixes the finding
    editor.edit_cell(task, TASK.replace("ray.put(x)", "x"))
    await editor.settle(lambda: editor.latest.get(task) == [])


@pytest.mark.asyncio
async def test_closing_the_notebook_clears_its_cells(client, editor):
    task, _ = editor.open_notebook("nb.ipynb", [(CODE, TASK), (CODE, CALLER)])
    await editor.settle(lambda: editor.codes(task))
    editor.close_notebook()
    await editor.settle(lambda: editor.latest.get(task) == [])
    # and it is gone: code actions on its cells offer nothing
    assert await editor.code_actions(task, types.Range(types.Position(4, 0), types.Position(4, 0))) == []


@pytest.mark.asyncio
async def test_a_module_task_called_in_an_open_notebook_rewrites_the_cell(client, editor):
    module = editor.open("tasks.py", TASK)
    (caller,) = editor.open_notebook("nb.ipynb", [(CODE, "import ray\nfrom tasks import load\n" + CALLER)])
    diagnostics = await editor.diagnostics(module)
    (diagnostic,) = diagnostics
    actions = await editor.code_actions(module, diagnostic.range, [diagnostic])
    preferred = next(a for a in actions if a.is_preferred)
    edit = await editor.edit_of(preferred)
    changes = edit.document_changes or []
    uris = {c.text_document.uri for c in changes} if changes else set(edit.changes)
    assert uris == {module, caller}
    new_cell = apply_text_edits(
        editor.texts[caller],
        next(c.edits for c in changes if c.text_document.uri == caller) if changes else edit.changes[caller],
        editor.encoding,
    )
    assert new_cell.endswith("print(ray.get(load.remote(1)))")


@pytest.mark.asyncio
async def test_a_caller_in_a_closed_notebook_is_edited_in_its_file(client, editor):
    original = notebook_json([None, "import ray\nfrom tasks import load\n" + CALLER])
    (client.workspace_root / "closed.ipynb").write_text(original)
    module = editor.open("tasks.py", TASK)
    (diagnostic,) = await editor.diagnostics(module)
    preferred = next(a for a in await editor.code_actions(module, diagnostic.range, [diagnostic]) if a.is_preferred)
    edit = await editor.edit_of(preferred)
    uri = (client.workspace_root / "closed.ipynb").as_uri()
    edits = next(c.edits for c in edit.document_changes if c.text_document.uri == uri) if edit.document_changes else edit.changes[uri]
    fixed = json.loads(apply_text_edits(original, edits, editor.encoding))
    before = json.loads(original)
    assert "".join(fixed["cells"][1]["source"]).endswith("print(ray.get(load.remote(1)))")
    assert fixed["cells"][1]["outputs"] == before["cells"][1]["outputs"]
    assert fixed["cells"][0] == before["cells"][0]


@pytest.mark.parametrize(
    "name, text",
    [
        ("other.ipynb", notebook_json(["%run ./nb.ipynb\nprint(ray.get(load.remote(1)))"])),
        ("hooked.py", "import import_ipynb\nimport nb\nprint(ray.get(nb.load.remote(1)))\n"),
    ],
    ids=["run-magic", "import-hook"],
)
@pytest.mark.asyncio
async def test_a_notebook_run_or_imported_elsewhere_has_its_caller_changing_fixes_to_review(client, editor, name, text):
    (client.workspace_root / name).write_text(text)
    (task,) = editor.open_notebook("nb.ipynb", [(CODE, TASK)])
    await editor.settle(lambda: editor.codes(task))
    (diagnostic,) = editor.latest[task]
    actions = await editor.code_actions(task, diagnostic.range, [diagnostic])
    await editor.edit_of(next(a for a in actions if a.is_preferred))  # (the call sites are searched by now)
    actions = await editor.code_actions(task, diagnostic.range, [diagnostic])
    preferred = next(a for a in actions if a.is_preferred)
    assert "not all searched" in preferred.title
    edit = await editor.edit_of(preferred)
    if edit.change_annotations:  # (a client that asks the user to confirm: it says why)
        assert f"{name} may run or import this notebook" in edit.change_annotations["raylint.review"].description
    (fix_all,) = await editor.code_actions(task, diagnostic.range, only=["source.fixAll.raylint"])
    fixed = await editor.edit_of(fix_all)
    assert not (fixed.document_changes or fixed.changes)  # Fix all leaves it


@pytest.mark.asyncio
async def test_malformed_notebook_messages_are_logged_and_the_server_goes_on(client, editor):
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri="file:///nowhere.ipynb"),
            change=types.NotebookDocumentChangeEvent(),
        )
    )
    task, _ = editor.open_notebook("nb.ipynb", [(CODE, TASK), (CODE, CALLER)])
    # a splice past the end, a change to a cell that does not exist, a close of nothing
    editor._change(
        types.NotebookDocumentCellChanges(
            structure=types.NotebookDocumentCellChangeStructure(
                array=types.NotebookCellArrayChange(start=99, delete_count=5, cells=[]),
                did_close=[types.TextDocumentIdentifier(uri="vscode-notebook-cell:/nope#x")],
            ),
            text_content=[
                types.NotebookDocumentCellContentChanges(
                    document=types.VersionedTextDocumentIdentifier(uri="vscode-notebook-cell:/nope#y", version=3),
                    changes=[types.TextDocumentContentChangeWholeDocument(text="x")],
                )
            ],
        )
    )
    client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(notebook_document=types.NotebookDocumentIdentifier(uri="file:///other.ipynb"), cell_text_documents=[])
    )
    await editor.settle(lambda: editor.codes(task) == [("RAY001", 4)])
    assert any("not open" in m.message for m in client.log_messages)
