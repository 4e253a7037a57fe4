"""Files changed outside the editor (a git checkout, a generator): the server is told through
`workspace/didChangeWatchedFiles` and checks the open documents again."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from lsp_support import Editor

TASKS = """\
import ray
from compat import store


@ray.remote
def f(x):
    return store(x)
"""
REEXPORT = "from ray import put as store\n"
NOT_RAY = "def store(x):\n    return x\n"


async def test_a_module_changed_on_disk_changes_the_diagnostics(editor: Editor):
    root = editor.client.workspace_root
    (root / "compat.py").write_text(REEXPORT)
    uri = editor.open("tasks.py", TASKS)
    assert [d.range.start.line for d in await editor.diagnostics(uri)] == [6]  # store is ray.put
    (root / "compat.py").write_text(NOT_RAY + "\n")  # (a new size: a new stamp, even within one mtime tick)
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(root / "compat.py").as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    assert await editor.diagnostics(uri) == []


@pytest.mark.fresh_server
@pytest.mark.profiles("visual_studio_code", "neovim@v0.10.0")
async def test_the_server_asks_to_watch_python_files_where_the_client_lets_it(editor: Editor):
    await editor.diagnostics(editor.open("warm.py", "x = 1\n"))  # initialized has run
    watched = editor.client.capabilities.workspace.did_change_watched_files
    registrations = [r for r in editor.client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    if watched is None or not watched.dynamic_registration:
        assert registrations == []
        return
    for _ in range(50):  # (sent right after `initialized`; the publish may still overtake it)
        if registrations:
            break
        await asyncio.sleep(0.1)
        registrations = [r for r in editor.client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    (registration,) = registrations
    patterns = {w["globPattern"] for w in registration.register_options["watchers"]}
    assert patterns == {"**/*.py", "**/*.ipynb", "**/pyproject.toml"}  # (notebooks call tasks too)


async def test_an_open_documents_own_file_event_checks_nothing_again(editor: Editor):
    """Its save or change came with didSave/didChange: the watcher's echo of it is no reason
    to analyse every open document again."""
    root = editor.client.workspace_root
    (root / "compat.py").write_text(REEXPORT)
    uri = editor.open("tasks.py", TASKS)
    assert await editor.diagnostics(uri)
    if editor.pull:
        return  # nothing is pushed either way
    await asyncio.sleep(0.5)  # (any background republish of the open is out by now)
    seen = len(editor.publishes)
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri, type=types.FileChangeType.Changed)])
    )
    await asyncio.sleep(0.5)
    assert len(editor.publishes) == seen
