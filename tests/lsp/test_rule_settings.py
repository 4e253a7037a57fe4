"""Which rules the server runs: `select` / `ignore` / `perFileIgnores` from the editor and
[tool.raylint]; each diagnostic links its own rule's page and its suppress action writes its
own code."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lsp_support import Editor
from raylint import rules

SOURCE = "import ray\n\n@ray.remote\ndef f(x):\n    return ray.put(x)\n"


async def settle(editor: Editor, uri: str, wanted) -> list[types.Diagnostic]:
    for _ in range(8):
        diagnostics = await editor.diagnostics(uri)
        if wanted(diagnostics):
            return diagnostics
    return diagnostics


async def reconfigure(editor: Editor, values: dict) -> None:
    capabilities = editor.client.capabilities.workspace
    if capabilities and capabilities.configuration:
        editor.client.set_configuration(values, section="raylint")
        editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    else:
        editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"raylint": values}))


@pytest.mark.fresh_server
@pytest.mark.profiles("neovim@v0.7.0", "neovim@v0.11.0")
async def test_ignore_from_the_editor_drops_the_rule(editor: Editor):
    uri = editor.open("a.py", SOURCE)
    (diagnostic,) = await editor.diagnostics(uri)
    assert diagnostic.code == "RAY001"
    assert diagnostic.code_description.href == rules.BY_CODE["RAY001"].url
    await reconfigure(editor, {"ignore": ["RAY001"]})
    assert await settle(editor, uri, lambda d: not d) == []


async def test_per_file_ignores_from_pyproject(editor: Editor):
    root = editor.client.workspace_root
    (root / "pyproject.toml").write_text('[tool.raylint.per-file-ignores]\n"tests/**" = ["RAY001"]\n')
    kept = editor.open("src/a.py", SOURCE)
    ignored = editor.open("tests/b.py", SOURCE)
    assert [d.code for d in await editor.diagnostics(kept)] == ["RAY001"]
    assert await editor.diagnostics(ignored) == []


@pytest.mark.fresh_server
@pytest.mark.profiles("neovim@v0.7.0", "visual_studio_code")
async def test_an_unknown_code_from_the_editor_is_logged_and_the_rest_still_runs(editor: Editor):
    await reconfigure(editor, {"select": ["RAY999"]})
    uri = editor.open("a.py", SOURCE)
    assert [d.code for d in await editor.diagnostics(uri)] == ["RAY001"]
    assert any("RAY999" in m.message and m.type == types.MessageType.Error for m in editor.client.log_messages)


async def test_the_suppress_action_writes_the_findings_code(editor: Editor):
    uri = editor.open("a.py", SOURCE)
    diagnostics = await editor.diagnostics(uri)
    actions = await editor.code_actions(uri, diagnostics[0].range, diagnostics=diagnostics)
    suppress = next(a for a in actions if a.title == f"Suppress {diagnostics[0].code} on this line")
    fixed = editor.apply(uri, SOURCE, await editor.edit_of(suppress))
    assert "return ray.put(x)  # noqa: RAY001" in fixed
