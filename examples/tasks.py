"""The pipeline's tasks: load, clean, split, tokenize and shard documents.

Every task here returns refs made by `ray.put()` (RAY001); `raylint check . --diff`
shows how each one returns its values instead.
"""

import ray
import ray as r
from ray import put as store

from compat import light_task, put

DOCUMENTS = [
    "Ray runs Python functions as tasks, and Python classes as actors.",
    "Tasks return small values inline, and large values through the object store.",
]


@ray.remote
def load(doc_id):
    text = DOCUMENTS[doc_id % len(DOCUMENTS)]
    return ray.put(text)


@ray.remote
def clean(text):
    cleaned = " ".join(text.lower().replace(",", " ").replace(".", " ").split())
    ref = store(cleaned)
    return ref


@r.remote(num_cpus=1)
def split(text, ratio=0.5):
    words = text.split()
    cut = int(len(words) * ratio)
    return r.put(words[:cut]), r.put(words[cut:])


@light_task
def tokenize(words, stop_words):
    return [put(word) for word in words if word not in stop_words]


@ray.remote
def shards(words, size):
    parts = []
    for start in range(0, len(words), size):
        parts.append(ray.put(words[start : start + size]))
    return parts


def _stats(words):
    return ray.put(len(words)), ray.put(len(set(words)))


stats = ray.remote(_stats)
