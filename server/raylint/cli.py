"""`raylint check | rule | server`: arguments and output formats only; the work is in
`raylint.analysis`."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tokenize
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from raylint import __version__
from raylint.analysis import Analysis, ExternalResolver, ParsedOnce, analyze_module, fix_workspace
from raylint.analysis import ray001
from raylint.discovery import MAX_PYTHON_FILE, Excludes, python_files, read_regular_file
from raylint.report import FORMATS, Report
from raylint.settings import GENERATOR_STYLES, ConfigError, Settings, find_pyproject, load_file

_PARALLEL_FROM = 64  # files; below this, starting worker processes costs more than it saves
# Parsed modules of files without findings kept for the caller search (so that it does not
# parse them again), up to this much text in all: a tree takes about 90 bytes per character.
_KEEP_PARSED_CHARS = 2_000_000


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        try:
            return check(args)
        except BrokenPipeError:  # `raylint check | head`
            sys.stderr.close()
            return 1
    if args.command == "rule":
        print(ray001.__doc__.strip())
        return 0
    if args.command == "server":
        from raylint.lsp.server import run

        return run(args.tcp)
    parser.print_help(sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="raylint", description="Find and fix Ray tasks that return ray.put() refs.")
    parser.add_argument("--version", action="version", version=f"raylint {__version__}")
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser("check", help="check files and folders (default: .)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument("--fix", action="store_true", help="apply each finding's preferred fix")
    check.add_argument("--diff", action="store_true", help="print the fixes as a diff; change nothing")
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="also apply fixes whose call sites need review (see the findings)"
    )
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--python", help="interpreter whose environment resolves imports (default: the active one)")
    check.add_argument("--config", help="a pyproject.toml ([tool.raylint]) or raylint.toml to use")
    check.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip matching paths")
    check.add_argument("--generator-style", choices=GENERATOR_STYLES, help="form of the generator rewrite")
    check.add_argument(
        "--library",
        action="store_true",
        help="the tasks are also called from outside the checked workspace: fixes that change callers are unsafe",
    )
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only")
    commands.add_parser("rule", help="explain RAY001").add_argument("code", nargs="?", default="RAY001")
    server = commands.add_parser("server", help="run the language server (stdio by default)")
    server.add_argument("--stdio", action="store_true", help="accepted for editors that pass it; stdio is the default")
    server.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead, for debugging")
    return parser


@dataclass
class FileResult:
    path: str
    analysis: Analysis | None = None
    errors: list[str] = field(default_factory=list)
    # the parsed module of a file with findings (in this process only): handed on to the
    # caller search and the fixes, so that the file is not parsed again
    module: object | None = None
    extra: list = field(default_factory=list)  # other parsed modules to hand on (same process)


def check(args: argparse.Namespace) -> int:
    report = Report(args.format, sys.stdout, quiet=args.quiet, dry_run=args.diff)
    mode = "diff" if args.diff else "fix" if args.fix else "check"
    try:
        settings = _settings(args)
    except ConfigError as error:
        # The run goes on with the defaults (exit 2 at the end), but writes nothing: the
        # broken file may hold the excludes that keep generated code from being rewritten.
        report.error("config", f"{error} (checked with the default settings{', fixed nothing' * (mode == 'fix')})")
        settings = _settings(args, use_config=False)
        mode = "check" if mode == "fix" else mode
    report.severity = settings.severity
    report.mode, report.unsafe = mode, args.unsafe_fixes
    errors: list[tuple[str, str]] = []
    excluded = Excludes(settings.exclude, settings.root)
    for glob, why in excluded.invalid:
        # (as for a broken config: the files it was meant to keep from being rewritten are unknown)
        report.error("exclude", f"invalid pattern {glob!r} ({why}), ignored{', fixed nothing' * (mode == 'fix')}")
        mode = "check" if mode == "fix" else mode
        report.mode = mode
    paths = list(python_files(args.paths, excluded, errors))
    for path, message in errors:
        report.error(path, message)
    # First every file on its own (in parallel: most have nothing), then the workspace-wide
    # work for the few with findings: their callers, and the fixes.
    results = _analyze_all(paths, settings)
    flagged = [r.path for r in results if r.analysis is not None and r.analysis.findings]
    if flagged:
        roots = _workspace_roots(settings.root or os.getcwd(), args.paths)
        # excluded files are searched for callers too: a fix must not silently break them
        listed = python_files(roots, Excludes((), settings.root), [])
        workspace = sorted({os.path.abspath(p) for p in [*listed, *paths]})
        parsed = [m for r in results for m in [r.module, *r.extra] if m is not None]
        for result in results:
            result.module, result.extra = None, []  # the fixes' index holds them from here on
        final = _fix(
            flagged, workspace, roots, settings, args, report, mode, frozenset(filter(excluded, workspace)), parsed
        )
        for result in results:
            if result.path in final:
                result.analysis = final[result.path]
    for result in results:
        for message in result.errors:
            report.error(result.path, message)
        if result.analysis is not None:
            report.analysis(result.analysis)
    return report.finish()


def _workspace_roots(root: str, paths: list[str]) -> list[str]:
    """Where callers are searched: the project (config folder, else the current one), or the
    checked paths themselves when they lie outside it."""
    root = os.path.abspath(root)
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths]
    if all(f == root or f.startswith(root + os.sep) for f in folders):
        return [root]
    return sorted(set(folders))


def _analyze_all(paths: list[str], settings: Settings) -> list[FileResult]:
    if len(paths) >= _PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        # one _Job per worker process, kept for the whole run: its index and jedi caches are
        # what make the later files cheap (a job sent along with each chunk would start cold)
        with ProcessPoolExecutor(
            max_workers=min(os.cpu_count() or 1, 8), initializer=_start_worker, initargs=(settings,)
        ) as pool:
            return list(pool.map(_check_in_worker, paths, chunksize=max(1, len(paths) // 64)))
    job = _Job(settings)
    results = [job(path) for path in paths]
    if results and job._index is not None:  # the modules parsed to follow imports serve the search too
        kept = {r.module.path for r in results if r.module is not None}
        results[0].extra = [m for m in job._index.modules() if m.path not in kept and job.keep(m)]
    return results


_worker_job: _Job | None = None


def _start_worker(settings: Settings) -> None:
    global _worker_job
    _worker_job = _Job(settings)


def _check_in_worker(path: str) -> FileResult:
    result = _worker_job(path)
    result.module = None  # a tree is not worth sending between processes
    return result


def _fix(flagged, workspace, roots, settings, args, report, mode, excluded=frozenset(), parsed=()) -> dict[str, Analysis]:
    """The findings with their callers; in fix and diff modes, the fixes written or shown."""
    try:
        result = fix_workspace(
            flagged,
            workspace,
            roots,
            read=_read_or_none,
            unsafe=args.unsafe_fixes,
            generator_style=settings.generator_style,
            externals=ExternalResolver(settings.python),
            rounds=0 if mode == "check" else 5,
            excluded=excluded,
            library=settings.library,
            parsed=parsed,
        )
        for path, text in sorted(result.texts.items()):
            old, encoding = read_python_file(path)
            if mode == "diff":
                report.diff(_unified_diff(os.path.relpath(path), old, text))
            else:
                with open(path, "wb") as handle:
                    handle.write(text.encode(encoding))
    except Exception as error:  # a bug in raylint must not lose the findings already made
        report.error("fix", f"internal error: {type(error).__name__}: {error} (please report it)")
        return {}
    report.fixed = sum(len(a.findings) for a in result.before.values()) - sum(
        len(a.findings) for a in result.after.values()
    )
    # --diff changes nothing: the findings on disk are still there, and are reported
    return result.before if mode != "fix" else result.after


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
        overrides["generator_style"] = args.generator_style
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

    def __call__(self, path: str) -> FileResult:
        result = FileResult(path)
        if self._index is None:
            # (the modules it parses for imports are handed to the analysis of their own file)
            self._index = ParsedOnce([self.settings.root or os.getcwd()], snapshot=True)
            self._externals = ExternalResolver(self.settings.python)
        try:
            text, _ = read_python_file(path)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as error:
            result.errors.append(_describe(error))
            return result
        try:
            options = {"generator_style": self.settings.generator_style, "externals": self._externals}
            parsed = self._index.parsed(path, text)
            result.analysis, resolver = analyze_module(text, path, index=self._index, parsed=parsed, **options)
            if resolver is not None and (result.analysis.findings or self.keep(resolver.module)):
                result.module = resolver.module
        except Exception as error:  # a bug in raylint must not stop the run over other files
            result.errors.append(f"internal error: {type(error).__name__}: {error} (please report it)")
        return result


def read_python_file(path: str) -> tuple[str, str]:
    """The text of a Python file and the encoding to write it back in (PEP 263 aware)."""
    data = read_regular_file(path, MAX_PYTHON_FILE)  # never a FIFO or a device
    if b"\x00" in data:
        raise ValueError("binary file (it contains NUL bytes), skipped")
    lines = iter(data.splitlines(keepends=True)[:2])
    encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
    # Keep a BOM in the text: positions count it as the editor does, and it is written back.
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as error:
        raise UnicodeDecodeError(
            error.encoding, error.object, error.start, error.end, f"not valid {encoding} (byte {error.start})"
        ) from None


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
