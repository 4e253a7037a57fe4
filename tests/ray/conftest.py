"""One local Ray for the whole session: Ray takes seconds to start."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

ray = pytest.importorskip("ray")


@pytest.fixture(scope="session")
def local_ray():
    saved = {key: os.environ.get(key) for key in ("RAY_TMPDIR", "RAY_AUTH_MODE")}
    # A short path: Ray's socket paths must stay under the OS limit of 107 characters.
    folder = tempfile.mkdtemp(prefix="raylint-ray-")
    os.environ["RAY_TMPDIR"] = folder
    os.environ["RAY_AUTH_MODE"] = "disabled"
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()
    shutil.rmtree(folder, ignore_errors=True)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
