"""Settings: initializationOptions, workspace/configuration, didChangeConfiguration and
[tool.raylint] in pyproject.toml, per workspace folder."""

from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_support import SERVER, Editor, accept_registrations

SOURCE = "import ray\n\n@ray.remote\ndef f(x):\n    return ray.put(x)\n"


def configurable(editor: Editor) -> bool:
    return bool(editor.client.capabilities.workspace and editor.client.capabilities.workspace.configuration)


async def reconfigure(editor: Editor, values: dict, scope: str = "") -> None:
    if configurable(editor):
        editor.client.set_configuration(values, section="raylint", scope_uri=scope or None)
        editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    else:  # clients without workspace/configuration push the settings themselves
        editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"raylint": values}))


@pytest.mark.fresh_server
@pytest.mark.profiles("neovim@v0.7.0", "neovim@v0.11.0", "visual_studio_code")
async def test_severity_setting_changes_published_severity(editor: Editor):
    uri = editor.open("a.py", SOURCE)
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    await reconfigure(editor, {"severity": "error"})
    for _ in range(5):
        (diagnostic,) = await editor.diagnostics(uri)
        if diagnostic.severity == types.DiagnosticSeverity.Error:
            break
    assert diagnostic.severity == types.DiagnosticSeverity.Error


@pytest.mark.fresh_server
@pytest.mark.profiles("neovim@v0.7.0", "neovim@v0.11.0")
async def test_disable_clears_diagnostics(editor: Editor):
    uri = editor.open("a.py", SOURCE)
    assert await editor.diagnostics(uri)
    await reconfigure(editor, {"enable": False})
    for _ in range(5):
        if not await editor.diagnostics(uri):
            break
    else:
        raise AssertionError("diagnostics stayed after enable = false")


async def test_pyproject_settings_apply(editor: Editor):
    root = editor.client.workspace_root
    (root / "pyproject.toml").write_text('[tool.raylint]\nseverity = "hint"\nexclude = ["generated/*"]\n')
    uri = editor.open("a.py", SOURCE)
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.severity == types.DiagnosticSeverity.Hint
    excluded = editor.open("generated/b.py", SOURCE)
    assert await editor.diagnostics(excluded) == []


async def test_broken_pyproject_is_logged_and_defaults_used(editor: Editor):
    (editor.client.workspace_root / "pyproject.toml").write_text('[tool.raylint]\nseverity = "loud"\n')
    uri = editor.open("a.py", SOURCE)
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert any("severity" in m.message and m.type == types.MessageType.Error for m in editor.client.log_messages)


@pytest.mark.fresh_server
@pytest.mark.profiles("neovim@v0.7.0", "emacs")
async def test_generator_style_dynamic(editor: Editor):
    await reconfigure(editor, {"generatorStyle": "dynamic"})
    source = "import ray\n\n@ray.remote\ndef f(n):\n    return [ray.put(i) for i in range(n)]\n"
    uri = editor.open("a.py", source)
    diagnostics = await editor.diagnostics(uri)
    actions = await editor.code_actions(uri, diagnostics[0].range, diagnostics=diagnostics)
    fixed = editor.apply(uri, source, await editor.edit_of(actions[0]))
    assert '@ray.remote(num_returns="dynamic")' in fixed


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=["visual_studio_code", "emacs"])
async def two_folders(lsp_client: LanguageClient, request, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    (two / "pyproject.toml").write_text('[tool.raylint]\nseverity = "error"\n')
    lsp_client.set_configuration({"debounce": 0}, section="raylint")
    lsp_client.set_configuration({"severity": "information"}, section="raylint", scope_uri=one.as_uri())
    lsp_client.workspace_root = tmp_path
    accept_registrations(lsp_client)
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=one.as_uri(),
            workspace_folders=[
                types.WorkspaceFolder(uri=one.as_uri(), name="one"),
                types.WorkspaceFolder(uri=two.as_uri(), name="two"),
            ],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_each_workspace_folder_has_its_own_settings(two_folders: LanguageClient):
    editor = Editor(two_folders)
    first = editor.open("one/a.py", SOURCE)
    (diagnostic,) = await editor.diagnostics(first)
    assert diagnostic.severity == types.DiagnosticSeverity.Information
    second = editor.open("two/a.py", SOURCE)
    (diagnostic,) = await editor.diagnostics(second)
    assert diagnostic.severity == types.DiagnosticSeverity.Error


CALLER = "import ray\n\nfrom a import f\n\nprint(ray.get(ray.get(f.remote(1))))\n"


async def fix_all_text(editor: Editor, uri: str, text: str) -> str:
    zero = types.Range(types.Position(0, 0), types.Position(0, 0))
    (action,) = await editor.code_actions(uri, zero, only=["source.fixAll.raylint"])
    edit = await editor.edit_of(action)
    if not (edit.document_changes or edit.changes):
        return text
    return editor.apply(uri, text, edit)


@pytest.mark.fresh_server
@pytest.mark.parametrize("how", ["editor", "pyproject"])
@pytest.mark.profiles("neovim@v0.7.0", "visual_studio_code", "emacs")
async def test_library_setting_keeps_fix_all_from_changing_callers(editor: Editor, how):
    """`library = true`: callers outside the workspace cannot be updated, so a fix that changes
    what callers get is unsafe, and fix all (safe fixes only) leaves the task as it is."""
    root = editor.client.workspace_root
    (root / "main.py").write_text(CALLER)
    uri = editor.open("a.py", SOURCE)
    (diagnostic,) = await editor.diagnostics(uri)
    assert "return x\n" in await fix_all_text(editor, uri, SOURCE)  # not a library: fixed
    if how == "editor":
        await reconfigure(editor, {"library": True})
    else:
        (root / "pyproject.toml").write_text("[tool.raylint]\nlibrary = true\n")
        editor.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=(root / "pyproject.toml").as_uri(), type=types.FileChangeType.Created)]
            )
        )
    for _ in range(50):
        if await fix_all_text(editor, uri, SOURCE) == SOURCE:
            break
        await asyncio.sleep(0.1)
    assert await fix_all_text(editor, uri, SOURCE) == SOURCE
    if editor.client.capabilities.text_document.code_action.resolve_support:
        actions = await editor.code_actions(uri, diagnostic.range, diagnostics=[diagnostic])
        fix = next(a for a in actions if a.title.startswith("Return the value directly"))
        edit = await editor.edit_of(fix)
        if edit.change_annotations:
            (annotation,) = edit.change_annotations.values()
            assert annotation.needs_confirmation and "library" in annotation.description


async def test_a_pyproject_saved_in_the_editor_applies_to_the_next_analysis(editor: Editor):
    """Settings are resolved once per configuration change, not per keystroke: saving a
    pyproject.toml is such a change (even when no file watcher tells of it)."""
    root = editor.client.workspace_root
    uri = editor.open("a.py", SOURCE)
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    (root / "pyproject.toml").write_text('[tool.raylint]\nseverity = "hint"\n')
    editor.client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=(root / "pyproject.toml").as_uri()))
    )
    end = types.Position(5, 0)
    editor.change(uri, types.TextDocumentContentChangePartial(range=types.Range(end, end), text="# x\n"))
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.severity == types.DiagnosticSeverity.Hint
