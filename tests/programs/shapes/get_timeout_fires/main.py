"""A get with a timeout that fires, then the ref fetched again: `inner = ref` would never time out."""

import ray

from tasks import slow_square


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ref = slow_square.remote(4)  # <- review (fetched with a timeout below)
    try:
        inner = ray.get(ref, timeout=0.1)
        print("ready at once")
    except ray.exceptions.GetTimeoutError:
        print("not ready yet")
        inner = ray.get(ref)
    print("square:", ray.get(inner))
    ray.shutdown()


if __name__ == "__main__":
    main()
