"""Quick fixes that update callers in other files: one WorkspaceEdit across files, over LSP.

(The name is not `test_callers.py`: tests/cli has a module of that subject, and pytest's
default import mode wants test module basenames unique across folders without __init__.py.)
"""

from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_support import SERVER, Editor, apply_text_edits, accept_registrations

TASKS = """\
import ray


@ray.remote
def load(i):
    return ray.put(i * 10)


@ray.remote
def label(i):
    return ray.put(f"label-{i}")
"""
LOAD_LINE, LABEL_LINE = 5, 10
TASKS_LOAD_FIXED = TASKS.replace("return ray.put(i * 10)", "return i * 10")
TASKS_LABEL_FIXED = TASKS.replace('return ray.put(f"label-{i}")', 'return f"label-{i}"')

CALLER = """\
import ray

from tasks import label, load


def main():
    print("é", ray.get(ray.get(load.remote(1))))
    ref = ray.get(load.remote(2))
    print(ray.get(ref), ray.get(ray.get(label.remote(3))))
"""
CALLER_LOAD_FIXED = CALLER.replace("ray.get(ray.get(load.remote(1)))", "ray.get(load.remote(1))").replace(
    "ref = ray.get(load.remote(2))", "ref = load.remote(2)"
)
# label's outer refs passed on and stored: to review
OTHER = """\
import ray

from tasks import label


def use(kind):
    kind.remote(label.remote(4))
    return {"a": label.remote(5)}
"""


def cursor(line: int) -> types.Range:
    return types.Range(types.Position(line, 12), types.Position(line, 12))


async def fix_action(editor: Editor, uri: str, line: int, title: str, wait_for: str = "") -> types.CodeAction:
    """The quick fix starting with `title` at `line`; if `wait_for`, asked again until its
    title has it (call sites are found in the background, after the diagnostics)."""
    await editor.diagnostics(uri)
    for _ in range(100):
        actions = await editor.code_actions(uri, cursor(line))
        action = next(a for a in actions if a.title.startswith(title))
        if wait_for in action.title:
            return action
        await asyncio.sleep(0.1)
    return action


def caller_edits(edit: types.WorkspaceEdit, uri: str) -> tuple[list, int | None]:
    """The edits for `uri` and the version they name (None: not versioned, or not open)."""
    if edit.document_changes:
        (change,) = [c for c in edit.document_changes if c.text_document.uri == uri]
        return list(change.edits), change.text_document.version
    return list(edit.changes[uri]), None


def uris_of(edit: types.WorkspaceEdit) -> list[str]:
    if edit.document_changes:
        return [c.text_document.uri for c in edit.document_changes]
    return list(edit.changes)


async def test_fix_updates_a_caller_in_an_unopened_file(editor: Editor):
    root = editor.client.workspace_root
    (root / "main.py").write_text(CALLER)
    caller_uri = (root / "main.py").as_uri()
    uri = editor.open("tasks.py", TASKS)
    action = await fix_action(editor, uri, LOAD_LINE, "Return the value directly")
    assert "to review" not in action.title
    assert (action.edit is None) == lazy(editor)  # deferred to codeAction/resolve where the client can
    edit = await editor.edit_of(action)
    assert sorted(uris_of(edit)) == sorted([uri, caller_uri])
    if editor.client.capabilities.workspace.workspace_edit.document_changes:
        versions = {c.text_document.uri: c.text_document.version for c in edit.document_changes}
        assert versions == {uri: 1, caller_uri: None}
        assert all(isinstance(c, types.TextDocumentEdit) for c in edit.document_changes)
    else:
        assert edit.document_changes is None
    assert editor.apply(uri, TASKS, edit) == TASKS_LOAD_FIXED
    edits, _ = caller_edits(edit, caller_uri)
    assert apply_text_edits(CALLER, edits, editor.encoding) == CALLER_LOAD_FIXED
    assert (root / "main.py").read_text() == CALLER  # the server only proposes


@pytest.mark.any_profile
async def test_fix_updates_a_caller_in_a_python_script_without_a_suffix(editor: Editor):
    """`bin/run_job` (first line `#!/usr/bin/env python3`) is no module, but it calls the task."""
    root = editor.client.workspace_root
    (root / "bin").mkdir()
    (root / "bin" / "run_job").write_text("#!/usr/bin/env python3\n" + CALLER)
    script_uri = (root / "bin" / "run_job").as_uri()
    uri = editor.open("tasks.py", TASKS)
    action = await fix_action(editor, uri, LOAD_LINE, "Return the value directly")
    assert "to review" not in action.title
    edit = await editor.edit_of(action)
    assert sorted(uris_of(edit)) == sorted([uri, script_uri])
    edits, _ = caller_edits(edit, script_uri)
    assert apply_text_edits("#!/usr/bin/env python3\n" + CALLER, edits, editor.encoding) == "#!/usr/bin/env python3\n" + CALLER_LOAD_FIXED


def is_pull(editor: Editor) -> bool:
    return editor.pull


def lazy(editor: Editor) -> bool:
    """Does the client resolve code actions (so the menu's titles come from the background)?"""
    return editor.client.capabilities.text_document.code_action.resolve_support is not None


async def settle(editor: Editor) -> None:
    """Open a clean document and wait for its diagnostics: the server has its settings."""
    warm = editor.open("warm.py", "x = 1\n")
    await editor.diagnostics(warm)


async def test_unsafe_fix_counts_its_call_sites_and_asks_for_confirmation(editor: Editor):
    root = editor.client.workspace_root
    (root / "main.py").write_text(CALLER)
    (root / "other.py").write_text(OTHER)
    await settle(editor)
    uri = editor.open("tasks.py", TASKS)
    action = await fix_action(editor, uri, LABEL_LINE, "Return the value directly", wait_for="to review")
    assert action.title == "Return the value directly instead of a ray.put() ref (2 call sites to review)"
    workspace_edit = editor.client.capabilities.workspace.workspace_edit
    # bounded: a server that cannot send its answer leaves the request unanswered
    edit = await asyncio.wait_for(editor.edit_of(action), timeout=20)
    # the call site it can rewrite is rewritten; the ones to review are not touched
    assert (root / "other.py").as_uri() not in uris_of(edit)
    edits, _ = caller_edits(edit, (root / "main.py").as_uri())
    fixed = apply_text_edits(CALLER, edits, editor.encoding)
    assert fixed == CALLER.replace("ray.get(ray.get(label.remote(3)))", "ray.get(label.remote(3))")
    assert editor.apply(uri, TASKS, edit) == TASKS_LABEL_FIXED
    if workspace_edit.document_changes and workspace_edit.change_annotation_support:
        assert len(edit.change_annotations) == 1
        ((name, annotation),) = edit.change_annotations.items()
        assert annotation.needs_confirmation is True
        assert annotation.description == "2 call sites must be updated by hand"
        all_edits = [e for change in edit.document_changes for e in change.edits]
        assert all(isinstance(e, types.AnnotatedTextEdit) and e.annotation_id == name for e in all_edits)
    else:
        assert not edit.change_annotations


async def test_safe_fix_asks_for_no_confirmation(editor: Editor):
    root = editor.client.workspace_root
    (root / "main.py").write_text(CALLER)
    uri = editor.open("tasks.py", TASKS)
    edit = await editor.edit_of(await fix_action(editor, uri, LOAD_LINE, "Return the value directly"))
    assert not edit.change_annotations
    if edit.document_changes:
        assert not any(isinstance(e, types.AnnotatedTextEdit) for c in edit.document_changes for e in c.edits)


async def test_an_open_caller_is_rewritten_from_its_unsaved_text(editor: Editor):
    root = editor.client.workspace_root
    await settle(editor)
    caller_uri = editor.open("main.py", CALLER)
    # unsaved: two lines more above the calls, and the first call moved along its line
    unsaved = CALLER.replace("def main():\n", "def main():\n    # not saved yet\n    pass\n").replace(
        'print("é", ', 'print("é", "è", '
    )
    editor.change(caller_uri, types.TextDocumentContentChangeWholeDocument(text=unsaved))
    assert (root / "main.py").read_text() == CALLER
    uri = editor.open("tasks.py", TASKS)
    edit = await editor.edit_of(await fix_action(editor, uri, LOAD_LINE, "Return the value directly"))
    edits, version = caller_edits(edit, caller_uri)
    if edit.document_changes:
        assert version == editor.versions[caller_uri] == 2
    expected = unsaved.replace("ray.get(ray.get(load.remote(1)))", "ray.get(load.remote(1))").replace(
        "ref = ray.get(load.remote(2))", "ref = load.remote(2)"
    )
    assert editor.apply(caller_uri, unsaved, edit) == expected
    assert apply_text_edits(unsaved, edits, editor.encoding) == expected


async def test_stale_resolve_gives_no_edit(editor: Editor):
    """The task file changed after the menu was shown: no edit rather than a misplaced one."""
    if editor.client.capabilities.text_document.code_action.resolve_support is None:
        pytest.skip("client without codeAction/resolve")
    (editor.client.workspace_root / "main.py").write_text(CALLER)
    uri = editor.open("tasks.py", TASKS)
    action = await fix_action(editor, uri, LOAD_LINE, "Return the value directly")
    editor.change(uri, types.TextDocumentContentChangeWholeDocument(text="# moved on\n" + TASKS))
    resolved = await editor.client.code_action_resolve_async(action)
    assert resolved.edit is None


@pytest.mark.fresh_server
@pytest.mark.profiles("emacs", "neovim@v0.11.0")
async def test_titles_count_call_sites_for_a_document_opened_at_startup(editor: Editor):
    root = editor.client.workspace_root
    (root / "other.py").write_text(OTHER)
    uri = editor.open("tasks.py", TASKS)
    action = await fix_action(editor, uri, LABEL_LINE, "Return the value directly", wait_for="to review")
    assert action.title.endswith("(2 call sites to review)")


async def test_call_sites_to_review_are_related_locations_in_their_own_file(editor: Editor):
    root = editor.client.workspace_root
    (root / "other.py").write_text(OTHER)
    await settle(editor)
    uri = editor.open("tasks.py", TASKS)
    await fix_action(editor, uri, LABEL_LINE, "Return the value directly", wait_for="to review")
    if is_pull(editor):
        diagnostics = await editor.diagnostics(uri)
    else:
        diagnostics = editor.client.diagnostics[uri]  # the last published: the review list is in
    (label,) = [d for d in diagnostics if "`label`" in d.message]
    reviews = [r for r in label.related_information or [] if r.message.startswith("call site to review")]
    other = (root / "other.py").as_uri()
    lines = OTHER.splitlines()
    expected = sorted(
        (other, number, lines[number].index(needle))
        for number, needle in [(6, "label.remote(4)"), (7, "label.remote(5)")]
    )
    found = sorted((r.location.uri, r.location.range.start.line, r.location.range.start.character) for r in reviews)
    assert found == expected


async def test_a_call_site_to_review_is_placed_in_its_own_files_columns(editor: Editor):
    """Columns of a call site in another file count that file's characters (UTF-16 units,
    UTF-8 bytes... as negotiated), not those of the task's file."""
    root = editor.client.workspace_root
    wide = OTHER.replace("kind.remote(label.remote(4))", 'kind.remote("🙂 é", label.remote(4))')
    (root / "other.py").write_text(wide, encoding="utf-8")
    await settle(editor)
    uri = editor.open("tasks.py", TASKS)
    await fix_action(editor, uri, LABEL_LINE, "Return the value directly", wait_for="to review")
    diagnostics = await editor.diagnostics(uri) if is_pull(editor) else editor.client.diagnostics[uri]
    (label,) = [d for d in diagnostics if "`label`" in d.message]
    line = wide.splitlines()[6]
    (review,) = [r for r in label.related_information if r.location.range.start.line == 6]
    assert review.location.uri == (root / "other.py").as_uri()
    start = line.index("label.remote(4)")
    end = start + len("label.remote(4)")
    assert (review.location.range.start.character, review.location.range.end.character) == (
        editor.column(line, start),
        editor.column(line, end),
    )


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def refreshing(lsp_client: LanguageClient, tmp_path):
    """A pull-diagnostics client that supports workspace/diagnostic/refresh (as VS Code does)."""
    capabilities = client_capabilities("neovim@v0.11.0")
    capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    lsp_client.workspace_root = tmp_path
    accept_registrations(lsp_client)
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
            initialization_options={"debounce": 0},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_a_pulling_client_is_asked_to_pull_again_once_call_sites_are_found(refreshing: LanguageClient):
    editor = Editor(refreshing)
    root = refreshing.workspace_root
    (root / "other.py").write_text(OTHER)
    await settle(editor)
    refreshes = refreshing.diagnostic_refresh_count
    uri = editor.open("tasks.py", TASKS)
    (first,) = [d for d in await editor.diagnostics(uri) if "`label`" in d.message]
    for _ in range(100):  # the search runs in the background, after the first pull
        if refreshing.diagnostic_refresh_count > refreshes:
            break
        await asyncio.sleep(0.1)
    assert refreshing.diagnostic_refresh_count > refreshes
    (label,) = [d for d in await editor.diagnostics(uri) if "`label`" in d.message]
    reviews = [r for r in label.related_information if r.message.startswith("call site to review")]
    assert sorted(r.location.range.start.line for r in reviews) == [6, 7]
    assert not [r for r in first.related_information or [] if r.message.startswith("call site to review")]


async def test_a_caller_opened_before_its_task_file_existed_is_rewritten(editor: Editor):
    """The caller's import of `tasks` was looked up while tasks.py did not exist yet: the new
    file must be found afterwards (a remembered miss once dropped every caller edit)."""
    caller_uri = editor.open("main.py", CALLER)
    await editor.diagnostics(caller_uri)  # main.py analysed: `tasks` looked up, not found
    uri = editor.open("tasks.py", TASKS)
    edit = await editor.edit_of(await fix_action(editor, uri, LOAD_LINE, "Return the value directly"))
    edits, _ = caller_edits(edit, caller_uri)
    assert apply_text_edits(CALLER, edits, editor.encoding) == CALLER_LOAD_FIXED


async def test_a_caller_in_an_excluded_file_is_to_review_and_not_edited(editor: Editor):
    root = editor.client.workspace_root
    (root / "pyproject.toml").write_text('[tool.raylint]\nexclude = ["generated/**"]\n')
    (root / "generated").mkdir()
    (root / "generated" / "client.py").write_text(CALLER)
    await settle(editor)
    uri = editor.open("tasks.py", TASKS)
    action = await fix_action(editor, uri, LOAD_LINE, "Return the value directly", wait_for="to review")
    # both of load's call sites in the excluded file would need an edit: both are to review
    assert action.title.endswith("(2 call sites to review)")
    edit = await asyncio.wait_for(editor.edit_of(action), timeout=20)
    assert uris_of(edit) == [uri]
    assert editor.apply(uri, TASKS, edit) == TASKS_LOAD_FIXED


@pytest.mark.fresh_server
@pytest.mark.any_profile
async def test_a_new_workspace_folder_is_where_modules_are_found(editor: Editor, tmp_path_factory):
    """After workspace/didChangeWorkspaceFolders, modules are looked up in the new folders (the
    module index once kept the first ones: `tasks` stayed the old folder's tasks.py, and the
    fix of the new folder's task left its caller as it was)."""
    client = editor.client
    old, new = client.workspace_root, tmp_path_factory.mktemp("new-folder")
    (old / "tasks.py").write_text(TASKS)
    await editor.diagnostics(editor.open("warm.py", "x = 1\n"))  # (the first folder is in use)
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=new.as_uri(), name="new")],
                removed=[types.WorkspaceFolder(uri=old.as_uri(), name="ws")],
            )
        )
    )
    client.workspace_root = new
    caller_uri = editor.open("main.py", CALLER)
    await editor.diagnostics(caller_uri)  # `tasks` looked up: not in the new folder yet
    uri = editor.open("tasks.py", TASKS)
    edit = await editor.edit_of(await fix_action(editor, uri, LOAD_LINE, "Return the value directly"))
    edits, _ = caller_edits(edit, caller_uri)
    assert apply_text_edits(CALLER, edits, editor.encoding) == CALLER_LOAD_FIXED
