"""A task with options bound to a name, called later through that name."""

import ray

from presets import light
from tasks import tokenize


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("direct:", ray.get(ray.get(tokenize.remote("x y"))))
    local = tokenize.options(num_cpus=1)
    print("local:", ray.get(ray.get(local.remote("p q r"))))  # <- review
    print("light:", [ray.get(ray.get(light.remote(t))) for t in ("a b", "c")])  # <- review
    ray.shutdown()


if __name__ == "__main__":
    main()
