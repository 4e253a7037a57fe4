"""num-returns: every caller shape, before and after `raylint check --fix`."""

import ray

from stats import describe, halves
from tasks import Tally, join, split

WORDS = "the quick brown fox jumps over the lazy dog".split()


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)

    # unpacking
    first, second = ray.get(split.remote(WORDS))
    print("unpacked:", ray.get(first), ray.get(second))

    # indexing
    print("indexed:", ray.get(list(ray.get(split.remote(WORDS[:4]))))[1])
    print("options:", ray.get(list(ray.get(split.options(name="split-6").remote(WORDS[:6]))))[0])

    # two steps, the refs used more than once
    pair = ray.get(split.remote(WORDS[2:]))
    print("two steps:", [len(value) for value in ray.get(list(pair))], ray.get(list(pair))[0])

    # ray.wait on the refs the driver holds
    ready, _ = ray.wait(list(pair), num_returns=2)
    print("waited:", len(ready))

    # the refs passed on to another task, after the inner get
    left, right = ray.get(split.remote(WORDS))
    ray.get([left, right])  # (waited for first: a failure of split is raised here, not as join's)
    print("passed on:", ray.get(join.remote(left, right)))

    # another module
    print("other module:", halves(WORDS[:3]), describe([4, 8, 15, 16, 23, 42]))

    # an actor method returning two puts
    tally = Tally.remote()
    for word in WORDS:
        ray.get(tally.add.remote(word))
    low, high = ray.get(tally.extremes.remote())
    print("actor:", ray.get(low), ray.get(high))
    ray.shutdown()


if __name__ == "__main__":
    main()
