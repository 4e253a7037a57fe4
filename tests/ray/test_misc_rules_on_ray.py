"""RAY006, RAY007, RAY009 and RAY010 on a real local Ray: what each finding claims is what Ray does.

One driver script (run as `__main__`, as users run theirs) holds the flagged shapes; raylint
must flag them, and running it must show the behaviour the rules' docs describe.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest

from raylint.core import Config, analyze
from raylint.rules import BY_CODE

pytest.importorskip("ray")

PROGRAM = textwrap.dedent(
    '''
    import multiprocessing
    import pickle

    import numpy as np
    import ray
    from ray import cloudpickle

    big = np.zeros(1_600_000)  # 12.8 MB
    counter = 0
    global_var = 3


    @ray.remote
    def bump():
        global counter
        counter += 1
        return counter


    @ray.remote
    class Actor:
        def f(self):
            return global_var + 3


    @ray.remote
    def start_method():
        return multiprocessing.get_start_method()


    @ray.remote
    def spawn_pool(values):
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            return pool.map(abs, values)


    @ray.remote
    def reads_big():
        return big.size


    @ray.remote
    def pickles_a_ref():
        ref = ray.put(1)
        return cloudpickle.dumps(ref)


    if __name__ == "__main__":
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        print("bumps", sorted(ray.get([bump.remote() for _ in range(4)])), "driver counter", counter)
        actor = Actor.remote()
        global_var = 4
        print("actor sees", ray.get(actor.f.remote()))
        print("start method", ray.get(start_method.remote()))
        print("spawn pool", ray.get(spawn_pool.remote([-1, -2])))
        blob = pickle.dumps(ray.put(5))
        print("pickled a ref", type(pickle.loads(blob)).__name__)
        strict = pickles_a_ref.options(runtime_env={"env_vars": {"RAY_allow_out_of_band_object_ref_serialization": "0"}})
        try:
            ray.get(strict.remote())
            print("strict: no error")
        except Exception as error:
            print("strict: raised", type(error).__name__)
        print("big", ray.get(reads_big.remote()))
        ray.shutdown()
    '''
)


def test_the_findings_and_what_ray_does(tmp_path):
    script = tmp_path / "driver.py"
    script.write_text(PROGRAM, encoding="utf-8")
    config = Config.make([BY_CODE[c] for c in ("RAY006", "RAY007", "RAY009", "RAY010")])
    lines = PROGRAM.splitlines()
    found = {(f.code, lines[f.range.start.line].strip()) for f in analyze(PROGRAM, str(script), config).findings}
    assert found == {
        ("RAY007", "global counter"),
        ("RAY007", "return global_var + 3"),
        ("RAY006", "blob = pickle.dumps(ray.put(5))"),
        ("RAY006", "return cloudpickle.dumps(ref)"),
        ("RAY009", "return big.size"),
    }

    ray_tmp = tempfile.mkdtemp(prefix="rl-misc-")
    env = {**os.environ, "RAY_TMPDIR": ray_tmp, "RAY_AUTH_MODE": "disabled"}
    try:
        done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    # RAY007: each worker counts on its own; the driver's global never changes
    assert "driver counter 0" in out
    # RAY007: the actor was sent global_var = 3 when it was created
    assert "actor sees 6" in out
    # RAY010: a worker's default start method is fork (Linux, Python < 3.14); spawn works in a task
    if sys.platform.startswith("linux") and sys.version_info < (3, 14):
        assert "start method fork" in out
    assert "spawn pool [1, 2]" in out
    # RAY006: plain pickle takes an ObjectRef without complaint (Ray does not see it) ...
    assert "pickled a ref ObjectRef" in out
    # ... and Ray's switch makes ray.cloudpickle refuse it
    assert "strict: raised" in out
    # RAY009: Ray itself warns that the task's pickled definition is over 10 MB
    assert "big 1600000" in out
    assert "is very large" in done.stdout + done.stderr
