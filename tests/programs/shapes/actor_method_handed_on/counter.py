import ray


@ray.remote
class Hits:
    def __init__(self):
        self.count = 0

    def hit(self):
        self.count += 1
        return self.count

    def report(self):
        return ray.put(f"hits={self.count}")
