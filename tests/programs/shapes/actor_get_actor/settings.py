import ray


def setting(key):
    config = ray.get_actor("config")
    return ray.get(ray.get(config.value.remote(key)))  # <- review
