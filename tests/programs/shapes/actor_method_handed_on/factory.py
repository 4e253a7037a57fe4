from counter import Ledger


def make():
    return Ledger.remote()
