"""pytest-lsp fixtures: the real server over stdio, driven under several editors' profiles.

Servers are shared. Starting one costs about a second (a process, imports, initialize), far
more than most tests take, so `client` (and `editor` on it) gives each test one of a few
servers kept for the whole test module, one per client profile:

- each test gets its own workspace folder (its `tmp_path`): the shared server is told with
  `workspace/didChangeWorkspaceFolders` (the previous test's folder removed), so files,
  pyproject.toml, call sites and module lookups of one test are never seen by the next;
- what the test opened is closed after it, the client's logs and diagnostics are emptied
  before it, and the editor's settings stay the defaults (a test that changes them, below);
- a server that died or failed is not reused.

A test keeps a server of its own, started for it alone, where the server's state is what it
tests: `@pytest.mark.fresh_server` on tests that change the editor's settings
(didChangeConfiguration: they would leak into the next test), that test what happens at
start-up (registrations after `initialized`, a document opened first), or that need other
initialization options or capabilities (those have their own fixtures: `refreshing`,
`two_folders`).

Which client profiles a test runs under (all five, or one, or a few): see lsp_support.py.
"""

from __future__ import annotations

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_support import CLIENTS, SERVER, Editor, accept_registrations, one_profile


def pytest_configure(config):
    for line in (
        "fresh_server: the test gets a server started for it alone (see tests/lsp/conftest.py)",
        "profiles(*names): the client profiles the test runs under (default: all; see lsp_support.py)",
        "any_profile: the profile does not matter to the test: it runs under one (see lsp_support.py)",
    ):
        config.addinivalue_line("markers", line)


def pytest_generate_tests(metafunc):
    if "client" not in metafunc.fixturenames or hasattr(metafunc.module, "client"):
        return  # (a module with a `client` fixture of its own chooses its profiles itself)
    if (marker := metafunc.definition.get_closest_marker("profiles")) is not None:
        profiles = list(marker.args)
    elif metafunc.definition.get_closest_marker("any_profile") is not None:
        profiles = [one_profile(metafunc.definition.name)]
    else:
        profiles = CLIENTS
    metafunc.parametrize("client", profiles, indirect=True)


async def start_server(profile: str, root) -> LanguageClient:
    """A server started on `root` (its one workspace folder), initialized as `profile`."""
    client = await ClientServerConfig(server_command=SERVER).start()
    client.workspace_root = root
    client.profile = profile
    accept_registrations(client)
    client.open_uris = set()
    opened, closed = client.text_document_did_open, client.text_document_did_close

    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        client.open_uris.add(params.text_document.uri)
        opened(params)

    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        client.open_uris.discard(params.text_document.uri)
        closed(params)

    client.text_document_did_open, client.text_document_did_close = did_open, did_close
    client.publish_handler = client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
    client.initialize_result = await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(profile),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options={"debounce": 0},
        )
    )
    return client


async def stop_server(client: LanguageClient) -> None:
    try:
        if client._server is not None and client._server.returncode is None:
            await client.shutdown_session()
    finally:
        await client.stop()


def healthy(client: LanguageClient) -> bool:
    return client.error is None and client._server is not None and client._server.returncode is None


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_servers():
    """The module's servers, by profile (started on first use)."""
    servers: dict[str, LanguageClient] = {}
    yield servers
    for client in servers.values():
        await stop_server(client)


async def move_to(client: LanguageClient, root) -> None:
    """Make `root` the shared server's only workspace folder, with nothing open."""
    for uri in sorted(client.open_uris):
        client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    old = client.workspace_root
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
                removed=[types.WorkspaceFolder(uri=old.as_uri(), name="ws")],
            )
        )
    )
    client.workspace_root = root
    # a round trip: the server has taken the closes and the new folder before the test starts
    nowhere = types.TextDocumentIdentifier(uri=(root / "__no_such_document__.py").as_uri())
    at = types.Range(types.Position(0, 0), types.Position(0, 0))
    await client.text_document_code_action_async(
        types.CodeActionParams(nowhere, at, types.CodeActionContext(diagnostics=[]))
    )


@pytest_asyncio.fixture
async def client(request, tmp_path, shared_servers):
    profile = request.param
    if request.node.get_closest_marker("fresh_server"):
        lsp_client = await start_server(profile, tmp_path)
        try:
            yield lsp_client
        finally:
            await stop_server(lsp_client)
        return
    lsp_client = shared_servers.get(profile)
    if lsp_client is not None and not healthy(lsp_client):
        del shared_servers[profile]
        await stop_server(lsp_client)
        lsp_client = None
    if lsp_client is None:
        lsp_client = shared_servers[profile] = await start_server(profile, tmp_path)
    else:
        await move_to(lsp_client, tmp_path)
    lsp_client.log_messages = []
    lsp_client._last_log_index = lsp_client._setup_log_index = 0
    lsp_client.diagnostics = {}
    lsp_client.messages = []
    yield lsp_client
    lsp_client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = lsp_client.publish_handler


@pytest.fixture
def editor(client: LanguageClient) -> Editor:
    return Editor(client)
