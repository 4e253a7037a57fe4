import ray

from tasks import load


def size_of(name):
    r = load.remote(name)
    v = ray.get(r)
    w = ray.get(v)
    return w["size"]
