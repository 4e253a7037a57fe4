"""ray.remote(Cache): the same class also runs in-process, where snapshot() is a plain call."""

import ray

from cache import Cache, RemoteCache


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    cache = RemoteCache.remote()
    ray.get([cache.set.remote("b", 2), cache.set.remote("a", 1)])
    print("remote snapshot:", ray.get(ray.get(cache.snapshot.remote())))
    print("remote describe:", ray.get(cache.describe.remote()))
    local = Cache()
    local.set("z", 26)
    print("local snapshot:", ray.get(local.snapshot()))  # <- review
    ray.shutdown()


if __name__ == "__main__":
    main()
