"""A get-or-create named actor: .options(name=..., get_if_exists=True).remote()."""

import ray

from counter import Hits, hits


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    # A named actor without a handle ends: hold one, or a later hits() may
    # reach the actor while it is being destroyed (ActorDiedError).
    keep = hits()
    ray.get(hits().hit.remote())
    ray.get(hits().hit.remote())
    print("helper:", ray.get(ray.get(hits().report.remote())))  # <- review
    same = Hits.options(name="hits", get_if_exists=True).remote()
    ray.get(same.hit.remote())
    print("direct:", ray.get(ray.get(same.report.remote())))
    del keep
    ray.shutdown()


if __name__ == "__main__":
    main()
