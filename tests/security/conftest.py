"""The security and data-safety tests drive `python -m raylint` as tests/cli does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "cli"))

from cli_support import Project  # noqa: E402


@pytest.fixture
def project(tmp_path) -> Project:
    root = tmp_path / "repo"
    root.mkdir()
    return Project(root)
