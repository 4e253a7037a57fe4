"""A task re-exported by a package under another name."""

import ray

from report import span


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("span:", span([4, 9, 1, 7]), span([2, 2]))
    ray.shutdown()


if __name__ == "__main__":
    main()
