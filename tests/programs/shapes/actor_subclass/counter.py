import ray


class Counter:
    def __init__(self):
        self.items = []

    def add(self, x):
        self.items.append(x)
        return len(self.items)

    def total(self):
        return ray.put(sum(self.items))


class WindowCounter(Counter):
    def __init__(self, size):
        super().__init__()
        self.size = size

    def add(self, x):
        super().add(x)
        self.items = self.items[-self.size:]
        return len(self.items)


RemoteCounter = ray.remote(Counter)
RemoteWindow = ray.remote(WindowCounter)
