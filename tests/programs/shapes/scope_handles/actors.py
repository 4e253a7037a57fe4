import ray


@ray.remote
class A:
    def m(self):
        return ray.put("from A")


@ray.remote
class B:
    def __init__(self, i):
        self.i = i

    def m(self):
        return f"from B{self.i}"
