"""A two-step get with a statement between: `ref = part.remote()` would not wait for the part to be written."""

import os
import shutil
import tempfile

import ray

from parts import write_part


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    folder = tempfile.mkdtemp(prefix="parts-")
    try:
        ref = ray.get(write_part.remote(folder, 3))  # <- review
        print("parts:", sorted(os.listdir(folder)))
        last = ray.get(ref)
        print("last:", os.path.basename(last))
    finally:
        shutil.rmtree(folder)
    ray.shutdown()


if __name__ == "__main__":
    main()
