import os

import ray


@ray.remote
def split(folder, i):
    word = f"w{i}-{i * i}"
    with open(os.path.join(folder, f"{i}.txt"), "w") as f:
        f.write(word)
    head, tail = word.split("-")
    return ray.put(head), ray.put(tail)
