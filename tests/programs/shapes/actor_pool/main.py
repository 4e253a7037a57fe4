"""Actor handles in an ActorPool: the pool's map calls the method through a lambda parameter."""

import ray
from ray.util import ActorPool

from scorer import Scorer


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    workers = [Scorer.remote(w) for w in (1, 10)]
    pool = ActorPool(workers)
    batches = [[1], [2, 3], [4], [5, 6]]
    # ActorPool.map yields ray.get of each call: here the inner refs
    inner = list(pool.map(lambda a, v: a.score.remote(v), batches))  # <- review
    print("pool:", sorted(ray.get(inner)))
    ray.shutdown()


if __name__ == "__main__":
    main()
