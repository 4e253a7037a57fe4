import ray


@ray.remote
class Library:
    def __init__(self):
        self.books = {"dune": 3, "emma": 1}

    def lend(self, title):
        self.books[title] -= 1
        return self.books[title]

    def inventory(self):
        return ray.put(dict(sorted(self.books.items())))
