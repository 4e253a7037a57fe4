"""The refs a task returns as a tuple, kept as a tuple: a dict key and a tuple concatenation."""

import ray

from tasks import split


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    pair = ray.get(split.remote("left-right"))
    print("kind:", type(pair).__name__)
    seen = {pair: "first"}
    print("values:", ray.get(list(pair + (ray.put("extra"),))), seen[pair])
    ray.shutdown()


if __name__ == "__main__":
    main()
