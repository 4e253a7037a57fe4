"""Fixtures shared by tests/core, tests/cli and tests/ray: interpreters for jedi to search; the
order modules run in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# The modules that take longest, longest first: they run first, so that with the tests spread
# over workers (scripts/test.sh: pytest -n auto --dist loadscope --no-loadscope-reorder, which
# hands out whole modules in this order) no worker is left running a long module alone at the
# end. The other modules keep pytest's order after these.
SLOW_FIRST = [  # (by the module times of a whole run, --durations=0, summed per module)
    "tests/vscode/test_vscode_e2e.py",  # code-server and Chromium
    "tests/setup/test_stock_python.py",  # virtual environments, pip, a wheel built
    "tests/programs/test_generated.py",  # programs on real Ray, raylint run on each
    "tests/programs/test_shapes.py",
    "tests/core/test_incremental_tiers.py",  # property tests of the incremental analysis
    "tests/hardening/test_hostile_lines.py",
    "tests/lsp/test_lsp_notebooks.py",
    "tests/programs/test_programs.py",
    "tests/core/test_incremental_inner.py",
    "tests/core/test_incremental.py",
    "tests/editors/test_neovim.py",
    "tests/cli/test_check.py",
    "tests/core/test_incremental_trees.py",
    "tests/lsp/test_robustness.py",
    "tests/ray/test_rewrites_on_ray.py",
    "tests/lsp/test_framing.py",
    "tests/cli/test_rule_selection.py",
    "tests/lsp/test_typing_tiers.py",
    "tests/lsp/test_settings.py",
    "tests/security/test_executables.py",
    "tests/lsp/test_lsp_callers.py",
]


def pytest_collection_modifyitems(config, items):
    rank = {path: index for index, path in enumerate(SLOW_FIRST)}
    root = config.rootpath

    def key(item):
        path = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
        return rank.get(path, len(rank))

    items.sort(key=key)  # (stable: the order within a module, and of the rest, is kept)


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
