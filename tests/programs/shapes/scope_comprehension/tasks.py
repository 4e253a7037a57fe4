import ray


@ray.remote
def fetch(key):
    return ray.put(key * 2)


@ray.remote
def plain(key):
    return key + 100
