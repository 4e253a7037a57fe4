"""The same name as a variable, a comprehension variable and a lambda parameter."""

import ray

from tasks import fetch, plain


def collect():
    ref = fetch.remote(5)
    first = ray.get(ray.get(ref))
    other_refs = [plain.remote(i) for i in range(3)]
    others = [ray.get(ref) for ref in other_refs]
    get_one = lambda ref: ray.get(ref)  # noqa: E731
    extra = get_one(plain.remote(7))
    return first, others, extra


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("collect:", collect())
    ray.shutdown()


if __name__ == "__main__":
    main()
