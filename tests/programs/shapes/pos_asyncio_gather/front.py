import asyncio

import ray

from store import Store


@ray.remote
class Front:
    def __init__(self):
        self.store = Store.remote()

    async def both(self):
        inner = await asyncio.gather(self.store.value.remote("a"), self.store.value.remote("b"))
        values = await asyncio.gather(*inner)
        return list(values)
