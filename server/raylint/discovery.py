"""Which files to check: walking folders, `.gitignore`, default and configured excludes."""

from __future__ import annotations

import os
import stat
import tokenize
from collections.abc import Iterator

import pathspec

# Larger files are skipped with an error: a parsed tree takes about 90 bytes per character,
# so a 10 MiB module already costs about 1 GB.
MAX_PYTHON_FILE = 10 * 1024 * 1024
MAX_GITIGNORE = 1024 * 1024

# The folders ruff skips by default: tool caches, virtual environments, build output.
NOTEBOOK = "ipynb"  # the "encoding" of a notebook (see read_python_file)
SOURCE_SUFFIXES = (".py", ".ipynb")  # a notebook's code cells are one module (see raylint.notebook)
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pants.d", ".pytype",
        ".ruff_cache", ".svn", ".tox", ".venv", "__pypackages__", "__pycache__", "_build", ".ipynb_checkpoints",
        ".raylint_cache",
        "buck-out", "node_modules", "venv",
    }
)


class Excludes:
    """`exclude` globs (gitignore syntax) relative to the settings' root."""

    def __init__(self, globs: tuple[str, ...], root: str | None):
        self.root = os.path.abspath(root or os.getcwd())
        # (glob, why) of each pattern that is not valid gitignore syntax: left out, and said
        self.invalid: list[tuple[str, str]] = []
        self.spec = _spec(globs, self.invalid, pathspec.PathSpec) if globs else None

    def __call__(self, path: str) -> bool:
        if self.spec is None:
            return False
        relative = os.path.relpath(os.path.abspath(path), self.root)
        if relative.startswith(".."):
            relative = os.path.abspath(path)
        return self.spec.match_file(relative.replace(os.sep, "/"))


def python_files(paths: list[str], excluded: Excludes, errors: list[tuple[str, str]], scripts: bool = False) -> Iterator[str]:
    """The Python files under `paths`, in a stable order; problems go to `errors` (one line
    each: a symlink loop, a FIFO or a device, an invalid .gitignore line), and the walk goes on.
    `scripts`: the Python scripts in folders too (`bin/train`, see `is_python_script`), which
    are not checked but may call the project's tasks and import its names."""
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except OSError as error:
            errors.append((path, _why(error)))
            continue
        if stat.S_ISDIR(mode):
            yield from _walk(path, excluded, errors, scripts)
        elif excluded(path):
            continue
        elif not stat.S_ISREG(mode):
            errors.append((path, "not a regular file (a FIFO, socket or device), skipped"))
        else:
            yield path


def _why(error: OSError) -> str:
    if error.errno == 2:
        return "no such file or directory"
    return f"cannot read: {error.strerror or error}"


def _spec(lines, invalid: list[tuple[str, str]], kind=pathspec.GitIgnoreSpec):
    """The spec of the valid lines; each invalid one goes to `invalid` with why."""
    try:
        return kind.from_lines("gitwildmatch", lines) if kind is pathspec.PathSpec else kind.from_lines(lines)
    except Exception:  # pathspec raises ValueError subclasses, and others on odd input
        pass
    valid = []
    for line in lines:
        try:
            pathspec.PathSpec.from_lines("gitwildmatch", [line])
        except Exception as error:
            invalid.append((line, str(error) or type(error).__name__))
        else:
            valid.append(line)
    return kind.from_lines("gitwildmatch", valid) if kind is pathspec.PathSpec else kind.from_lines(valid)


def _walk(top: str, excluded: Excludes, errors: list[tuple[str, str]], scripts: bool = False) -> Iterator[str]:
    ignores: list[tuple[str, pathspec.PathSpec]] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        ignores = [(base, spec) for base, spec in ignores if folder == base or folder.startswith(base + os.sep)]
        spec = _gitignore(folder, errors)
        if spec is not None:
            ignores.append((folder, spec))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            errors.append((folder, f"cannot read folder: {error.strerror}"))
            continue
        subfolders = []
        for entry in entries:
            if _ignored(entry, ignores) or excluded(entry.path):
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in DEFAULT_EXCLUDED_DIRS:
                    subfolders.append(os.path.normpath(entry.path))
            elif entry.name.endswith(SOURCE_SUFFIXES):
                try:
                    mode = entry.stat().st_mode  # a symlinked file is checked (its target)
                except OSError as error:  # a symlink loop, a dangling link
                    if not entry.is_symlink() or error.errno != 2:
                        errors.append((os.path.normpath(entry.path), _why(error)))
                    continue
                if stat.S_ISREG(mode):
                    yield os.path.normpath(entry.path)  # `x.py`, not `./x.py`, when walking `.`
                elif not stat.S_ISDIR(mode):
                    errors.append((os.path.normpath(entry.path), "not a regular file (a FIFO, socket or device), skipped"))
            elif scripts and "." not in entry.name and is_python_script(entry.path):
                yield os.path.normpath(entry.path)
        stack.extend(reversed(subfolders))


def is_python_script(path: str) -> bool:
    """Is the file a Python script without a suffix, its first line running Python
    (`#!/usr/bin/env python3`)? Only a regular file's first bytes are read (never blocking)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        first = os.read(fd, 256)
    except OSError:
        return False
    finally:
        os.close(fd)
    return first.startswith(b"#!") and b"python" in first.split(b"\n", 1)[0]


def _gitignore(folder: str, errors: list[tuple[str, str]]) -> pathspec.PathSpec | None:
    path = os.path.join(folder, ".gitignore")
    try:
        data = read_regular_file(path, MAX_GITIGNORE)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        why = _why(error) if isinstance(error, OSError) else str(error).replace(", skipped", "")
        errors.append((os.path.normpath(path), f"{why}, ignored"))
        return None
    invalid: list[tuple[str, str]] = []
    spec = _spec(data.decode("utf-8", errors="replace").splitlines(), invalid)
    for line, why in invalid:
        errors.append((os.path.normpath(path), f"invalid pattern {line!r} ({why}), ignored"))
    return spec


def read_regular_file(path: str, limit: int) -> bytes:
    """The bytes of the file at `path`, which must be a regular file of at most `limit` bytes
    (ValueError otherwise). Opened without blocking, so that a FIFO never hangs the run, and
    checked on the open file, so that it cannot be swapped for one in between."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file (a FIFO, socket or device), skipped")
        if info.st_size > limit:
            raise ValueError(f"larger than {limit // (1024 * 1024)} MiB ({info.st_size} bytes), skipped")
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise ValueError(f"larger than {limit // (1024 * 1024)} MiB, skipped")
        return data
    finally:
        if fd != -1:
            os.close(fd)


def _first_lines(data: bytes) -> list[bytes]:
    """`data.splitlines(keepends=True)[:2]`, without splitting the whole file."""
    size = 4096
    while True:
        lines = data[:size].splitlines(keepends=True)
        if len(lines) > 2 or size >= len(data):  # (the third line began: the first two are whole)
            return lines[:2]
        size *= 8


def read_python_file(path: str) -> tuple[str, str]:
    """The text of a Python file and the encoding to write it back in (PEP 263 aware). A
    notebook's text is the module its code cells form, and its "encoding" is `ipynb`."""
    return decode_python(read_regular_file(path, MAX_PYTHON_FILE), path)  # (never a FIFO or a device)


def decode_python(data: bytes, path: str) -> tuple[str, str]:
    """`read_python_file` on bytes read already (`raylint check -`: stdin), named by `path`."""
    if path.endswith(".ipynb"):
        from raylint.notebook import Notebook

        return Notebook.parse(data.decode("utf-8")).module()[0], NOTEBOOK
    if b"\x00" in data:
        raise ValueError("binary file (it contains NUL bytes), skipped")
    lines = iter(_first_lines(data))
    encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
    # Keep a BOM in the text: positions count it as the editor does, and it is written back.
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as error:
        raise UnicodeDecodeError(
            error.encoding, error.object, error.start, error.end, f"not valid {encoding} (byte {error.start})"
        ) from None


def _ignored(entry: os.DirEntry, ignores: list[tuple[str, pathspec.PathSpec]]) -> bool:
    suffix = "/" if entry.is_dir(follow_symlinks=False) else ""
    for base, spec in ignores:
        relative = os.path.relpath(entry.path, base).replace(os.sep, "/") + suffix
        if spec.match_file(relative):
            return True
    return False
