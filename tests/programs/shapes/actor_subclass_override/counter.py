import ray


class Counter:
    def __init__(self):
        self.items = []

    def add(self, x):
        self.items.append(x)
        return len(self.items)

    def total(self):
        return ray.put(sum(self.items))


class PlainCounter(Counter):
    def total(self):
        return sum(self.items) * 10


RemoteCounter = ray.remote(Counter)
RemotePlain = ray.remote(PlainCounter)
