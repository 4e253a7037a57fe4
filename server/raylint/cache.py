"""The result cache of `raylint check` (ruff's model): a file whose analysis cannot have
changed is not parsed again.

A file's entry is keyed by everything its findings depend on: raylint's version and code, the rules and
options that run on it, the interpreter that resolves installed names, the file's path and
text, and the text of every workspace module it can reach through its imports (where a name it
uses may be re-exported from), found again on each run, so that a module that appears, moves
or changes what it exports invalidates the entries of its importers. Imports are read from
the import lines, or from the tree where lines may be misread (`x = 1; import helpers`); a
file whose imports cannot be read either way is never cached.

Reading every file and its imports again costs most of a cold run's reading, so an entry is
first checked by stamps, reading nothing: the file and every module it reaches have the
mtime and size they had when their texts were read, and each import finds the same module as
before (it does, without looking again, when no folder an import looked into has another
mtime: creating, removing or renaming a file changes its folder's). A stamp is believed only
if it is older than the run that took it by more than `_RACY_NS` (git's "racy clean" rule: a
file written in the same clock tick as it was read would keep its stamp); otherwise, and on
any difference, the entry is checked by the texts' hashes as above.

The workspace-wide step (the callers of the findings, which decide whether their fixes are
safe) is kept too, for `check`: it is reused when no workspace file and no file it read has
another stamp.

The cache folder is `.raylint_cache` beside the configuration (or in the current folder), and
holds a `.gitignore` of `*` so that git ignores it. A project may ship such a folder: entries
are signed with a key that lives in the user's own cache folder (never in the project), so
that a cache made elsewhere is ignored rather than believed.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
import os
import tempfile
import time
from enum import Enum

from raylint import __version__
from raylint.core import model
from raylint.core.names import ModuleIndex, disk_stamp
from raylint.core.prefilter import import_lookups_of

FOLDER = ".raylint_cache"
_FILE = "results-v2.json"
_UNSURE = " (unsure imports)"
# A stamp this close to (or after) the start of the run that took it is not believed: the file
# may have been written again within the same mtime tick (2 s covers FAT and network clocks).
_RACY_NS = 2_000_000_000


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of raylint's own source files: an install from a newer commit with the same
    version number (an editable install, `pip install git+...`) must not believe the entries
    an older analysis wrote."""
    digest = hashlib.sha256()
    package = os.path.dirname(os.path.abspath(__file__))
    for folder, subfolders, files in sorted(os.walk(package)):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, package).encode() + b"\0")
            try:
                with open(path, "rb") as handle:
                    digest.update(handle.read())
            except OSError:
                digest.update(b"?")
    return digest.hexdigest()[:16]


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
    """Per-file analyses of earlier runs, and those of this run to keep.

    Stored: `files` {path: [key, stamp, rules' digest, path as given, analysis or None if
    it has nothing]}; `imports` {path: [stamp, unsure,
    [[module, level, file or None], ...]]} for every file whose imports a key followed;
    `folders` {folder: mtime} for every folder those imports looked into (`complete`:
    all of them could be listed); `workspace`: the workspace step's key, stamps and analyses;
    `started`: when the run that wrote them began (see `_RACY_NS`).
    """

    def __init__(self, folder: str, environment: str, key: bytes | None = None, inside: str | None = None):
        self.folder = folder
        self.inside = inside  # the folder the cache must stay in (symlinks resolved), if any
        # what all entries share: the interpreter, and raylint's own code (`code_fingerprint`)
        self.environment = f"{environment} code={code_fingerprint()}"
        self.secret = key if key is not None else user_key()
        self.started = time.time_ns()
        stored = self._load() if self.secret is not None else {}
        if self.secret is not None and not os.path.isdir(folder) and (inside is None or _inside(folder, inside)):
            # made now, not when saving: made inside a folder an import looks into (the
            # project's root), it changes that folder's mtime, which the next run would take
            # for a module that appeared (and check every import again)
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError:
                pass  # (said when saving)
        self._old_files: dict[str, list] = stored.get("files", {})
        self._old_imports: dict[str, list] = stored.get("imports", {})
        self._old_folders: dict[str, int] = stored.get("folders", {})
        self._old_complete: bool = stored.get("complete", False)
        self._old_workspace: dict = stored.get("workspace", {})
        self._believed_before = stored.get("started", 0) - _RACY_NS
        self._files: dict[str, list] = {}
        self._imports: dict[str, list] = {}
        self._workspace: dict = {}
        self._hashes: dict[str, str] = {}
        # (stamp, import lookups) of the files a worker process read, hashed and looked up (`learn`)
        self._learnt: dict[str, tuple] = {}
        self._learnt_folders: dict[str, int] = {}
        self._learnt_complete = True
        self._closures: dict[str, frozenset[str]] = {}
        self._imports_unchanged: dict[str, bool] = {}
        self._closures_unchanged: dict[str, frozenset[str] | None] = {}
        self._folders_unchanged: bool | None = None
        self._index: ModuleIndex | None = None
        self._rules: dict[str, str] = {}
        self._changed = False  # anything to write (an all-hits run writes nothing)
        self.hits = 0

    def _load(self) -> dict:
        """The entries of the file (its signature on the first line, then the JSON signed)."""
        try:
            with open(os.path.join(self.folder, _FILE), "rb") as handle:
                mac, _, payload = handle.read().partition(b"\n")
            if not hmac.compare_digest(mac, self._mac(payload)):
                return {}
            entries = json.loads(payload)
            if not isinstance(entries, dict) or entries.get("version") != [__version__, self.environment]:
                return {}
            return entries
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self.secret, payload, hashlib.sha256).hexdigest().encode()

    # -- by stamps -------------------------------------------------------------------------

    def unchanged(self, path: str, rules: str, index: ModuleIndex) -> model.Analysis | None:
        """The file's analysis of an earlier run if, by their stamps, neither it nor anything
        it reaches through its imports changed since (nothing is read)."""
        given, path = path, os.path.abspath(path)
        entry = self._old_files.get(path)
        if entry is None or entry[2:4] != [self._digest(rules), given] or not self._believed(path, entry[1]):
            return None
        self._index = index
        reached = self._unchanged_closure(path, index)
        if reached is None:
            return None
        analysis = self._analysis(entry)
        if analysis is not None:
            self._files[path] = entry
            for current in reached:
                self._imports[current] = self._old_imports[current]
        return analysis

    def _unchanged_closure(self, path: str, index: ModuleIndex) -> frozenset[str] | None:
        """The file and those it reaches through imports, if none of them changed (by stamps)."""
        if path in self._closures_unchanged:
            return self._closures_unchanged[path]
        reached, stack = set(), [path]
        while stack:
            current = stack.pop()
            if current in reached:
                continue
            known = self._closures_unchanged.get(current, ()) if current != path else ()
            if known is None or not self._same_imports(current, index):
                reached = None
                break
            reached.add(current)
            if known:  # (its whole closure is known unchanged)
                reached.update(known)
                continue
            stack.extend(found for _, _, found in self._old_imports[current][2] if found is not None)
        found = self._closures_unchanged[path] = frozenset(reached) if reached is not None else None
        return found

    def _believed(self, path: str, stamp) -> bool:
        """Does the file have `stamp`, old enough to be believed?"""
        now = disk_stamp(path)
        return now is not None and list(now) == stamp and stamp[0] < self._believed_before

    def _same_imports(self, path: str, index: ModuleIndex) -> bool:
        """Has the file its stamp of an earlier run, and does each import find what it found?"""
        known = self._imports_unchanged.get(path)
        if known is None:
            entry = self._old_imports.get(path)
            known = entry is not None and self._believed(path, entry[0])
            if known and not self._no_folder_changed():
                self._changed = True  # (the folders' stamps to write are those of this run)
                known = all(index.find(module, path, level) == found for module, level, found in entry[2])
            self._imports_unchanged[path] = known
        return known

    def _no_folder_changed(self) -> bool:
        if self._folders_unchanged is None:
            self._folders_unchanged = self._old_complete and all(
                _folder_stamp(folder) == mtime and mtime < self._believed_before
                for folder, mtime in self._old_folders.items()
            )
        return self._folders_unchanged

    # -- by texts --------------------------------------------------------------------------

    def learn(self, path: str, facts: tuple | None, folders: tuple | None, index: ModuleIndex) -> None:
        """What the worker process that analysed the file read of it (`FileResult.facts`),
        which the keys need not read again, and the folders it looked into for lookups."""
        if facts is not None:
            hashed, stamp, lookups = facts
            path = index.absolute(path)
            self._hashes[path] = hashed
            self._learnt[path] = (stamp, lookups)
        if folders is not None:
            stamps, complete = folders
            for folder, mtime in stamps.items():  # (two stamps of a folder: the older holds)
                self._learnt_folders[folder] = min(mtime, self._learnt_folders.get(folder, mtime))
            self._learnt_complete = self._learnt_complete and complete

    def learnt_stamp(self, path: str, index: ModuleIndex):
        """The stamp of the text of the file that a worker read (None: no worker did)."""
        learnt = self._learnt.get(index.absolute(path))
        return learnt[0] if learnt is not None else None

    def key(self, path: str, text: str | None, rules: str, index: ModuleIndex) -> str | None:
        """The key of the file's analysis (None: not cacheable). `text` None: the file's
        facts were learnt (`learn`)."""
        if self.secret is None or self._facts(index.absolute(path), text, index)[1] is None:
            return None
        self._index, self._changed = index, True
        digest = hashlib.sha256()
        hashed = text_hash(text) if text is not None else self._hashes[index.absolute(path)]
        for part in (__version__, self.environment, rules, path, hashed):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        for dependency in sorted(self._reachable(path, text, index)):
            digest.update(dependency.encode("utf-8", "surrogatepass") + b"\0" + self._hash_of(dependency, index).encode() + b"\0")
        return digest.hexdigest()

    def _facts(self, path: str, text: str | None, index: ModuleIndex) -> tuple:
        """(stamp, import lookups) of the file: learnt from a worker, else of `text` (None:
        read here)."""
        learnt = self._learnt.get(path)
        if learnt is not None:
            return learnt
        if text is None:
            text = index.text(path) or ""
        return index.text_stamp(path), import_lookups_of(text, path, index)

    def _reachable(self, path: str, text: str | None, index: ModuleIndex) -> frozenset[str]:
        """The workspace files the file reaches through its imports, transitively (a file
        whose imports cannot be read is marked: its text is then all it adds)."""
        path = index.absolute(path)
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
            stamp, lookups = self._facts(current, text if current == path else None, index)
            if lookups is None:
                seen.add(current + _UNSURE)  # keyed on its text; its own imports are not known
            if stamp is not None:
                self._imports[current] = [list(stamp), lookups is None, lookups or []]
            for _, _, other in lookups or ():
                if other is not None:
                    other = index.absolute(other)  # (each path made absolute once in a run)
                    if other not in seen:
                        seen.add(other)
                        stack.append(other)
        seen.discard(path)
        found = self._closures[path] = frozenset(seen)
        return found

    def _hash_of(self, path: str, index: ModuleIndex) -> str:
        if path not in self._hashes:
            text = index.text(path.removesuffix(_UNSURE))
            self._hashes[path] = text_hash(text) if text is not None else "-"
        return self._hashes[path]

    def holds(self, path: str) -> bool:
        """Does an earlier run's entry for the file exist (else no key can find its analysis)?"""
        return os.path.abspath(path) in self._old_files

    def get(self, path: str, key: str | None, rules: str, stamp) -> model.Analysis | None:
        """The analysis of an earlier run with the same key (kept again, with the stamp of the
        text that was keyed)."""
        entry = self._old_files.get(os.path.abspath(path)) if key is not None else None
        if entry is None or entry[0] != key:
            return None
        analysis = self._analysis(entry)
        if analysis is not None:
            self._keep(path, key, rules, stamp, entry[4])
        return analysis

    def _analysis(self, entry: list) -> model.Analysis | None:
        try:
            analysis = model.Analysis(entry[3]) if entry[4] is None else _decode(entry[4])
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        if not isinstance(analysis, model.Analysis):
            return None
        self.hits += 1
        return analysis

    def put(self, path: str, analysis: model.Analysis, key: str | None, rules: str, stamp) -> None:
        """Keep the analysis of the file whose text, keyed `key`, had `stamp` (None: it is
        checked by its key only)."""
        if key is not None:
            # (most files have nothing: their analysis is stored as null)
            self._keep(path, key, rules, stamp, None if analysis == model.Analysis(path) else _encode(analysis))

    def _keep(self, path: str, key: str, rules: str, stamp, encoded) -> None:
        stamp = list(stamp) if stamp is not None else [0, -1]
        self._files[os.path.abspath(path)] = [key, stamp, self._digest(rules), path, encoded]

    def _digest(self, rules: str) -> str:
        """A short stand-in for the rules and options (the same for most files)."""
        if rules not in self._rules:
            self._rules[rules] = hashlib.sha256(rules.encode("utf-8", "surrogatepass")).hexdigest()[:20]
        return self._rules[rules]

    # -- the workspace step ----------------------------------------------------------------

    def workspace(self, key: str, files: list[str]) -> dict[str, model.Analysis] | None:
        """The workspace step's analyses of an earlier run with the same `key`, if no file it
        depends on (`files`, and those it read) has another stamp."""
        old = self._old_workspace
        if old.get("key") != key or sorted(old.get("stamps", {})) != sorted(set(old.get("read", [])) | set(files)):
            return None
        if not all(self._believed(path, stamp) for path, stamp in old["stamps"].items()):
            return None
        try:
            analyses = {path: _decode(encoded) for path, encoded in old["analyses"].items()}
        except (KeyError, TypeError, ValueError):
            return None
        if not all(isinstance(a, model.Analysis) for a in analyses.values()):
            return None
        self._workspace = old
        return analyses

    def keep_workspace(self, key: str, stamps: dict[str, object], read: list[str], analyses: dict[str, model.Analysis]) -> None:
        """`stamps`: of each file the step depends on, taken before it was read (None: gone)."""
        self._changed = True
        self._workspace = {
            "key": key,
            "stamps": {path: list(stamp) if stamp is not None else None for path, stamp in stamps.items()},
            "read": sorted(read),
            "analyses": {path: _encode(analysis) for path, analysis in analyses.items()},
        }

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> str | None:
        """Write the entries of this run (and those of files not checked this time); the reason
        if it could not be written (the run does not fail for it)."""
        if self.secret is None or not self._changed:
            return None
        listings = self._index.listings if self._index is not None else None
        new_folders = {**self._learnt_folders}
        for folder, mtime in (listings.stamps if listings is not None else {}).items():
            new_folders[folder] = min(mtime, new_folders.get(folder, mtime))
        complete = listings is not None and listings.complete and self._learnt_complete
        if self._old_files and self._no_folder_changed():
            # what the earlier runs' imports found still holds: keep it for their entries
            imports, folders = {**self._old_imports, **self._imports}, {**self._old_folders, **new_folders}
        else:  # imports not looked at again in this run are not known to find the same
            imports, folders = self._imports, new_folders
        payload = json.dumps(
            {
                "version": [__version__, self.environment],
                "started": self.started,
                "files": {**self._old_files, **self._files},
                "imports": imports,
                "folders": folders,
                "complete": complete,
                "workspace": self._workspace,
            },
            separators=(",", ":"),
        ).encode("ascii")  # (ASCII: odd file names' lone surrogates are escaped)
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
            with os.fdopen(fd, "wb") as handle:
                handle.write(self._mac(payload) + b"\n" + payload)
            os.replace(temporary, os.path.join(self.folder, _FILE))
        except OSError as error:
            return f"cannot write the cache in {self.folder}: {error.strerror or error}"
        return None


def _folder_stamp(folder: str) -> int | None:
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return None


def _inside(path: str, root: str) -> bool:
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def text_hash(text: str) -> str:
    """What a file's text is keyed by."""
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
