"""The result cache of `raylint check` (ruff's model): a file whose analysis cannot have
changed is not parsed again.

A file's entry is keyed by everything its findings depend on: raylint's version, the rules and
options that run on it, the interpreter that resolves installed names, the file's path and
text, and the text of every workspace module it can reach through its imports (where a name it
uses may be re-exported from), found again on each run, so that a module that appears, moves
or changes what it exports invalidates the entries of its importers. A file whose imports the
line reader cannot be sure to see (`x = 1; import helpers`) is never cached.

The cache folder is `.raylint_cache` beside the configuration (or in the current folder), and
holds a `.gitignore` of `*` so that git ignores it. A project may ship such a folder: entries
are signed with a key that lives in the user's own cache folder (never in the project), so
that a cache made elsewhere is ignored rather than believed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import re
import tempfile
from enum import Enum

from raylint import __version__
from raylint.core import model
from raylint.core.names import ModuleIndex
from raylint.core.prefilter import workspace_imports

FOLDER = ".raylint_cache"
_FILE = "results-v1.json"
_UNSURE = " (unsure imports)"
_UNSURE_IMPORT = re.compile(r"^[^\n#]*;[ \t]*(?:from|import)[ \t]|^[ \t]*(?:from|import)[^\n]*\\$", re.MULTILINE)


def user_key() -> bytes | None:
    """The signing key, made once per user in their cache folder (None if it cannot be)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "raylint", "key")
    try:
        with open(path, "rb") as handle:
            key = handle.read()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        key = os.urandom(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key
    except OSError:
        return None


class ResultCache:
    """Per-file analyses of earlier runs, and those of this run to keep."""

    def __init__(self, folder: str, environment: str, key: bytes | None = None, inside: str | None = None):
        self.folder = folder
        self.inside = inside  # the folder the cache must stay in (symlinks resolved), if any
        self.environment = environment  # what all entries share: version, interpreter
        self.secret = key if key is not None else user_key()
        self._old: dict[str, list] = {}
        self._new: dict[str, list] = {}
        self._hashes: dict[str, str] = {}
        self._closures: dict[str, frozenset[str]] = {}
        self.hits = 0
        if self.secret is not None:
            self._old = self._load()

    def _load(self) -> dict:
        try:
            with open(os.path.join(self.folder, _FILE), encoding="utf-8") as handle:
                stored = json.load(handle)
            payload = stored["payload"]
            if not hmac.compare_digest(stored["mac"], self._mac(payload)):
                return {}
            entries = json.loads(payload)
            return entries if isinstance(entries, dict) else {}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def _mac(self, payload: str) -> str:
        return hmac.new(self.secret, payload.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def key(self, path: str, text: str, rules: str, index: ModuleIndex) -> str | None:
        """The key of the file's analysis (None: not cacheable)."""
        if self.secret is None or self._unsure(path, text, index):
            return None
        digest = hashlib.sha256()
        for part in (__version__, self.environment, rules, path, _hash(text)):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        for dependency in sorted(self._reachable(path, text, index)):
            digest.update(dependency.encode("utf-8", "surrogatepass") + b"\0" + self._hash_of(dependency, index).encode() + b"\0")
        return digest.hexdigest()

    def _reachable(self, path: str, text: str, index: ModuleIndex) -> frozenset[str]:
        """The workspace files the file reaches through its imports, transitively (a file
        whose own imports the line reader may miss is marked: its text is then all it adds)."""
        path = os.path.abspath(path)
        found = self._closures.get(path)
        if found is not None:
            return found
        seen: set[str] = set()
        stack = [path]
        while stack:
            current = stack.pop()
            known = self._closures.get(current) if current != path else None
            if known is not None:  # a file whose whole closure is known: take it at once
                seen.update(known)
                continue
            current_text = text if current == path else index.text(current) or ""
            if current != path and self._unsure(current, current_text, index):
                seen.add(current + _UNSURE)  # keyed on its text; its own imports may be missed
            for other in index.memo(current, "imports", lambda: workspace_imports(current_text, current, index)):
                other = os.path.abspath(other)
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        seen.discard(path)
        found = self._closures[path] = frozenset(seen)
        return found

    @staticmethod
    def _unsure(path: str, text: str, index: ModuleIndex) -> bool:
        return index.memo(path, "unsure imports", lambda: _UNSURE_IMPORT.search(text) is not None)

    def _hash_of(self, path: str, index: ModuleIndex) -> str:
        if path not in self._hashes:
            text = index.text(path.removesuffix(_UNSURE))
            self._hashes[path] = _hash(text) if text is not None else "-"
        return self._hashes[path]

    def get(self, path: str, key: str | None) -> model.Analysis | None:
        entry = self._old.get(os.path.abspath(path)) if key is not None else None
        if entry is None or entry[0] != key:
            return None
        try:
            analysis = _decode(entry[1])
        except (KeyError, TypeError, ValueError):
            return None
        if not isinstance(analysis, model.Analysis):
            return None
        self.hits += 1
        self._new[os.path.abspath(path)] = entry
        return analysis

    def put(self, path: str, key: str | None, analysis: model.Analysis) -> None:
        if key is not None:
            self._new[os.path.abspath(path)] = [key, _encode(analysis)]

    def save(self) -> str | None:
        """Write the entries of this run (and those of files not checked this time); the reason
        if it could not be written (the run does not fail for it)."""
        if self.secret is None:
            return None
        entries = {**self._old, **self._new}
        payload = json.dumps(entries, separators=(",", ":"), ensure_ascii=False)
        try:
            os.makedirs(self.folder, exist_ok=True)
            if self.inside is not None and not _inside(self.folder, self.inside):
                return f"the cache folder {self.folder} leads outside the project (a symlink?); not written"
            ignore = os.path.join(self.folder, ".gitignore")
            if not os.path.lexists(ignore):
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                with os.fdopen(os.open(ignore, flags, 0o644), "w", encoding="utf-8") as handle:
                    handle.write("# Made by raylint: its result cache, not for version control.\n*\n")
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".results-")
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass") as handle:
                json.dump({"mac": self._mac(payload), "payload": payload}, handle)
            os.replace(temporary, os.path.join(self.folder, _FILE))
        except OSError as error:
            return f"cannot write the cache in {self.folder}: {error.strerror or error}"
        return None


def _inside(path: str, root: str) -> bool:
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# -- the model as JSON (never pickle: the folder sits in a project that may be hostile) ---------

_TYPES = {
    cls.__name__: cls
    for cls in (model.Position, model.Range, model.Edit, model.CallSite, model.Fix, model.Related, model.Finding,
                model.Problem, model.Analysis)
}
_ENUMS = {model.CallerChange.__name__: model.CallerChange}


def _encode(value):
    if isinstance(value, Enum):
        return {"~": type(value).__name__, "v": value.value}
    if dataclasses.is_dataclass(value):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"~": type(value).__name__, **fields}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    if isinstance(value, dict):
        kind = value["~"]
        if kind in _ENUMS:
            return _ENUMS[kind](value["v"])
        cls = _TYPES[kind]
        fields = {k: _decode(v) for k, v in value.items() if k != "~"}
        if cls is model.Analysis:
            fields = {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()}
        return cls(**fields)
    return value


__all__ = ["FOLDER", "ResultCache", "user_key"]
