"""Handles that reach the callers as an attribute and as annotated parameters."""

import ray

from store import Store


class Client:
    def __init__(self, prefix):
        self.store = Store.remote(prefix)

    def put(self, key, value):
        return ray.get(self.store.set.remote(key, value))

    def read(self, key):
        return ray.get(ray.get(self.store.get.remote(key)))


class Mirror:
    backend: Store

    def __init__(self, backend):
        self.backend = backend

    def read(self, key):
        return ray.get(ray.get(self.backend.get.remote(key)))


def read_all(store: Store):
    return [ray.get(ref) for ref in ray.get(store.keys.remote())]


def size_of(store: "Store"):
    count, prefix = ray.get(store.size.remote())
    return ray.get(prefix), ray.get(count)
