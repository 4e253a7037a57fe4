import ray


@ray.remote
class Config:
    def __init__(self, values):
        self.values = dict(values)

    def value(self, key):
        return ray.put(self.values[key])
