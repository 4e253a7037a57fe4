"""An async actor gathering outer refs, then the inner refs they hold."""

import ray

from front import Front


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    front = Front.remote()
    print("both:", ray.get(front.both.remote()))
    ray.shutdown()


if __name__ == "__main__":
    main()
