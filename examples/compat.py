"""Shims the pipeline shares: `put` re-exported from Ray, and a preset task decorator."""

import ray
from ray import put  # re-exported: the tasks write `from compat import put`

# Light tasks of the pipeline each run on one CPU.
light_task = ray.remote(num_cpus=1)

__all__ = ["light_task", "put"]
