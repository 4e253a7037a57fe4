"""A barrier over a task that returns a tuple of ray.put() refs."""

import os
import shutil
import tempfile

import ray

from tasks import split


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    folder = tempfile.mkdtemp(prefix="split-")
    try:
        ray.get([split.remote(folder, i) for i in range(3)])
        print("written:", sorted(os.listdir(folder)))
        head, tail = ray.get(split.remote(folder, 4))
        print("split:", ray.get(head), ray.get(tail))
    finally:
        shutil.rmtree(folder)
    ray.shutdown()


if __name__ == "__main__":
    main()
