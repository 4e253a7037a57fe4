import ray


@ray.remote
class Store:
    def __init__(self, items):
        self.items = dict(items)

    def lookup(self, key):
        return ray.put(self.items.get(key, "?"))
