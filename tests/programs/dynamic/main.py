"""generator-style = "dynamic": the callers read a DynamicObjectRefGenerator."""

import ray

from tasks import evens, lines

TEXT = """first
  second
third"""


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("all:", ray.get(ray.get(evens.remote(9))))
    print("first:", ray.get(ray.get(evens.remote(5))[0]))
    refs = ray.get(lines.remote(TEXT))
    print("two steps:", len(refs), ray.get(refs[1]))
    for ref in ray.get(lines.remote(TEXT)):
        print("line:", ray.get(ref))
    ray.shutdown()


if __name__ == "__main__":
    main()
