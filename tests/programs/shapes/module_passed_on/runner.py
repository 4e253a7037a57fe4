import ray


def run(mod, i):
    return ray.get(ray.get(mod.load.remote(i)))
