import ray


@ray.remote
def square(x):
    return ray.put(x * x)
