import ray


@ray.remote
def normalize(text):
    return ray.put(" ".join(text.split()).lower())


@ray.remote
def shout(text):
    return text.upper() + "!"


STEPS = {"norm": normalize, "shout": shout}  # <- review
