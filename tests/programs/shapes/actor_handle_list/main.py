"""Actor handles kept in a list; methods called through a comprehension variable and an index."""

import ray

from scorer import Scorer


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    workers = [Scorer.remote(w) for w in (1, 2, 3)]
    batch = [1, 2, 3]
    inner = ray.get([w.score.remote(batch) for w in workers])  # <- review
    print("scores:", ray.get(inner))
    first = workers[0]
    print("first:", ray.get(ray.get(first.score.remote([4, 5]))))  # <- review
    ray.shutdown()


if __name__ == "__main__":
    main()
