"""`raylint check | rule | server`: arguments and output formats only; the work is in
`raylint.core`."""

from __future__ import annotations

import argparse
import difflib
import gc
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
import stat
import tempfile
from dataclasses import dataclass, field, replace

from raylint import __version__
from raylint import rules
from raylint.cache import FOLDER, ResultCache, text_hash
from raylint.core import Analysis, ExternalResolver, ParsedOnce, analyze_module, fix_workspace
from raylint.core.callers import EXCLUDED, changes_callers
from raylint.core.names import disk_stamp
from raylint.core.prefilter import import_lookups_of
from raylint.discovery import MAX_PYTHON_FILE, NOTEBOOK, Excludes, decode_python, python_files, read_python_file
from raylint.report import FORMATS, Report, notebook_given
from raylint.settings import ConfigError, Settings, find_pyproject, load_file

_PARALLEL_FROM = 64  # files; below this, starting worker processes costs more than it saves
# Parsed modules of files without findings kept for the caller search (so that it does not
# parse them again), up to this much text in all: a tree takes about 90 bytes per character.
_KEEP_PARSED_CHARS = 2_000_000


# Python's cycle collector scans every live object again and again while trees are built;
# with the modules a run keeps (to follow imports) it took 4/5 of the parsing time. Cycles are
# few here: collect them far less often (worker processes inherit this).
GC_THRESHOLDS = (100_000, 50, 100)
# A checked file's trees die in cycles (its scopes and its module point at each other): they
# are collected once the file is done (`_collect_finished_file`), in one pass over the young
# objects, instead of being scanned, promoted and scanned again while the file is analysed.
# The collector still runs by itself inside a file that makes this many objects.
CHECK_GC_THRESHOLDS = (1_000_000, 1000, 1000)
_YOUNG_OBJECTS = 20_000  # (after a file that made fewer, most of them alive: not worth a pass)


# Why a call site in another file is left to review (see `fix_workspace`'s `excluded`)
NOT_GIVEN = "it is in a file not given to this run, and --edit-only-given edits only those"
ON_DISK = "it is in a file on disk, and a text read from stdin is the only one --fix changes"


def _collect_finished_file() -> None:
    if gc.get_count()[0] > _YOUNG_OBJECTS:
        gc.collect(0)


def main(argv: list[str] | None = None) -> int:
    gc.set_threshold(*GC_THRESHOLDS)
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        try:
            return check(args)
        except BrokenPipeError:  # `raylint check | head`
            sys.stderr.close()
            return 1
        except Exception as error:  # a bug in raylint: one line and exit 2, never "findings" (1)
            if os.environ.get("RAYLINT_DEBUG"):
                raise
            print(f"raylint: error: internal error: {type(error).__name__}: {error}", file=sys.stderr)
            return 2
    if args.command == "rule":
        try:
            return explain(args.code)
        except BrokenPipeError:  # `raylint rule RAY001 | head`
            sys.stderr.close()
            return 0
    if args.command == "server":
        from raylint.lsp.server import run

        return run(args.tcp)
    parser.print_help(sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="raylint", description="Find and fix Ray anti-patterns (`raylint rule` lists them).")
    parser.add_argument("--version", action="version", version=f"raylint {__version__}")
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser("check", help="check files and folders (default: .)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files and folders (default: .); `-`: one file's text from stdin")
    check.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="the path of the text read from stdin (`-`, or no PATH): its configuration, imports and name in "
        "the findings; with --fix the fixed text goes to stdout and the findings to stderr",
    )
    check.add_argument("--fix", action="store_true", help="apply each finding's preferred fix")
    check.add_argument("--diff", action="store_true", help="print the fixes as a diff; change nothing")
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="also apply fixes whose call sites need review (see the findings)"
    )
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--python", help="interpreter whose environment resolves imports (default: the active one)")
    check.add_argument("--config", help="a pyproject.toml ([tool.raylint]) or raylint.toml to use")
    check.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip matching paths")
    check.add_argument(
        "--select", type=_code_list, metavar="CODES", help="run only these rules: codes or prefixes, comma-separated (RAY001,RAY00)"
    )
    check.add_argument("--ignore", type=_code_list, metavar="CODES", help="leave these rules out (codes or prefixes)")
    style = rules.options()["generator-style"]
    check.add_argument("--generator-style", choices=style.choices, help=f"RAY001: {style.help}")
    check.add_argument(
        "--library",
        action="store_true",
        help="the tasks are also called from outside the checked workspace: fixes that change callers are unsafe",
    )
    check.add_argument(
        "--edit-only-given",
        action="store_true",
        help="with --fix/--diff, edit only the files checked (as pre-commit gives them): a fix that needs "
        "other files (its callers) is unsafe there",
    )
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only")
    check.add_argument(
        "--statistics", action="store_true", help="a count of findings per rule instead of each finding (text and json)"
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (errors still exit 2)")
    check.add_argument("--no-cache", action="store_true", help="analyse every file again, and keep no results")
    check.add_argument("--cache-dir", metavar="DIR", help=f"where results are kept (default: {FOLDER} beside the config)")
    rule = commands.add_parser("rule", help="list the rules, or explain one (raylint rule RAY001)")
    rule.add_argument("code", nargs="?", help="a rule's code or name")
    server = commands.add_parser("server", help="run the language server (stdio by default)")
    server.add_argument("--stdio", action="store_true", help="accepted for editors that pass it; stdio is the default")
    server.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead, for debugging")
    return parser


def _code_list(text: str) -> list[str]:
    """`RAY001,RAY00` → the codes, each of which must select some rule."""
    codes = [code.strip() for code in text.split(",") if code.strip()]
    unknown = rules.unknown_codes(codes)
    if unknown:
        known = ", ".join(rule.code for rule in rules.RULES)
        raise argparse.ArgumentTypeError(f"unknown rule code {', '.join(map(repr, unknown))} (known: {known}, or ALL)")
    return codes


def explain(code: str | None) -> int:
    """`raylint rule`: the table of rules; `raylint rule CODE`: that rule's documentation."""
    if code is None:
        width = max(len(rule.name) for rule in rules.RULES)
        for rule in rules.RULES:
            fix = {"always": "fix", "sometimes": "fix?", "none": ""}[rule.fix.value]
            print(f"{rule.code}  {rule.name:<{width}}  {fix:<4}  {rule.summary}")
        print("\nfix: every finding has a fix; fix?: some do. `raylint rule CODE` explains one rule;")
        print("`--select` / `--ignore` (or `select` / `ignore` in [tool.raylint]) choose which run.")
        return 0
    found = rules.rule(code)
    if found is None:
        known = ", ".join(rule.code for rule in rules.RULES)
        print(f"raylint: error: unknown rule {code!r} (known: {known})", file=sys.stderr)
        return 2
    print(found.docs.strip())
    print(f"\nRay's documentation: {found.url}")
    return 0


@dataclass
class FileResult:
    path: str
    analysis: Analysis | None = None
    errors: list[str] = field(default_factory=list)
    # the parsed module of a file with findings (in this process only): handed on to the
    # caller search and the fixes, so that the file is not parsed again
    module: object | None = None
    extra: list = field(default_factory=list)  # other parsed modules to hand on (same process)
    # what a worker process read of the file, for its cache key: (text hash, stamp, import
    # lookups); and the folders it stamped for lookups since its last file, and whether it
    # could list all it looked into (see `ResultCache.learn`)
    facts: tuple | None = None
    folders: tuple | None = None


def check(args: argparse.Namespace) -> int:
    if args.statistics and args.format not in ("text", "json"):
        print(f"raylint: error: --statistics is printed as text or json, not {args.format}", file=sys.stderr)
        return 2
    stdin = args.paths == ["-"] or (not args.paths and args.stdin_filename is not None)
    if "-" in args.paths and not stdin:
        print("raylint: error: `-` (stdin) is checked alone, without other paths", file=sys.stderr)
        return 2
    if args.stdin_filename is not None and not stdin:
        print("raylint: error: --stdin-filename names the text read from stdin: give `-` or no path", file=sys.stderr)
        return 2
    args.paths = [args.stdin_filename or "-"] if stdin else args.paths or ["."]
    mode = "diff" if args.diff else "fix" if args.fix else "check"
    # (fixing stdin: the fixed text is the output, and the findings go to stderr)
    report = Report(args.format, sys.stderr if stdin and mode == "fix" else sys.stdout, quiet=args.quiet, dry_run=args.diff)
    try:
        settings = _settings(args)
    except ConfigError as error:
        # The run goes on with the defaults (exit 2 at the end), but writes nothing: the
        # broken file may hold the excludes that keep generated code from being rewritten.
        report.error("config", f"{error} (checked with the default settings{', fixed nothing' * (mode == 'fix')})")
        settings = _settings(args, use_config=False)
        mode = "check" if mode == "fix" else mode
    for warning in settings.warnings:
        print(f"raylint: warning: {warning}", file=sys.stderr, flush=True)
    problem = ExternalResolver(settings.python).problem()
    if problem:
        # as with a broken config: checked (with the active environment), nothing written
        report.error("--python", f"{problem} (checked with the active environment{', fixed nothing' * (mode == 'fix')})")
        settings = replace(settings, python=None)
        mode = "check" if mode == "fix" else mode
    report.severity = settings.severity
    report.mode, report.unsafe = mode, args.unsafe_fixes
    report.statistics, report.exit_zero = args.statistics, args.exit_zero
    errors: list[tuple[str, str]] = []
    excluded = Excludes(settings.exclude, settings.root)
    for glob, why in excluded.invalid:
        # (as for a broken config: the files it was meant to keep from being rewritten are unknown)
        report.error("exclude", f"invalid pattern {glob!r} ({why}), ignored{', fixed nothing' * (mode == 'fix')}")
        mode = "check" if mode == "fix" else mode
        report.mode = mode
    if stdin:
        return _check_stdin(args.paths[0], settings, args, report, mode, excluded)
    paths = list(python_files(args.paths, excluded, errors))
    for path, message in errors:
        report.error(path, message)
    # First every file on its own (in parallel: most have nothing), then the workspace-wide
    # work for the few with findings: their callers, and the fixes.
    cache = None
    if not args.no_cache:
        inside = None if args.cache_dir else settings.root or os.getcwd()
        cache = ResultCache(_cache_folder(args, settings), f"python={settings.python}", inside=inside)
    results = _analyze_all(paths, settings, cache)
    flagged = [r.path for r in results if r.analysis is not None and _needs_workspace(r.analysis, mode)]
    if flagged:
        roots, workspace = _workspace(settings, args.paths, paths)
        parsed = [m for r in results for m in [r.module, *r.extra] if m is not None]
        for result in results:
            result.module, result.extra = None, []  # the fixes' index holds them from here on
        untouchable = dict.fromkeys(filter(excluded, workspace), EXCLUDED)
        if args.edit_only_given:  # callers elsewhere are searched, never edited: their fixes are unsafe
            given = {os.path.abspath(p) for p in paths}
            untouchable.update((p, NOT_GIVEN) for p in workspace if p not in given and p not in untouchable)
        final = None
        if cache is not None and mode == "check":
            # (the callers' step reads the workspace: nothing changed, nothing to read again)
            step = repr((flagged, roots, sorted(untouchable.items()), args.unsafe_fixes, settings))
            final = cache.workspace(step, workspace)
        if final is None:
            disk, errors_before = _DiskTexts(), len(report.errors)
            before = {path: disk_stamp(path) for path in workspace}
            final = _fix(flagged, workspace, roots, settings, args, report, mode, untouchable, parsed, disk)
            if cache is not None and mode == "check" and len(report.errors) == errors_before:
                cache.keep_workspace(step, {**disk.stamps, **before}, list(disk.texts), final)
        for result in results:
            if result.path in final:
                result.analysis = final[result.path]
    for result in results:
        for message in result.errors:
            report.error(result.path, message)
        if result.analysis is not None:
            report.analysis(result.analysis)
    if cache is not None:
        problem = cache.save()
        if problem:
            print(f"raylint: warning: {problem}", file=sys.stderr)
    return report.finish()


def _check_stdin(name: str, settings: Settings, args: argparse.Namespace, report: Report, mode: str, excluded: Excludes) -> int:
    """`raylint check -`: one file's text from stdin, named `name` (`-` when unnamed), as an
    editor's unsaved buffer: its callers are searched on disk, and only this text is edited (a
    fix that needs other files is unsafe). With --fix the text is written to stdout, fixed or
    not, in its own encoding; an excluded file is passed over (as when named on the command line)."""
    path, key = name, os.path.abspath(name)  # (findings name the file as given, like the others)
    data = sys.stdin.buffer.read(MAX_PYTHON_FILE + 1)  # (never more in memory than a file may hold)
    fixed: list[str] = []
    try:
        if len(data) > MAX_PYTHON_FILE:
            raise ValueError(f"larger than {MAX_PYTHON_FILE // (1024 * 1024)} MiB, skipped")
        text, encoding = decode_python(data, key)
        if encoding == NOTEBOOK:  # (the findings name its cells)
            notebook_given(key, data.decode("utf-8"))
    except (UnicodeDecodeError, SyntaxError, ValueError) as error:
        report.error(name, _describe(error))
        text = encoding = None
    if text is not None and not excluded(key):
        result = FileResult(path)
        _Job(settings).analyze(result, text)
        for message in result.errors:
            report.error(name, message)
        analysis = result.analysis
        if analysis is not None and _needs_workspace(analysis, mode):
            roots, workspace = _workspace(settings, [path], [path])
            untouchable = {p: ON_DISK for p in workspace if p != key}

            def keep(texts, linked, disk, roots, report) -> set[str]:  # (instead of writing)
                fixed.extend(new for edited, new in texts.items() if os.path.abspath(edited) == key)
                return {edited for edited in texts if os.path.abspath(edited) == key}

            disk = _DiskTexts({key: text})
            final = _fix([path], workspace, roots, settings, args, report, mode, untouchable, [m for m in [result.module] if m is not None], disk, keep)
            analysis = final.get(path, analysis)
        if analysis is not None:
            report.analysis(analysis)
    if args.fix and not args.diff:  # (also when a broken config turned the fixes off: the text still comes back)
        if not fixed or text is None:
            sys.stdout.buffer.write(data)
            shutil.copyfileobj(sys.stdin.buffer, sys.stdout.buffer)  # (the rest of a text too large to check)
        else:
            sys.stdout.buffer.write(_file_bytes(fixed[0], encoding, lambda: data.decode("utf-8")))
        sys.stdout.flush()
    return report.finish()


def _workspace(settings: Settings, given: list[str], checked: list[str]) -> tuple[list[str], list[str]]:
    """Where the callers of the checked files' tasks are searched: the roots (see
    `_workspace_roots`), and every Python file under them with the checked ones (excluded files
    too: a fix must not silently break them)."""
    roots = _workspace_roots(settings.root or os.getcwd(), given)
    listed = python_files(roots, Excludes((), settings.root), [], scripts=True)
    return roots, sorted({os.path.abspath(p) for p in [*listed, *checked]})


def _needs_workspace(analysis: Analysis, mode: str) -> bool:
    """Is the file's analysis finished by the workspace-wide step? To fix or show fixes: when it
    has findings (another file's fix may edit it as a caller: they are found again). To check:
    when a fix changes what its task's callers get (their call sites, found across the
    workspace, make it safe or not); the other findings are final as they are."""
    if mode == "check":
        return any(changes_callers(fix) for finding in analysis.findings for fix in finding.fixes)
    return bool(analysis.findings)


def _cache_folder(args: argparse.Namespace, settings: Settings) -> str:
    """--cache-dir, else `cache-dir` of the configuration (kept inside the project), else
    `.raylint_cache` beside the configuration (or in the current folder)."""
    if args.cache_dir:
        return os.path.abspath(args.cache_dir)
    root = settings.root or os.getcwd()
    return os.path.join(root, settings.cache_dir or FOLDER)


def _workspace_roots(root: str, paths: list[str]) -> list[str]:
    """Where callers are searched: the project (config folder, else the current one), or the
    checked paths themselves when they lie outside it."""
    root = os.path.abspath(root)
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths]
    if all(f == root or f.startswith(root + os.sep) for f in folders):
        return [root]
    return sorted(set(folders))


def _analyze_all(paths: list[str], settings: Settings, cache: ResultCache | None = None) -> list[FileResult]:
    """Each file on its own: from the cache when nothing it depends on changed, else analysed
    (in worker processes when there are many)."""
    results: dict[str, FileResult] = {}
    keys: dict[str, tuple] = {}  # (key, rules, stamp of the text keyed)
    job = _Job(settings)
    # files the cache has no entry for (a first run: all): keyed only to keep their results,
    # while the workers analyse them (keying reads every file and its imports)
    unkeyed: list[tuple[str, str]] = []
    if cache is not None:
        index = job.index()
        for path in paths:
            config = settings.config_for(path)
            rules = ",".join(r.code for r in config.rules) + repr(config.options)
            found = cache.unchanged(path, rules, index)
            if found is None and not cache.holds(path):
                unkeyed.append((path, rules))
                continue
            if found is None and _key(cache, index, path, rules, keys):
                found = cache.get(path, *keys[path])
            if found is not None:
                results[path] = FileResult(path, found)

    def key_the_rest(done: list[FileResult] = ()) -> None:
        for result in done:
            cache.learn(result.path, result.facts, result.folders, job.index())
        for path, rules in unkeyed:
            _key(cache, job.index(), path, rules, keys)

    todo = [path for path in paths if path not in results]
    _collect_cycles_by_file()
    if len(todo) >= _PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        # one _Job per worker process, kept for the whole run: its index and jedi caches are
        # what make the later files cheap (a job sent along with each chunk would start cold)
        # Few, long runs of the sorted paths per worker: neighbours import the same modules,
        # which a worker then parses once (64 chunks on 2 workers: 12 % more CPU than 8)
        workers = min(os.cpu_count() or 1, 8)
        # (the workers send back what they read of each file a key needs: not read here again)
        initargs = (settings, cache is not None)
        with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=initargs) as pool:
            done = list(pool.map(_check_in_worker, todo, chunksize=max(1, len(todo) // (4 * workers))))
        if cache is not None:
            key_the_rest(done)
    else:
        if cache is not None:
            key_the_rest()
        done = [job(path) for path in todo]
        if done and job._index is not None:  # the modules parsed to follow imports serve the search too
            kept = {r.module.path for r in done if r.module is not None}
            done[0].extra = [m for m in job._index.modules() if m.path not in kept and job.keep(m)]
    for result in done:
        results[result.path] = result
        if cache is not None and result.analysis is not None and not result.errors and result.path in keys:
            cache.put(result.path, result.analysis, *keys[result.path])
    return [results[path] for path in paths]


def _collect_cycles_by_file() -> None:
    """From here on, cycles are collected file by file (see CHECK_GC_THRESHOLDS); what lives
    now (the modules imported, the settings) is never scanned again."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*CHECK_GC_THRESHOLDS)


def _key(cache: ResultCache, index, path: str, rules: str, keys: dict[str, tuple]) -> bool:
    """Note the cache key of the file's text in `keys` (False: it cannot be read; the job says why)."""
    stamp = cache.learnt_stamp(path, index)
    if stamp is not None:  # (a worker read the text it analysed: that text is keyed)
        keys[path] = (cache.key(path, None, rules, index), rules, stamp)
        return True
    try:
        text = index.text(path)
    except (OSError, ValueError):
        text = None
    if text is None:
        return False
    keys[path] = (cache.key(path, text, rules, index), rules, index.text_stamp(path))
    return True


_worker_job: _Job | None = None
_worker_facts = False  # (does the run keep a cache: send what the keys need)


def _start_worker(settings: Settings, facts: bool = False) -> None:
    global _worker_job, _worker_facts
    _worker_job, _worker_facts = _Job(settings), facts
    _collect_cycles_by_file()


def _check_in_worker(path: str) -> FileResult:
    result = _worker_job(path, facts=_worker_facts)
    result.module = None  # a tree is not worth sending between processes
    if _worker_facts:
        listings = _worker_job.index().listings
        result.folders = (listings.new_stamps(), listings.complete)
    return result


def _fix(flagged, workspace, roots, settings, args, report, mode, excluded=frozenset(), parsed=(), disk=None, write=None) -> dict[str, Analysis]:
    """The findings with their callers; in fix and diff modes, the fixes written (by `write`,
    default `write_fixes`) or shown."""
    disk = disk if disk is not None else _DiskTexts()
    options = dict(
        unsafe=args.unsafe_fixes,
        config=settings.config_for,
        externals=ExternalResolver(settings.python),
        rounds=0 if mode == "check" else 5,
        excluded=excluded,
        library=settings.library,
        parsed=parsed,
    )
    try:
        results = [fix_workspace(flagged, workspace, roots, read=disk.read, **options)]
    except Exception:
        # A bug in raylint: do the files one by one (each on the texts the ones before fixed),
        # so that it costs only the file it is about.
        results = []
        overlay: dict[str, str] = {}
        for path in flagged:
            try:
                read = lambda p: overlay[os.path.abspath(p)] if os.path.abspath(p) in overlay else disk.read(p)  # noqa: E731
                results.append(fix_workspace([path], workspace, roots, read=read, **options))
                overlay.update(results[-1].texts)
            except Exception as error:
                report.error(path, f"internal error: {type(error).__name__}: {error}, not fixed")
    texts = {path: text for result in results for path, text in result.texts.items()}
    before = {path: a for result in results for path, a in result.before.items()}
    after = {path: a for result in results for path, a in result.after.items()}
    if mode == "diff":
        for path, text in sorted(texts.items()):
            old = disk.first(path)
            report.diff(_unified_diff(os.path.relpath(path), old if old is not None else "", text))
    elif mode == "fix" and texts:
        linked = [group for result in results for group in result.linked]
        written = (write or write_fixes)(texts, linked, disk, roots, report)
        # a file whose fix was not written still holds its findings
        unwritten = set(texts) - written
        after = {path: before[path] if os.path.abspath(path) in unwritten else after[path] for path in after}
    report.fixed = sum(len(a.findings) for a in before.values()) - sum(len(a.findings) for a in after.values())
    # --diff changes nothing: the findings on disk are still there, and are reported
    return before if mode != "fix" else after


class _DiskTexts:
    """Reads files for the fixes, and remembers the text each had when it was first read: the
    text the fixes were computed on, which must still be on disk when they are written."""

    def __init__(self, given: dict[str, str] | None = None):
        self.texts: dict[str, str | None] = {}
        self.stamps: dict[str, object] = {}  # of each file, before its first reading (for the cache)
        self.changed: set[str] = set()
        self.given = given or {}  # (absolute path: text) read elsewhere (stdin), never from disk

    def read(self, path: str) -> str | None:
        key = os.path.abspath(path)
        if key in self.given:
            self.texts[key] = self.given[key]
            return self.given[key]
        if key not in self.texts:
            self.stamps[key] = disk_stamp(key)
        text = _read_or_none(path)
        if key not in self.texts:
            self.texts[key] = text
        elif self.texts[key] != text:
            self.changed.add(key)
        return text

    def first(self, path: str) -> str | None:
        return self.texts.get(os.path.abspath(path))


def write_fixes(texts: dict[str, str], linked: list[frozenset[str]], disk: _DiskTexts, roots: list[str], report) -> set[str]:
    """Writes the fixed texts; returns the paths written.

    The files that one fix edits (a task and its callers, joined with every other fix that
    shares a file with them) are written all together or not at all: each is checked first
    (inside the workspace roots once symlinks are resolved, not changed since it was analysed,
    writable), then written to a temporary file beside it, and only when every temporary file of
    the group is complete are they renamed over the originals. Each problem is one error line.
    """
    real_roots = [os.path.realpath(r) for r in roots]
    reals = {path: os.path.realpath(path) for path in texts}
    # one file reached by several paths (symlinks inside the workspace): written once, when
    # every path asks for the same text, and never when they disagree
    names: dict[str, list[str]] = {}
    for path, real in reals.items():
        names.setdefault(real, []).append(path)
    shared = {real for real, paths in names.items() if len({texts[p] for p in paths}) > 1}
    written: set[str] = set()
    for group in _groups(texts, [*linked, *(frozenset(paths) for paths in names.values())]):
        problems = {}
        for path in group:
            problem = _cannot_write(path, reals[path], real_roots, disk, shared)
            if problem:
                problems[path] = problem
        prepared: list[tuple[str, str]] = []  # (temporary file, real path)
        if not problems:
            for real in dict.fromkeys(reals[path] for path in group):
                path = names[real][0]
                try:
                    prepared.append((_write_beside(real, texts[path], _encoding_of(path)), real))
                except Exception as error:  # OSError (disk full, file size limit...), an encoding error
                    problems[path] = f"cannot write: {_reason(error)}"
                    break
        if problems:
            for temporary, _ in prepared:
                _remove(temporary)
            for path, problem in sorted(problems.items()):
                others = sorted(os.path.relpath(p) for p in group if p != path)
                companions = f"; the same fix's other files were not written either: {', '.join(others)}" if others else ""
                report.error(os.path.relpath(path), f"{problem}, not fixed{companions}")
            continue
        for temporary, real in prepared:
            try:
                os.replace(temporary, real)
                written.update(names[real])
            except OSError as error:
                _remove(temporary)
                for path in names[real]:
                    report.error(os.path.relpath(path), f"cannot write: {_reason(error)}, not fixed")
        for folder in {os.path.dirname(real) for _, real in prepared}:
            _fsync_folder(folder)
    return written


def _groups(texts: dict[str, str], linked: list[frozenset[str]]) -> list[list[str]]:
    """The changed files, in groups that are written together: files joined by a fix."""
    parent = {path: path for path in texts}

    def find(path: str) -> str:
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    for files in linked:
        members = [p for p in files if p in parent]
        for other in members[1:]:
            parent[find(other)] = find(members[0])
    groups: dict[str, list[str]] = {}
    for path in sorted(texts):
        groups.setdefault(find(path), []).append(path)
    return list(groups.values())


def _cannot_write(path: str, real: str, real_roots: list[str], disk: _DiskTexts, shared: set[str]) -> str | None:
    """Why the fixed text of `path` may not be written (None: it may)."""
    if not any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in real_roots):
        where = f" (a link to {real})" if real != os.path.abspath(path) else ""
        return f"refused to write outside the workspace{where}"
    if real in shared:
        return f"refused to write: paths that are links to the same file {real} were fixed differently"
    analysed = disk.first(path)
    if path in disk.changed or analysed is None or _read_or_none(path) != analysed:
        return "changed on disk while raylint was running, skipped"
    try:
        mode = os.stat(real).st_mode
    except OSError as error:
        return f"cannot write: {_reason(error)}"
    if not stat.S_ISREG(mode):
        return "cannot write: not a regular file"
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(real, os.W_OK):
        return "cannot write: the file is read-only"
    if not os.access(os.path.dirname(real), os.W_OK | os.X_OK):
        return "cannot write: its folder is read-only"
    return None


def _file_bytes(text: str, encoding: str, original) -> bytes:
    """What a fixed text is written as: in its encoding; a notebook's (the module of its code
    cells) back into the cells of its `original()` JSON, all else kept."""
    if encoding != NOTEBOOK:
        return text.encode(encoding)
    from raylint.notebook import Notebook

    notebook = Notebook.parse(original())
    return notebook.rewritten(text, notebook.module()[1]).encode("utf-8")


def _write_beside(real: str, text: str, encoding: str) -> str:
    """Writes `text` to a new temporary file in the folder of `real`, with its mode bits (and
    owner, where allowed), flushed
    to disk; returns the temporary file's path (the caller renames it over `real`)."""
    def original() -> str:
        with open(real, encoding="utf-8", newline="") as handle:
            return handle.read()

    data = _file_bytes(text, encoding, original)
    status = os.stat(real)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(real), prefix=f".{os.path.basename(real)}.", suffix=".raylint")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
            try:  # keep the owner where we may (as root); else the file becomes ours, as any editor's save
                os.chown(temporary, status.st_uid, status.st_gid)
            except OSError:
                pass
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
    except BaseException:
        _remove(temporary)
        raise
    return temporary


def _encoding_of(path: str) -> str:
    return read_python_file(path)[1]


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_folder(folder: str) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def _read_or_none(path: str) -> str | None:
    try:
        return read_python_file(path)[0]
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def _settings(args: argparse.Namespace, use_config: bool = True) -> Settings:
    config = (args.config or find_pyproject(args.paths[0] if args.paths else ".")) if use_config else None
    settings = load_file(config) if config else Settings(root=os.getcwd())
    overrides = {"exclude": [*settings.exclude, *args.exclude], "python": args.python}
    if args.generator_style:
        overrides["generator-style"] = args.generator_style
    if args.select is not None:
        overrides["select"] = args.select
    if args.ignore is not None:
        overrides["ignore"] = [*settings.ignore, *args.ignore]
    if args.library:
        overrides["library"] = True
    return settings.updated(overrides, "command line")


class _Job:
    """Checks one file; picklable so worker processes can run it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._kept = 0  # characters of the modules kept (see _KEEP_PARSED_CHARS)
        self._index: ParsedOnce | None = None
        self._externals: ExternalResolver | None = None

    def __getstate__(self):
        return {"settings": self.settings, "_index": None, "_externals": None, "_kept": 0}

    def keep(self, module) -> bool:
        """Keep this module of a file without findings for the rest of the run, if the budget allows."""
        if self._kept + len(module.source.text) > _KEEP_PARSED_CHARS:
            return False
        self._kept += len(module.source.text)
        return True

    def index(self) -> ParsedOnce:
        if self._index is None:
            # (the modules it parses for imports are handed to the analysis of their own file)
            self._index = ParsedOnce([self.settings.root or os.getcwd()], snapshot=True)
            self._externals = ExternalResolver(self.settings.python)
        return self._index

    def __call__(self, path: str, facts: bool = False) -> FileResult:
        """`facts`: with what the cache key of the file needs of its text (`FileResult.facts`)."""
        result = FileResult(path)
        self.index()
        try:
            stamp = self._index.stamp(self._index.absolute(path))  # (taken before the read, as the index does)
            text, _ = read_python_file(path)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as error:
            result.errors.append(_describe(error))
            return result
        self.analyze(result, text)
        if facts and stamp is not None:  # (after the analysis: the prefilter may have looked its imports up)
            result.facts = (text_hash(text), list(stamp), import_lookups_of(text, path, self._index))
        _collect_finished_file()
        return result

    def analyze(self, result: FileResult, text: str) -> None:
        """The analysis of `text` as the file `result.path`, or the internal error it met."""
        path = result.path
        self.index()
        try:
            parsed = self._index.parsed(path, text)
            config = self.settings.config_for(path)
            result.analysis, resolver = analyze_module(
                text, path, config, index=self._index, parsed=parsed, externals=self._externals
            )
            if resolver is not None and (result.analysis.findings or self.keep(resolver.module)):
                result.module = resolver.module
        except Exception as error:  # a bug in raylint must not stop the run over other files
            result.errors.append(f"internal error: {type(error).__name__}: {error} (please report it)")


def _describe(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"cannot decode: {error.reason}, skipped"
    if isinstance(error, OSError):
        return f"cannot read: {error.strerror or error}"
    return str(error)


def _unified_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)
