"""Callers in another module: `for`, `list` and `next`-style reads of the refs."""

import ray

from tasks import chunks, squares


def total(n):
    return sum(ray.get(ray.get(squares.remote(n))))


def first_square(n):
    return ray.get(ray.get(squares.remote(n)))[0]


def chunk_lengths(words):
    parts = [ray.get(ref) for ref in ray.get(chunks.remote(words, 3))]
    return [len(part) for part in parts]
