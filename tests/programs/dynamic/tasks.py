"""An unknown number of `ray.put()` refs, rewritten for `num_returns="dynamic"`."""

import ray


@ray.remote
def evens(n):
    return [ray.put(i) for i in range(0, n, 2)]


@ray.remote
def lines(text):
    out = []
    for line in text.splitlines():
        out.append(ray.put(line.strip()))
    return out
