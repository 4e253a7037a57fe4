import ray


@ray.remote
def bounds(values):
    return ray.put((min(values), max(values)))
