"""generator: every caller shape, before and after `raylint check --fix`."""

import ray

from consume import chunk_lengths, first_square, total
from tasks import Reader, chunks, merge, squares

WORDS = "one two three four five six seven eight".split()


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)

    # the first value (`next`), all of them (`list`), and a `for` loop
    print("first:", ray.get(ray.get(squares.remote(5)))[0])
    print("all:", ray.get(ray.get(squares.remote(4))))
    for chunk in ray.get(ray.get(chunks.remote(WORDS, 3))):
        print("chunk:", chunk)

    # two steps: the refs kept, counted, indexed and read again
    refs = ray.get(squares.remote(6))
    print("two steps:", len(refs), ray.get(refs)[-1], ray.get(refs))

    # ray.wait on the refs the driver holds
    ready, not_ready = ray.wait(refs, num_returns=len(refs))
    print("waited:", len(ready), len(not_ready))

    # the refs passed on to another task, after the inner get
    parts = ray.get(chunks.remote(WORDS, 5))
    ray.get(parts)  # (waited for first: a failure of chunks is raised here, not as merge's)
    print("passed on:", ray.get(merge.remote(*parts)))

    # the outer ref in a variable, read once
    outer = squares.options(name="squares-3").remote(3)
    print("variable:", ray.get(ray.get(outer)))

    print("other module:", total(4), first_square(3), chunk_lengths(WORDS))

    # an actor method
    reader = Reader.remote(["a cat", "a dog", "the end"])
    print("actor:", ray.get(ray.get(reader.lines_with.remote("a"))))
    ray.shutdown()


if __name__ == "__main__":
    main()
