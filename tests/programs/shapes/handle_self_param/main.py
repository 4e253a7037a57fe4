"""A handle stored on another object from a parameter: self.store = store."""

import ray

from reader import Reader
from store import Store


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    reader = Reader(Store.remote({"x": "ex", "y": "why"}))  # <- review
    print("read:", reader.read("x"), reader.read("y"), reader.read("z"))
    ray.shutdown()


if __name__ == "__main__":
    main()
