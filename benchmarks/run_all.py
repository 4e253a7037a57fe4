"""Run the benchmarks one after another: `python benchmarks/run_all.py [--quick]`.

Runs cli_throughput.py, lsp_latency.py and callers_resolve.py (in that order, never at the
same time: each wants both cores), passing --quick through. Exits non-zero if a script
fails to run; a missed target is a number to read, not a failure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ["cli_throughput.py", "lsp_latency.py", "callers_resolve.py"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run of every script")
    parser.add_argument("--only", choices=SCRIPTS, action="append", help="run just this script (repeatable)")
    args = parser.parse_args(argv)
    failed = []
    for script in args.only or SCRIPTS:
        command = [sys.executable, os.path.join(HERE, script), *(["--quick"] if args.quick else [])]
        print(f"\n===== {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        code = subprocess.call(command)
        print(f"===== {script}: exit {code} after {time.perf_counter() - started:.1f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
