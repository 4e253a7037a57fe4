import ray


def apply(task, value):
    return ray.get(ray.get(task.remote(value)))  # <- review
