"""Re-exports: callers write `from pkg import load`."""

from .core import load, pieces

__all__ = ["load", "pieces"]
