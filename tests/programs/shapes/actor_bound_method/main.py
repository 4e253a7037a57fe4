"""An actor method kept in a variable and called later."""

import ray

from acc import Acc


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    h = Acc.remote(1000)
    print("direct:", ray.get(ray.get(h.value.remote(3))))
    method = h.value  # <- review
    print("bound method:", ray.get(ray.get(method.remote(4))))  # <- review
    ray.shutdown()


if __name__ == "__main__":
    main()
