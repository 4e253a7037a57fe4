"""The tasks, defined deep in a package."""

import ray


@ray.remote
def load(name):
    return ray.put(name.title())


@ray.remote
def pieces(name):
    return [ray.put(part) for part in name.split("-")]
