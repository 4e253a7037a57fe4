"""An actor handle kept in a dataclass field and called as ctx.store.section.remote()."""

import ray

from context import Context, section_sum
from store import Store


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ctx = Context("run", Store.remote())  # <- review
    print(ctx.name, "a:", section_sum(ctx, "a"), "b:", section_sum(ctx, "b"))
    ray.shutdown()


if __name__ == "__main__":
    main()
