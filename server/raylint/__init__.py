"""raylint: find and fix Ray tasks that return ray.put() ObjectRefs (RAY001)."""

__version__ = "0.1.0"
