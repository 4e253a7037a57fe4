import ray

from store import Store


@ray.remote
class Front:
    def __init__(self):
        self.store = Store.remote()

    async def ask(self, key):
        return await (await self.store.value.remote(key))
