"""A named actor reached by name elsewhere: ray.get_actor("config")."""

import ray

from config import Config
from settings import setting


def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    config = Config.options(name="config").remote({"mode": "fast", "level": 3})
    print("direct:", ray.get(ray.get(config.value.remote("mode"))))
    print("by name:", setting("mode"), setting("level"))
    ray.shutdown()


if __name__ == "__main__":
    main()
