"""A subclass made an actor: handles of WindowCounter call the method it inherits from Counter."""

import ray

from counter import RemoteCounter, RemoteWindow


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    counter = RemoteCounter.remote()
    window = RemoteWindow.remote(2)
    for x in (1, 2, 3):
        ray.get([counter.add.remote(x), window.add.remote(x)])
    print("counter:", ray.get(ray.get(counter.total.remote())))
    print("window:", ray.get(ray.get(window.total.remote())))  # <- review
    ray.shutdown()


if __name__ == "__main__":
    main()
