"""Callers in another module, one importing the task under another name."""

import ray

from tasks import clean
from tasks import load as fetch


def first_letters(count):
    refs = ray.get([fetch.remote(i) for i in range(count)])
    return "".join(text[0] for text in ray.get(refs))


def shout(i):
    text = ray.get(ray.get(fetch.remote(i)))
    return ray.get(ray.get(clean.remote(f"  {text}  ")))
