"""The task's module loaded from its path (a plugin loader): its callers name neither it nor the task's module."""

import ray

from loader import load_tasks


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    plugin = load_tasks()
    print("loaded:", ray.get(ray.get(plugin.load.remote(4))))
    ray.shutdown()


if __name__ == "__main__":
    main()
