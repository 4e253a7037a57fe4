"""A task's .remote bound with functools.partial."""

import functools

import ray

from tasks import tokenize

keep_case = functools.partial(tokenize.remote, lower=False)  # <- review


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("lower:", ray.get(ray.get(tokenize.remote("A b"))))
    print("keep case:", ray.get(ray.get(keep_case("A b"))))  # <- review
    ray.shutdown()


if __name__ == "__main__":
    main()
