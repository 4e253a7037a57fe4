"""Run the pipeline on a local Ray: `python examples/main.py`.

The driver reads each result the way the tasks' `ray.put()` returns force it to: one
`ray.get` for the task's ref, then another for the ref the task put. After
`raylint check --fix`, each marked line loses its inner `ray.get` (see the README).
"""

import ray

from actors import WordCounter
from tasks import DOCUMENTS, clean, load, shards, split, stats, tokenize

STOP_WORDS = {"and", "as", "the", "through"}


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    # Putting a value once in the driver and sharing the ref among tasks is the right use.
    stop_words = ray.put(STOP_WORDS)
    counter = WordCounter.remote()

    for doc_id in range(len(DOCUMENTS)):
        text = ray.get(ray.get(load.remote(doc_id)))  # return-value
        cleaned = ray.get(ray.get(clean.remote(text)))  # return-value
        words, distinct = ray.get(list(ray.get(stats.remote(cleaned.split()))))  # num-returns
        print(f"document {doc_id}: {words} words, {distinct} distinct")
        for half in ray.get(list(ray.get(split.remote(cleaned)))):  # num-returns
            tokens = ray.get(ray.get(tokenize.remote(half, stop_words)))  # generator
            for shard in ray.get(ray.get(shards.remote(tokens, 4))):  # generator
                ray.get(counter.add.remote(shard))

    print("top words:", ray.get(ray.get(counter.top.remote(3))))  # return-value
    distinct, total = ray.get(list(ray.get(counter.totals.remote())))  # num-returns
    print(f"{distinct} distinct words, {total} in all")
    ray.shutdown()


if __name__ == "__main__":
    main()
