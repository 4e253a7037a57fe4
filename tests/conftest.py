"""Fixtures shared by tests/core, tests/cli and tests/ray: interpreters for jedi to search."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# An installed package that is not Ray but re-exports Ray's names: only jedi, searching the
# environment it is installed in, can tell that `raytools.stash` is `ray.put`.
RAYTOOLS = "from ray import put as stash\nfrom ray import remote as task\n"


def _make_venv(folder: Path, *, with_ray: bool, packages: dict[str, str]) -> str:
    command = [sys.executable, "-m", "venv", "--without-pip", str(folder)]
    if with_ray:  # Ray comes from the interpreter running the tests
        command.insert(4, "--system-site-packages")
    subprocess.run(command, check=True)
    python = folder / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    for name, code in packages.items():
        package = Path(site) / name
        package.mkdir()
        (package / "__init__.py").write_text(code)
    return str(python)


@pytest.fixture(scope="session")
def no_ray_python(tmp_path_factory) -> str:
    """An interpreter whose environment has no Ray (and no raytools)."""
    python = _make_venv(tmp_path_factory.mktemp("no-ray-env"), with_ray=False, packages={})
    assert subprocess.run([python, "-c", "import ray"], capture_output=True).returncode != 0
    return python


@pytest.fixture(scope="session")
def raytools_python(tmp_path_factory) -> str:
    """An interpreter with Ray and an installed `raytools` package re-exporting Ray's names."""
    return _make_venv(tmp_path_factory.mktemp("raytools-env"), with_ray=True, packages={"raytools": RAYTOOLS})


@pytest.fixture(scope="session")
def raytools_no_ray_python(tmp_path_factory) -> str:
    """An interpreter with `raytools` installed but not Ray itself."""
    return _make_venv(tmp_path_factory.mktemp("raytools-no-ray-env"), with_ray=False, packages={"raytools": RAYTOOLS})
