"""A subclass overrides the flagged method: its handles' callers fetch once."""

import ray

from counter import RemoteCounter, RemotePlain


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    counter = RemoteCounter.remote()
    plain = RemotePlain.remote()
    for x in (1, 2, 3):
        ray.get([counter.add.remote(x), plain.add.remote(x)])
    print("counter:", ray.get(ray.get(counter.total.remote())))
    print("plain:", ray.get(plain.total.remote()))
    ray.shutdown()


if __name__ == "__main__":
    main()
