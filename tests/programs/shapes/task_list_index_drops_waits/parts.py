import os
import time

import ray


@ray.remote
def write_part(folder, i):
    time.sleep(0.2 + 1.5 * i)
    path = os.path.join(folder, f"part-{i}.txt")
    with open(path, "w") as f:
        f.write(str(i * i))
    return ray.put(path)
