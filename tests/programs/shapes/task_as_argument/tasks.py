import ray


@ray.remote
def tokenize(text):
    return ray.put(text.split())
