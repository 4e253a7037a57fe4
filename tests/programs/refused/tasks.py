"""Three tasks returning `ray.put()` refs; the callers of two use the outer ref in ways
raylint does not follow."""

import ray


@ray.remote
def load(i):
    return ray.put(i * 10)


@ray.remote
def label(i):
    return ray.put(f"label-{i}")


@ray.remote
def kind(value):
    # Ray resolves a top-level ref argument: this sees what the ref passed to it holds
    return type(value).__name__
