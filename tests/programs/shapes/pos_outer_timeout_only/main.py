"""A timeout on the outer get only: it bounded the fetch of the put value, never the task's run."""

import ray

from tasks import slow_square


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("outer timeout:", ray.get(ray.get(slow_square.remote(3)), timeout=0.5))
    ray.shutdown()


if __name__ == "__main__":
    main()
