"""An actor whose methods return `ray.put()` refs."""

import ray


@ray.remote
class Store:
    def __init__(self, prefix):
        self.prefix = prefix
        self.items = {}

    def set(self, key, value):
        self.items[key] = value
        return True

    def get(self, key):
        return ray.put(f"{self.prefix}:{self.items[key]}")

    def keys(self):
        return [ray.put(key) for key in sorted(self.items)]

    def size(self):
        return ray.put(len(self.items)), ray.put(self.prefix)
