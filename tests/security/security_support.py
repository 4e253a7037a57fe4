"""What the security tests share: a script that leaves a marker when run, and tasks with a caller."""

from __future__ import annotations

import os
from pathlib import Path

# imports a name from an installed package: resolving it asks jedi, in the configured environment
RESOLVING = """\
import ray
from some_installed_package import put


@ray.remote
def load(x):
    return put(x)


@ray.remote
def keep(x):
    return ray.put(x)
"""

TASK = """\
import ray


@ray.remote
def load(i):
    return ray.put(i * 10)
"""
CALLER = """\
import ray

from z_task import load


def main():
    return ray.get(ray.get(load.remote(1)))
"""


def evil_script(folder: Path, marker: Path, name: str = "evil.sh") -> Path:
    """An executable that, if anything runs it, creates `marker`."""
    script = folder / name
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    script.chmod(0o755)
    return script


def evil_venv(folder: Path, marker: Path) -> Path:
    """A `.venv` whose `bin/python` creates `marker` when run."""
    venv = folder / ".venv"
    for name in ("python", "python3"):
        evil_script(venv / "bin", marker, name)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "bin" / "activate").write_text("")
    return venv


def tree_snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def no_leftovers(folder: Path) -> bool:
    """No temporary file of raylint's left behind."""
    return not [n for n in os.listdir(folder) if n.endswith(".raylint")]
