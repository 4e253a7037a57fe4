"""Nested gets with a timeout."""

import ray

from tasks import square


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("nested:", ray.get(ray.get(square.remote(3), timeout=60), timeout=60))
    ray.shutdown()


if __name__ == "__main__":
    main()
