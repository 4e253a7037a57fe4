"""Run many generated programs in one Ray driver: `python batch.py RESULT.json FOLDER...`.

Each FOLDER's main.py runs as `__main__` (see `_run_as_main`) with its folder on sys.path; its own
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
import shutil
import sys
import tempfile
import traceback
import types


# Where each program's main.py is copied under a name of its own (see `_run_as_main`)
_MAIN = "_raylint_batch_main_{}"


def _run_as_main(path: str, copy: str) -> None:
    """Run main.py at `path` as `__main__`, its code and `__file__` named after `copy` (main.py's
    text under a module name no other program has). With a code search path, a function or
    actor class whose module the driver can import by name is not exported: a worker imports
    the module that its file names (the code's for a function, the module's `__file__` for a
    class), by that name. Were every program's file main.py, the driver and each worker would
    import the first main.py on the path, whichever program the task came from."""
    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), copy, "exec")
    module = types.ModuleType("__main__")
    module.__file__ = copy
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = module
    try:
        exec(code, module.__dict__)
    finally:
        sys.modules["__main__"] = saved


def main() -> None:
    result_path, folders = sys.argv[1], sys.argv[2:]
    for folder in folders:
        sys.path.insert(0, os.path.abspath(folder))
    mains = tempfile.mkdtemp(prefix="raylint-batch-")
    sys.path.insert(0, mains)  # (the driver imports a function's module too: then it exports nothing)
    copies = {}
    for number, folder in enumerate(folders):
        copies[folder] = os.path.join(mains, _MAIN.format(number) + ".py")
        shutil.copyfile(os.path.join(folder, "main.py"), copies[folder])
    try:
        _run_all(result_path, folders, copies, mains)
    finally:
        shutil.rmtree(mains, ignore_errors=True)


def _run_all(result_path: str, folders: list[str], copies: dict[str, str], mains: str) -> None:
    import ray

    address = os.environ.get("RAYLINT_PROGRAMS_RAY_ADDRESS")
    # the workers import the programs' modules, and their functions from them, from the code
    # search path (the driver exports none)
    job = ray.job_config.JobConfig(code_search_path=[*(os.path.abspath(f) for f in folders), mains])
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
                _run_as_main(os.path.join(folder, "main.py"), copies[folder])
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except BaseException:  # noqa: BLE001 - the program's own failure is its result
                code, err = 1, traceback.format_exc()
        results[folder] = {"code": code, "out": out.getvalue(), "err": err}
    with open(result_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
