"""A task that becomes a generator, its failure caught where its refs are fetched: `list(...)`
of a failed generator does not raise (the error is in its last ref), so the failure would be
raised past the handler."""

import ray

from tasks import chunks


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    for n in (2, -1):
        try:
            refs = ray.get(chunks.remote(n))  # <- review
        except ray.exceptions.RayTaskError:
            print(n, "failed")
            continue
        print(n, "chunks:", ray.get(refs))
    ray.shutdown()


if __name__ == "__main__":
    main()
