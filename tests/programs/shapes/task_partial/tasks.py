import ray


@ray.remote
def tokenize(text, lower=True):
    return ray.put((text.lower() if lower else text).split())
