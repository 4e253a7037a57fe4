import ray


@ray.remote
class Store:
    def __init__(self):
        self.items = {"a": 1, "b": 2}

    def value(self, key):
        return ray.put(self.items[key] * 100)
