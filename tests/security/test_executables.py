"""Issue 9, security: nothing a cloned repository contains is run as a program.

`python` names an interpreter that jedi starts. It is taken from the command line or the
editor only, never from `[tool.raylint]` in a pyproject.toml (the repository's own or a parent
folder's) or a raylint.toml; and jedi's environments are made in its safe mode.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from security_support import RESOLVING, evil_script, evil_venv


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "PWNED"


@pytest.mark.parametrize("value", ["./evil.sh", ".venv", "{abs}"])
def test_python_from_pyproject_is_never_run_by_check(project, marker, value):
    script = evil_script(project.root, marker)
    evil_venv(project.root, marker)
    value = value.format(abs=script)
    project.write("pyproject.toml", f'[tool.raylint]\npython = "{value}"\nseverity = "error"\n')
    project.write("jobs.py", RESOLVING)
    result = project.run("check", ".")
    assert not marker.exists(), "raylint ran the interpreter named in pyproject.toml"
    assert result.code == 1, result  # the rest of the file is still read and used
    assert "jobs.py:12:12: RAY001" in result.out
    warnings = [line for line in result.err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "`python` ignored" in warnings[0] and "--python" in warnings[0], result.err


def test_python_from_a_parent_folders_pyproject_is_never_run(project, marker):
    parent = project.root.parent
    evil_script(parent, marker)
    (parent / "pyproject.toml").write_text(f'[tool.raylint]\npython = "{parent / "evil.sh"}"\n')
    try:
        project.write("sub/jobs.py", RESOLVING)
        result = project.run("check", "sub")
        assert not marker.exists()
        assert result.code == 1 and "`python` ignored" in result.err
    finally:
        (parent / "pyproject.toml").unlink()


def test_python_from_a_config_file_is_never_run(project, marker):
    evil_script(project.root, marker)
    project.write("raylint.toml", 'python = "./evil.sh"\n')
    project.write("jobs.py", RESOLVING)
    result = project.run("check", "--config", "raylint.toml", ".")
    assert not marker.exists()
    assert result.code == 1 and "`python` ignored" in result.err


def test_python_on_the_command_line_is_made_in_jedis_safe_mode(project, marker):
    # even when asked for on the command line, a program that is not a known Python is not run
    evil_script(project.root, marker)
    project.write("jobs.py", RESOLVING)
    result = project.run("check", "--python", "./evil.sh", ".")
    assert not marker.exists()
    assert result.code == 2
    errors = [line for line in result.out.splitlines() if "error" in line and "--python" in line]
    assert len(errors) == 1 and "evil.sh" in errors[0], result.out


def test_a_missing_python_is_an_error(project):
    project.write("jobs.py", RESOLVING)
    result = project.run("check", "--python", "/nonexistent/python", ".")
    assert result.code == 2
    assert "--python: error: /nonexistent/python: no such file or folder" in result.out
    assert "Traceback" not in result.err
    # and a fix is not written with the wrong environment
    fixed = project.run("check", "--fix", "--python", "/nonexistent/python", ".")
    assert fixed.code == 2 and "fixed nothing" in fixed.out
    assert (project.root / "jobs.py").read_text() == RESOLVING


def test_a_real_python_on_the_command_line_still_works(project):
    project.write("jobs.py", RESOLVING)
    result = project.run("check", "--python", sys.executable, ".")
    assert result.code == 1 and "RAY001" in result.out and "error" not in result.out


# -- the language server, started as Neovim and Emacs start it: cwd = the repository ----------


def _frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _read_messages(stream, received: list, published: threading.Event) -> None:
    while True:
        headers = {}
        while (line := stream.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        if not headers:
            return
        message = json.loads(stream.read(int(headers["content-length"])))
        received.append(message)
        if message.get("method") == "textDocument/publishDiagnostics":
            published.set()


def run_server_session(cwd: Path, document: Path, initialization_options: dict | None = None) -> list[dict]:
    """initialize, open `document`, wait for its diagnostics, shut down: the messages received."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    server = subprocess.Popen(
        [sys.executable, "-m", "raylint", "server"],
        cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
    )
    received: list[dict] = []
    published = threading.Event()
    reader = threading.Thread(target=_read_messages, args=(server.stdout, received, published), daemon=True)
    reader.start()
    uri = document.as_uri()
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": cwd.as_uri(), "capabilities": {},
            "initializationOptions": initialization_options or {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": document.read_text()}}},
    ]
    try:
        for message in messages:
            server.stdin.write(_frame(message))
        server.stdin.flush()
        published.wait(60)  # the analysis (and with it, jedi's environment) runs in the background
        server.stdin.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None}))
        server.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit", "params": None}))
        server.stdin.close()
        server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    reader.join(10)
    return received


@pytest.mark.parametrize("value", ["./evil.sh", ".venv"])
def test_python_from_pyproject_is_never_run_by_the_server(project, marker, value):
    evil_script(project.root, marker)
    evil_venv(project.root, marker)
    project.write("pyproject.toml", f'[tool.raylint]\npython = "{value}"\n')
    document = project.write("jobs.py", RESOLVING)
    received = run_server_session(project.root, document)
    assert not marker.exists(), "the server ran the interpreter named in pyproject.toml"
    published = [m for m in received if m.get("method") == "textDocument/publishDiagnostics"]
    assert published and published[-1]["params"]["diagnostics"], received  # it did analyse the file
    logged = [m["params"]["message"] for m in received if m.get("method") == "window/logMessage"]
    assert any("`python` ignored" in line for line in logged), logged


def test_the_servers_python_from_the_client_is_made_in_safe_mode(project, marker):
    evil_script(project.root, marker)
    document = project.write("jobs.py", RESOLVING)
    received = run_server_session(project.root, document, {"python": str(project.root / "evil.sh")})
    assert not marker.exists()
    assert [m for m in received if m.get("method") == "textDocument/publishDiagnostics"]
