"""Actor methods: handles from Cls.remote(), Cls.options().remote(), attributes, parameters."""

import ray

from client import Client, Mirror, read_all, size_of
from store import Store


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)

    plain = Store.remote("plain")
    ray.get([plain.set.remote("b", 2), plain.set.remote("a", 1)])
    print("Cls.remote():", ray.get(ray.get(plain.get.remote("a"))))

    named = Store.options(name="named-store").remote("named")
    ray.get(named.set.remote("x", 10))
    print("Cls.options().remote():", ray.get(ray.get(named.get.remote("x"))))

    client = Client("client")
    client.put("k", "v")
    print("self attribute:", client.read("k"))
    print("annotated attribute:", Mirror(plain).read("b"))

    print("annotated parameter:", read_all(plain), size_of(named))
    ray.shutdown()


if __name__ == "__main__":
    main()
