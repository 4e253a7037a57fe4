"""A function made a task with ray.remote(fn) that is also called in-process."""

import ray

from codec import encode
from local import local_codes


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("remote:", ray.get(ray.get(encode.remote("ab"))))
    print("local:", local_codes("cd"))
    ray.shutdown()


if __name__ == "__main__":
    main()
