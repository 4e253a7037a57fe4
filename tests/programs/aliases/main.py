"""A task reached through a re-export, an `as` alias and a module attribute."""

import ray

import pkg
from pkg import load
from pkg.local import greet
from renamed import fetched, parts, through_module


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    print("re-export:", ray.get(ray.get(load.remote("ada"))))
    print("package attribute:", ray.get(ray.get(pkg.load.remote("grace"))))
    print("relative import:", greet("linus"))
    print("as alias:", fetched("guido"))
    print("module alias:", through_module("barbara"))
    print("generator alias:", parts("ada-grace-linus"))
    ray.shutdown()


if __name__ == "__main__":
    main()
