"""A caller inside the package, through a relative import of the re-export."""

import ray

from . import load


def greet(name):
    return "hello " + ray.get(ray.get(load.remote(name)))
