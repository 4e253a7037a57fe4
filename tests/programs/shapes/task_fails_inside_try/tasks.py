import ray


@ray.remote(max_retries=0)
def checked_load(i):
    if i < 0:
        raise ValueError(f"no item {i}")
    return ray.put(i * 10)
