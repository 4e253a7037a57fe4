import ray


@ray.remote
def chunks(n):
    if n < 0:
        raise ValueError(f"no chunks for {n}")
    return [ray.put(i) for i in range(n)]
