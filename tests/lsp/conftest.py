"""pytest-lsp fixtures: the real server over stdio, driven under several editors' profiles."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lsp_support import CLIENTS, SERVER, Editor, accept_registrations


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=CLIENTS)
async def client(lsp_client: LanguageClient, request, tmp_path):
    lsp_client.workspace_root = tmp_path
    lsp_client.profile = request.param
    accept_registrations(lsp_client)
    folder = types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")
    lsp_client.initialize_result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[folder],
            initialization_options={"debounce": 0},
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def editor(client: LanguageClient) -> Editor:
    return Editor(client)
