"""Put on PYTHONPATH by the program harness (harness.py) to run a program's driver against the
one Ray cluster the harness started: each program keeps its own `ray.init(num_cpus=...)`, and
this turns it into a connection (a local Ray start takes ~5 s, a connection well under 1 s).

Only when RAYLINT_PROGRAMS_RAY_ADDRESS is set; a job on a shared cluster still has its own
namespace, workers, named actors and objects.
"""

import os

_ADDRESS = os.environ.get("RAYLINT_PROGRAMS_RAY_ADDRESS")

if _ADDRESS:
    import ray

    _init = ray.init
    # resource settings are the cluster's, not a connecting driver's
    _CLUSTER_ONLY = ("num_cpus", "num_gpus", "resources", "object_store_memory", "include_dashboard", "dashboard_host")

    def _connect(*args, **kwargs):
        for key in _CLUSTER_ONLY:
            kwargs.pop(key, None)
        kwargs["address"] = _ADDRESS
        return _init(*args, **kwargs)

    ray.init = _connect
