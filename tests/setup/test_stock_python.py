"""The README's commands on a Python that refuses pip installs (PEP 668), as Debian 12's
`python3` does: the Quick start and the test script's setup make a virtual environment and
install there, never into the interpreter.

The "stock" interpreter is simulated without touching the real one: a prefix of symlinks to
this interpreter's standard library, with an EXTERNALLY-MANAGED marker of its own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stock_python(tmp_path_factory) -> Path:
    prefix = tmp_path_factory.mktemp("stock-python")
    stdlib = Path(os.__file__).resolve().parent  # the base interpreter's, even from a venv
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    lib = prefix / "lib" / version
    lib.mkdir(parents=True)
    for entry in stdlib.iterdir():
        if entry.name != "site-packages":
            (lib / entry.name).symlink_to(entry)
    for entry in stdlib.parent.iterdir():  # libpython, for a shared build
        if entry.name.startswith("libpython"):
            (prefix / "lib" / entry.name).symlink_to(entry)
    site = lib / "site-packages"
    site.mkdir()
    import pip

    (site / "pip").symlink_to(Path(pip.__file__).resolve().parent)  # Debian's python3-pip
    (lib / "EXTERNALLY-MANAGED").write_text("[externally-managed]\nError=this is a stock Debian python3\n")
    (prefix / "bin").mkdir()
    python = prefix / "bin" / "python3"
    # a copy, not a symlink: Python finds its prefix from where its binary really is
    shutil.copy2(Path(sys._base_executable).resolve(), python)
    probe = subprocess.run([python, "-c", "import sys, venv, ensurepip; print(sys.prefix)"], capture_output=True, text=True)
    if probe.returncode != 0 or Path(probe.stdout.strip()) != prefix:
        pytest.skip(f"this interpreter cannot be relocated to simulate a stock one: {probe.stderr[-300:]}")
    return python


def _copy_of_the_repository(tmp_path: Path) -> Path:
    copy = tmp_path / "raylint"
    ignore = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", "*.egg-info", "build", "dist")
    shutil.copytree(ROOT, copy, ignore=ignore, symlinks=True)
    return copy


def test_the_stock_python_refuses_pip_installs(stock_python: Path, tmp_path: Path):
    """What the Quick start did before: `python3 -m pip install .` fails there."""
    result = subprocess.run(
        [stock_python, "-m", "pip", "install", "--dry-run", "--no-deps", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0 and "externally-managed-environment" in result.stderr


def test_the_quick_start_works_on_a_stock_python(stock_python: Path, tmp_path: Path):
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1]
    command = re.search(r"```sh\n(.*?)\n```", quick_start, re.S).group(1).strip()
    assert command.startswith("python3 -m venv .venv"), command
    copy = _copy_of_the_repository(tmp_path)
    env = {**os.environ, "PATH": f"{stock_python.parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    result = subprocess.run(["bash", "-c", command], cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr[-2000:]  # 1: findings
    assert "RAY001" in result.stdout
    assert (copy / ".venv" / "pyvenv.cfg").read_text().count("include-system-site-packages = false") == 1


def test_the_test_script_sets_up_a_venv_on_a_stock_python(stock_python: Path, tmp_path: Path):
    venv = tmp_path / "venv"
    env = {
        **os.environ,
        "PYTHON": str(stock_python),
        "RAYLINT_VENV": str(venv),
        "RAYLINT_SETUP_ONLY": "1",
        "RAYLINT_EXTRAS": "",
    }
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test.sh")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-2000:]
    python = Path(result.stdout.strip().splitlines()[-1])
    assert python == venv / "bin" / "python3"
    # raylint is installed in the venv (what the tests' `sys.executable -m raylint` needs)
    version = subprocess.run([python, "-m", "raylint", "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and version.stdout.startswith("raylint "), version.stderr
    # and nothing went into the stock interpreter
    assert not any(p.name.startswith("raylint") for p in (stock_python.parent.parent / "lib").rglob("site-packages/*"))
    # a second run reuses the venv
    again = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test.sh")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0 and "creating the virtual environment" not in again.stderr


def test_python_m_build_makes_a_wheel_and_sdist_that_install_in_a_clean_venv(tmp_path: Path):
    """The README's install from the repository: `python -m build`, then the wheel (or the
    sdist) into a fresh virtual environment, where `raylint` checks a file, explains its rules
    and starts its server."""
    pytest.importorskip("build")
    copy = _copy_of_the_repository(tmp_path)
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(copy)], capture_output=True, text=True, timeout=900
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = dist.glob("raylint-*.whl")
    (sdist,) = dist.glob("raylint-*.tar.gz")
    import tarfile

    names = tarfile.open(sdist).getnames()
    assert any(n.endswith("server/raylint/rules/ray001/__init__.py") for n in names)
    assert any(n.endswith("README.md") for n in names)
    for package in (wheel, sdist):
        venv = tmp_path / f"venv-{package.suffix}"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        install = subprocess.run(
            [python, "-m", "pip", "install", "-q", str(package)], capture_output=True, text=True, env=env, timeout=900
        )
        assert install.returncode == 0, install.stderr[-2000:]
        (tmp_path / "job.py").write_text("import ray\n\n@ray.remote\ndef f(x):\n    return ray.put(x)\n")
        check = subprocess.run(
            [venv / "bin" / "raylint", "check", "--no-cache", "job.py"], cwd=tmp_path, capture_output=True, text=True, env=env
        )
        assert check.returncode == 1 and "job.py:5:12: RAY001" in check.stdout, check.stdout + check.stderr
        listed = subprocess.run([venv / "bin" / "raylint", "rule"], capture_output=True, text=True, env=env)
        assert listed.returncode == 0 and "RAY001" in listed.stdout
        server = subprocess.run(
            [python, "-c", "import raylint.lsp.server"], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert server.returncode == 0, server.stderr
