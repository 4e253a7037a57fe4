"""An actor handle passed to a function as an un-annotated parameter."""

import ray

from library import Library
from report import total


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    lib = Library.remote()
    ray.get(lib.lend.remote("dune"))
    print("inventory:", ray.get(ray.get(lib.inventory.remote())))
    print("total:", total(lib))  # <- review
    ray.shutdown()


if __name__ == "__main__":
    main()
