import ray


@ray.remote
def load(name):
    return ray.put({"name": name, "size": len(name)})
