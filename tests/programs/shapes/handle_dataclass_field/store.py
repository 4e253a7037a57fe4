import ray


@ray.remote
class Store:
    def __init__(self):
        self.sections = {"a": [1, 2], "b": [3, 4, 5]}

    def section(self, name):
        return ray.put(self.sections[name])
