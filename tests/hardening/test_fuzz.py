"""Issue 9: the fuzz targets of fuzz.py (core: hypothesmith programs and whole-file
transforms; CLI: hostile folders), bounded in time: run in a subprocess with a timeout, so a
hang fails instead of stalling the suite. More examples: RAYLINT_FUZZ_EXAMPLES=N."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).with_name("fuzz.py")


@pytest.mark.parametrize("area", ["core", "cli"])
def test_fuzz(area):
    pytest.importorskip("hypothesmith")
    examples = int(os.environ.get("RAYLINT_FUZZ_EXAMPLES", "0"))
    timeout = 240 + 3 * examples  # generous: the machine may be busy; a hang is what fails
    done = subprocess.run(
        [sys.executable, str(FUZZ), area], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    assert " 0 failures" in done.stdout
