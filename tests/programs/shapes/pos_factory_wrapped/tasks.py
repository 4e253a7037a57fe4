import ray

cpu_task = ray.remote(num_cpus=1)
