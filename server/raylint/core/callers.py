"""Call sites of a rewritten task, across the workspace, and how each must change.

A fix may change what `f.remote()` hands its caller (its `CallerChange`): RAY001's rewrites
make the outer ref hold what the inner ref held (see shared notes). So wherever a caller
fetched the inner ref with `ray.get(outer)` (or `await outer`), it must now use the outer
ref itself:

| change             | `ray.get(X)` becomes   |
|--------------------|------------------------|
| VALUE              | `X`                    |
| TUPLE              | `X`                    |
| GENERATOR          | `list(X)`              |
| GENERATOR_DYNAMIC  | `list(ray.get(X))`     |

A fix is safe only when every place that can observe the change was found and rewritten,
so the search over-approximates (see `flow`): for a task, every reference to the function
by any name in every module that can see its module (the import graph, re-exports under any
name), and how each is used; for an actor method, every `.m` in the workspace whose receiver
is not proven to be an object of an unrelated class. A use raylint cannot follow (the task
stored, passed, wrapped, called in-process; a handle of unknown class; a ref passed on) is a
call site to review, and the fix is then unsafe.
"""

from __future__ import annotations

import ast
import bisect
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable, Iterator, Mapping

from raylint.core import flow
from raylint.core.flow import (
    LOADS_BY_NAME, LOADS_BY_PATH, RUNS_TEXT, UNKNOWN, Declared, Def, Handle, Instance, Mod, Options, Values, imports_at_run_time, view,
)
from raylint.core.model import CallerChange, CallSite, Edit, Finding, Fix, Position, Range, Related
from raylint.core.names import ModuleIndex, ModuleInfo, Scope
from raylint.core.prefilter import ANY_STAR_IMPORT, names_as_parsed, spells, unfound_imports, workspace_imports
from raylint.core.source import SourceText, shortened
from raylint.core.tasks import WORD
from raylint.discovery import MAX_PYTHON_FILE, read_regular_file

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Target:
    """The remote function whose callers change: where it is defined and how it is called."""

    path: str  # the module that defines it
    names: tuple[str, ...]  # module-level names callers reach it by (`f`; `g` for `g = ray.remote(f)`)
    method: str = ""  # for an actor method: its name (and `names` are the actor class's)
    change: CallerChange = CallerChange.VALUE  # what its callers get instead
    owner: str = ""  # the def's own name: the function, or the method's class

    @property
    def generator(self) -> bool:
        return self.change in (CallerChange.GENERATOR, CallerChange.GENERATOR_DYNAMIC)


def find_call_sites(target: Target, files: list[str], index: ModuleIndex) -> list[CallSite]:
    """Every call site of `target` in `files` (the workspace), with its edits or a reason."""
    return CallerSearch(files, index).call_sites(target)


@lru_cache(maxsize=64)
def _syntax_error_line(text: str) -> int | None:
    """The 0-based line of the first syntax error in `text`, or None if it parses."""
    try:
        ast.parse(text[1:] if text.startswith("\ufeff") else text)
    except SyntaxError as error:
        return max((error.lineno or 1) - 1, 0)
    except (ValueError, RecursionError, MemoryError):
        return 0
    return None


def _broken_line(module: ModuleInfo | None, text: str) -> int | None:
    if module is None or module.syntax_errors is None:
        return _syntax_error_line(text)
    return module.syntax_errors[0][0] if module.syntax_errors else None


@dataclass
class _ImportIndex:
    """The workspace's imports as `CallerSearch.may_import` looks them up."""

    place: dict[str, int]  # each file's place in the search's files
    importers: dict[str, list[str]] = field(default_factory=dict)  # the files importing each file
    odd_words: dict[str, list[str]] = field(default_factory=dict)  # the files whose odd import lines spell each word
    odd: list[str] = field(default_factory=list)  # the files with odd import lines
    unfound: dict[str, list[str]] = field(default_factory=dict)  # the files importing each module name no workspace file answers
    always: list[str] = field(default_factory=list)  # the files every target's search reads


class _FileFacts:
    """What the search for every target asks of a workspace file's text, read once per text
    (a module of hundreds of tasks: each target's search asked again, and stat'ed the file)."""

    def __init__(self, text: str, path: str, index: ModuleIndex):
        self.given = text  # (the file's text, for positions)
        self.text = text = names_as_parsed(text)  # (words searched as the parser reads names)
        self.unfound = unfound_imports(text, path, index)  # (the facts are kept per text already)
        # (prefilter.imported_files' memo, given the text in hand: it would ask the index again, a stat)
        self.imported = set(index.memo(path, "imports", lambda: workspace_imports(text, path, index)))
        self.star_import = ANY_STAR_IMPORT.search(text) is not None
        # The lines (stripped) that spell `import` where the import-line reader may miss it:
        # after `;`, not at the line's start, or before a backslash
        odd = []
        for line in text.splitlines() if "import" in text else ():
            if "import" in line:
                stripped = line.strip()
                if stripped.endswith("\\") or ";" in stripped or not stripped.startswith(("import ", "from ")):
                    odd.append(stripped)
        self.odd_import_lines = "\n".join(odd)
        # where the imported name may be on another line (continued, or a value): the whole text counts
        self.imports_anywhere = bool(odd) and (
            "import_module" in text or "__import__" in text or any(line.endswith("\\") for line in odd)
        )
        # code loaded or run at run time (`runpy.run_path(p)`, `exec(code)`, `sys.modules[name]`):
        # the text need not name the task's module, so every target's search reads this file
        self.loads_code = _loads_code(text)
        self._odd_words: set[str] | None = None
        self._words: set[str] | None = None  # (see spelled)
        self._asked = 0

    def may_miss_import(self, words: _Spelling) -> bool:
        """May the text import a module spelled by `words` in a way the import-line reader misses
        (`import a; import tasks`, `if x: import tasks`, a backslash continuation)?"""
        if not self.odd_import_lines:
            return False
        if self.imports_anywhere:
            return self.spelled(words)
        return words.among(self.odd_words(), self.odd_import_lines)

    def spelled(self, words: _Spelling) -> bool:
        """`words.search(text)`; from the text's whole words once asked again (by the search
        of another task: hundreds in a module of tasks)."""
        if self._words is None:
            self._asked += 1
            if self._asked < 2:
                return words.search(self.text)
            self._words = set(WORD.findall(self.text))
        return words.among(self._words, self.text)

    def odd_words(self) -> set[str]:
        """The whole words (`\\w+` runs) of the odd import lines."""
        if self._odd_words is None:
            self._odd_words = set(WORD.findall(self.odd_import_lines))
        return self._odd_words




def _reexportable(module: ModuleInfo) -> list[str]:
    """The names the module binds at its top level by an import or an assignment (what may
    re-export a task); worked out once per module, not once per task searched for."""
    bindings = module.scope.bindings
    known = module.facts.get(_REEXPORTABLE)
    if known is None or known[0] is not bindings:
        names = [n for n, found in bindings.items() if any(b[0] in ("from", "module", "value") for b in found)]
        known = module.facts[_REEXPORTABLE] = (bindings, names)
    return known[1]


_REEXPORTABLE = "callers.reexportable"  # (module.facts) (the module scope's bindings, names)


def _packages_of(path: str) -> list[str]:
    """The `__init__.py` files of the packages holding the module at `path`."""
    found, folder = [], os.path.dirname(path)
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        found.append(os.path.join(folder, "__init__.py"))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return found


def _dotted_tails(path: str) -> list[str]:
    """The names the module at `path` is imported by from each folder above it that may be on
    the search path: `tasks`, `lib.tasks`, `app.lib.tasks` for app/lib/tasks.py (`pkg` for
    pkg/__init__.py), up to a folder whose name is not an identifier. Nothing for a script
    without the suffix (never imported by name)."""
    if not path.endswith(".py"):
        return []
    parts = os.path.abspath(path)[: -len(".py")].split(os.sep)
    if parts[-1] == "__init__":
        parts.pop()
    tails = []
    for start in range(len(parts) - 1, 0, -1):
        if not parts[start].isidentifier():
            break
        tails.append(".".join(parts[start:]))
    return tails


def _import_naming(module: ModuleInfo, names: set[str]) -> tuple[ast.AST | None, str]:
    """The first import statement of the module that names a module of `names` (absolute),
    and that name."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in names:
                    return node, alias.name
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for dotted in (node.module, *(f"{node.module}.{alias.name}" for alias in node.names)):
                if dotted in names:
                    return node, dotted
    return None, min(names)


def _module_word(path: str) -> str:
    """The word an import of the module at `path` spells: `core` for stats/core.py, `stats`
    for stats/__init__.py."""
    base = os.path.basename(path)
    if base == "__init__.py":
        return os.path.basename(os.path.dirname(path))
    return base[:-3] if base.endswith(".py") else base


_LOADING_WORDS = sorted(LOADS_BY_NAME | LOADS_BY_PATH)
_RUNS_TEXT_CALL = re.compile(r"(?:%s)\s*\(" % "|".join(sorted(RUNS_TEXT)))


def _loads_code(text: str) -> bool:
    """Does the text spell a loader's name, call `exec`, `eval` or `compile` by name (not
    `re.compile(...)`), or spell `sys` and `modules`? (Each word searched for as a substring
    first: one regex of them all tried every position, 4 s on a corpus of 6,000 files.)"""
    if any(word in text and spells(text, word) for word in _LOADING_WORDS):
        return True
    if any(word in text for word in RUNS_TEXT):
        for match in _RUNS_TEXT_CALL.finditer(text):
            before = text[match.start() - 1] if match.start() else " "
            if not (before.isalnum() or before in "_."):  # (a name of its own, not an attribute)
                return True
    return "sys" in text and spells(text, "modules")


class _Spelling:
    """Does a text spell one of `words` as a whole word? (A plain substring search first:
    most files spell none of them, and the regex is slower.)"""

    def __init__(self, words: Iterable[str]):
        self.set = set(words)
        self.words = sorted(self.set)
        self.simple = all(WORD.fullmatch(word) for word in self.words)
        self.pattern = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, self.words))) if self.words else None

    def search(self, text: str) -> bool:
        if self.simple and len(self.words) > 8:  # (the modules exposing a task: one pass over the text, not one each)
            return not self.set.isdisjoint(WORD.findall(text))
        if self.pattern is None or not any(word in text for word in self.words):
            return False
        if self.simple:  # (the pattern scans every position, which each method of an actor of thousands paid for)
            return any(spells(text, word) for word in self.words)
        return self.pattern.search(text) is not None

    def among(self, words: set[str], text: str) -> bool:
        """`search(text)`, given the whole words of `text` (`\\w+` runs): a word of letters,
        digits and `_` is spelled as a whole word exactly when it is one of them."""
        if self.simple:
            return not words.isdisjoint(self.words)
        return self.search(text)

    def only_called(self, text: str) -> bool:
        """Is every spelling of the words called at once (`x.m(...)`), never only named (`run(h.m)`,
        `getattr(h, "m")`)?"""
        if self.pattern is None:
            return True
        return all(_CALLED.match(text, match.end()) is not None for match in self.pattern.finditer(text))


_CALLED = re.compile(r"[ \t]*\(")
_DOCTEST_PROMPT = re.compile(r"^[ \t]*(?:>>>|\.\.\.)(?:[ \t]([^\r\n]*))?$", re.M)  # (the code after the prompt)


class _Sites:
    """The call sites of one target: `run()` finds them, a piece of work at a time."""

    def __init__(self, search: CallerSearch, target: Target, values: Values):
        self.search, self.target, self.values = search, target, values
        self.found: list[CallSite] = []

    # -- what a use means --------------------------------------------------------------------

    def review(self, module: ModuleInfo, node: ast.AST, reason: str) -> None:
        self.found.append(CallSite(module.path, module.source.range_of(node), (), reason))

    def call_site(self, module: ModuleInfo, call: ast.Call, options: Options | None) -> None:
        """`X.remote(...)` of the target, certain: rewrite its uses or say why not."""
        site = module.source.range_of(call)
        if options is not None and options.num_returns:
            self.found.append(CallSite(module.path, site, (), "it sets num_returns with .options(); update it by hand"))
            return
        edits, reason = _Uses(module, self).outer(call)
        self.found.append(CallSite(module.path, site, () if reason else tuple(edits), reason))

    def broken(self, module: ModuleInfo | None, path: str, text: str) -> None:
        """A module with a syntax error: the parser's recovery drops the broken lines, and
        call sites with them: never guess."""
        line = _broken_line(module, text)
        if line is None:
            return
        source = module.source if module is not None else SourceText(text)
        line = min(line, source.line_count - 1)
        self.found.append(CallSite(os.path.abspath(path), _whole_line(source, line), (), "a syntax error hides part of its file"))

    def code_in_strings(self, path: str, facts: _FileFacts, names: _Spelling, context: _Spelling, sees: bool) -> None:
        """Code in the file's strings that may call the target, which raylint does not rewrite:
        each doctest example (a `>>>` or `...` line) that spells a name of the target, run by
        doctest and pytest's `--doctest-modules` (in a file that sees the target, or whose text
        spells a word of `context`, a module that exposes it, to import it); and each string but
        a docstring that spells a name, `remote` and a word of `context`, which may be code run
        elsewhere (`python -c`, a script written out), where it must import the target."""
        text = facts.text
        if not names.search(text):
            return
        if spells(text, "remote") and context.search(text):
            module = self.search.index.module(path)
            if module is not None:
                documenting = _docstrings(module)
                for node in view(module).of(ast.Constant):
                    if (
                        isinstance(node.value, str) and id(node) not in documenting and ">>>" not in node.value
                        and names.search(node.value) and spells(node.value, "remote") and context.search(node.value)
                    ):
                        self.review(module, node, "a string names it with `remote`, and may be run as code (`python -c`, `exec`), which raylint does not rewrite")
        if ">>>" not in text or not (sees or context.search(text)):
            return
        source = None
        for match in _DOCTEST_PROMPT.finditer(text):
            if match[1] and names.search(match[1]):
                source = source or SourceText(facts.given)  # (the same lines as `text`)
                line = bisect.bisect_right(source.line_starts, match.start()) - 1
                self.found.append(CallSite(os.path.abspath(path), _whole_line(source, line), (), "a doctest example names it here, which doctest runs and raylint does not rewrite"))

    def unreadable(self, path: str, words: _Spelling) -> None:
        """A workspace file whose text raylint cannot read (not UTF-8, say): if its bytes
        spell a word of the target, it may call it, and raylint cannot tell how."""
        data = self.search.bytes_of(path)
        if data is not None and words.search(data):
            where = Range(Position(0, 0), Position(0, 0))
            self.found.append(CallSite(os.path.abspath(path), where, (), "raylint cannot read its text (not UTF-8?)"))


class _TaskSites(_Sites):
    """Every reference to a task function, by any name, in every module that can see the
    module defining it, and what each reference does with it."""

    def __init__(self, search: CallerSearch, target: Target, values: Values):
        super().__init__(search, target, values)
        self.keys: set[tuple[str, int]] = set()
        info = search.index.module(target.path)
        if info is not None:
            for value in values.name(target.owner, info, info.scope):
                if isinstance(value, Def) and value.path == target.path and value.kind == "function":
                    self.keys.add(value.key)
        self.names = {*target.names, target.owner}  # the names it is bound to in the modules that expose it
        self.exposers: set[str] = {target.path}  # its module, and those that re-export it (`run`)
        self._visible: tuple[int, set[str]] | None = None  # see visible()

    def run(self) -> Iterator[None]:
        """Find the modules that can see the task (the import graph from its module, through
        re-exports under any name), and the references in each."""
        index = self.search.index
        exposers = self.exposers
        seen: set[str] = set()
        # what the import lines miss (`import a; import tasks`) is caught by the text spelling
        # the module's word or the task's names
        spelled = _Spelling([_module_word(self.target.path), *self.names])
        strings: dict[str, _FileFacts] = {}  # the files read: their strings are looked at last
        yield from self.search.index_imports()
        while True:
            visible = self.visible()
            grew = False
            for path in self.search.may_import(visible, spelled, self.target.path):
                if path in seen:
                    continue
                yield
                facts = self.search.facts(path)
                if facts is None:
                    seen.add(path)
                    self.unreadable(path, spelled)
                    continue
                text = facts.text
                if not text:
                    continue
                strings.setdefault(path, facts)
                imported = None
                if path != self.target.path:
                    imported = facts.imported
                    if visible.isdisjoint(imported) and not facts.star_import and not facts.loads_code and not facts.may_miss_import(spelled):
                        continue
                module = index.module(path)
                if module is None or module.syntax_errors:
                    seen.add(path)
                    self.broken(module, path, text)
                    if module is None:
                        continue
                if path != self.target.path and not facts.loads_code and not self._imports(module, imported, visible):
                    continue
                seen.add(path)
                yield
                view(module)  # (its own slice: the walk that builds it may take a while)
                yield
                self.walk(module)
                if self._exposes(module, exposers) and path not in exposers:
                    exposers.add(path)
                    grew = True
            if not grew:
                yield from self._code_in_strings(strings)
                yield from self._unknown_search_paths(seen)
                return

    def _code_in_strings(self, files: dict[str, _FileFacts]) -> Iterator[None]:
        """`code_in_strings` of each file read, once every module exposing the task is known."""
        visible = self.visible()
        names = _Spelling(self.names)
        context = _Spelling(_module_word(path) for path in visible)
        for path, facts in files.items():
            yield
            sees = path in self.exposers or not visible.isdisjoint(facts.imported)
            self.code_in_strings(path, facts, names, context, sees)

    def _unknown_search_paths(self, seen: set[str]) -> Iterator[None]:
        """The files that import, by a name that finds no workspace file from where they are,
        a module that may be one exposing the task found through a search path raylint does
        not know: `from tasks import f` for lib/tasks.py beside `sys.path.insert(0, "lib")`,
        PYTHONPATH. Their uses of the task cannot be followed: each such import is to review,
        when the file spells a name of the task or reads names at run time."""
        tails: dict[str, str] = {}  # module name → the file it may be
        for path in self.visible():
            for dotted in _dotted_tails(path):
                tails.setdefault(dotted, path)
        files = {path for dotted in tails for path in self.search.unfound_importers(dotted)}
        words = _Spelling([*self.names, "getattr", "__dict__", "vars", "globals"])
        for path in sorted(files - seen):
            yield
            facts = self.search.facts(path)
            if facts is None or not facts.spelled(words):
                continue
            seen.add(path)
            module = self.search.index.module(path)
            if module is None:
                where = Range(Position(0, 0), Position(0, 0))
                named = next(iter(facts.unfound & tails.keys()))
            else:
                node, named = _import_naming(module, facts.unfound & tails.keys())
                where = module.source.range_of(node) if node is not None else Range(Position(0, 0), Position(0, 0))
            shown = os.path.join(os.path.basename(os.path.dirname(tails[named])), os.path.basename(tails[named]))
            reason = (
                f"its import of `{named}` finds no workspace module from here, yet may be {shown} on a search "
                "path raylint does not know (sys.path set at run time, PYTHONPATH): its uses of the task are not followed"
            )
            self.found.append(CallSite(os.path.abspath(path), where, (), reason))

    def visible(self) -> set[str]:
        """The exposing modules and their packages (`pkg` of `pkg.tasks` too): computed again
        only when a module is added (they only grow)."""
        if self._visible is None or self._visible[0] != len(self.exposers):
            found = self.exposers | {p for e in self.exposers for p in self.search.packages_of(e)}
            self._visible = (len(self.exposers), found)
        return self._visible[1]

    def _imports(self, module: ModuleInfo, imported: set[str] | None, visible: set[str]) -> bool:
        """Does the module import one of `visible` (the exposing modules and their packages), or
        a module at run time? Its import lines say so quickly; its tree, when they do not."""
        if imported is not None and not visible.isdisjoint(imported):
            return True
        return self.search.imports_in_tree(module, visible)

    def _exposes(self, module: ModuleInfo, exposers: set[str]) -> bool:
        """Does the module bind the task, or an exposing module, at its top level (so that
        others may import it from there)? Records the names it does so under."""
        found = False
        for name in _reexportable(module):
            for value in self.values.name(name, module, module.scope):
                if self._mine(value) or isinstance(value, Mod) and value.path in exposers:
                    self.names.add(name)
                    found = True
        for source, level in module.scope.star_imports:
            if self.search.index.find(source, module.path, level) in exposers:
                found = True
        return found

    def _mine(self, value) -> bool:
        of = value.of if isinstance(value, Options) else value
        return isinstance(of, Def) and of.key in self.keys

    def walk(self, module: ModuleInfo) -> None:
        references = self.search.references(module, self.values)
        found = {id(node): (node, values) for key in self.keys for node, values in references.get(key, ())}
        for node, values in sorted(found.values(), key=lambda pair: (pair[0].lineno, pair[0].col_offset)):
            mine = [v for v in values if self._mine(v)]
            self.use(module, node, mine, len(mine) != len(values))
        exposing = self.visible()
        for node in references.get("getattr", ()):
            if _getattr_of(node, self.names):
                self.review(module, node, f"`{shortened(module.source.segment(node))}` may fetch the task by name")
            elif len(node.args) >= 2 and not isinstance(node.args[1], ast.Constant) and self._exposing_value(node.args[0], module, exposing):
                self.review(module, node, f"`{shortened(module.source.segment(node))}` fetches a name of the task's module computed at run time")
        where = view(module)
        for node, found_values in references.get("module", ()):
            if any(isinstance(v, Mod) and v.path in exposing for v in found_values):
                # (`pkg.tasks` is the module: its use, not `pkg`'s, says whether it escapes)
                while isinstance(where.parent(node), ast.Attribute) and self._exposing_value(where.parent(node), module, exposing):
                    node = where.parent(node)
                escape = _module_escape(where, node)
                if escape:
                    self.review(module, escape, f"`{shortened(module.source.segment(escape))}` uses the task's module as a value, which raylint cannot follow")
        for node in references.get("namespace", ()):
            self.review(module, node, f"`{shortened(module.source.segment(node))}` reads a namespace as a dict at run time, which may fetch the task by name")
        for node, key in references.get("sys.modules", ()):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)) or self._named(key.value, module) in exposing:
                self.review(module, node, f"`{shortened(module.source.segment(node))}` may fetch the task's module by name")
        for node in references.get("import", ()):
            why = self._run_time_load(node, module, exposing)
            if why:
                self.review(module, node, f"`{shortened(module.source.segment(node))}` {why}")

    def _run_time_load(self, call: ast.Call, module: ModuleInfo, exposing: set[str]) -> str | None:
        """Why a call that loads or runs code chosen at run time (`flow.imports_at_run_time`)
        may reach the task; None when it cannot: a module named by a string that is not the
        task's (`import_module("json")`), code given as a string that names neither the task
        nor an import (`eval("1 + 2")`)."""
        func = call.func
        name = func.id if isinstance(func, ast.Name) else func.attr
        first = call.args[0] if call.args else None
        written = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        if name in LOADS_BY_NAME:
            if written is None:
                if self._may_name_a_workspace_module(first, module):
                    return "imports a module named at run time, which may be the task's"
                return None
            written = _anchored(call, name, written)
            if written is None:  # (relative to a package, or at a level, that is not written)
                return "imports a module named at run time relative to a package raylint cannot tell, which may be the task's"
            if not exposing.isdisjoint(self._named_modules(written, module)):
                return "imports the task's module at run time, which raylint cannot follow"
            return None
        if name in LOADS_BY_PATH:
            return "loads a module from a file at run time, which may be the task's"
        if written is not None and "import" not in written and not _Spelling([_module_word(self.target.path), *self.names]).search(written):
            return None
        return "runs code given at run time, which may use the task"

    def _exposing_value(self, expr: ast.AST, module: ModuleInfo, exposing: set[str]) -> bool:
        """May `expr` be a module that exposes the task (its own, one re-exporting it, or a
        package of one)?"""
        return any(isinstance(v, Mod) and v.path in exposing for v in self.values.of(expr, module))

    def _may_name_a_workspace_module(self, name: ast.AST | None, module: ModuleInfo) -> bool:
        """May the module name computed by `name` be the workspace's? Not when it starts with a
        written package that is not (`f"transformers.models.{kind}"`, `"torch." + kind`)."""
        if isinstance(name, ast.JoinedStr) and name.values and isinstance(name.values[0], ast.Constant):
            written = name.values[0].value
        elif isinstance(name, ast.BinOp) and isinstance(name.op, ast.Add) and isinstance(name.left, ast.Constant):
            written = name.left.value
        else:
            return True
        if not isinstance(written, str) or "." not in written or written.startswith("."):
            return True
        return self.search.index.find(written.split(".")[0], module.path) is not None

    def _named(self, dotted: str, module: ModuleInfo) -> str | None:
        """The workspace file `import_module(dotted)` imports (relative with leading dots)."""
        name = dotted.lstrip(".")
        return self.search.index.find(name, module.path, len(dotted) - len(name))

    def _named_modules(self, dotted: str, module: ModuleInfo) -> set[str]:
        """The workspace files a name given to a loader may import: the module it names, and for
        a name of an object in one (`pkgutil.resolve_name("tasks:load")`, `pydoc.locate("tasks.load")`),
        each module its leading parts name."""
        parts = dotted.replace(":", ".").split(".")
        named = {self._named(".".join(parts[:end]), module) for end in range(1, len(parts) + 1)}
        named.discard(None)
        return named

    def is_call_site(self, module: ModuleInfo, call: ast.Call) -> bool:
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "remote"):
            return False
        values = self.values.of(call.func.value, module)
        return bool(values) and all(self._mine(v) and (not isinstance(v, Def) or v.remote) for v in values)

    def use(self, module: ModuleInfo, node: ast.AST, mine: list, maybe: bool) -> None:
        """What a reference to the task does with it."""
        where = view(module)
        text = shortened(module.source.segment(node))
        if maybe:
            self.review(module, node, f"`{text}` may be the task `{self.target.owner}` or something else; raylint cannot tell which")
            return
        value = mine[0]
        parent = where.parent(node)
        if isinstance(value, Def) and not value.remote:
            # the plain function of `ray.remote(fn)`: made remote here, or used in-process
            if isinstance(parent, ast.Call) and node in parent.args:
                made = [v for v in self.values.of(parent, module) if self._mine(v)]
                if made and all(isinstance(v, Def) and v.remote for v in made):
                    self.use(module, parent, made, False)
                    return
            if isinstance(parent, ast.Expr):
                return
            self.review(module, node, f"`{text}` is also used in-process here, and what it returns changes too")
            return
        if isinstance(parent, ast.Attribute) and parent.value is node:
            grand = where.parent(parent)
            if isinstance(grand, ast.Call) and grand.func is parent and parent.attr == "remote":
                self.call_site(module, grand, value if isinstance(value, Options) else None)
                return
            if isinstance(grand, ast.Call) and grand.func is parent and parent.attr == "options":
                self.use(module, grand, [v for v in self.values.of(grand, module) if self._mine(v)] or [value], False)
                return
            self.review(module, parent, f"`{shortened(module.source.segment(parent))}` is used here, which raylint cannot follow")
            return
        if isinstance(parent, ast.Call) and parent.func is node:
            return  # calling a remote function directly raises, before the fix and after
        if isinstance(parent, ast.Expr):
            return
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                scope = where.scope_of(parent)
                # an alias: its reads are references too, followed like this one (not a class
                # attribute: those are read through `self` and instances)
                if not scope.is_class and (targets[0].id not in scope.declared_global or scope.parent is None):
                    return
        self.review(module, node, f"the task is {_describe_use(parent, node)} (`{text}`), which raylint cannot follow")


class _MethodSites(_Sites):
    """Every `.m` of the workspace whose receiver may be an object of the actor class (or of
    a subclass that inherits `m`), and what each does with it."""

    def __init__(self, search: CallerSearch, target: Target, values: Values):
        super().__init__(search, target, values)
        self.family: set[tuple[str, int]] = set()  # the class and the subclasses inheriting `m`
        self.related: set[tuple[str, int]] = set()  # ...and their bases, whose `self` may be one
        self.plain = False  # is a class of the family used as a plain class (`ray.remote(C)`)?
        self.homes: set[str] = set()  # the modules defining the related classes
        self.names = {target.owner, *target.names}
        info = search.index.module(target.path)
        if info is not None:
            for value in values.name(target.owner, info, info.scope):
                if isinstance(value, Def) and value.kind == "class":
                    self.family.add(value.key)
                    self.plain |= not value.remote

    def run(self) -> Iterator[None]:
        yield from self._subclasses()
        method = _Spelling([self.target.method])
        # (what code in a string names to reach the method: a class of the family, its module)
        context = _Spelling([*self.names, *(_module_word(path) for path in {self.target.path, *self.homes})])
        for path in self.search.files:
            yield
            facts = self.search.facts(path)
            if facts is None:
                self.unreadable(path, method)
                continue
            text = facts.text
            if not text or not method.search(text):
                continue
            self.code_in_strings(path, facts, method, context, sees=context.search(text))
            if not self.plain and "remote" not in text and os.path.abspath(path) not in self.homes and method.only_called(text):
                # no plain object of the family exists (`C()` of an actor class raises): `x.m(...)`
                # is not the method, which is reached through `.remote` or `self` in a class of
                # the family; but `run(h.m)` may hand it to a module that calls `.remote` on it
                continue
            module = self.search.index.module(path)
            self.broken(module, path, text)
            if module is not None:
                yield
                view(module)
                yield
                self.walk(module)

    def _subclasses(self) -> Iterator[None]:
        """Grow the family by the workspace's subclasses of its classes, until none is added."""
        index = self.search.index
        grew = True
        while grew:
            grew = False
            words = _Spelling(self.names)
            yield from self.search.find_spelling(words, "class")
            for path in self.search.spelling(words, "class"):
                yield
                module = index.module(path)
                if module is None:
                    continue
                for node, scope, bases in self.search.classes(module):
                    key = (module.path, node.lineno)
                    if key in self.family or not any(b.key in self.family for b in bases):
                        continue
                    self.related.update(b.key for b in bases)
                    if any(isinstance(s, _FUNCTIONS) and s.name == self.target.method for s in node.body):
                        continue  # its own `m`: its handles do not call the target
                    self.family.add(key)
                    self.names.add(node.name)
                    self.plain |= not self.values._decorated_remote(node, module, scope)
                    grew = True
        self.related |= self.family
        info = index.module(self.target.path)
        if info is not None:
            for node, _, bases in self.search.classes(info):
                if (info.path, node.lineno) in self.family:
                    self.related.update(b.key for b in bases)
        self.homes = {path for path, _ in self.related}

    def is_call_site(self, module: ModuleInfo, call: ast.Call) -> bool:
        if not isinstance(call.func, ast.Attribute) or call.func.attr != "remote":
            return False
        method = call.func.value
        if isinstance(method, ast.Call) and isinstance(method.func, ast.Attribute) and method.func.attr == "options":
            method = method.func.value
        if not (isinstance(method, ast.Attribute) and method.attr == self.target.method):
            return False
        return all(self._handle(v) for v in self.values.of(method.value, module))

    def _handle(self, value) -> bool:
        return isinstance(value, (Handle, Declared)) and value.cls.key in self.family

    def _related(self, value) -> bool:
        """An object (or the class) whose `self.m` may be the target's, run in-process."""
        return isinstance(value, (Instance, Def)) and (value.cls if isinstance(value, Instance) else value).key in self.related

    def walk(self, module: ModuleInfo) -> None:
        where = view(module)
        for node, scope in where.loads_named(self.target.method):  # (the other loads are passed over)
            if isinstance(node, ast.Name) and node.id == self.target.method and scope.is_class:
                if (module.path, scope.node.lineno) in self.related:  # `other_name = m` in the class body
                    self.review(module, node, f"`{self.target.method}` is used in the class body (another name for it?)")
                continue
            if isinstance(node, ast.Call) and _getattr_of(node, {self.target.method}):
                self.review(module, node, f"`{shortened(module.source.segment(node))}` may fetch `{self.target.method}` by name")
                continue
            if not (isinstance(node, ast.Attribute) and node.attr == self.target.method and isinstance(node.ctx, ast.Load)):
                continue
            receiver = self.values.of(node.value, module, scope)
            handles = all(self._handle(v) for v in receiver)
            related = any(self._handle(v) or self._related(v) for v in receiver)
            unknown = UNKNOWN in receiver or any(isinstance(v, Declared) and not self._handle(v) for v in receiver)
            if not (related or unknown):
                continue  # an object of another class
            call, options = _remote_call(where, node)
            what = shortened(module.source.segment(node.value))
            owner = self.target.owner
            method = self.target.method
            parent = where.parent(node)
            called = isinstance(parent, ast.Call) and parent.func is node  # `x.m(...)`
            if call is not None and handles:
                self.call_site(module, call, options)
            elif call is not None:
                self.review(module, node, f"`{what}` may be a handle of `{owner}`; raylint cannot tell its class")
            elif any(self._handle(v) for v in receiver) and not called:
                # `m = h.m` then `m.remote()`: the calls of the method are out of sight
                self.review(module, node, f"`{what}.{method}` is kept or passed here, which raylint cannot follow")
            elif related and not any(self._handle(v) for v in receiver):
                self.review(module, node, f"`{owner}.{method}` is called in-process here (or passed on), and what it returns changes too")
            elif unknown and (self.plain or not called):
                self.review(module, node, f"`{what}.{method}` may be `{owner}.{method}` (of a handle or a plain object), used in a way raylint cannot follow")


def _remote_call(where: flow.View, attribute: ast.Attribute) -> tuple[ast.Call | None, Options | None]:
    """For `X.m` in `X.m.remote(...)` or `X.m.options(...).remote(...)`: the `.remote(...)`
    call, and the options (whether they set num_returns)."""
    parent, options = where.parent(attribute), None
    if isinstance(parent, ast.Attribute) and parent.attr == "options":
        call = where.parent(parent)
        if not (isinstance(call, ast.Call) and call.func is parent):
            return None, None
        sets = any(k.arg in ("num_returns", None) for k in call.keywords)
        options = Options(Def("", "", 0, "function", True), sets)
        parent = where.parent(call)
        if not (isinstance(parent, ast.Attribute) and parent.value is call):
            return None, None
    if isinstance(parent, ast.Attribute) and parent.attr == "remote":
        call = where.parent(parent)
        if isinstance(call, ast.Call) and call.func is parent:
            return call, options
    return None, None


def _module_escape(where, node: ast.Name) -> ast.AST | None:
    """The expression through which a module named by `node` leaves raylint's sight: passed,
    returned, stored, put in a container, or its namespace read (`vars(m)`, `m.__dict__`);
    None for an attribute read (`m.x`) or a plain alias (`n = m`, whose reads are followed)."""
    parent = where.parent(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        return parent if parent.attr == "__dict__" else None
    if isinstance(parent, ast.Assign) and parent.value is node and all(isinstance(t, ast.Name) for t in parent.targets):
        return None
    if isinstance(parent, (ast.Compare, ast.Expr)) or isinstance(parent, ast.Call) and node is parent.func:
        return None  # (`m is None`, a bare `m`; calling a module raises)
    return parent if parent is not None and not isinstance(parent, ast.stmt) else node


def _anchored(call: ast.Call, loader: str, written: str) -> str | None:
    """The module name a loader call given the name `written` imports, as `_named` reads it:
    `import_module(".tasks", "pkg")` (or `package="pkg"`; `find_spec`, `resolve_name` alike)
    imports `pkg.tasks`, not a module beside the caller; `__import__("tasks", level=1)` is
    `.tasks`. None when the package or the level is not written."""
    if loader == "__import__":
        level = call.args[4] if len(call.args) > 4 else next((k.value for k in call.keywords if k.arg == "level"), None)
        if level is None:
            return written
        if not (isinstance(level, ast.Constant) and isinstance(level.value, int) and level.value >= 0):
            return None
        return "." * level.value + written
    if not written.startswith("."):
        return written
    package = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "package"), None)
    if package is None or isinstance(package, ast.Constant) and package.value is None:
        return written  # (no package: Python refuses a relative name; read beside the caller)
    if not (isinstance(package, ast.Constant) and isinstance(package.value, str)):
        return None
    name = written.lstrip(".")
    base = package.value.split(".")
    up = len(written) - len(name) - 1
    if up >= len(base):
        return None
    return ".".join([*base[: len(base) - up], *([name] if name else [])])


def _getattr_of(call: ast.Call, names: set[str]) -> bool:
    """`getattr(x, "name")` for one of `names`."""
    return (
        isinstance(call.func, ast.Name)
        and call.func.id == "getattr"
        and len(call.args) >= 2
        and isinstance(call.args[1], ast.Constant)
        and call.args[1].value in names
    )


class _Uses:
    """How the uses of one call site's outer ref change, or why raylint will not say.

    For the return-value rewrite the ref is followed through the function
    it is made in: lists of refs (literals, comprehensions, `append`), local variables however
    often bound, `ray.wait` and its ready lists, loops over them, indexing, `asyncio.gather`.
    Wherever one of them is fetched (`ray.get`, `await`), the fetch goes; every other use must
    be one that does not care (a test, `len`), or the call site is to review. Under the
    num-returns rewrite the outer ref becomes a list of refs, so only fetching it (directly,
    in a list, through variables) stays the same.
    """

    def __init__(self, module: ModuleInfo, sites: _Sites):
        self.module, self.sites, self.values, self.target = module, sites, sites.values, sites.target
        self.where = view(module)
        self.edits: list[Edit] = []
        self._variables: dict[tuple[int, str], str] = {}  # (scope, name) → "" or why not

    def outer(self, outer: ast.AST) -> tuple[list[Edit], str]:
        """Edits for every use of the outer ref `outer` (a call site), or why there are none."""
        if self.target.generator:
            return self._generator(outer)
        reason = self._use(outer)
        return ([], reason) if reason else (self.edits, "")

    def _use(self, expr: ast.AST) -> str:
        """Follow one use of an outer ref, or of a list of them; "" when it is handled."""
        where, parent = self.where, self.where.parent(expr)
        if isinstance(parent, ast.Expr):
            return ""  # fire and forget, or a discarded list: nothing to change
        if isinstance(parent, ast.Call) and self._is_get(parent, expr) or isinstance(parent, ast.Await):
            if isinstance(expr, ast.Tuple):  # (the fix would remove the error with the fetch)
                return "it fetches a tuple of refs, which raises on Ray (`ray.get` takes a ref or a list)"
            return self._fetch(parent, expr)
        if isinstance(parent, (ast.List, ast.Tuple)) and any(e is expr for e in parent.elts):
            if not all(self._source(e) for e in parent.elts):
                return "it shares a list with other refs"
            return self._use(parent)
        if isinstance(parent, ast.ListComp) and parent.elt is expr:
            return self._use(parent)
        if isinstance(parent, ast.Starred):
            return self._use(parent)
        if isinstance(parent, ast.Subscript) and parent.value is expr and isinstance(parent.ctx, ast.Load):
            return self._use(parent)  # one ref of a list, or of a multi-return task
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add) and self._source(parent.left) and self._source(parent.right):
            return self._use(parent)
        if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is expr:
            return ""
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            return ""
        if self.target.change is CallerChange.TUPLE and not isinstance(parent, (ast.Assign, ast.List, ast.ListComp, ast.Subscript)):
            # the outer ref becomes a list of refs: only fetching it stays the same
            return f"the ref is {_describe_use(parent, expr)}, and becomes a list of refs"
        if isinstance(parent, ast.Call):
            return self._argument(parent, expr)
        if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is expr:
            if isinstance(parent.target, ast.Name):
                return self._variable(where.scope_of(parent.target), parent.target.id)
            return f"the refs are {_describe_use(parent, expr)}, which raylint cannot follow"
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and parent.value is expr:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names = [t for target in targets for t in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target])]
            if not all(isinstance(n, ast.Name) for n in names):
                return f"the ref is {_describe_use(parent, expr)}, which raylint cannot follow"
            for name in names:
                reason = self._variable(where.scope_of(name), name.id)
                if reason:
                    return reason
            return ""
        return f"the ref is {_describe_use(parent, expr)}, which raylint cannot follow"

    def _argument(self, call: ast.Call, expr: ast.AST) -> str:
        """An outer ref (or list) passed to a call: the calls that do not observe it, or whose
        result is followed in turn."""
        function = call.func
        if self._is_ray(function, "ray.wait") and call.args and call.args[0] is expr:
            return self._use(call)  # the ready and remaining lists hold the same refs
        if self._is_ray(function, "asyncio.gather") and all(k.arg is None for k in call.keywords) and not call.keywords:
            return self._gathered(call)
        if isinstance(function, ast.Name) and function.id == "len" and self.values.of(function, self.module) == {flow.Ext("builtins.len")}:
            return ""
        if (
            isinstance(function, ast.Attribute) and function.attr in ("append", "extend") and isinstance(function.value, ast.Name)
            and len(call.args) == 1 and not call.keywords and self._source(expr) and isinstance(self.where.parent(call), ast.Expr)
        ):
            return self._variable(self.where.scope_of(function.value), function.value.id)
        return f"the ref is {_describe_use(call, expr)}, which raylint cannot follow"

    def _gathered(self, gather: ast.Call) -> str:
        """`await asyncio.gather(X, Y)` fetched the inner refs: it becomes `[X, Y]`."""
        await_ = self.where.parent(gather)
        if not isinstance(await_, ast.Await) or not all(self._source(a) for a in gather.args):
            return "it is gathered with other awaitables, which raylint cannot follow"
        if isinstance(self.where.parent(await_), ast.Expr):
            return ""  # a barrier: it still waits
        reason = self._removed_wait(await_)
        if reason:
            return reason
        source = self.module.source
        text = "[" + ", ".join(source.segment(a) for a in gather.args) + "]"
        self.edits.append(Edit(self.module.path, source.range_of(await_), text))
        return ""

    def _source(self, expr: ast.AST) -> bool:
        """Is `expr` certainly an outer ref of the target, or a list of them?"""
        if isinstance(expr, ast.Call):
            if self._is_ray(expr.func, "ray.wait") and expr.args:
                return self._source(expr.args[0])
            return self.sites.is_call_site(self.module, expr)
        if isinstance(expr, (ast.List, ast.Tuple)):
            return all(self._source(e) for e in expr.elts)
        if isinstance(expr, ast.ListComp):
            return self._source(expr.elt)
        if isinstance(expr, (ast.Subscript, ast.Starred)):
            return self._source(expr.value)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self._source(expr.left) and self._source(expr.right)
        if isinstance(expr, ast.Name):
            home = self.where.scope_of(expr).lookup(expr.id)
            return home is not None and not self._variable(home, expr.id)
        return False

    def _variable(self, scope: Scope, name: str) -> str:
        """A local variable that holds outer refs (or lists of them): every binding of it must
        be one, and every read a use raylint follows. "" when so."""
        key = (id(scope), name)
        if key not in self._variables:
            self._variables[key] = ""  # assumed while its uses are followed (`refs = ray.wait(refs)`)
            self._variables[key] = self._check_variable(scope, name)
        return self._variables[key]

    def _check_variable(self, scope: Scope, name: str) -> str:
        if scope.parent is None and self.sites.search.imported(self.module.path):
            return f"`{name}` is a module-level name, which other modules may import"
        if scope.is_class or name in scope.declared_global:
            return f"`{name}` is a class attribute or declared global, which raylint cannot follow"
        where = self.where
        uses = [
            node for node in ast.walk(scope.node)
            if isinstance(node, ast.Name) and node.id == name and where.scope_of(node).lookup(name) is scope
        ]
        for node in uses:
            if _crosses_a_function(where, node, scope):
                return f"`{name}` is read in a nested function, which raylint cannot follow"
            if isinstance(node.ctx, ast.Load):
                parent = where.parent(node)
                if isinstance(parent, ast.Attribute) and parent.attr in ("append", "extend"):
                    call = where.parent(parent)
                    if isinstance(call, ast.Call) and call.func is parent and len(call.args) == 1:
                        if not self._source(call.args[0]):
                            return f"`{name}` also holds other values (line {call.lineno})"
                        if isinstance(where.parent(call), ast.Expr):
                            continue
                reason = self._use(node)
                if reason:
                    return f"`{name}`: {reason}"
            elif not self._bound_to_refs(node):
                return f"`{name}` is also bound to something else"
        if isinstance(scope.node, _FUNCTIONS) and any(a.arg == name for a in _parameters(scope.node)):
            return f"`{name}` is a parameter"
        return ""

    def _bound_to_refs(self, store: ast.Name) -> bool:
        """Is this binding of a variable one of outer refs (or a list of them)?"""
        parent = self.where.parent(store)
        if isinstance(parent, (ast.Tuple, ast.List)):  # unpacked: `ready, rest = ray.wait(refs)`
            holder = self.where.parent(parent)
            return isinstance(holder, ast.Assign) and any(t is parent for t in holder.targets) and self._source(holder.value)
        if isinstance(parent, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            value = parent.value
            if isinstance(value, ast.List) and not value.elts:
                return True  # an empty list, filled with refs by `append`
            return value is not None and self._source(value)
        if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.target is store:
            return self._source(parent.iter)
        return False

    def _is_ray(self, expr: ast.AST, name: str) -> bool:
        if name.startswith("ray."):
            return self.values.is_ray(expr, self.module, name)
        return flow.Ext(name) in self.values.of(expr, self.module)

    def _fetch(self, fetch: ast.AST, outer: ast.AST) -> str:
        edits, reason = self._fetched(fetch, outer)
        self.edits.extend(edits)
        return reason

    def _generator(self, outer: ast.AST) -> tuple[list[Edit], str]:
        """For a generator rewrite: edits for every use of an outer ref, or why there are none.
        A generator can be read once, and a list of them has no one-line rewrite: only a ref
        fetched where it is made, or kept in a variable read once, is rewritten."""
        target, parent = self.target, self.where.parent(outer)
        if isinstance(parent, ast.Expr):
            return [], ""  # fire and forget: nothing to change
        if isinstance(parent, ast.Call) and self._is_get(parent, outer):
            return self._fetched(parent, outer)
        if isinstance(parent, ast.Await) and not target.generator:
            return self._fetched(parent, outer)
        if isinstance(parent, (ast.ListComp, ast.List)) and (getattr(parent, "elt", None) is outer or outer in getattr(parent, "elts", [])):
            if isinstance(parent, ast.List) and len(parent.elts) != 1 and not all(self._same_target(e) for e in parent.elts):
                return [], "it shares a list with other refs"
            if target.generator:
                return self._generator_list(parent)
            return self._generator(parent)
        if isinstance(parent, ast.Subscript) and parent.value is outer and not target.generator:
            return self.outer(parent)  # one ref of a multi-return task: an outer ref too
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
            assigned = parent.targets[0]
            if isinstance(assigned, ast.Name):
                return self._generator_variable(assigned.id, parent)
            if isinstance(assigned, ast.Tuple) and all(isinstance(e, ast.Name) for e in assigned.elts) and not target.generator:
                edits: list[Edit] = []
                for element in assigned.elts:
                    more, reason = self._generator_variable(element.id, parent)
                    if reason:
                        return [], reason
                    edits += more
                return edits, ""
        return [], f"the ref is {_describe_use(parent, outer)}, which raylint cannot follow"

    def _same_target(self, element: ast.AST) -> bool:
        """Is a list element a call site of the same target?"""
        return isinstance(element, ast.Call) and self.sites.is_call_site(self.module, element)

    def _generator_list(self, listed: ast.AST) -> tuple[list[Edit], str]:
        """`ray.get([f.remote(i) for i in xs])`, where each call becomes a generator: the list of
        inner refs is `[list(f.remote(i)) for i in xs]` (a barrier: `[ray.get(list(...)) ...]`,
        which still waits for every value)."""
        get = self.where.parent(listed)
        if not (isinstance(get, ast.Call) and self._is_get(get, listed) and not get.keywords):
            return [], "a list of generators is used in a way raylint cannot follow"
        if self.target.change is CallerChange.GENERATOR_DYNAMIC:
            return [], "a list of dynamic generators has no one-line rewrite"
        if isinstance(listed, ast.ListComp) or len(listed.elts) > 1:
            # (`[list(f.remote(i)) for i in xs]` reads each generator to its end before the next
            # call is made: the tasks would run one at a time, and after a failure the later
            # ones not at all)
            return [], "each generator would be read to its end before the next call: the tasks would run one at a time"
        barrier = isinstance(self.where.parent(get), ast.Expr)
        source = self.module.source
        fetch = source.segment(get.func)  # `ray.get`, as the module spells it
        text = source.segment(listed)
        start = source.offset(source.range_of(listed).start)
        elements = [listed.elt] if isinstance(listed, ast.ListComp) else listed.elts
        for element in sorted(elements, key=lambda e: (e.lineno, e.col_offset), reverse=True):
            where = source.range_of(element)
            a, b = source.offset(where.start) - start, source.offset(where.end) - start
            wrapped = f"{fetch}(list({text[a:b]}))" if barrier else f"list({text[a:b]})"
            text = text[:a] + wrapped + text[b:]
        return [Edit(self.module.path, source.range_of(get), text)], ""

    def _generator_variable(self, name: str, assignment: ast.Assign) -> tuple[list[Edit], str]:
        where = self.where
        scope = where.scope_of(assignment)
        if len(scope.bindings.get(name, [])) != 1:
            return [], f"`{name}` is assigned more than once"
        if scope.parent is None and self.sites.search.imported(self.module.path):
            return [], f"`{name}` is a module-level name, which other modules may import"
        if name in scope.declared_global:
            return [], f"`{name}` is declared global or nonlocal"
        loads = []
        for node in ast.walk(scope.node):
            if isinstance(node, ast.Name) and node.id == name and where.scope_of(node).lookup(name) is scope:
                if isinstance(node.ctx, ast.Load):
                    loads.append(node)
        edits = []
        for load in loads:
            if _crosses_a_function(where, load, scope):
                return [], f"`{name}` is read in a nested function, which raylint cannot follow"
            parent = where.parent(load)
            if isinstance(parent, ast.Call) and self._is_get(parent, load) or isinstance(parent, ast.Await) and not self.target.generator:
                more, reason = self._fetched(parent, load)
                if reason:
                    return [], f"`{name}`: {reason}"
                edits += more
                continue
            return [], f"`{name}` is {_describe_use(parent, load)}, which raylint cannot follow"
        if self.target.generator and len(loads) > 1:
            return [], f"`{name}` is read more than once, and a generator can be read only once"
        return edits, ""

    def _shape(self, outer: ast.AST, depth: int = 0) -> str:
        """Under num-returns, what fetching `outer` gave before the fix: "tuple" (of refs,
        for a call), "ref" (one of the refs of a call already returning several), "list" (of
        tuples)."""
        if isinstance(outer, ast.Subscript):
            return "ref"
        if isinstance(outer, (ast.List, ast.ListComp)):
            return "list"
        if isinstance(outer, ast.Name) and depth < 10:
            home = self.where.scope_of(outer).lookup(outer.id)
            bindings = home.bindings.get(outer.id, []) if home is not None else []
            if len(bindings) == 1 and bindings[0][0] == "value":
                return self._shape(bindings[0][1], depth + 1)
            if len(bindings) == 1 and bindings[0][0] == "other":
                return "ref"  # unpacked: `a, b = f.remote()`
        return "tuple"

    def _tuple_uses(self, fetched: ast.AST, single: bool) -> str:
        """Under num-returns, what `ray.get(f.remote())` gave (a tuple of refs) becomes what
        `f.remote()` gives (a list of refs): only uses that see the items alike are kept
        (unpacking, indexing, iterating, `len`, `list(...)`). For a list of calls, each item
        was such a tuple: only a loop unpacking them is kept."""
        where = self.where
        parent = where.parent(fetched)
        changed = "the refs, a tuple before the fix, become a list there"
        if not single:
            if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is fetched and isinstance(parent.target, ast.Tuple):
                return ""
            return changed
        if isinstance(parent, ast.Assign) and parent.value is fetched and len(parent.targets) == 1:
            assigned = parent.targets[0]
            if isinstance(assigned, (ast.Tuple, ast.List)):
                return ""
            if isinstance(assigned, ast.Name):
                scope = where.scope_of(assigned)
                module_level = scope.parent is None and self.sites.search.imported(self.module.path)
                if len(scope.bindings.get(assigned.id, [])) != 1 or module_level or scope.is_class:
                    return f"`{assigned.id}`: {changed}"
                for node in ast.walk(scope.node):
                    if isinstance(node, ast.Name) and node.id == assigned.id and isinstance(node.ctx, ast.Load):
                        if where.scope_of(node).lookup(assigned.id) is scope:
                            if _crosses_a_function(where, node, scope) or self._tuple_uses(node, True):
                                return f"`{assigned.id}`: {changed}"
                return ""
        if isinstance(parent, ast.Subscript) and parent.value is fetched and isinstance(parent.ctx, ast.Load):
            return ""
        if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is fetched:
            return ""
        if isinstance(parent, ast.Starred):
            return ""
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in _KEEPS_ITEMS and fetched in parent.args:
            return ""
        return changed

    def _is_get(self, call: ast.Call, argument: ast.AST) -> bool:
        return (
            len(call.args) == 1
            and call.args[0] is argument
            and all(k.arg == "timeout" for k in call.keywords)
            and self.values.is_ray(call.func, self.module, "ray.get")
        )

    def _fetched(self, fetch: ast.AST, outer: ast.AST) -> tuple[list[Edit], str]:
        """`ray.get(X)` (or `await X`), which fetched the inner ref: what it becomes."""
        source, path, target = self.module.source, self.module.path, self.target
        parent = self.where.parent(fetch)
        if isinstance(parent, ast.Expr) and not target.generator:
            if target.change is CallerChange.TUPLE and not isinstance(outer, ast.Call):
                # each ref becomes a list of refs: `ray.get([...])` would be given lists
                return [], "a discarded ray.get (a barrier) of a list of refs, which become lists of refs"
            return [], ""  # a barrier: it still waits, and its result is thrown away
        text = source.segment(outer)
        if target.change is CallerChange.TUPLE:
            shape = self._shape(outer)
            reason = self._tuple_uses(fetch, shape == "tuple") if shape != "ref" else ""
            if reason:
                return [], reason
        waited_twice = isinstance(parent, ast.Call) and self._is_get(parent, fetch)
        if not target.generator and waited_twice and isinstance(fetch, ast.Call) and (fetch.keywords or parent.keywords):
            # `ray.get(ray.get(X[, timeout=t]), timeout=u)` → `ray.get(X[, timeout=t])`: the wait
            # for the task keeps its own timeout, or none (the value it put is there when it
            # returns; `ray.get(X, timeout=u)` would time out on the task's run)
            return [Edit(path, source.range_of(parent), source.segment(fetch))], ""
        if isinstance(fetch, ast.Call) and fetch.keywords:
            # (`inner = X` would drop the wait: a timeout that fired, a GetTimeoutError caught
            # or not, would no longer; the later get's own timeout would count the task's run)
            return [], "it is fetched with a timeout, and the value is not fetched right there"
        if target.generator:
            if isinstance(parent, ast.Expr):
                return [Edit(path, source.range_of(outer), f"list({text})")], ""
            text = f"list({source.segment(fetch)})" if target.change is CallerChange.GENERATOR_DYNAMIC else f"list({text})"
        # (a dynamic generator's `ray.get` stays: it waits, and raises the task's failure. A
        # streaming generator read by `list(...)` waits for the task to end, but keeps its
        # failure in the last ref, raised where the items are fetched: as a removed wait)
        if target.change is not CallerChange.GENERATOR_DYNAMIC and not waited_twice and not isinstance(parent, ast.Await):
            reason = self._removed_wait(fetch)
            if reason:
                return [], reason
        return [Edit(path, source.range_of(fetch), text)], ""

    def _removed_wait(self, fetch: ast.AST) -> str:
        """`inner = ray.get(X)` becomes `inner = X`, which no longer waits for the task: what
        runs next would see it unfinished (a file it writes not there yet, an actor it calls
        not called yet, its failure not raised yet). Kept only where the next statement waits
        for it first thing (`value = ray.get(inner)`). "" when so, else why not."""
        if self._handled(fetch):
            # (its failure would be raised where the value is fetched, past the handler)
            return "it is fetched inside a `try` that handles errors, and the value is not fetched right there"
        removed = "the fix removes this wait for the task, and what runs next is not a wait for its value"
        fetched = fetch.value if isinstance(fetch, ast.Await) else fetch.args[0]
        one_task = isinstance(fetched, ast.Call) and self.sites.is_call_site(self.module, fetched)
        # (the refs of one call to a task that stays a task are ready at once, each holding its
        # failure; a generator's failure is in its last ref only, so one of its refs says nothing)
        together = one_task and not self.target.generator
        statement = self.where.parent(fetch)
        # (`ray.get(list(X))`, and for one call `ray.get(X[0])`: waited at once; one ref of a
        # list of calls' is one task's, the others' waits gone)
        while self._keeps_refs(statement, fetch) and (together or not isinstance(statement, ast.Subscript)):
            fetch, statement = statement, self.where.parent(statement)
        if isinstance(statement, ast.Await) or isinstance(statement, ast.Call) and self._is_get(statement, fetch) and not statement.keywords:
            return ""
        if one_task and isinstance(statement, ast.comprehension) and statement.iter is fetch:
            # `[ray.get(r) for r in ray.get(f.remote())]`: the refs of one call, each waited for
            # first thing (the first wait waits for the task; its failure is in every ref, or in
            # a generator's last one, with nothing run between the waits)
            comprehension = self.where.parent(statement)
            if (
                isinstance(comprehension, (ast.ListComp, ast.SetComp)) and comprehension.generators == [statement]
                and not statement.ifs and not statement.is_async and isinstance(statement.target, ast.Name)
                and self._is_wait_for(comprehension.elt, {statement.target.id}, False)
            ):
                return ""
            return removed
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is not fetch:
            return removed
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if len(targets) != 1:
            return removed
        target = targets[0]
        elements = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        if not all(isinstance(e, ast.Name) for e in elements):
            return removed
        following = self.where.next_statement(statement)
        head = _evaluated_first(following) if following is not None else None
        if head is None or not self._waits_first(following, head, {e.id for e in elements}, together):
            return removed
        return ""

    def _keeps_refs(self, expr: ast.AST, argument: ast.AST) -> bool:
        """Is `expr` the refs of `argument` again, read without running code: `list(refs)`,
        `tuple(refs)`, `refs[i]`?"""
        if isinstance(expr, ast.Subscript):
            return expr.value is argument and isinstance(expr.slice, (ast.Constant, ast.Name, ast.UnaryOp))
        return (
            isinstance(expr, ast.Call) and len(expr.args) == 1 and expr.args[0] is argument and not expr.keywords
            and isinstance(expr.func, ast.Name) and expr.func.id in ("list", "tuple")
            and self.values.of(expr.func, self.module) == {flow.Ext(f"builtins.{expr.func.id}")}
        )

    def _waits_first(self, statement: ast.AST, head: ast.AST, names: set[str], together: bool = False) -> bool:
        """Is the first thing `statement` does (in `head`, the part of it evaluated first),
        with certainty, to wait for one of `names` (`ray.get(inner)`, `ray.get([inner,
        other])`, `await inner`, `await asyncio.gather(*refs)`)? Nothing that may run code (a
        call, an await, a yield) is evaluated before it, and nothing may skip it (a branch,
        `and`, a comprehension's condition). `together`: the names hold the refs of one call
        to a task, all ready when it ends, each holding its failure: one of them (`pair[0]`), or
        a list comprehension over them that waits for each first thing (`[ray.get(r) for r in
        pair]`), waits for the task."""
        where = self.where
        waits = [node for node in ast.walk(head) if self._is_wait_for(node, names, together)]
        for wait in sorted(waits, key=lambda node: (node.lineno, node.col_offset)):
            child, at = wait, where.parent(wait)
            while child is not statement:
                if not _always_evaluates(at, child):
                    break
                child, at = at, where.parent(at)
            else:
                ancestors, inside, at = {id(statement)}, {id(n) for n in ast.walk(wait)}, wait
                while at is not statement:
                    child, at = at, where.parent(at)
                    ancestors.add(id(at))
                    if isinstance(at, ast.comprehension) and at.iter is child:
                        comprehension = where.parent(at)  # (the rest of it runs after its first iterable)
                        inside |= {id(n) for n in ast.walk(comprehension)} - {id(n) for n in ast.walk(child)}
                start = (wait.lineno, wait.col_offset)
                return not any(
                    isinstance(node, _RUNS_CODE) and id(node) not in ancestors and id(node) not in inside
                    and (node.lineno, node.col_offset) < start and not self._counts(node, names)
                    for node in ast.walk(statement)
                )
        return False

    def _counts(self, node: ast.AST, names: set[str]) -> bool:
        """Is `node` `len(refs)` of one of `names` (the builtin, on a list or tuple of refs:
        no code of the program runs)?"""
        return (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"
            and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Name) and node.args[0].id in names
            and self.values.of(node.func, self.module) == {flow.Ext("builtins.len")}
        )

    def _is_wait_for(self, node: ast.AST, names: set[str], together: bool) -> bool:
        def named(e: ast.AST) -> bool:  # (`inner`; `pair[0]` of one call's refs, all ready at once)
            if together and isinstance(e, ast.Subscript) and isinstance(e.slice, (ast.Constant, ast.UnaryOp)):
                e = e.value
            return isinstance(e, ast.Name) and e.id in names

        def plain(e: ast.AST) -> bool:  # (read without running code)
            return isinstance(e, (ast.Name, ast.Constant)) or isinstance(e, ast.Starred) and isinstance(e.value, ast.Name)

        if isinstance(node, ast.Await):
            value = node.value
            if named(value):
                return True
            return (
                isinstance(value, ast.Call) and not value.keywords and self._is_ray(value.func, "asyncio.gather")
                and all(map(plain, value.args)) and any(named(a.value if isinstance(a, ast.Starred) else a) for a in value.args)
            )
        if isinstance(node, (ast.ListComp, ast.SetComp)) and together:
            (loop, *more) = node.generators
            return (
                not more and not loop.ifs and not loop.is_async and named(loop.iter) and isinstance(loop.target, ast.Name)
                and self._waits_first(node.elt, node.elt, {loop.target.id}, False)
            )
        if not isinstance(node, ast.Call):
            return False
        if len(node.args) == 1 and not node.keywords and self.values.is_ray(node.func, self.module, "ray.get"):
            argument = node.args[0]
            if isinstance(argument, ast.Call) and argument.args and self._keeps_refs(argument, argument.args[0]):
                argument = argument.args[0]  # (`ray.get(list(refs))`)
            if named(argument):
                return True
            return isinstance(argument, (ast.List, ast.Tuple)) and all(map(plain, argument.elts)) and any(map(named, argument.elts))
        # (not `ray.get(g.remote(inner))`: the task's failure would be raised there too, but as
        # g's, "At least one of the input arguments for this task could not be computed")
        return False

    def _handled(self, node: ast.AST) -> bool:
        """Is `node` in the body of a `try` with handlers, in its function?"""
        child, at = node, self.where.parent(node)
        while at is not None and not isinstance(at, (*_FUNCTIONS, ast.Lambda, ast.ClassDef)):
            if isinstance(at, _TRIES) and at.handlers and any(child is s for s in at.body):
                return True
            child, at = at, self.where.parent(at)
        return False


_TRIES = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)
_RUNS_CODE = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)
_SKIPS = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.IfExp)


def _evaluated_first(statement: ast.stmt) -> ast.AST | None:
    """The part of `statement` that is evaluated before anything else it holds: a simple
    statement's whole text, a compound one's head (an `if`'s test, a `for`'s iterable)."""
    if isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return)):
        return statement
    if isinstance(statement, (ast.If, ast.While)):
        return statement.test
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return statement.iter
    if isinstance(statement, (ast.With, ast.AsyncWith)) and statement.items:
        return statement.items[0].context_expr
    return None


def _always_evaluates(parent: ast.AST, child: ast.AST) -> bool:
    """Is `child` evaluated whenever `parent` is, and first of what may run code in a
    statement (not skipped by a branch, `and`/`or`, a chained comparison, a lambda or a
    comprehension; in an assignment, the value, which runs before its targets)?"""
    if isinstance(parent, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return parent.generators[0] is child  # (the first iterable is read at once)
    if isinstance(parent, ast.comprehension):
        return parent.iter is child
    if isinstance(parent, _SKIPS):
        return False
    if isinstance(parent, ast.BoolOp):
        return parent.values[0] is child
    if isinstance(parent, ast.Compare):
        return parent.left is child or parent.comparators[0] is child
    if isinstance(parent, ast.AugAssign):  # (its target is read first: `self.total += ...`)
        return parent.value is child and isinstance(parent.target, ast.Name)
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        return parent.value is child
    return True


_KEEPS_ITEMS = ("len", "list", "tuple", "sorted", "enumerate", "zip", "iter", "reversed")


def _parameters(function: ast.AST) -> list[ast.arg]:
    args = function.args
    return [a for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a is not None]


def _crosses_a_function(where: flow.View, node: ast.AST, scope: Scope) -> bool:
    """Is `node` read in a function or lambda nested in `scope` (run who knows when)?"""
    inner = where.scope_of(node)
    while inner is not None and inner is not scope:
        if isinstance(inner.node, (*_FUNCTIONS, ast.Lambda)):
            return True
        inner = inner.parent
    return False


def _describe_use(parent: ast.AST | None, node: ast.AST) -> str:
    if isinstance(parent, ast.Call):
        return "passed to a call" if node is not parent.func else "called"
    if isinstance(parent, ast.Return):
        return "returned"
    if isinstance(parent, ast.Await):
        return "awaited"
    if isinstance(parent, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
        return "stored in a collection"
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return "stored"
    if isinstance(parent, (ast.For, ast.comprehension)):
        return "iterated"
    if isinstance(parent, ast.keyword):
        return "passed to a call"
    if isinstance(parent, ast.Subscript):
        return "indexed (it holds the task)" if parent.value is node else "used as an index"
    if isinstance(parent, ast.Attribute):
        return f"read for its attribute `{parent.attr}`"
    return f"used in {_USES.get(type(parent), 'an expression') if parent else 'an unknown place'}"


# (what `_describe_use` says of the other places a ref or task may be used: no AST class names)
_USES = {
    ast.BinOp: "an operation", ast.UnaryOp: "an operation", ast.BoolOp: "a boolean operation",
    ast.Compare: "a comparison", ast.IfExp: "a conditional expression", ast.If: "an `if` test",
    ast.While: "a `while` test", ast.JoinedStr: "an f-string", ast.FormattedValue: "an f-string",
    ast.Starred: "an unpacking", ast.Yield: "a `yield`", ast.YieldFrom: "a `yield from`",
    ast.Lambda: "a lambda", ast.With: "a `with`", ast.withitem: "a `with`", ast.Assert: "an `assert`",
    ast.Raise: "a `raise`", ast.Delete: "a `del`", ast.NamedExpr: "an assignment expression",
}


def changes_callers(fix: Fix) -> bool:
    """Does the fix change what its task's callers get, with their call sites not searched for
    yet? (Only such a finding is changed by `CallerSearch.with_callers`.)"""
    return not fix.call_sites and fix.callers is not CallerChange.NONE


class CallerSearch:
    """Finds the call sites of rewritten tasks in a workspace, and adds them to the fixes.

    One search serves a whole run: parsed modules are cached by the index (by stamp), what
    the search needs of each tree by `_tree` (per parsed module), and the call sites of a
    target are computed once. `steps()` does the work a piece at a time, for a caller that
    must be able to stop in between (the language server, whose one worker thread also
    analyses edits and answers code actions).
    """

    def __init__(
        self,
        files: list[str],
        index: ModuleIndex,
        excluded: Mapping[str, str] | None = None,
        library: bool = False,
    ):
        # `excluded`: files of `files` raylint must not edit (absolute paths), each with why
        # (`EXCLUDED`, ...). Their call sites are searched (a fix must not silently break them)
        # but never edited: they go to review, with that reason.
        # `library`: the tasks may also be called from outside the workspace, so no fix that
        # changes what callers get can be proven safe.
        self.files, self.index, self.excluded = files, index, excluded or {}
        self.library = library
        self._sites: dict[Target, list[CallSite]] = {}
        self._imported: set[str] | None = None  # the workspace files some file imports
        self._imported_answers: dict[str, bool] = {}  # imported(), once per path and search
        self._values = Values(index, self.imported)  # what names mean: one search's worth
        self._references: dict[ModuleInfo, dict] = {}  # see references()
        self._facts: dict[str, _FileFacts | None] = {}  # see facts()
        self._tree_imports: dict[ModuleInfo, set[str] | bool] = {}  # see imports_in_tree()
        self._order: dict[str, int] | None = None  # each file's place in `files` (call sites are sorted by it)
        self._imports: _ImportIndex | None = None  # see index_imports()
        self._spelling: dict[tuple, list[str]] = {}  # see find_spelling()
        self._classes: dict[ModuleInfo, list] = {}  # see classes()
        self._packages: dict[str, list[str]] = {}  # see packages_of()
        self._bytes: dict[str, str | None] = {}  # see bytes_of()

    def references(self, module: ModuleInfo, values: Values) -> dict:
        """The module's reads that may be a workspace function (by the function's key: the
        frozenset of keys of the target), and its `getattr` calls: one walk per module and
        search, whatever the number of targets (a module of thousands of tasks)."""
        found = self._references.get(module)
        if found is not None:
            return found
        by_key: dict = {}
        names: dict[tuple[int, str], frozenset] = {}  # (scope, name) → its values, in this module

        def name(identifier: str, scope: Scope) -> frozenset:
            key = (id(scope), identifier)
            if key not in names:
                names[key] = values.name(identifier, module, scope)
            return names[key]

        where = view(module)
        for node, scope in where.loads():
            if isinstance(node, ast.Name):
                found_values = name(node.id, scope)
                if any(isinstance(v, Mod) for v in found_values):  # (a workspace module: how is it used?)
                    by_key.setdefault("module", []).append((node, found_values))
                elif node.id in _NAMESPACE_BUILTINS and _reads_namespace(where, node, found_values):
                    by_key.setdefault("namespace", []).append(where.parent(node))
                    continue
            elif isinstance(node, ast.Attribute):
                if node.attr in _NAMESPACE_ATTRIBUTES:  # (`sys._getframe().f_globals`, `fn.__globals__`)
                    by_key.setdefault("namespace", []).append(node)
                    continue
                if node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
                    use = _sys_modules_use(view(module), node)
                    if use is not None:
                        by_key.setdefault("sys.modules", []).append(use)
                    continue
                # only a module's attribute can be the task itself (an object's would have been
                # stored there, which is a use to review where it happens): `a.b.task` is
                # looked into only when `a` may be a module
                root = node.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if not (isinstance(root, ast.Name) and any(isinstance(v, Mod) for v in name(root.id, scope))):
                    continue
                if not any(isinstance(v, Mod) for v in values.of(node.value, module, scope)):
                    continue
                found_values = values.of(node, module, scope)
            else:  # (a call that fetches by name: `getattr`, or a module imported at run time)
                by_key.setdefault("import" if imports_at_run_time(node.func) else "getattr", []).append(node)
                continue
            keys = {(v.of if isinstance(v, Options) else v).key for v in found_values if isinstance(v, (Def, Options))}
            for key in keys:
                by_key.setdefault(key, []).append((node, found_values))
        self._references[module] = by_key
        return by_key

    def facts(self, path: str) -> _FileFacts | None:
        """What the search asks of a workspace file (None: its text cannot be read), once per
        search: within one, files do not change (the server drops a search whose workspace
        moved on)."""
        if path not in self._facts:
            index, text = self.index, self.index.text(path)
            facts = None
            if text is not None:
                # (kept by the index while the file holds this text: the server's next search)
                facts = index.memo(path, "caller facts", lambda: _FileFacts(text, path, index))
                if facts.given is not text:  # (the file changed in between)
                    facts = _FileFacts(text, path, index)
            self._facts[path] = facts
        return self._facts[path]

    def may_import(self, visible: set[str], words: _Spelling, target: str) -> list[str]:
        """The files (in order) that may import a module of `visible` or one spelled by `words`,
        as `_TaskSites.run` asks each file (a few more: the unreadable ones, the target's own):
        looked up, not asked of every file for every target (a module of hundreds of tasks
        in a workspace of thousands of files). `index_imports()` first."""
        imports = self._imports
        found = set(imports.always)
        found.add(target)
        for path in visible:
            found.update(imports.importers.get(path, ()))
        if words.simple:
            for word in words.words:
                found.update(imports.odd_words.get(word, ()))
        else:
            found.update(imports.odd)
        return sorted(found & imports.place.keys(), key=imports.place.__getitem__)

    def classes(self, module: ModuleInfo) -> list[tuple[ast.ClassDef, Scope, set[Def]]]:
        """The module's classes, each with its scope and the defs its bases may be (once per
        search: each method of an actor class looks for its subclasses)."""
        found = self._classes.get(module)
        if found is None:
            found = self._classes[module] = [
                (node, scope, {v for base in node.bases for v in self._values.of(base, module, scope) if isinstance(v, Def)})
                for node, scope in view(module).nodes
                if isinstance(node, ast.ClassDef)
            ]
        return found

    def find_spelling(self, words: _Spelling, also: str) -> Iterator[None]:
        """Find the files that `spelling(words, also)` gives, a file at a time (once per search:
        the methods of one actor class look for the same class names)."""
        key = (tuple(words.words), also)
        if key in self._spelling:
            return
        found = []
        for path in self.files:
            yield
            facts = self.facts(path)
            if facts is not None and facts.text and also in facts.text and words.search(facts.text):
                found.append(path)
        self._spelling[key] = found

    def spelling(self, words: _Spelling, also: str) -> list[str]:
        """The files (in order) whose text spells a word of `words` and has `also` in it."""
        return self._spelling[(tuple(words.words), also)]

    def index_imports(self) -> Iterator[None]:
        """What `may_import` looks up, read a file at a time (once per search)."""
        if self._imports is not None:
            return
        imports = _ImportIndex({path: n for n, path in enumerate(self.files)})
        for path in self.files:
            yield
            facts = self.facts(path)
            if facts is not None:
                for dotted in facts.unfound:
                    imports.unfound.setdefault(dotted, []).append(path)
            if facts is None or facts.star_import or facts.imports_anywhere or facts.loads_code:
                imports.always.append(path)
                continue
            for imported in facts.imported:
                imports.importers.setdefault(imported, []).append(path)
            if facts.odd_import_lines:
                imports.odd.append(path)
                for word in facts.odd_words():
                    imports.odd_words.setdefault(word, []).append(path)
        self._imports = imports  # (last: a search stopped midway has no half index)

    def unfound_importers(self, dotted: str) -> list[str]:
        """The files importing the module name `dotted` where it finds no workspace file
        (`index_imports()` first)."""
        return self._imports.unfound.get(dotted, [])

    def bytes_of(self, path: str) -> str | None:
        """The bytes of a file whose text cannot be read, as latin-1 (None: not even those),
        read once per search (each target's search asks)."""
        if path not in self._bytes:
            try:
                self._bytes[path] = read_regular_file(path, MAX_PYTHON_FILE).decode("latin-1")
            except (OSError, ValueError):
                self._bytes[path] = None
        return self._bytes[path]

    def packages_of(self, path: str) -> list[str]:
        """`_packages_of(path)`, once per search (asked for every exposing module, at every
        module walked: hundreds of modules re-export a task under its name)."""
        found = self._packages.get(path)
        if found is None:
            found = self._packages[path] = _packages_of(path)
        return found

    def imports_in_tree(self, module: ModuleInfo, visible: set[str]) -> bool:
        """Does the module's tree import one of `visible`, or a module at run time?"""
        found = self._tree_imports.get(module)
        if found is None:
            found = self._tree_imports[module] = _tree_imports(module, self.index)
        return found is True or not visible.isdisjoint(found)

    def imported(self, path: str) -> bool:
        """Does any workspace file import the module at `path` (so that its module-level names
        may be read elsewhere)? A package's `__init__` always counts."""
        if self._imported is None:
            found: set[str] = set()
            for file in self.files:
                facts = self.facts(file)
                if facts is not None:
                    found.update(facts.imported)
            self._imported = found
        path = os.path.abspath(path)
        if path not in self._imported_answers:
            self._imported_answers[path] = self._imported_by_a_line(path)
        return self._imported_answers[path]

    def _imported_by_a_line(self, path: str) -> bool:
        if path in self._imported or os.path.basename(path) == "__init__.py":
            return True
        # an import the line reader missed (`import a; import main`): a line that spells both
        word = _Spelling([_module_word(path)])
        for file in self.files:
            facts = self.facts(file)
            text = facts.text if facts is not None else None
            if text and os.path.abspath(file) != path and word.search(text):
                if any("import" in line and word.search(line) for line in text.splitlines()):
                    return True
        return False

    def call_sites(self, target: Target) -> list[CallSite]:
        if target not in self._sites:
            for _ in self._search([target]):
                pass
        return self._sites[target]

    def steps(self, findings: Iterable[Finding]) -> Iterator[None]:
        """Search the call sites of every fix of `findings`, yielding between pieces of work
        (a file; the parsing of one; the walk of its tree). `with_callers` is quick after."""
        return self._search([t for finding in findings for t in self._targets(finding)])

    def with_callers(self, finding: Finding) -> Finding:
        for _ in self._search(self._targets(finding)):  # all its fixes' targets in one pass
            pass
        fixes = tuple(self._fix_with_callers(finding, fix) for fix in finding.fixes)
        reviews = {
            Related(s.path, s.range, f"call site to review: {s.review}")
            for fix in fixes
            for s in fix.call_sites
            if s.review
        }
        return replace(finding, fixes=fixes, related=finding.related + tuple(sorted(reviews, key=_related_order)))

    def _targets(self, finding: Finding) -> list[Target]:
        if finding.nested:
            return []
        return [target_of(finding.path, finding.task, finding.callee, fix.callers) for fix in finding.fixes if changes_callers(fix)]

    def _search(self, targets: list[Target]) -> Iterator[None]:
        """Find the call sites of `targets` (those not known yet), a piece of work at a time."""
        targets = [t for t in dict.fromkeys(targets) if t not in self._sites]
        if not targets:
            return
        values = self._values
        found: dict[Target, list[CallSite]] = {}
        if self._order is None:
            self._order = {os.path.abspath(p): n for n, p in enumerate(self.files)}
        order = self._order
        for target in targets:
            sites = (_MethodSites if target.method else _TaskSites)(self, target, values)
            yield from sites.run()
            unique = list(dict.fromkeys(sites.found))
            unique.sort(key=lambda s: (order.get(os.path.abspath(s.path), len(order)), s.range.start))
            found[target] = [self._untouched(s) if os.path.abspath(s.path) in self.excluded else s for s in unique]
        self._sites.update(found)

    def _untouched(self, site: CallSite) -> CallSite:
        """A call site in a file raylint must not edit: to review, saying why."""
        if not site.edits or site.review:
            return site  # nothing to change there (or to review anyway)
        return replace(site, edits=(), review=self.excluded[os.path.abspath(site.path)])

    def _fix_with_callers(self, finding: Finding, fix: Fix) -> Fix:
        # (an unsafe_reason may come from the rewrite itself: its callers still change)
        if not changes_callers(fix):
            return fix  # done already, or its callers do not change
        if finding.nested:
            return replace(fix, unsafe_reason=_reasons(fix.unsafe_reason, "the task is defined inside a function; its callers are not followed"))
        target = target_of(finding.path, finding.task, finding.callee, fix.callers)
        sites = self.call_sites(target)
        taken = list(fix.edits)
        seen = set(taken)
        by_path: dict[str, list[Edit]] = {}  # the taken edits of each file (hundreds of call sites)
        for edit in taken:
            by_path.setdefault(edit.path, []).append(edit)
        handled, reviews = [], []
        for site in sites:
            # call sites in one list (`ray.get([f.remote(0), f.remote(1)])`) share their edit
            new = [e for e in site.edits if e not in seen]
            if site.review:
                reviews.append(site)
            elif any(e.range.overlaps(t.range) or e.range == t.range for e in new for t in by_path.get(e.path, ())):
                reviews.append(replace(site, edits=(), review="it overlaps the task's own rewrite"))
            else:
                handled.append(site)
                taken.extend(new)
                seen.update(new)
                for edit in new:
                    by_path.setdefault(edit.path, []).append(edit)
        title = fix.title
        if reviews:
            title += f" ({len(reviews)} call site{'s' * (len(reviews) != 1)} to review)"
        reason = f"{len(reviews)} call site{'s' * (len(reviews) != 1)} must be updated by hand" if reviews else ""
        if self.library and not reason:
            reason = "the project is a library (`library = true`): callers outside the workspace cannot be updated"
        reason = _reasons(fix.unsafe_reason, reason)
        return replace(fix, title=title, edits=tuple(taken), call_sites=tuple(handled + reviews), unsafe_reason=reason)


# What reads a namespace (a module's globals, a function's locals) as a dict, where any name
# it binds may be fetched by a string: `globals()["task"]`, `vars()`, `frame.f_globals`.
# (`vars(m)` and `m.__dict__` of a module are its escapes: see `_module_escape`.)
_NAMESPACE_BUILTINS = frozenset({"globals", "locals", "vars"})
_NAMESPACE_ATTRIBUTES = frozenset({"f_globals", "f_locals", "__globals__"})


def _reads_namespace(where, node: ast.Name, values: frozenset) -> bool:
    """Is the name `node` the builtin `globals`, `locals` or `vars` called with nothing (so
    reading the namespace it is called in)?"""
    call = where.parent(node)
    return (
        isinstance(call, ast.Call) and call.func is node and not call.args and not call.keywords
        and values == {flow.Ext(f"builtins.{node.id}")}
    )


def _sys_modules_use(where, node: ast.Attribute) -> tuple[ast.AST, ast.AST | None] | None:
    """How the code uses `sys.modules` (`node`): the expression that may fetch a module from
    it, with the name it fetches by (None: any, `sys.modules.values()`, `mods = sys.modules`);
    None where no module is fetched (`"torch" in sys.modules`, `sys.modules.keys()`)."""
    parent = where.parent(node)
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return parent, parent.slice  # (`sys.modules["tasks"]`)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        if parent.attr in ("keys", "__contains__"):
            return None
        call = where.parent(parent)
        if parent.attr in ("get", "pop", "setdefault") and isinstance(call, ast.Call) and call.func is parent and call.args:
            return call, call.args[0]
        return parent, None
    if isinstance(parent, ast.Compare) and parent.left is not node and all(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops):
        return None
    return node, None


def _tree_imports(module: ModuleInfo, index: ModuleIndex) -> set[str] | bool:
    """The workspace files the module's imports name, anywhere in its tree (True: it imports
    a module at run time, which may be any)."""
    found: set[str] = set()
    find = index.find
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and imports_at_run_time(node.func):
            return True  # (what it imports is looked at by `walk`)
        if isinstance(node, ast.Import):
            found.update(find(alias.name, module.path) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            found.add(find(source, module.path, node.level))
            for alias in node.names:
                if alias.name != "*":
                    found.add(find(f"{source}.{alias.name}" if source else alias.name, module.path, node.level))
    found.discard(None)
    return found


def _whole_line(source: SourceText, line: int) -> Range:
    return Range(Position(line, 0), Position(line, len(source.line(line))))


def _docstrings(module: ModuleInfo) -> set[int]:
    """The docstrings of the module, its classes and functions (by id): text, never run."""
    found = set()
    for node in [module.tree, *view(module).of((ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]:
        first = node.body[0] if node.body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            found.add(id(first.value))
    return found


def _reasons(own: str, more: str) -> str:
    """The rewrite's own reason to be unsafe and the callers', each once."""
    return "; ".join(r for r in dict.fromkeys(own.split("; ") + [more]) if r)


EXCLUDED = "it is in a file excluded from raylint (`exclude`), which it never edits"


def _related_order(related: Related):
    return related.path, related.range.start


def target_of(path: str, task: str, call_names: tuple[str, ...], change: CallerChange) -> Target:
    """The Target of a finding's task (`f`, or `Cls.method`)."""
    if "." in task:
        owner, method = task.split(".", 1)
        return Target(os.path.abspath(path), call_names, method, change, owner)
    return Target(os.path.abspath(path), call_names or (task,), "", change, task)
