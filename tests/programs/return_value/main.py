"""return-value: every caller shape, before and after `raylint check --fix`."""

import ray

from report import first_letters, shout
from tasks import clean, length, load, parity


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    load.remote(0)  # fire and forget: nothing to change

    # nested gets
    print("nested:", ray.get(ray.get(load.remote(1))))
    print("options:", ray.get(ray.get(load.options(name="load-3").remote(3))))

    # two steps: the inner ref kept in a variable, fetched later
    ref = ray.get(load.remote(2))
    print("two steps:", ray.get(ref))

    # the outer ref in a variable
    outer = clean.remote(" quiet ")
    print("variable:", ray.get(ray.get(outer)))

    # a comprehension of call sites, then indexing and unpacking the refs
    refs = ray.get([load.remote(i) for i in range(4)])
    first, *rest = ray.get(refs)  # (all waited for first: see raylint's Fix safety)
    print("indexed:", ray.get(refs[2]))
    print("unpacked:", first, rest)

    # a list of call sites, unpacked
    a, b = ray.get(ray.get([load.remote(0), load.remote(3)]))
    print("list:", a, b)

    # ray.wait on the refs the driver holds
    ready, not_ready = ray.wait(refs, num_returns=len(refs))
    print("waited:", len(ready), len(not_ready), sorted(ray.get(ready)))

    # the ref passed on to another task, after the inner get
    inner = ray.get(load.remote(4))
    ray.get(inner)  # (waited for first: a failure of load is raised here, not as length's)
    print("passed on:", ray.get(length.remote(inner)))

    # a task that returns a put on two paths
    print("two paths:", ray.get(ray.get(parity.remote(1))), ray.get(ray.get(parity.remote(2))))

    print("other module:", first_letters(5), shout(0))
    ray.shutdown()


if __name__ == "__main__":
    main()
