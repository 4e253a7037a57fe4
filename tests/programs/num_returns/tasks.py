"""A fixed number of `ray.put()` refs: the num-returns rewrite returns the values."""

import ray


@ray.remote(num_cpus=1)
def split(words):
    cut = len(words) // 2
    return ray.put(words[:cut]), ray.put(words[cut:])


def _bounds(numbers):
    return ray.put(min(numbers)), ray.put(max(numbers)), ray.put(sum(numbers))


bounds = ray.remote(_bounds)


@ray.remote
def join(first, second):
    return " | ".join([" ".join(first), " ".join(second)])


@ray.remote
class Tally:
    def __init__(self):
        self.seen = []

    def add(self, word):
        self.seen.append(word)
        return len(self.seen)

    def extremes(self):
        ordered = sorted(self.seen)
        return ray.put(ordered[0]), ray.put(ordered[-1])
