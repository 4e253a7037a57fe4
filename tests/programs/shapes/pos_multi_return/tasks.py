import ray


@ray.remote(num_returns=2)
def split(words):
    return ray.put(words[:2]), ray.put(words[2:])
