"""Helpers for the CLI tests: a project folder and `python -m raylint` run in it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

FLAGGED = """\
import ray


@ray.remote
def load(x):
    return ray.put(x)
"""
CLEAN = "import ray\n\n\ndef driver(x):\n    return ray.put(x)\n"


@dataclass
class Run:
    code: int
    out: str
    err: str
    raw: bytes = b""  # stdout's bytes, when the run was given stdin


class Project:
    """A folder to lint, and `raylint` run in it."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def run(self, *args: str, wrapper: list[str] = (), env: dict[str, str] | None = None, stdin: bytes | None = None) -> Run:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", **(env or {})}
        command = [*wrapper, sys.executable, "-m", "raylint", *args]
        if stdin is not None:  # (stdout kept as bytes too: a fixed text must come back byte for byte)
            done = subprocess.run(command, cwd=self.root, capture_output=True, input=stdin, env=env, timeout=120)
            out = done.stdout.decode("utf-8", "replace")
            return Run(done.returncode, out, done.stderr.decode("utf-8", "replace"), done.stdout)
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True, env=env, timeout=120)
        return Run(done.returncode, done.stdout, done.stderr)


def without_root_powers() -> list[str] | None:
    """A command prefix under which file permissions bind even for root (None: not possible)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
