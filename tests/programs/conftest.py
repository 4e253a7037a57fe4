"""One Ray cluster for all the program tests of a session (see harness.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def shared_ray():
    pytest.importorskip("ray")
    from harness import SharedRay

    with SharedRay() as ray:
        yield ray
