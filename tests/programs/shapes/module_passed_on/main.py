"""The task's module handed to a function of another module, which submits its task."""

import ray

import tasks
from runner import run


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("loaded:", run(tasks, 4))  # <- review
    ray.shutdown()


if __name__ == "__main__":
    main()
