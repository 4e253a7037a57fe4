"""Run `python -m raylint` as a user would, in a folder of the test's own."""

from __future__ import annotations

import pytest

from cli_support import Project


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)
