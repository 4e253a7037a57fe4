import time

import ray


@ray.remote
def slow_square(x):
    time.sleep(2)
    return ray.put(x * x)
