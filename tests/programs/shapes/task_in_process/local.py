import ray

from codec import _encode


def local_codes(text):
    return ray.get(_encode(text))  # <- review
