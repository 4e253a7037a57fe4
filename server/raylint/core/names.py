"""Resolve names to the Ray API as Python would: imports, aliases, scopes, re-exports.

Resolution is our own import tracking first (fast, and right without Ray installed), with
the workspace's modules followed for re-exports. What it cannot see — a name imported
from an installed package that is not Ray — is asked of jedi, in the user's environment.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import os
import re
import sys
from dataclasses import dataclass
from typing import Callable, Union

from raylint.core.source import SourceText, parse
from raylint.core.walk import CHILDREN_OF, children, children_of

RAY_API = ("put", "remote", "get", "method", "wait")
# Where Ray defines what it exports, so `from ray._private.worker import put` resolves too.
_CANONICAL = {
    "ray._private.worker.put": "ray.put",
    "ray._private.worker.remote": "ray.remote",
    "ray._private.worker.get": "ray.get",
    "ray._private.worker.wait": "ray.wait",
    "ray.actor.method": "ray.method",
}
REMOTE_FACTORY = "ray.remote()"  # what `ray.remote(num_cpus=1)` returns: a decorator


@dataclass(frozen=True)
class LocalModule:
    """A module of the workspace, followed for re-exports."""

    path: str


@dataclass(frozen=True)
class External:
    """A name imported from a module raylint cannot read itself (left to jedi)."""

    dotted: str


# A str is a Ray name ("ray", "ray.put", REMOTE_FACTORY, ...); None is "not Ray".
Symbol = Union[str, LocalModule, External, None]


def canonical(dotted: str) -> str:
    return _CANONICAL.get(dotted, dotted)


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# The nodes that open a scope of their own, as Python defines scopes.
SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS)


class Scope:
    """The names one module, function, lambda, comprehension or class body binds, and how.

    A binding is a tuple: ("def", node), ("module", dotted), ("from", module, name, level),
    ("value", expr) for `name = expr`, ("for", iterable) for a loop or comprehension variable,
    ("other",) for anything else (parameters, `with ... as`, `except ... as`, unpacking).
    Bindings are collected on first use: most functions of a module are never looked into.
    """

    def __init__(self, node: ast.AST, parent: Scope | None, module: ModuleInfo):
        self.node = node
        self.parent = parent
        self.module = module
        self._bindings: dict[str, list[tuple]] | None = None
        self._declared_global: set[str] = set()
        self._star_imports: list[tuple[str, int]] = []

    def _collected(self) -> None:
        self._bindings = {}
        node = self.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if arg is not None:
                    self.bind(arg.arg, ("other",))
        if isinstance(node, ast.Lambda):
            _collect([ast.Expr(node.body)], self)
        elif isinstance(node, _COMPREHENSIONS):
            for generator in node.generators:
                if isinstance(generator.target, ast.Name):
                    self.bind(generator.target.id, ("for", generator.iter))
                else:
                    _collect([ast.Expr(generator.target)], self)
        else:
            _collect(node.body, self)
        # (`bound_names` has no module: the incremental analysis it serves redoes a def that says `global`)
        if self.parent is None and self.module is not None:
            lines = _global_lines(self.module.source)
            if lines:
                self._bind_declared_globals(lines)

    def _bind_declared_globals(self, lines: list[int]) -> None:
        """A module's names that its functions declare `global` and bind (`global tasks` then
        `import tasks` in `setup()`) are bound in the module: another function's `tasks` may be
        that module. Only the functions around a line that spells `global` as a statement are
        looked into (a walk of every function of such a module cost a few percent of a run)."""
        for node in _functions_around(self.node.body, lines):
            inner = Scope(node, self, self.module)
            inner._collected()
            for name in inner._declared_global & inner._bindings.keys():
                self._bindings.setdefault(name, []).extend(inner._bindings[name])

    @property
    def bindings(self) -> dict[str, list[tuple]]:
        if self._bindings is None:
            self._collected()
        return self._bindings

    @property
    def declared_global(self) -> set[str]:
        if self._bindings is None:
            self._collected()
        return self._declared_global

    @property
    def star_imports(self) -> list[tuple[str, int]]:
        if self._bindings is None:
            self._collected()
        return self._star_imports

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)

    def bind(self, name: str, binding: tuple) -> None:
        self._bindings.setdefault(name, []).append(binding)

    def lookup(self, name: str) -> Scope | None:
        """The scope whose binding `name` means here, as Python looks names up (class bodies
        are not seen from the functions and comprehensions in them); None: a global not
        bound in the module (a builtin, or from a star import)."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if scope._bindings is None:  # (the properties, inlined: this is the hot path)
                scope._collected()
            if name in scope._declared_global and scope.parent is not None:
                scope = _module_scope(scope)
                continue
            if name in scope._bindings and (first or not isinstance(scope.node, ast.ClassDef)):
                return scope
            first = False
            scope = scope.parent
        return None


# `global name` where a statement may start (not the word in a docstring or a comment, mostly):
# matched where the text spells the word (a pattern that starts with `^` is tried at every
# position: 4 ms a keystroke in a 160 kB module that says "global" once, in a docstring)
_GLOBAL_STATEMENT = re.compile(r"(?:[^\n]*[;:])?[ \t]*global[ \t]+[A-Za-z_]")


def _global_lines(source: SourceText) -> list[int]:
    """The lines (1-based, in order) where a `global` statement may start."""
    text, lines = source.text, []
    at = text.find("global")
    while at != -1:
        start = text.rfind("\n", 0, at) + 1
        match = _GLOBAL_STATEMENT.match(text, start)
        if match is not None and match.end() > at:
            lines.append(bisect.bisect_right(source.line_starts, at))
        end = text.find("\n", at)
        if end == -1:
            break
        at = text.find("global", end)
    return lines


def _functions_around(body: list[ast.stmt], lines: list[int]):
    """The defs among `body` and the statements nested in it whose lines hold one of `lines`
    (1-based, sorted), outermost first."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        end = getattr(node, "end_lineno", None)
        if end is not None:  # (a `case` has no lines: its body is looked into)
            at = bisect.bisect_left(lines, node.lineno)
            if at == len(lines) or lines[at] > end:
                continue  # (no such line in it)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            stack.extend(reversed([n for n in getattr(node, field, ()) if isinstance(n, ast.AST)]))


def _module_scope(scope: Scope) -> Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope


# the nodes `_collect` looks at (any other goes to its children)
_MAY_BIND = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, *_COMPREHENSIONS, ast.NamedExpr, ast.Import,
    ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Assign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.Name,
    ast.ExceptHandler, ast.MatchAs, ast.MatchStar, ast.MatchMapping,
)
_BINDS_NOTHING: dict[type, bool] = {}


def _collect(body: list[ast.stmt], scope: Scope) -> None:
    """Record the bindings of a block, without entering nested scopes."""
    stack: list[ast.AST] = list(reversed(body))
    of = CHILDREN_OF.get
    while stack:
        node = stack.pop()
        # most nodes (calls, attributes, constants...) bind nothing: one lookup by class sends
        # them to their children, past the tests below
        kind = type(node)
        plain = _BINDS_NOTHING.get(kind)
        if plain is None:
            plain = _BINDS_NOTHING[kind] = not isinstance(node, _MAY_BIND)
        if plain:
            kids = (of(kind) or children_of(kind))(node)
            if kids:
                kids.reverse()
                stack.extend(kids)
            continue
        if kind is ast.Name:  # (the most common of the rest; as below)
            if not isinstance(node.ctx, ast.Load):
                scope.bind(node.id, ("other",))
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            scope.bind(node.name, ("def", node))
            stack.extend(node.decorator_list)
            if isinstance(node, ast.ClassDef):
                stack.extend([*node.bases, *node.keywords])
            else:
                stack.extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
            continue
        if isinstance(node, _COMPREHENSIONS):
            stack.append(node.generators[0].iter)  # the first iterable is evaluated outside
            continue
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            scope.bind(node.target.id, ("value", node.value))
            stack.append(node.value)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    scope.bind(alias.asname, ("module", alias.name))
                else:
                    top = alias.name.split(".")[0]
                    scope.bind(top, ("module", top))
            continue
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    scope._star_imports.append((node.module or "", node.level))
                else:
                    scope.bind(alias.asname or alias.name, ("from", node.module or "", alias.name, node.level))
            continue
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            scope._declared_global.update(node.names)
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    scope.bind(target.id, ("value", node.value))
                else:
                    stack.append(target)
            stack.append(node.value)
            continue
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            scope.bind(node.target.id, ("value", node.value))
            stack.append(node.value)
            continue
        if isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name):
            scope.bind(node.target.id, ("for", node.iter))
            stack.extend(reversed([node.iter, *node.body, *node.orelse]))
            continue
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                scope.bind(node.id, ("other",))
            continue
        if isinstance(node, ast.ExceptHandler) and node.name:
            scope.bind(node.name, ("other",))
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            scope.bind(node.name, ("other",))
        elif isinstance(node, ast.MatchMapping) and node.rest:
            scope.bind(node.rest, ("other",))
        stack.extend(reversed(children(node)))


def bound_names(statements: list[ast.stmt]) -> set[str]:
    """The names these statements bind in the scope they are in (a module's top level)."""
    return set(Scope(ast.Module(body=statements, type_ignores=[]), None, None).bindings)


class ModuleInfo:
    """One parsed module: its text, tree and module scope."""

    def __init__(self, path: str, source: SourceText, tree: ast.Module, syntax_errors=None):
        self.path = os.path.abspath(path)
        self.source = source
        self.tree = tree
        self.scope = Scope(tree, None, self)
        # the scope each function, class, lambda and comprehension opens (`scope_of`): one
        # Scope per node for every reader of the module, so its bindings are collected once
        self.scopes: dict[int, Scope] = {id(tree): self.scope}
        # (0-based line, message) of each syntax error the parser recovered from; None: unknown
        self.syntax_errors: list[tuple[int, str]] | None = syntax_errors
        # what rules learned of this module, as one index resolves its names (by rule and fact:
        # "RAY001.helper_puts"); cleared when another index adopts the module
        self.facts: dict = {}

    def scope_of(self, node: ast.AST, parent: Scope) -> Scope:
        """The scope function (class, lambda, comprehension) `node` opens, defined in `parent`."""
        found = self.scopes.get(id(node))
        if found is None:
            found = self.scopes[id(node)] = Scope(node, parent, self)
        return found


def read_disk(path: str) -> str | None:
    """A workspace file's text as the command line reads it (PEP 263 encodings, a BOM kept),
    or None: never a FIFO or a device (they would hang or never end), never more than
    MAX_PYTHON_FILE, never a binary file."""
    from raylint.discovery import read_python_file

    try:
        return read_python_file(path)[0]
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, LookupError):
        return None


def disk_stamp(path: str):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _once_per_path(stamp: Callable[[str], object]) -> Callable[[str], object]:
    known: dict[str, object] = {}

    def once(path: str):
        if path not in known:
            known[path] = stamp(path)
        return known[path]

    return once


class ModuleIndex:
    """Finds and parses the workspace's modules, for following re-exports across files.

    Parsed modules are kept while their stamp (by default mtime and size) stays the same, so a
    long-lived index (the language server's, a whole `raylint check` run's) follows edits.
    """

    def __init__(
        self,
        roots: list[str] | None = None,
        read: Callable[[str], str | None] = read_disk,
        stamp: Callable[[str], object] = disk_stamp,
        snapshot: bool = False,
    ):
        self.roots = [os.path.abspath(root) for root in roots or []]
        # where an absolute import is looked up besides the importer's package root: each root,
        # and its `src` folder (the src layout: tests and scripts import `pkg` from `src/pkg`,
        # as ruff's and pyright's default search paths do)
        self.import_roots = [folder for root in self.roots for folder in (root, os.path.join(root, "src"))]
        self.real_roots = [os.path.realpath(root) for root in self.roots]
        self._real_folders: dict[str, str] = {}  # (see `_canonical`)
        # snapshot: no file changes while the index lives (one CLI run), so facts that span
        # files (which words a module's imports reach) are kept, not checked again
        self.snapshot = snapshot
        self.reaches: dict[tuple[str, str], bool] = {}
        self.read = read
        # (in a snapshot a file's stamp is taken once: the stat per question was a tenth of a run)
        self.stamp = _once_per_path(stamp) if snapshot else stamp
        self._modules: dict[str, tuple[object, ModuleInfo | None]] = {}
        self._found: dict[tuple[str, str, int], str | None] = {}
        self._texts: dict[str, tuple[object, str | None]] = {}
        self._memos: dict[tuple[str, str], tuple[object, object]] = {}
        self._package_roots: dict[str, str] = {}
        # a snapshot reads each folder it looks into once: a file exists if its folder lists it
        self.listings = Listings() if snapshot else None
        # In a snapshot (one run, in one folder): each path made absolute once, and `find`'s
        # answer by the very question (the path work per lookup was a tenth of the prefilter)
        self._absolute: dict[str, str] | None = {} if snapshot else None
        self._found_from: dict[tuple[str, str, int], str | None] | None = {} if snapshot else None

    def absolute(self, path: str) -> str:
        if self._absolute is None:
            return os.path.abspath(path)
        found = self._absolute.get(path)
        if found is None:
            found = self._absolute[path] = os.path.abspath(path)
        return found

    def forget(self, path: str) -> None:
        self._modules.pop(self.absolute(path), None)
        self._texts.pop(self.absolute(path), None)

    def files_appeared(self) -> None:
        """Look again for modules that were not found: a file may have been created since."""
        self._found = {key: path for key, path in self._found.items() if path is not None}
        self._found_from = {} if self.snapshot else None
        self._memos.clear()
        self._package_roots.clear()
        self._real_folders.clear()
        self.reaches.clear()
        if self.listings is not None:
            self.listings = Listings()

    def text(self, path: str) -> str | None:
        """A file's text, read again only when its stamp changes."""
        path = self.absolute(path)
        stamp = self.stamp(path)
        cached = self._texts.get(path)
        if cached is None or cached[0] != stamp:
            cached = self._texts[path] = (stamp, self.read(path))
        return cached[1]

    def text_stamp(self, path: str):
        """The stamp the file had when `text(path)` last read it (None: never read)."""
        cached = self._texts.get(self.absolute(path))
        return cached[0] if cached is not None else None

    def memo(self, path: str, what: str, compute: Callable[[], object]):
        """A fact about a file (`what`), computed again only when the file's stamp changes."""
        path = self.absolute(path)
        stamp = self.stamp(path)
        cached = self._memos.get((path, what))
        if cached is None or cached[0] != stamp:
            cached = self._memos[(path, what)] = (stamp, compute())
        return cached[1]

    def module(self, path: str) -> ModuleInfo | None:
        path = self.absolute(path)
        stamp = self.stamp(path)
        cached = self._modules.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        self._modules[path] = (stamp, None)  # guards import cycles while parsing
        text = self.text(path)
        if text is not None:
            source = SourceText(text)
            tree, errors = parse(source)
            if tree is not None:
                self._modules[path] = (stamp, ModuleInfo(path, source, tree, errors))
        return self._modules[path][1]

    def find(self, module: str, from_path: str, level: int = 0) -> str | None:
        """The file of `module` as imported from `from_path`, if it is in the workspace."""
        if self._found_from is not None:  # (a snapshot: the answer of each question is kept whole)
            asked = (module, from_path, level)
            if asked in self._found_from:
                return self._found_from[asked]
        own = os.path.dirname(self.absolute(from_path))
        folder = own
        if not level:  # (an absolute import is looked up from the package root: one key per package)
            folder = self.package_root(own)
        key = (module, folder, level)
        if key not in self._found:
            self._found[key] = self._find(module, from_path, level)
        found = self._found[key]
        if found is None and not level and own != folder:
            # a module of a package run as a script (`python src/pkg/main.py`) imports its
            # siblings by their own names: Python puts the script's folder on the path
            key = (module, own, -1)
            if key not in self._found:
                self._found[key] = self._find_in(module, [own])
            found = self._found[key]
        if found is None or self.snapshot:  # (no file changes in a snapshot's life)
            if self._found_from is not None:
                self._found_from[(module, from_path, level)] = found
            return found
        if os.path.isfile(found):
            return found
        del self._found[key]  # (the file is gone: asked again, the import may resolve elsewhere)
        return self.find(module, from_path, level)

    def _find(self, module: str, from_path: str, level: int) -> str | None:
        if level:
            base = os.path.dirname(self.absolute(from_path))
            for _ in range(level - 1):
                base = os.path.dirname(base)
            bases = [base]
        else:
            bases = [self.package_root(os.path.dirname(self.absolute(from_path))), *self.import_roots]
        return self._find_in(module, bases, level)

    def _find_in(self, module: str, bases: list[str], level: int = 0) -> str | None:
        parts = module.split(".") if module else []
        for base in bases:
            if parts and self.listings is not None and not self.listings.may_hold(base, parts[0], len(parts) == 1):
                continue  # (most imports, `os`, `numpy`: neither `numpy.py` nor `numpy/` is there)
            candidate = os.path.join(base, *parts)
            for path in (candidate + ".py", os.path.join(candidate, "__init__.py")):
                if (parts or level) and self.isfile(path):
                    return self._canonical(path)
        return None

    def _canonical(self, path: str) -> str:
        """The path the project's walk lists a module by: one reached through a symlinked folder
        (`lib -> src/lib`) is the file in its real folder, when that is in the workspace (the
        task's own path, to which its callers' imports must lead)."""
        folder, name = os.path.split(path)
        real_folder = self._real_folders.get(folder)
        if real_folder is None:  # (once per folder: a path's every part is looked at)
            real_folder = self._real_folders[folder] = os.path.realpath(folder)
        real = os.path.realpath(path) if os.path.islink(path) else os.path.join(real_folder, name)
        for root, real_root in zip(self.roots, self.real_roots):
            if real.startswith(real_root + os.sep):
                return os.path.join(root, real[len(real_root) + 1 :])
        return path

    def isfile(self, path: str) -> bool:
        return self.listings.isfile(path) if self.listings is not None else os.path.isfile(path)

    def package_root(self, folder: str) -> str:
        """The folder the top-level package of the files in `folder` sits in (`folder` itself
        for plain scripts)."""
        found = self._package_roots.get(folder)
        if found is None:
            found = folder
            while self.isfile(os.path.join(found, "__init__.py")):
                parent = os.path.dirname(found)
                if parent == found:
                    break
                found = parent
            self._package_roots[folder] = found
        return found


class Listings:
    """The files of each folder looked into, listed once. Also what the result cache needs
    to know that no import can resolve differently in a later run: the mtime of each folder
    listed (or, for one that does not exist, of its nearest folder that does), which any file
    created, removed or renamed in it changes."""

    def __init__(self):
        self._files: dict[str, frozenset[str] | None] = {}
        self._folders: dict[str, frozenset[str]] = {}  # the subfolders of each folder listed
        self._missing: set[str] = set()  # folders known not to exist (their nearest one is stamped)
        self.stamps: dict[str, int] = {}  # (only added to: see `new_stamps`)
        self.complete = True  # False once a folder could not be listed (its stamp means nothing)
        self._given = 0  # how many stamps `new_stamps` gave

    def new_stamps(self) -> dict[str, int]:
        """The folders stamped since the last call (a worker process sends them with each file)."""
        new = dict(itertools.islice(self.stamps.items(), self._given, None))
        self._given = len(self.stamps)
        return new

    def isfile(self, path: str) -> bool:
        folder, name = os.path.split(path)
        files = self._files.get(folder, _UNLISTED)
        if files is _UNLISTED:
            files = self._files[folder] = self._list(folder)
        if files is None:  # (a folder that may be searched but not listed)
            return os.path.isfile(path)
        return name in files

    def may_hold(self, folder: str, name: str, as_file: bool) -> bool:
        """May `folder` hold the module `name`: a subfolder `name` (a package), or with
        `as_file` a file `name.py`? (One look at its listing: a missing subfolder is stamped
        through `folder`, as when it is listed.)"""
        files = self._files.get(folder, _UNLISTED)
        if files is _UNLISTED:
            files = self._files[folder] = self._list(folder)
        if files is None:  # (a folder that may be searched but not listed)
            return True
        return name in self._folders.get(folder, ()) or as_file and f"{name}.py" in files

    def _list(self, folder: str) -> frozenset[str] | None:
        parent, name = os.path.split(folder)
        if parent in self._missing or parent in self._folders and name not in self._folders[parent]:
            self._missing.add(folder)  # (its parent's stamp, or its nearest folder's, tells if it appears)
            return frozenset()
        try:
            # the stamp first: a change after it shows in the mtime, never missed
            self.stamps[folder] = os.stat(folder).st_mtime_ns
        except OSError:
            # creating it would change the mtime of the nearest folder that exists (taken
            # after this look: a folder created in between has a stamp too new to believe)
            self._missing.add(folder)
            self._stamp_nearest(parent)
            return frozenset()
        try:
            with os.scandir(folder) as entries:
                entries = [(entry.name, entry.is_file(), entry.is_dir()) for entry in entries]
        except OSError:
            self.complete = False
            return None
        self._folders[folder] = frozenset(name for name, _, is_dir in entries if is_dir)
        return frozenset(name for name, is_file, _ in entries if is_file)

    def _stamp_nearest(self, folder: str) -> None:
        while folder not in self.stamps and folder not in self._missing:
            try:
                self.stamps[folder] = os.stat(folder).st_mtime_ns
                return
            except OSError:
                self._missing.add(folder)
                parent = os.path.dirname(folder)
                if parent == folder:
                    self.complete = False
                    return
                folder = parent


_UNLISTED = object()


class Resolver:
    """Answers "is this expression Ray's X?" for the names of one module. (flow.Values asks
    "what may it be?": both look names up with Scope.lookup and follow imports with
    import_target; they differ in how a name's bindings add up, see flow.)"""

    def __init__(self, module: ModuleInfo, index: ModuleIndex, externals: ExternalResolver | None, ray_only: bool = False):
        self.module = module
        self.index = index
        self.externals = externals
        self.ray_only = ray_only  # see for_ray
        self._memo: dict[tuple[int, str], Symbol] = {}
        self._for_ray: Resolver | None = None

    def for_ray(self) -> Resolver:
        """This module's resolver for one question: which of Ray's names is it (`ray.get`)?
        It does not follow a name into a workspace module that cannot lead to Ray (see
        `prefilter.may_lead_to_ray`), which saves parsing it: `config.get(...)` is common."""
        if self.ray_only:
            return self
        if self._for_ray is None:
            self._for_ray = Resolver(self.module, self.index, self.externals, ray_only=True)
        return self._for_ray

    def scope(self, node: ast.AST, parent: Scope) -> Scope:
        """The scope of function `node`, defined in `parent`."""
        return self.module.scope_of(node, parent)

    def is_(self, expr: ast.AST, scope: Scope, name: str) -> bool:
        return self.meaning(self.resolve(expr, scope)) == name

    def meaning(self, symbol: Symbol) -> Symbol:
        if isinstance(symbol, External) and self.externals is not None:
            return self.externals.resolve(symbol.dotted, self.module.path)
        return symbol

    def resolve(self, expr: ast.AST, scope: Scope, depth: int = 0) -> Symbol:
        if depth > 20:
            return None
        if isinstance(expr, ast.Name):
            return self.resolve_name(expr.id, scope, depth)
        if isinstance(expr, ast.Attribute):
            return self.attribute(self.resolve(expr.value, scope, depth + 1), expr.attr, depth)
        if isinstance(expr, ast.Call):
            function = self.meaning(self.resolve(expr.func, scope, depth + 1))
            if function == "ray.remote" and not expr.args:
                return REMOTE_FACTORY
        return None

    def attribute(self, base: Symbol, attr: str, depth: int) -> Symbol:
        if isinstance(base, str) and base.startswith("ray") and base != REMOTE_FACTORY:
            return canonical(f"{base}.{attr}")
        if isinstance(base, External):
            return External(f"{base.dotted}.{attr}")
        if isinstance(base, LocalModule):
            return self.exported(base.path, attr, depth)
        return None

    def resolve_name(self, name: str, scope: Scope, depth: int = 0) -> Symbol:
        home = scope.lookup(name)
        if home is None:
            return self._from_star_imports(self.module.scope, name, depth)
        key = (id(home.node), name)
        if key not in self._memo:
            self._memo[key] = None  # guards `x = x` cycles
            self._memo[key] = self._from_bindings(home, home.bindings[name], depth)
        return self._memo[key]

    def _from_bindings(self, scope: Scope, bindings: list[tuple], depth: int) -> Symbol:
        # A name that is also a def, a parameter or a loop variable is not Ray's; among
        # imports and assignments (`try: from ray import put / except: put = None`),
        # the first that means something wins.
        if any(binding[0] in ("def", "other", "for") for binding in bindings):
            return None
        for binding in bindings:
            symbol = self._from_binding(scope, binding, depth)
            if symbol is not None:
                return symbol
        return None

    def _from_binding(self, scope: Scope, binding: tuple, depth: int) -> Symbol:
        if binding[0] == "value":
            # an alias such as `put = ray.put` or `task = ray.remote(num_gpus=1)`
            return self._in(scope.module).resolve(binding[1], scope, depth + 1)
        target = import_target(self.index, binding, scope.module.path)
        if binding[0] != "from" or not isinstance(target, LocalModule):
            return target
        found = self.exported(target.path, binding[2], depth)
        if found is None and target.path.endswith("__init__.py"):
            submodule = self.index.find(binding[2], target.path, 1)
            if submodule is not None:
                return LocalModule(submodule)
        return found

    def exported(self, path: str, name: str, depth: int) -> Symbol:
        if depth > 20 or os.path.abspath(path) == self.module.path and name not in self.module.scope.bindings:
            return None
        from raylint.core.prefilter import may_bind, may_lead_to_ray  # (the prefilter reads names' index)

        if self.ray_only and not may_lead_to_ray(path, self.index, self.externals):
            return None
        if not may_bind(path, name, self.index):
            return None  # (a def, a class, nothing: the module need not be parsed)
        info = self.index.module(path)
        if info is None:
            return None
        return self._in(info).resolve_name(name, info.scope, depth + 1)

    def _in(self, module: ModuleInfo) -> Resolver:
        """The resolver of `module`'s names (a re-export is resolved where it is made)."""
        return self if module is self.module else Resolver(module, self.index, self.externals, self.ray_only)

    def _from_star_imports(self, scope: Scope, name: str, depth: int) -> Symbol:
        for module, level in scope.star_imports:
            if not level and module == "ray":
                if name in RAY_API:
                    return f"ray.{name}"
                continue
            path = self.index.find(module, scope.module.path, level)
            if path is not None:
                symbol = self.exported(path, name, depth + 1)
                if symbol is not None:
                    return symbol
        return None


def import_target(index: ModuleIndex, binding: tuple, from_path: str) -> Symbol:
    """Where an import binding of a module at `from_path` leads, for both questions (is it
    Ray's X, what may it be): ("module", dotted) for `import a.b`, ("from", module, name,
    level) for `from a import b`. A Ray name (its canonical spelling), a name of another
    installed package (External), a workspace module (LocalModule; for `from`, the one to
    look the name up in), or None: a relative import of a module that is not there."""
    source, name, level = (binding[1], None, 0) if binding[0] == "module" else binding[1:]
    if not level and (source == "ray" or source.startswith("ray.")):
        if name is None:
            return source
        dotted = canonical(f"{source}.{name}")
        return dotted if source == "ray" or dotted != f"{source}.{name}" else External(dotted)
    path = index.find(source, from_path, level)
    if path is not None:
        return LocalModule(path)
    return None if level else External(source if name is None else f"{source}.{name}")


# `import ray`, `from ray import x`, `import os, ray as r`; at a line's start or after `;` or a
# compound statement's `:` (`try: import ray`). Each piece matches one way only.
_IMPORTS_RAY = re.compile(
    r"(?:^|[;:])[ \t]*(?:from[ \t]+ray\b|import[ \t]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*ray\b)",
    re.MULTILINE,
)
# what the pattern needs before `ray`: a blank or a comma ("array" is common)
_BEFORE_RAY = (" ray", "\tray", ",ray")


def _imports_ray(text: str) -> bool:
    # plain searches first: the regex is many times slower
    return any(spelled in text for spelled in _BEFORE_RAY) and _IMPORTS_RAY.search(text) is not None


def _file_imports_ray(path: str) -> bool:
    """`_imports_ray` of the text of the file at `path`. Most files of a large package (numpy:
    thousands) are ruled out on their bytes, without decoding them: in UTF-8 (no `coding`
    cookie) the text spells " ray" only where its bytes do."""
    from raylint.discovery import MAX_PYTHON_FILE, read_regular_file

    try:
        data = read_regular_file(path, MAX_PYTHON_FILE)
    except (OSError, ValueError):
        return False  # (read_disk: None)
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first != -1 else -1
    # (a cookie is on the first two lines: these, or more with "\r" line ends)
    if b"coding" not in data[: second if second != -1 else len(data)] and not any(s.encode() in data for s in _BEFORE_RAY):
        return False  # (a search for what the pattern needs is fast, the pattern's is not)
    return _imports_ray(read_disk(path) or "")


class ExternalResolver:
    """Asks jedi, in the user's environment, what an imported name really is."""

    def __init__(self, python: str | None = None):
        self.python = python
        self._environment = None
        self._cache: dict[str, Symbol] = {}
        self._packages: dict[str, bool] = {}

    def environment(self):
        """jedi's environment for `python` (the active one without it). Made in jedi's safe mode:
        an interpreter that is not a known, installed Python (or a virtualenv of one) is not
        run. Raises (every time, without trying again) when there is no usable environment."""
        import jedi

        if self._environment is None:
            try:
                if self.python:
                    self._environment = jedi.create_environment(self.python, safe=True)
                else:
                    self._environment = jedi.get_default_environment()
            except Exception as error:
                self._environment = error
        if isinstance(self._environment, Exception):
            raise self._environment
        return self._environment

    def _sys_path(self) -> list[str]:
        """The environment's `sys.path`. That of this very interpreter (jedi's SameEnvironment:
        no --python, no other virtualenv active) is read here: jedi starts a process to ask it,
        0.12 s of a language server's first analysis. (A folder the program added since it
        started counts too: its packages are read as well, never missed.)"""
        if self.is_this_interpreter():  # (but the script's folder, or cwd, Python put first)
            return [entry for entry in sys.path[0 if sys.flags.safe_path else 1 :] if entry]
        return self.environment().get_sys_path()

    def is_this_interpreter(self) -> bool:
        """Is the environment the one this process runs in, as `jedi.get_default_environment`
        decides (no --python; VIRTUAL_ENV and CONDA_PREFIX unset or this one; an executable
        named python)? Told without importing jedi (0.11 s): when unsure, False, and jedi is asked."""
        if self.python:
            return False
        here = os.path.realpath(sys.prefix)
        for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
            value = os.environ.get(variable)
            if value and os.path.realpath(value) != here:
                return False
        return os.path.basename(sys.executable).lower().startswith("python")

    def problem(self) -> str | None:
        """Why `python` cannot be used to resolve imports, in one line (None: it can)."""
        if not self.python:
            return None
        if not os.path.exists(self.python):
            return f"{self.python}: no such file or folder"
        try:
            self.environment().get_sys_path()
        except Exception as error:
            reason = " ".join(str(error).split()) or type(error).__name__
            return f"{self.python}: not a usable Python interpreter or environment ({reason})"
        return None

    def resolve(self, dotted: str, from_path: str) -> Symbol:
        top = dotted.split(".")[0]
        if top in sys.stdlib_module_names or "." not in dotted:
            return None
        if top == "ray":
            # Ray does not rename its API inside itself: only `ray.<path>.put` can be ray.put
            if dotted.rsplit(".", 1)[1] not in RAY_API:
                return None
        elif not self.imports_ray(top):
            return None  # a package that never imports Ray cannot re-export it (and jedi is slow)
        if dotted not in self._cache:
            self._cache[dotted] = self._ask_jedi(dotted, from_path)
        return self._cache[dotted]

    def imports_ray(self, package: str) -> bool:
        """Does any source file of the installed `package` import Ray? (Read once per package.)"""
        if package not in self._packages:
            try:
                sys_path = self._sys_path()
            except Exception:  # no usable environment: leave it to jedi (which reports nothing)
                return True
            self._packages[package] = any(_file_imports_ray(path) for path in self._package_files(package, sys_path))
        return self._packages[package]

    @staticmethod
    def _package_files(package: str, sys_path: list[str]):
        for entry in sys_path:
            single = os.path.join(entry, package + ".py")
            if os.path.isfile(single):
                yield single
            folder = os.path.join(entry, package)
            if os.path.isdir(folder):
                for count, (directory, _, names) in enumerate(os.walk(folder)):
                    if count > 2000:
                        return
                    yield from (os.path.join(directory, n) for n in names if n.endswith(".py"))

    def _ask_jedi(self, dotted: str, from_path: str) -> Symbol:
        import jedi

        module, name = dotted.rsplit(".", 1)
        code = f"from {module} import {name}\n"
        try:
            script = jedi.Script(code, path=from_path, environment=self.environment())
            # Without Ray in the environment, following stops short: the import statement
            # that re-exports the name (`from ray import put as stash`) still names it.
            definitions = script.goto(1, len(code) - 2, follow_imports=True) or script.goto(1, len(code) - 2)
            for definition in definitions:
                full_name = definition.full_name or ""
                if full_name.startswith("ray."):
                    return canonical(full_name)
        except Exception:  # jedi or the environment failed: treat the name as unknown
            return None
        return None
