from stats.core import bounds as extent

__all__ = ["extent"]
