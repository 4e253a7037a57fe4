from dataclasses import dataclass

import ray
from ray.actor import ActorHandle


@dataclass
class Context:
    name: str
    store: ActorHandle


def section_sum(ctx: Context, name):
    return sum(ray.get(ray.get(ctx.store.section.remote(name))))  # <- review
