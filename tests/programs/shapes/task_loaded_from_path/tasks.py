import ray


@ray.remote
def load(i):
    return ray.put(i * 10)
