"""A def made a task by calling a factory another module binds: g = cpu_task(double)."""

import ray

from tasks import cpu_task


def double(x):
    return ray.put(x * 2)


g = cpu_task(double)


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("double:", ray.get(ray.get(g.remote(21))))
    ray.shutdown()


if __name__ == "__main__":
    main()
