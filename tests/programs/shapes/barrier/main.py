"""A ray.get whose result is thrown away: it is there to wait for the parts to be written."""

import os
import shutil
import tempfile

import ray

from parts import write_part


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    folder = tempfile.mkdtemp(prefix="parts-")
    try:
        ray.get([write_part.remote(folder, i) for i in range(3)])
        names = sorted(os.listdir(folder))
        print("parts:", names)
        print("total:", sum(int(open(os.path.join(folder, n)).read()) for n in names))
        last = ray.get(ray.get(write_part.remote(folder, 3)))
        print("last:", os.path.basename(last))
    finally:
        shutil.rmtree(folder)
    ray.shutdown()


if __name__ == "__main__":
    main()
