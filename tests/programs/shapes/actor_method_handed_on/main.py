"""An actor method handed, uncalled, to a module that submits it: this module never spells the
submitting word, yet the fix changes what `run` gets back."""

import ray

from factory import make
from runner import run, touch


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    h = make()
    touch(h.add)
    print("report:", run(h.report))  # <- review
    ray.shutdown()


if __name__ == "__main__":
    main()
