"""Tasks kept in a registry and called by key."""

import ray

from pipeline import run


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("norm:", ray.get(run("norm", "  Hello   World ")))
    print("shout:", run("shout", "hey"))
    ray.shutdown()


if __name__ == "__main__":
    main()
