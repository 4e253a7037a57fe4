"""CLI throughput: `raylint check` on a large real tree vs. the cost of parsing it.

    python benchmarks/cli_throughput.py            # ~1M lines: Ray + other installed packages
    python benchmarks/cli_throughput.py --quick    # ~40k lines of Ray, one repetition (CI smoke run)
    python benchmarks/cli_throughput.py --tree /tmp/raylint-ray-corpus   # real Ray applications
                                                   # (built by benchmarks/build_corpus.py)

Steps (see benchmarks/README.md for how to read the output):
 1. build (once; cached under ~/.cache/raylint-bench) a tree of the .py files of the installed
    packages in site-packages, Ray's first, layout preserved, files > 1 MB skipped;
 2. floor: one process reads every file and `ast.parse`s it (best and median of N);
 3. `raylint check TREE --format json --quiet --no-cache` as a subprocess (best and median of
    N, wall and CPU); one run with the prefilter off, whose findings must be the same (the
    prefilter hides nothing); then a run from a filled result cache (nothing changed);
 4. prefilter statistics and a per-phase split of raylint's time, single process, unprofiled;
 5. a cProfile of `raylint check` in one process (pool off) over the whole tree: top functions.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import json
import os
import pstats
import resource
import shutil
import subprocess
import sysconfig
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import load, machine, median  # noqa: E402

try:  # the same folders raylint never walks into, so the floor parses exactly raylint's files
    from raylint.discovery import DEFAULT_EXCLUDED_DIRS
except ImportError:  # pragma: no cover
    DEFAULT_EXCLUDED_DIRS = frozenset({"__pycache__", "node_modules", ".git", "venv", ".venv", "_build"})

MAX_FILE_BYTES = 1_000_000
# the goals, all rules on: cold wall and CPU against the floor's; a second run with
# nothing changed (from the result cache) against the floor's wall time
TARGET_RATIO = 0.5
TARGET_CPU_RATIO = 1.0
TARGET_WARM_RATIO = 0.1
TREE_FORMAT = 1  # bump to force a rebuild when the selection rules change


# -- 1. the tree -----------------------------------------------------------------------------


def site_packages() -> str:
    import ray  # noqa: F401  (Ray must be installed: its files are the core of the tree)

    return os.path.dirname(os.path.dirname(os.path.abspath(sys.modules["ray"].__file__)))


def _python_files(top: str):
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = sorted(d for d in subfolders if d not in DEFAULT_EXCLUDED_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    if os.path.getsize(path) <= MAX_FILE_BYTES and not os.path.islink(path):
                        yield path
                except OSError:
                    pass


def _count_lines(path: str) -> int:
    with open(path, "rb") as handle:
        data = handle.read()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def select(source: str, target_lines: int, whole_packages: bool) -> list[tuple[str, int]]:
    """(relative path, lines) of the files to copy: Ray first, then other top-level entries
    of site-packages by name, until `target_lines` is reached (whole packages by default, so
    imports between a package's modules still resolve inside the tree)."""
    entries = sorted(os.listdir(source), key=str.lower)
    entries = ["ray"] + [e for e in entries if e != "ray" and e not in DEFAULT_EXCLUDED_DIRS]
    chosen: list[tuple[str, int]] = []
    total = 0
    for entry in entries:
        path = os.path.join(source, entry)
        if os.path.isdir(path) and not entry.endswith((".dist-info", ".egg-info", ".data")):
            files = _python_files(path)
        elif entry.endswith(".py") and os.path.isfile(path) and os.path.getsize(path) <= MAX_FILE_BYTES:
            files = iter([path])
        else:
            continue
        for file in files:
            lines = _count_lines(file)
            chosen.append((os.path.relpath(file, source), lines))
            total += lines
            if not whole_packages and total >= target_lines:
                return chosen
        if total >= target_lines:
            break
    return chosen


def build_tree(cache: str, target_lines: int, whole_packages: bool, rebuild: bool) -> tuple[str, dict]:
    source = site_packages()
    tree = os.path.join(cache, f"tree-{target_lines}{'' if whole_packages else '-cut'}")
    manifest_path = os.path.join(tree, "manifest.json")
    if not rebuild and os.path.isfile(manifest_path):
        with open(manifest_path) as handle:
            manifest = json.load(handle)
        if manifest.get("format") == TREE_FORMAT and manifest.get("source") == source:
            return os.path.join(tree, "src"), manifest
    print(f"building the tree in {tree} from {source} ...", flush=True)
    started = time.perf_counter()
    shutil.rmtree(tree, ignore_errors=True)
    chosen = select(source, target_lines, whole_packages)
    for relative, _ in chosen:
        destination = os.path.join(tree, "src", relative)
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copyfile(os.path.join(source, relative), destination)
    packages: dict[str, int] = {}
    for relative, lines in chosen:
        top = relative.split(os.sep)[0]
        packages[top] = packages.get(top, 0) + lines
    manifest = {
        "format": TREE_FORMAT,
        "source": source,
        "files": len(chosen),
        "lines": sum(lines for _, lines in chosen),
        "packages": packages,
    }
    with open(manifest_path, "w") as handle:  # written last: a half-built tree is rebuilt
        json.dump(manifest, handle, indent=1)
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    return os.path.join(tree, "src"), manifest


def tree_files(tree: str) -> list[str]:
    return list(_python_files(tree))


# -- 2. the floor ----------------------------------------------------------------------------


def floor_once(files: list[str]) -> tuple[float, int, float]:
    started, cpu = time.perf_counter(), time.process_time()
    failures = 0
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            ast.parse(data)
        except (SyntaxError, ValueError):
            failures += 1
    return time.perf_counter() - started, failures, time.process_time() - cpu


# -- 3. raylint as a subprocess ------------------------------------------------------------------


def raylint_once(tree: str, out_dir: str, cache: str | None = None) -> tuple[float, dict, int, float]:
    """One run: wall seconds, the JSON report, the exit code, and the CPU seconds of the run
    (its worker processes included). `cache`: the cache folder (None: no cache)."""
    out_path = os.path.join(out_dir, "raylint.json")
    command = [sys.executable, "-m", "raylint", "check", tree, "--format", "json", "--quiet"]
    command += ["--cache-dir", cache] if cache else ["--no-cache"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(out_path, "wb") as out:
        # run from the tree's root, as a user runs it from the project's root (the root is the
        # workspace raylint resolves imports in and searches for callers)
        code = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, cwd=tree).returncode
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if code not in (0, 1):
        with open(out_path, "rb") as handle:
            tail = handle.read()[-2000:].decode(errors="replace")
        raise SystemExit(f"raylint check exited {code}:\n{tail}")
    with open(out_path) as handle:
        return elapsed, json.load(handle), code, cpu


# Every rule on every file: the prefilter replaced by one that lets everything through (the
# worker processes are forked, so they inherit it)
_UNFILTERED = (
    "import multiprocessing, sys; multiprocessing.set_start_method('fork', force=True); "
    "import raylint.core as core; "
    "core.may_apply = lambda text, path, index, externals, rules, known=None: list(rules); "
    "from raylint.cli import main; sys.exit(main(sys.argv[1:]))"
)


def unfiltered_once(tree: str, out_dir: str) -> tuple[float, dict]:
    """One run with the prefilter off: wall seconds and the JSON report."""
    out_path = os.path.join(out_dir, "unfiltered.json")
    command = [sys.executable, "-c", _UNFILTERED, "check", tree, "--format", "json", "--quiet", "--no-cache"]
    started = time.perf_counter()
    with open(out_path, "wb") as out:
        code = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, cwd=tree).returncode
    elapsed = time.perf_counter() - started
    if code not in (0, 1):
        raise SystemExit(f"raylint check with the prefilter off exited {code}")
    with open(out_path) as handle:
        return elapsed, json.load(handle)


def _finding_keys(report: dict) -> set[tuple]:
    return {json.dumps(finding, sort_keys=True) for finding in report.get("findings", [])}


# -- 4. prefilter and phases -----------------------------------------------------------------


def phases(tree: str, files: list[str]) -> dict:
    """One unprofiled process doing what a worker does (a snapshot index, as `raylint check`
    uses), timing the prefilter apart from the rest of `analyze`."""
    import gc

    from raylint.cli import GC_THRESHOLDS
    from raylint.core import ExternalResolver, ModuleIndex, analyze, default_config
    from raylint.core.prefilter import may_apply, spells
    from raylint.discovery import read_python_file

    gc.set_threshold(*GC_THRESHOLDS)  # (as `raylint check` runs: its cycle collector set so)

    index, externals = ModuleIndex([tree], snapshot=True), ExternalResolver(None)
    stats = {
        "files": 0, "unreadable": 0, "passed": 0, "passed_lines": 0, "lines": 0, "spell_both": 0,
        "with_findings": 0, "findings": 0, "problems": 0,
        "t_read": 0.0, "t_prefilter": 0.0, "t_analyze_passing": 0.0,
    }
    slowest: list[tuple[float, str]] = []
    for path in files:
        stats["files"] += 1
        t0 = time.perf_counter()
        try:
            text, _ = read_python_file(path)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            stats["unreadable"] += 1
            continue
        t1 = time.perf_counter()
        stats["t_read"] += t1 - t0
        lines = text.count("\n")
        stats["lines"] += lines
        passing = may_apply(text, path, index, externals, default_config().rules)  # any rule
        t2 = time.perf_counter()
        stats["t_prefilter"] += t2 - t1
        stats["spell_both"] += spells(text, "put") and spells(text, "remote")
        if not passing:
            continue
        stats["passed"] += 1
        stats["passed_lines"] += lines
        result = analyze(text, path, index=index, externals=externals)  # (runs the prefilter again)
        spent = time.perf_counter() - t2
        stats["t_analyze_passing"] += spent
        stats["findings"] += len(result.findings)
        stats["problems"] += len(result.problems)
        stats["with_findings"] += bool(result.findings)
        slowest.append((spent, path))
    slowest.sort(reverse=True)
    stats["slowest"] = [(round(t * 1000, 1), os.path.relpath(p, tree)) for t, p in slowest[:5]]
    return stats


# -- 5. profile --------------------------------------------------------------------------------


_PREFIXES = sorted(
    {
        os.path.dirname(os.path.dirname(os.path.abspath(__import__("raylint").__file__))) + os.sep,
        *(p + os.sep for p in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"])),
    },
    key=len,
    reverse=True,
)


def profile(tree: str, files: list[str], top: int) -> None:
    """Profile `raylint check TREE --format json --quiet` in this process, with the worker pool
    turned off: one process does every worker's share, then whatever the parent does after."""
    import contextlib
    import io

    from raylint import cli

    if hasattr(cli, "_PARALLEL_FROM"):
        cli._PARALLEL_FROM = 10**12
    profiler = cProfile.Profile()
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            profiler.enable()
            cli.main(["check", tree, "--format", "json", "--quiet"])
            profiler.disable()
            wall = time.perf_counter() - started
    finally:
        os.chdir(cwd)
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # tottime summed = profiled time
    print(f"\n[5] cProfile of raylint check in one process (pool off), {len(files)} files: {wall:.1f} s wall under the profiler")
    print("    (the profiler inflates Python-level calls relative to C ones such as compile)")

    def name(key) -> str:
        filename, line, function = key
        if filename == "~":
            return function
        for prefix in _PREFIXES:
            if filename.startswith(prefix):
                filename = filename[len(prefix) :]
                break
        return f"{filename}:{line}({function})"

    for title, column in (("own time (tottime)", 2), ("cumulative time", 3)):
        print(f"\n    top {top} by {title}:")
        print(f"    {'calls':>10} {'tottime':>8} {'%':>5} {'cumtime':>8} {'%':>5}  function")
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][column], reverse=True)[:top]
        for key, (_, calls, tottime, cumtime, _) in rows:
            print(
                f"    {calls:>10} {tottime:8.2f} {100 * tottime / total:5.1f} {cumtime:8.2f}"
                f" {100 * cumtime / total:5.1f}  {name(key)}"
            )
    groups: dict[str, float] = {}
    for (filename, _, function), (_, _, tottime, _, _) in stats.stats.items():
        if function in ("<built-in method builtins.compile>",):
            group = "CPython parser (compile / ast.parse)"
        elif f"{os.sep}raylint{os.sep}" in filename:
            group = "raylint " + filename.split(f"{os.sep}raylint{os.sep}", 1)[1].replace(os.sep, ".")[:-3]
        elif f"{os.sep}jedi{os.sep}" in filename or f"{os.sep}parso{os.sep}" in filename or "pickle" in function:
            group = "jedi + parso (ExternalResolver)"
        elif filename.endswith(f"{os.sep}ast.py"):
            group = "ast.py (walk / iter_child_nodes)"
        elif filename == "~" and function.startswith("<built-in method builtins."):
            group = "builtins (isinstance, getattr, ...)"
        elif filename == "~" and "of 'collections.deque'" in function or "of 'list' objects" in function:
            group = "list/deque methods (mostly ast.walk)"
        elif "re.Pattern" in function or filename.endswith(("re/__init__.py", "_parser.py", "_compiler.py")):
            group = "re (regex search/compile)"
        elif "posix" in function or "posixpath" in filename or "genericpath" in filename:
            group = "os / stat / path"
        else:
            group = "other"
        groups[group] = groups.get(group, 0.0) + tottime
    print("\n    own time grouped by where it is spent:")
    for group, seconds in sorted(groups.items(), key=lambda kv: kv[1], reverse=True)[:14]:
        print(f"    {seconds:8.2f} s {100 * seconds / total:5.1f} %  {group}")


# -- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small tree, one repetition: a smoke run")
    parser.add_argument("--lines", type=int, help="lines to aim for (default 1,000,000; --quick 40,000)")
    parser.add_argument("--repeat", type=int, help="repetitions of each timing (default 3; --quick 1)")
    parser.add_argument("--cache", default=os.path.join(os.path.expanduser("~"), ".cache", "raylint-bench"))
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached tree")
    parser.add_argument("--no-phases", action="store_true", help="skip step 4")
    parser.add_argument("--no-profile", action="store_true", help="skip step 5")
    parser.add_argument("--top", type=int, default=15, help="functions shown by the profile")
    parser.add_argument("--tree", help="check this tree instead of site-packages (e.g. the Ray corpus "
                        "benchmarks/build_corpus.py builds)")
    args = parser.parse_args(argv)
    lines = args.lines or (40_000 if args.quick else 1_000_000)
    repeat = args.repeat or (1 if args.quick else 3)

    print(f"raylint CLI throughput; {machine()}")
    if args.tree:
        tree = os.path.abspath(args.tree)
        files = tree_files(tree)
        manifest = {"packages": {}, "files": len(files), "lines": sum(_count_lines(f) for f in files)}
    else:
        tree, manifest = build_tree(args.cache, lines, whole_packages=not args.quick, rebuild=args.rebuild)
        files = tree_files(tree)
    packages = sorted(manifest["packages"].items(), key=lambda kv: kv[1], reverse=True)
    shown = ", ".join(f"{name} {count:,}" for name, count in packages[:8])
    print(f"tree: {tree}")
    print(f"  {len(files):,} files, {manifest['lines']:,} lines; lines by package: {shown}"
          f"{', ...' if len(packages) > 8 else ''} ({len(packages)} entries)")
    if len(files) != manifest["files"]:
        print(f"  note: the manifest lists {manifest['files']} files, the walk finds {len(files)}")
    workers = min(os.cpu_count() or 1, 8) if len(files) >= 64 and (os.cpu_count() or 1) > 1 else 1
    print(f"  raylint will use {workers} worker process(es)")

    floor_once(files)  # warm the page cache for both contestants
    print(f"\n[2] floor: read + ast.parse every file in one process  ({load()})")
    floors, floor_cpus = [], []
    for run in range(repeat):
        elapsed, failures, cpu = floor_once(files)
        floors.append(elapsed)
        floor_cpus.append(cpu)
        print(f"    run {run + 1}: {elapsed:7.2f} s, cpu {cpu:6.2f} s   ({failures} files fail to parse)   {load()}", flush=True)

    print(f"\n[3] raylint check TREE --format json --quiet --no-cache (subprocess, cwd TREE, {workers} workers)")
    runs, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="raylint-bench-") as out_dir:
        for run in range(repeat):
            elapsed, report, code, cpu = raylint_once(tree, out_dir)
            runs.append(elapsed)
            cpus.append(cpu)
            print(
                f"    run {run + 1}: {elapsed:7.2f} s, cpu {cpu:6.2f} s   exit {code}, {len(report.get('findings', []))} findings,"
                f" {len(report.get('errors', []))} errors   {load()}",
                flush=True,
            )
        # the prefilter only saves time: with it off, every finding is the same
        unfiltered_wall, unfiltered = unfiltered_once(tree, out_dir)
        hidden = _finding_keys(unfiltered) - _finding_keys(report)
        extra = _finding_keys(report) - _finding_keys(unfiltered)
        agrees = not hidden and not extra
        print(f"    prefilter off (every rule on every file): {unfiltered_wall:.2f} s, {len(unfiltered.get('findings', []))} findings;"
              f" the same findings as with it: {'PASS' if agrees else 'MISS'}"
              + ("" if agrees else f" ({len(hidden)} hidden by the prefilter, {len(extra)} only with it)"))
        for finding in sorted(hidden)[:5]:
            print(f"      hidden: {finding}")
        # the second run of an unchanged tree: from the result cache (filled by a first run)
        cache = os.path.join(out_dir, "cache")
        first = raylint_once(tree, out_dir, cache)
        # (a first run with a cache folder: every run of CI on a fresh clone, and a user's first)
        print(f"    first run with a cache folder (filling it): {first[0]:.2f} s, cpu {first[3]:.2f} s")
        warm = [raylint_once(tree, out_dir, cache) for _ in range(repeat)]
        warm_wall, warm_cpu = min(w[0] for w in warm), min(w[3] for w in warm)
        print(f"    cached (nothing changed): best {warm_wall:.2f} s, cpu {warm_cpu:.2f} s")

        # the fixed cost: interpreter start, imports, one tiny file, no worker pool
        tiny = os.path.join(out_dir, "tiny")
        os.makedirs(tiny, exist_ok=True)
        with open(os.path.join(tiny, "t.py"), "w") as handle:
            handle.write("import ray\n\n@ray.remote\ndef f():\n    return ray.put(1)\n")
        startups = [raylint_once(tiny, out_dir)[0] for _ in range(max(repeat, 3))]
        print(f"    startup (one 5-line file, no pool): best {min(startups):.2f} s, median {median(startups):.2f} s")

    total_lines = manifest["lines"]
    best_floor, best_raylint = min(floors), min(runs)
    print("\nsummary")
    print(f"  files                 {len(files):>12,}")
    print(f"  lines                 {total_lines:>12,}")
    print(f"  floor      best {best_floor:7.2f} s  median {median(floors):7.2f} s   {total_lines / best_floor:>12,.0f} lines/s")
    print(f"  raylint    best {best_raylint:7.2f} s  median {median(runs):7.2f} s   {total_lines / best_raylint:>12,.0f} lines/s")
    ratio = best_raylint / best_floor
    print(f"  ratio raylint/floor (best/best) {ratio:6.2f}   (median/median {median(runs) / median(floors):.2f})"
          f"   target <= {TARGET_RATIO:.1f} on {os.cpu_count()} cpu   {'PASS' if ratio <= TARGET_RATIO else 'MISS'}")
    cpu_ratio = min(cpus) / min(floor_cpus)
    print(f"  cpu: raylint {min(cpus):.2f} s, floor {min(floor_cpus):.2f} s, ratio {cpu_ratio:.2f}"
          f"   target <= {TARGET_CPU_RATIO:.1f}   {'PASS' if cpu_ratio <= TARGET_CPU_RATIO else 'MISS'}")
    warm_ratio = warm_wall / best_floor
    print(f"  cached run/floor {warm_ratio:.2f}   target <= {TARGET_WARM_RATIO:.1f}   {'PASS' if warm_ratio <= TARGET_WARM_RATIO else 'MISS'}")
    print(f"  {load()}")

    if not args.no_phases:
        print("\n[4] prefilter and phases: one process, unprofiled, shared ModuleIndex as in a worker")
        started = time.perf_counter()
        stats = phases(tree, files)
        wall = time.perf_counter() - started
        n = stats["files"]
        print(f"    files                          {n:>8,}  ({stats['lines']:,} lines)")
        print(f"    pass the prefilter (parsed)    {stats['passed']:>8,}  {100 * stats['passed'] / n:5.1f} %"
              f"  ({stats['passed_lines']:,} lines, {100 * stats['passed_lines'] / max(1, stats['lines']):.1f} %)")
        print(f"    spell both `put` and `remote`  {stats['spell_both']:>8,}  (the rest pass through imports)")
        print(f"    files with findings {stats['with_findings']}, findings {stats['findings']}, problems {stats['problems']}, unreadable {stats['unreadable']}")
        print(f"    time: read {stats['t_read']:.2f} s, prefilter {stats['t_prefilter']:.2f} s,"
              f" analyze() of the files that pass {stats['t_analyze_passing']:.2f} s; whole pass {wall:.2f} s"
              f" = {wall / best_floor:.2f} x floor (single process)")
        print(f"    slowest files (ms): {stats['slowest']}")

    if not args.no_profile:
        profile(tree, files, args.top)
    print(f"\ndone; {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
