"""Two-step fetches through variables."""

import ray

from tasks import load
from use import size_of


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    r = load.remote("alpha")
    v = ray.get(r)
    w = ray.get(v)
    print("load:", w, size_of("be"))
    ray.shutdown()


if __name__ == "__main__":
    main()
