import ray

from steps import STEPS


def run(name, text):
    return ray.get(STEPS[name].remote(text))  # <- review
