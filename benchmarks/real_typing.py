"""Typing in real Ray modules: keystrokes re-analysed by `DocumentAnalyzer` in-process.

The LSP benchmark types into generated modules of five shapes; this one types into the
largest modules of a tree of real Ray code (the corpus of `build_corpus.py`) and a few
others picked at random. In each module, at `--spots` places, `--keys` keystrokes each add a
letter inside an identifier (not a keyword) of an indented line: a name being typed, the text
still parses, and each is analysed as the server does while typing (`complete=False`); then
the pause completes the analysis. Printed per module: the full analysis, p50 and max of the
keystrokes (CPU time), the slowest completion at a pause (what the keystrokes deferred or
carried over, re-checked), how many analyses took the incremental way
(of them, in a method only) and how many were deferred (`DEFER_LINES`: nothing re-checked
until the pause), and whether the completed analysis of the last text equals a fresh
`analyze()` (it must: "same" is a check, not a timing). No timed assertions.

    python benchmarks/real_typing.py [--tree /tmp/raylint-ray-corpus] [--largest 6] [--random 4] [--spots 3] [--keys 4]
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


def type_into(path: str, text: str, spots: int, keys: int, rng: random.Random) -> dict:
    """`keys` letters typed one after another into a name at each of `spots` places, with a
    pause (the analysis completed) after each place."""
    analyzer = DocumentAnalyzer(path, index=ModuleIndex([os.path.dirname(path)]))
    start = time.process_time()
    analyzer.analyze(text)
    full = time.process_time() - start
    analyzer.prepare()  # (as the server does once the diagnostics are out)
    times, pauses = [], []
    for _ in range(spots):
        lines = text.splitlines(keepends=True)
        code = [i for i, line in enumerate(lines) if line.startswith("    ") and not line.lstrip().startswith(("#", "'", '"'))]
        found = []
        while code and not found:
            at = rng.choice(code)
            found = [m.start() + 1 for m in _NAME.finditer(lines[at]) if not keyword.iskeyword(m.group())]
        if not found:
            break
        offset = sum(len(line) for line in lines[:at]) + rng.choice(found)
        for _ in range(keys):
            text = text[:offset] + "x" + text[offset:]
            offset += 1
            start = time.process_time()
            analyzer.analyze(text, complete=False)
            times.append(time.process_time() - start)
        start = time.process_time()
        analyzer.analyze(text)  # the pause: what the keystrokes deferred or carried over, re-checked
        pauses.append(time.process_time() - start)
    same = analyzer.analyze(text).findings == analyze(text, path, index=ModuleIndex([os.path.dirname(path)])).findings
    return {
        "full": full, "times": times, "pauses": pauses, "reused": analyzer.reused, "inner": analyzer.inner,
        "deferred": analyzer.deferred, "same": same,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", default="/tmp/raylint-ray-corpus")
    parser.add_argument("--largest", type=int, default=6)
    parser.add_argument("--random", type=int, default=4)
    parser.add_argument("--spots", type=int, default=3, help="places typed at in each module")
    parser.add_argument("--keys", type=int, default=4, help="letters typed at each place")
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
        r = type_into(path, text, args.spots, args.keys, rng)
        different += not r["same"]
        times = [t * 1000 for t in r["times"]] or [0.0]
        print(
            f"  {lines:6,} lines  full {r['full'] * 1000:7.1f} ms  keystroke p50 {percentile(times, 50):6.1f}"
            f" max {max(times):7.1f} ms  pause max {max(r['pauses'], default=0) * 1000:7.1f} ms"
            f"  incremental {r['reused']}/{len(r['times']) + len(r['pauses'])}"
            f" (method only {r['inner']}, deferred {r['deferred']})"
            f"  {'same' if r['same'] else 'DIFFERENT'}  {os.path.relpath(path, args.tree)}"
        )
    print(f"completed analyses that differ from a fresh one: {different} (must be 0)  ({load()})")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
