import ray


class Reader:
    def __init__(self, store):
        self.store = store

    def read(self, key):
        return ray.get(ray.get(self.store.lookup.remote(key)))  # <- review
