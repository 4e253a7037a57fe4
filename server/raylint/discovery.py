"""Which files to check: walking folders, `.gitignore`, default and configured excludes."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pathspec

# The folders ruff skips by default: tool caches, virtual environments, build output.
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pants.d", ".pytype",
        ".ruff_cache", ".svn", ".tox", ".venv", "__pypackages__", "__pycache__", "_build",
        "buck-out", "node_modules", "venv",
    }
)


class Excludes:
    """`exclude` globs (gitignore syntax) relative to the settings' root."""

    def __init__(self, globs: tuple[str, ...], root: str | None):
        self.root = os.path.abspath(root or os.getcwd())
        self.spec = pathspec.PathSpec.from_lines("gitwildmatch", globs) if globs else None

    def __call__(self, path: str) -> bool:
        if self.spec is None:
            return False
        relative = os.path.relpath(os.path.abspath(path), self.root)
        if relative.startswith(".."):
            relative = os.path.abspath(path)
        return self.spec.match_file(relative.replace(os.sep, "/"))


def python_files(paths: list[str], excluded: Excludes, errors: list[tuple[str, str]]) -> Iterator[str]:
    """The Python files under `paths`, in a stable order; problems go to `errors`."""
    for path in paths:
        if not os.path.exists(path):
            errors.append((path, "no such file or directory"))
        elif os.path.isdir(path):
            yield from _walk(path, excluded, errors)
        elif not excluded(path):
            yield path


def _walk(top: str, excluded: Excludes, errors: list[tuple[str, str]]) -> Iterator[str]:
    ignores: list[tuple[str, pathspec.PathSpec]] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        ignores = [(base, spec) for base, spec in ignores if folder == base or folder.startswith(base + os.sep)]
        spec = _gitignore(folder)
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
            elif entry.name.endswith(".py") and entry.is_file():
                yield os.path.normpath(entry.path)  # `x.py`, not `./x.py`, when walking `.`
        stack.extend(reversed(subfolders))


def _gitignore(folder: str) -> pathspec.PathSpec | None:
    path = os.path.join(folder, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return pathspec.GitIgnoreSpec.from_lines(handle.read().splitlines())
    except OSError:
        return None


def _ignored(entry: os.DirEntry, ignores: list[tuple[str, pathspec.PathSpec]]) -> bool:
    suffix = "/" if entry.is_dir(follow_symlinks=False) else ""
    for base, spec in ignores:
        relative = os.path.relpath(entry.path, base).replace(os.sep, "/") + suffix
        if spec.match_file(relative):
            return True
    return False
