"""Callers in another module."""

import ray

from tasks import bounds, split


def halves(words):
    return ray.get(list(ray.get(split.remote(words))))


def describe(numbers):
    low, high, total = ray.get(bounds.remote(numbers))
    return f"low={ray.get(low)} high={ray.get(high)} total={ray.get(total)}"
