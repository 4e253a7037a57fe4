"""A task passed to a helper as an argument."""

import ray

from apply import apply
from tasks import tokenize


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("direct:", ray.get(ray.get(tokenize.remote("x y"))))
    print("applied:", apply(tokenize, "a b c"))  # <- review
    ray.shutdown()


if __name__ == "__main__":
    main()
