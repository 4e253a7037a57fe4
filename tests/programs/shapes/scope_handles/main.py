"""A comprehension variable with the name of a handle of another class."""

import ray

from actors import A, B


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    h = A.remote()
    print("A:", ray.get(ray.get(h.m.remote())))
    others = [B.remote(i) for i in range(2)]
    print("B:", ray.get([h.m.remote() for h in others]))
    ray.shutdown()


if __name__ == "__main__":
    main()
