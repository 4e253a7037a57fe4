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
def length(text):
    # a plain task: Ray hands it the value of a ref passed as an argument
    return len(text)
