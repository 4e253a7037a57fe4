from counter import Hits


def make():
    return Hits.remote()
