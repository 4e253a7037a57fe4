import ray


def _encode(text):
    return ray.put([ord(c) for c in text])


encode = ray.remote(_encode)
