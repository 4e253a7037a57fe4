"""How `raylint check` scales on hostile inputs the time at n and at 5n.

Each input is written in a fresh folder, alone (so the caller search sees nothing else) or,
for the cases about the caller search, beside 2,000 ordinary modules, and
checked by `python -m raylint check FILE --quiet` in a subprocess with a timeout. Printed:
wall time, CPU time (user + sys, less skewed by other jobs than wall time), peak memory,
and the CPU ratio 5n / n: about 5 is linear, about 25 quadratic. No assertions.

    python benchmarks/scaling.py [--quick] [--timeout S] [--diff] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import load, machine  # noqa: E402

HEAD = "import ray\n\n\n@ray.remote\ndef task(x):\n    return ray.put(x)\n\n\n"


def puts_tuple(n: int) -> str:
    """`return ray.put(x), ray.put(x), ...` with n puts, on one line."""
    return "import ray\n\n\n@ray.remote\ndef f(x):\n    return " + ", ".join(["ray.put(x)"] * n) + "\n"


def puts_tuple_lines(n: int) -> str:
    """The same, one put per line."""
    return "import ray\n\n\n@ray.remote\ndef f(x):\n    return (\n" + "".join("        ray.put(x),\n" for _ in range(n)) + "    )\n"


def from_dots(n: int) -> str:
    """`from ` and n dots, in a file with a task."""
    return HEAD + "from " + "." * n + " import x\n"


def big_file(n: int, every: int = 0) -> str:
    """n lines (about 25 bytes each) of plain functions after one task returning a put; with
    `every`, a task returning a put every `every` blocks (5 lines each) instead."""
    blocks, lines = [HEAD], HEAD.count("\n")
    i = 0
    while lines < n:
        i += 1
        if every and i % every == 0:
            blocks.append(f"@ray.remote\ndef task_{i}(x):\n    return ray.put(x)\n\n\n")
        else:
            blocks.append(f"def helper_{i}(x):\n    y = x + {i}\n    return y\n\n\n")
        lines += 5
    return "".join(blocks)


def many_tasks(n: int) -> str:
    """n lines with a task returning a put every 50 lines (the caller search per finding)."""
    return big_file(n, every=10)


def task_module(n: int) -> str:
    """n lines of the typing benchmark's module: tasks, actors, helpers and their callers,
    with a finding every 40 lines (all against all in choosing fixes, or a walk of the module
    per task in the caller search, made 200k lines take 9 minutes)."""
    from lsp_latency import generate

    return generate(n, 7)


def comment_hashes(n: int) -> str:
    """`value = sum(  # ` and n `#` (the exponential ONE_NAME_ARGUMENT backtracking)."""
    return HEAD + "value = sum(  # " + "#" * n + "\n"


def open_import_parens(n: int) -> str:
    """n lines `from a import (` never closed (a half-typed file)."""
    return HEAD + "from a import (\n" * n


def private_methods(n: int) -> str:
    """An actor with n private methods (each once searched for in the whole text)."""
    methods = "".join(f"    def _m{i}(self):\n        return ray.put({i})\n\n" for i in range(n))
    return "import ray\n\n\n@ray.remote\nclass A:\n" + methods


def tasks_of_a_module(n: int) -> str:
    """n tasks returning puts, each fetched twice by a caller of the module (checked among
    `NEIGHBOURS` other modules: every task's caller search looks at each)."""
    return "import ray\n\n\n" + "".join(
        f"@ray.remote\ndef task_{i}(x):\n    return ray.put(x)\n\n\ndef use_{i}():\n    return ray.get(ray.get(task_{i}.remote(1)))\n\n\n"
        for i in range(n)
    )


def methods_of_an_actor(n: int) -> str:
    """An actor with n methods returning puts (alone, and among `NEIGHBOURS` other modules)."""
    methods = "".join(f"    def get_{i}(self, x):\n        return ray.put(x)\n\n" for i in range(n))
    return "import ray\n\n\n@ray.remote\nclass Store:\n" + methods


# The other modules of the workspace, for the cases about the caller search: ordinary code with
# imports after `;` and classes (what each search looks at more closely)
NEIGHBOURS = 2_000
NEIGHBOUR = "import os; import json\n\n\nclass Store{i}(object):\n    def get(self):\n        return os.sep, json.dumps({i})\n"


def long_line(n: int) -> str:
    """One n-character line of `f(` and spaces and `#` mixed."""
    unit = "f(  # (x ##  "
    return HEAD + "y = 1  # " + unit * (n // len(unit)) + "\n"


CASES = {
    "puts-tuple": (puts_tuple, 4_000),
    "puts-tuple-lines": (puts_tuple_lines, 4_000),
    "from-dots": (from_dots, 20_000),
    "big-file": (big_file, 40_000),
    "many-tasks": (many_tasks, 4_000),
    "task-module": (task_module, 8_000),
    "comment-hashes": (comment_hashes, 24),
    "open-import-parens": (open_import_parens, 20_000),
    "private-methods": (private_methods, 2_000),
    "long-line": (long_line, 200_000),
    "actor-methods": (methods_of_an_actor, 1_000),
    "tasks-in-a-workspace": (tasks_of_a_module, 100, NEIGHBOURS),
    "methods-in-a-workspace": (methods_of_an_actor, 100, NEIGHBOURS),
}


def run(text: str, timeout: float, diff: bool, neighbours: int = 0) -> tuple[str, float, float, float]:
    """(outcome, wall s, cpu s, peak MB) of `raylint check` on `text`, beside `neighbours`
    other modules."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "case.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        for i in range(neighbours):
            with open(os.path.join(folder, f"neighbour_{i}.py"), "w", encoding="utf-8") as handle:
                handle.write(NEIGHBOUR.format(i=i))
        command = [sys.executable, "-m", "raylint", "check", path, "--quiet", *(["--diff"] * diff)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        try:
            done = subprocess.run(command, cwd=folder, capture_output=True, timeout=timeout)
            outcome = f"exit {done.returncode}"
            if done.returncode not in (0, 1):
                outcome += ": " + done.stderr.decode(errors="replace").strip().splitlines()[-1][:60]
        except subprocess.TimeoutExpired:
            outcome = f"TIMEOUT {timeout:g} s"
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        # ru_maxrss of children is the largest child so far: good enough run by run
        return outcome, wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n/10: a smoke run")
    parser.add_argument("--timeout", type=float, default=120.0, help="per run, seconds (default 120)")
    parser.add_argument("--diff", action="store_true", help="run with --diff (the fix rounds too)")
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help="these cases only")
    args = parser.parse_args()
    print(machine())
    print(load())
    base = run(HEAD, args.timeout, False)[2]
    print(f"start-up (a 9-line file): {base:.2f} s cpu, subtracted in the ratios")
    print(f"{'case':<20} {'n':>8} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}  outcome")
    for name, (make, n, *neighbours) in CASES.items():
        if args.only and name not in args.only:
            continue
        if args.quick and name != "comment-hashes":
            n = max(1, n // 10)
            neighbours = [count // 10 for count in neighbours]
        cpus = []
        for size in (n, 5 * n) if name != "comment-hashes" else (n, n + 16):
            text = make(size)
            outcome, wall, cpu, peak = run(text, args.timeout, args.diff, *neighbours)
            cpus.append(cpu)
            print(f"{name:<20} {size:>8} {wall:>8.2f} {cpu:>8.2f} {peak:>8.0f}  {outcome} ({len(text) / 1e6:.1f} MB)")
        ratio = max(cpus[1] - base, 1e-3) / max(cpus[0] - base, 1e-3)
        print(f"{'':<20} {'ratio':>8} {ratio:>8.1f}  (cpu; ~5 linear, ~25 quadratic; comment-hashes: n+16, ~1 is fine)")
    print(load())


if __name__ == "__main__":
    main()
