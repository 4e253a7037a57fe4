"""Run many generated programs in one Ray driver: `python batch.py RESULT.json FOLDER...`.

Each FOLDER's main.py runs as `__main__` (runpy) with its folder first on sys.path; its own
`ray.init(...)` and `ray.shutdown()` do nothing, the one driver connects once (to
RAYLINT_PROGRAMS_RAY_ADDRESS if set). One job's workers serve every program, so a program
costs its own work only, not a Ray start and fresh worker processes. The programs must not
share module names (generate.py gives each its own) nor named actors.

RESULT.json maps each folder to {"code", "out", "err"}, like a run of `python main.py`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import sys
import traceback


def main() -> None:
    result_path, folders = sys.argv[1], sys.argv[2:]
    for folder in folders:
        sys.path.insert(0, os.path.abspath(folder))
    import ray

    address = os.environ.get("RAYLINT_PROGRAMS_RAY_ADDRESS")
    # the workers import the programs' modules (a function made a task by ray.remote(fn) is
    # pickled by reference) from the code search path
    job = ray.job_config.JobConfig(code_search_path=[os.path.abspath(f) for f in folders])
    if address:
        ray.init(address=address, log_to_driver=False, job_config=job)
    else:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, job_config=job)
    ray.init = lambda *args, **kwargs: None
    ray.shutdown = lambda *args, **kwargs: None
    results = {}
    for folder in folders:
        out = io.StringIO()
        code, err = 0, ""
        with contextlib.redirect_stdout(out):
            try:
                runpy.run_path(os.path.join(folder, "main.py"), run_name="__main__")
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except BaseException:  # noqa: BLE001 - the program's own failure is its result
                code, err = 1, traceback.format_exc()
        results[folder] = {"code": code, "out": out.getvalue(), "err": err}
    with open(result_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
