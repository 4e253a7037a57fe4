"""A call site raylint must refuse to rewrite: the outer ref passed on and stored."""

import ray

from tasks import kind, label, load


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("load:", ray.get(ray.get(load.remote(1))))
    # the outer ref passed to another task: it receives the inner ref (or, once fixed, the value)
    print("kind:", ray.get(kind.remote(label.remote(2))))
    # the outer ref stored in a dict, fetched twice later
    pending = {"first": label.remote(3)}
    print("label:", ray.get(ray.get(pending["first"])))
    ray.shutdown()


if __name__ == "__main__":
    main()
