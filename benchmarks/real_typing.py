"""Typing in real Ray modules: keystrokes re-analysed by `DocumentAnalyzer` in-process.

The LSP benchmark types into generated modules of five shapes; this one types into the
largest modules of a tree of real Ray code (the corpus of `build_corpus.py`) and a few
others picked at random. In each module, `--keys` keystrokes each add a letter inside an
identifier (not a keyword) of an indented line: a name being typed, the text still parses, and each is
analysed as the server does while typing (`complete=False`). Printed per module: the full
analysis, p50 and max of the keystrokes (CPU time), how many took the incremental way (of
them, in a method only), and whether the completed analysis of the last text equals a fresh
`analyze()` (it must: "same" is a check, not a timing). No timed assertions.

    python benchmarks/real_typing.py [--tree /tmp/raylint-ray-corpus] [--largest 6] [--random 4] [--keys 12]
"""

from __future__ import annotations

import argparse
import keyword
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import load, percentile  # noqa: E402

from raylint.core import ModuleIndex, analyze  # noqa: E402
from raylint.core.incremental import DocumentAnalyzer  # noqa: E402
from raylint.discovery import Excludes, python_files, read_python_file  # noqa: E402

_NAME = re.compile(r"\b[A-Za-z_]\w+")


def ray_modules(tree: str) -> list[tuple[int, str, str]]:
    """(lines, path, text) of the .py files that make tasks or actors, largest first."""
    found = []
    for path in python_files([tree], Excludes((), tree), []):
        if not path.endswith(".py"):
            continue
        try:
            text = read_python_file(path)[0]
        except (OSError, ValueError, SyntaxError, UnicodeDecodeError):
            continue
        if "remote" in text and "ray" in text:
            found.append((text.count("\n"), path, text))
    return sorted(found, reverse=True)


def type_into(path: str, text: str, keys: int, rng: random.Random) -> dict:
    analyzer = DocumentAnalyzer(path, index=ModuleIndex([os.path.dirname(path)]))
    start = time.process_time()
    analyzer.analyze(text)
    full = time.process_time() - start
    times = []
    for _ in range(keys):
        lines = text.splitlines(keepends=True)
        code = [i for i, line in enumerate(lines) if line.startswith("    ") and not line.lstrip().startswith(("#", "'", '"'))]
        spots = []
        while code and not spots:
            at = rng.choice(code)
            spots = [m.start() + 1 for m in _NAME.finditer(lines[at]) if not keyword.iskeyword(m.group())]
        if not spots:
            break
        offset = sum(len(line) for line in lines[:at]) + rng.choice(spots)
        text = text[:offset] + "x" + text[offset:]
        start = time.process_time()
        analyzer.analyze(text, complete=False)
        times.append(time.process_time() - start)
    same = analyzer.analyze(text).findings == analyze(text, path, index=ModuleIndex([os.path.dirname(path)])).findings
    return {"full": full, "times": times, "reused": analyzer.reused, "inner": analyzer.inner, "same": same}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", default="/tmp/raylint-ray-corpus")
    parser.add_argument("--largest", type=int, default=6)
    parser.add_argument("--random", type=int, default=4)
    parser.add_argument("--keys", type=int, default=12)
    args = parser.parse_args()
    if not os.path.isdir(args.tree):
        print(f"no tree at {args.tree}: build it with python benchmarks/build_corpus.py")
        return 1
    rng = random.Random(1)
    modules = ray_modules(args.tree)
    picked = modules[: args.largest] + rng.sample(modules[args.largest :], min(args.random, max(0, len(modules) - args.largest)))
    print(f"typing into real Ray modules of {args.tree}  ({load()})")
    different = 0
    for lines, path, text in picked:
        r = type_into(path, text, args.keys, rng)
        different += not r["same"]
        times = [t * 1000 for t in r["times"]] or [0.0]
        print(
            f"  {lines:6,} lines  full {r['full'] * 1000:7.1f} ms  keystroke p50 {percentile(times, 50):6.1f}"
            f" max {max(times):7.1f} ms  incremental {r['reused']}/{len(r['times'])} (method only {r['inner']})"
            f"  {'same' if r['same'] else 'DIFFERENT'}  {os.path.relpath(path, args.tree)}"
        )
    print(f"completed analyses that differ from a fresh one: {different} (must be 0)  ({load()})")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
