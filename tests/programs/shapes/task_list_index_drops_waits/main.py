"""One inner ref of several calls fetched: `ray.get([a, b][0])` would wait for the first task only."""

import os
import shutil
import tempfile

import ray

from parts import write_part


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    folder = tempfile.mkdtemp(prefix="parts-")
    try:
        first = ray.get(ray.get([write_part.remote(folder, 0), write_part.remote(folder, 1)])[0])  # <- review
        print("first:", os.path.basename(first))
        print("parts:", sorted(os.listdir(folder)))
    finally:
        shutil.rmtree(folder)
    ray.shutdown()


if __name__ == "__main__":
    main()
