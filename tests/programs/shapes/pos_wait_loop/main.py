"""A ray.wait loop: the ready outer refs are fetched twice."""

import ray

from tasks import square


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    pending = [square.remote(i) for i in range(5)]
    results = []
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        results.append(ray.get(ray.get(ready[0])))
    print("squares:", sorted(results))
    ray.shutdown()


if __name__ == "__main__":
    main()
