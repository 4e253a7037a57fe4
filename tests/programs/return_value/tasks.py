"""Tasks that return `ray.put()` refs: the return-value rewrite returns the values."""

import ray

RECORDS = ["alpha", "bravo", "charlie", "delta", "echo"]


@ray.remote
def load(i):
    return ray.put(RECORDS[i % len(RECORDS)])


@ray.remote
def clean(text):
    ref = ray.put(text.strip().upper())
    return ref


@ray.remote
def parity(i):
    # a put on each path: one fix rewrites both returns, and the callers with them
    if i % 2:
        return ray.put(f"odd {i}")
    ref = ray.put(f"even {i}")
    return ref


@ray.remote
def length(text):
    # a plain task: Ray hands it the value of a ref passed as an argument
    return len(text)
