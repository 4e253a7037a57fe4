"""An unknown number of `ray.put()` refs: the generator rewrite yields the values."""

import ray


@ray.remote
def squares(n):
    return [ray.put(i * i) for i in range(n)]


@ray.remote
def chunks(words, size):
    parts = []
    for start in range(0, len(words), size):
        parts.append(ray.put(words[start : start + size]))
    return parts


@ray.remote
def merge(*parts):
    return [word for part in parts for word in part]


@ray.remote
class Reader:
    def __init__(self, lines):
        self.lines = lines

    def lines_with(self, letter):
        return [ray.put(line) for line in self.lines if letter in line]
