"""An async actor awaiting a method that returns a ray.put() ref: await (await ...)."""

import ray

from front import Front


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    front = Front.remote()
    print("ask:", ray.get(front.ask.remote("a")), ray.get(front.ask.remote("b")))
    ray.shutdown()


if __name__ == "__main__":
    main()
