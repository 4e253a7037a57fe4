"""A num_returns=2 task whose returns are ray.put() refs, fetched by index."""

import ray

from tasks import split


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    words = ["a", "b", "c", "d", "e"]
    print("head:", ray.get(ray.get(split.remote(words)[0])))
    print("tail:", ray.get(ray.get(split.remote(words)[1])))
    ray.shutdown()


if __name__ == "__main__":
    main()
