"""A task's failure caught where its ref is fetched: `inner = ref` would raise it later, past the handler."""

import ray

from tasks import checked_load


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    for i in (2, -1):
        try:
            inner = ray.get(checked_load.remote(i))  # <- review
        except ray.exceptions.RayTaskError:
            print(i, "failed")
            continue
        print(i, "loaded:", ray.get(inner))
    ray.shutdown()


if __name__ == "__main__":
    main()
