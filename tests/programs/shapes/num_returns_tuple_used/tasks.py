import ray


@ray.remote
def split(text):
    head, tail = text.split("-")
    return ray.put(head), ray.put(tail)
