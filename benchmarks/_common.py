"""Small helpers shared by the benchmark scripts (not a benchmark itself)."""

from __future__ import annotations

import os
import platform
import statistics
import sys


def load() -> str:
    """The machine's load averages, to print next to every number (other jobs skew them)."""
    try:
        one, five, fifteen = os.getloadavg()
        return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cpu"
    except OSError:
        return "load n/a"


def machine() -> str:
    return f"Python {platform.python_version()} ({sys.executable}), {platform.platform()}, {os.cpu_count()} cpu"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def target_line(label: str, value: float, target: float, unit: str, width: int = 46) -> str:
    if unit == "ms":
        shown, goal = f"{value:9.1f} ms", f"{target:.0f} ms"
    elif unit == "s":
        shown, goal = f"{value:9.3f} s ", f"{target:.1f} s"
    elif unit == "MB":
        shown, goal = f"{value:9.1f} MB", f"{target:.0f} MB"
    else:
        shown, goal = f"{value:9.2f}{unit:>3}", f"{target:g}{unit}"
    return f"  {label:<{width}} {shown}   target <= {goal:<8} {verdict(value, target)}"
