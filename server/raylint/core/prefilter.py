"""Which files a rule can apply to at all, from their text: most are never parsed.

Each rule names the words a file must reach for it to find anything (`Rule.needs`): RAY001
needs a task and a put, and every way to make a task spells `remote`, every way to reach
ray.put spells `put`: in the file itself (`@ray.remote`, `from ray import put as store`) or
in a workspace module it imports (a re-export). A file that reaches a needed word neither
itself nor through its imports cannot have a finding of that rule. An installed package (not
the workspace's, not Ray) may re-export Ray's API too, which only jedi can tell: such a
package counts when it imports Ray (for `remote`: when the file also uses one of its names
as a decorator or to wrap a def).

Two needs are read more closely, since nearly every module of a Ray project spells `remote`
(its submissions, `f.remote(x)`) or reaches it through its imports. `remote` stands for a task
or actor defined in the file: made by a decorator or by a call given one of its defs, whose
name leads to Ray's `remote` in the file's own text (`@ray.remote`, `gpu = ray.remote(...)`) or
through the module it is imported from (see `_File.defines_task`). `CALLS_REMOTE`, a call of
Ray's `remote` on anything (RAY004), needs `remote` spelled after a name the file imports or
assigns. An `InFile` word (`InFile("remote")`: a `.remote(...)` submission the rule looks at)
must be spelled by the file itself.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
import unicodedata

from raylint.core.names import ExternalResolver, ModuleIndex
from raylint.core.rule import CALLS_REMOTE, InFile
from raylint.core.source import common_ends
from raylint.core.tasks import DEFINED_AFTER_LINE_END, one_name_arguments

# Each piece matches one way only (dots, then a name that starts with a letter; a parenthesis
# closes before the next one opens, and a comment in it, which may spell anything, runs to its
# line's end), so a hostile line costs linear time, not quadratic.
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*(?:\w[\w.]*)?)[ \t]+import[ \t]*(\((?:[^()#]|#[^\n]*\n)*\)|[^\n#;]*)|import[ \t]+([^\n#;]+))",
    re.MULTILINE,
)
# An import the line reader may misread: after `;` or a compound statement's `:` (`try:
# import x`), or continued with a backslash
_UNSURE_IMPORT = re.compile(r"^[^\n#]*[;:][ \t]*(?:from|import)[ \t]|^[ \t]*(?:from|import)[^\n]*\\$", re.MULTILINE)
# (matched from the "\n" before each line, the text given one first: a pattern that starts
# with `^` is tried at every position, one that starts with a character is searched for fast)
_ASSIGNED = re.compile(r"\n[ \t]*(\w+)[ \t]*(?::[^=\n]*)?=(?!=)([^\n]*)")
_NAME = re.compile(r"[A-Za-z_]\w*")
# How many names a file's text is searched for, each on its own (beyond: unsure)
_MOST_NAMES_READ = 200
# needs that are not words the file spells: a task it defines, a call of Ray's `remote`
_NOT_WORDS = ("remote", CALLS_REMOTE)
# How many names may make a file's tasks, followed through its assignments (beyond: unsure)
_MOST_DEFINERS = 40
_DOTTED = re.compile(r"[A-Za-z_][\w.]*")
_COMMENT = re.compile(r"#[^\n]*")
ANY_STAR_IMPORT = re.compile(r"import[\s\\(]*\*")  # (a star import however it is split: a few too many)
# (see `_may_assign`; after `)`, a `:` counts only with an `=` after it on its line, as in
# `(name): T = value`, or 200 characters on it without one: `def f(self):` is everywhere; the
# look ahead is bounded, or a long line of `x):` would be read to its end at every `x`. It is
# matched right after a name, where the look behind holds; a search tries only a run's start)
_ASSIGNS_AFTER = re.compile(r"(?<![\s\\)])(?:[\s\\]*(?::|=(?!=))|[\s\\]*\)[\s\\)]*(?:=(?!=)|:(?![^\n=]{0,200}(?:\n|$))))")
_DEFINES_BEFORE = re.compile(r"(?<![\w.])(?:def|class)[ \t]+$")
# (a decorator where only blanks are before it on its line; `@(name)`, `@ \<newline> name`)
_AT_NAME = re.compile(r"@[\s(\\]*(\w+)")
# `@ray.remote` and `import ray` anywhere (a few too many: in strings), searched fast (a literal first)
_RAY_REMOTE_DECORATOR = re.compile(r"@[ \t]*ray[ \t]*\.[ \t]*remote\b")
_IMPORT_RAY = re.compile(r"import[ \t]+ray\b")
# (two patterns that start with a word, which the regex engine searches fast; a few names too many)
_DEFINED_WORDS = (re.compile(r"def[ \t]+(?=(\w+))"), re.compile(r"class[ \t]+(?=(\w+))"))
# What is called with `(f)`, ending where `(f)` starts: `name`, `name.attr`, `name(**options)`,
# blanks between (each piece matches one way only)
_ROOT_BEFORE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?:\s*\.\s*\w+)*(?:\s*\([^()]*\))?\s*$")


def may_apply(text: str, path: str, index: ModuleIndex, externals, rules, known: dict | None = None, quick: bool = False) -> list:
    """The rules of `rules` that may find something in the file. `known`: what was learnt of
    the other files for an earlier text of this one, while they have not changed (a document
    being typed in: the modules its imports name are not looked up and read again). `quick`:
    at a keystroke, a file that spells `remote` counts as defining a task without reading its
    decorators (a few rules too many, each re-checking just the edited statement, cost less
    than reading the assignments of a long module at every keystroke)."""
    file = _File(text, path, index, externals, known, quick)
    found = [rule for rule in rules if file.reaches_all(rule.needs)]
    if known is not None:
        file.remember()
    return found


class _File:
    """One file's text as the prefilter reads it; what it learns (its imports, the words it
    reaches) serves every rule asked about."""

    def __init__(self, text: str, path: str, index: ModuleIndex, externals: ExternalResolver | None, known: dict | None = None, quick: bool = False):
        self.text, self.path, self.index, self.externals = _plain(text), path, index, externals
        self.known = known  # (see `may_apply`)
        self.quick = quick
        self._reaches: dict[tuple, bool] = {}
        self._spelled: dict[str, bool] = {}
        self._since: tuple | None = None  # (see `_edit_since`)
        self._import_reading: tuple | None = None  # (see `_read_imports`)
        self._imported: list[str] | None = None
        self._outside: dict[str, str] | None = None
        self._from_outside: dict[str, bool] = {}
        self._defined: set[str] | None = None
        self._uses: list[tuple[str, str | None]] | None = None
        self._definer_names: tuple[set[str], set[str]] | None = None

    def reaches_all(self, needs: tuple) -> bool:
        groups = [(need,) if isinstance(need, str) else tuple(need) for need in needs]
        # first the words that must be in the file (cheap), then the ones followed through
        # imports: in a group, the words the file spells first (`pickle` in the file, before
        # its imports are searched for `_pickle`)
        for group in groups:
            if all(isinstance(word, InFile) for word in group) and not any(self.spelled(word) for word in group):
                return False
        for group in groups:
            if any(self.spelled(word) for word in group if isinstance(word, InFile) or word not in _NOT_WORDS):
                continue
            if not any(self.reaches(word) for word in group) and not self.outside_reaches(group):
                return False
        return True

    def spelled(self, word: str) -> bool:
        """Does the file's own text spell `word` (as a whole word)?"""
        found = self._spelled.get(word)
        if found is None:
            found = self._spelled[word] = self._spelled_now(word)
        return found

    def _spelled_now(self, word: str) -> bool:
        """`spells(text, word)`; for a document being typed in, from where the word was in its
        last text when the edit cannot have moved it (a 10,000-line module: 28 scans of the
        whole text per keystroke, a third of the keystroke's analysis)."""
        text = self.text
        if self.known is None:
            return spells(text, word)
        last = self.known.get(("spelled", word))
        at = -2  # (not known)
        if last is not None and self._edit_since(last[0]) is not None:
            _, old, prefix, suffix = self._since
            was = last[1]
            size = len(word)
            if was >= 0 and was + size < prefix:
                at = was  # (the word and the characters around it are before the edit)
            elif was > len(old) - suffix:
                at = was + len(text) - len(old)  # (after it)
            elif was == -1:  # (not in the last text: only where the edit is, if anywhere)
                at = _whole_word_at(text, word, max(0, prefix - size), len(text) - suffix + size)
        if at == -2:
            at = _whole_word_at(text, word, 0, len(text))
        self.known[("spelled", word)] = (self._generation(), at)
        return at >= 0

    def remember(self) -> None:
        """Keep this text as the last one: the words' places are learnt against it."""
        self.known["last text"] = (self._generation(), self.text)

    def _generation(self) -> int:
        """The number of this text among those `may_apply` was given with `known` (the words'
        places are kept by it, not with the text: an old text is not kept alive)."""
        last = self.known.get("last text")
        return last[0] + 1 if last is not None else 0

    def _edit_since(self, generation: int) -> tuple | None:
        """(the last text's generation, the last text, the lengths of the common prefix and
        suffix of it and this one), when `generation` is the last text's."""
        if self._since is None:
            last = self.known.get("last text")
            if last is None:
                return None
            old = last[1]
            self._since = (last[0], old, *common_ends(old, self.text)) if old != self.text else (last[0], old, len(old), 0)
        return self._since if self._since[0] == generation else None

    def reaches(self, word: str) -> bool:
        """Does the file, or a workspace file it imports (transitively), spell `word`? For
        `remote`: a workspace file it imports one of its definers from (see `_definers`).
        A word `InFile` must be spelled by the file itself."""
        key = (word, isinstance(word, InFile))  # (an InFile word equals its plain word)
        found = self._reaches.get(key)
        if found is None:
            if word == "remote" and not isinstance(word, InFile):
                found = self.quick and self.spelled("remote") or self.defines_task()
            elif word == CALLS_REMOTE:
                found = self.may_call_remote()
            elif self.spelled(word):
                found = True
            elif isinstance(word, InFile):
                found = False
            else:
                files = self.imported()
                found = self._learnt(("reaches", tuple(files), word), lambda: _reaches(files, word, self.index))
            self._reaches[key] = found
        return found

    def defined(self) -> set[str]:
        """The names after `def` and `class` in the text (a few too many at most)."""
        if self._defined is None:
            self._defined = {name for pattern in _DEFINED_WORDS for name in pattern.findall(self.text)}
        return self._defined

    def definer_roots(self) -> set[str]:
        """The roots of the file's decorators (`@name`, `@name.attr(...)`) and of the calls
        given one of its defs (`name(f)`, `name(**o)(f)`): what may make a task or actor."""
        return {root for root, _ in self._definer_uses()}

    def _definer_uses(self) -> list[tuple[str, str | None]]:
        """(root, the text that applies it) of each decorator and each call given a def of the
        file: `("ray", "@ray.remote(num_cpus=1)\n")`, `("gpu", "gpu")`. The text is None where
        it cannot be told (a decorator that does not end, a call whose callee is not read)."""
        if self._uses is None:
            defined = self.defined()
            uses = _decorators(self.text) + (_wrappers(self.text, defined) if defined else []) + _lambda_wrappers(self.text)
            if ("*", None) in uses:  # (a callee not read: any name the file imports may be it)
                uses = [use for use in uses if use[0] != "*"] + [(name, None) for _, _, name, _ in self.imports() if name]
            self._uses = uses
        return self._uses

    def defines_task(self) -> bool:
        """May the file define a task or actor (the need `remote`)? Only with a decorator or
        a call given one of its defs (as the task finder reads them), whose name leads to
        `remote`: spelled where the file applies it, assigns it, defines it or imports it
        (`@ray.remote`, `gpu = ray.remote(...)`, `from ray import remote as task`), or in a
        workspace module it imports it from. A `.remote(...)` submission alone makes none."""
        text = self.text
        if _RAY_REMOTE_DECORATOR.search(text) and _IMPORT_RAY.search(text):
            return True  # (the usual case, `import ray` and `@ray.remote`, at once: typing in a long module)
        if ANY_STAR_IMPORT.search(text):  # (its names are not in the text: any may be a definer)
            return spells(text, "remote") or _reaches(self.imported(), "remote", self.index)
        definers, words = self._definers()
        if not definers:
            return False
        if "remote" in words:
            return True
        files = self._definer_files()
        return self._learnt(("reaches", tuple(files), "remote"), lambda: _reaches(files, "remote", self.index))

    def may_call_remote(self) -> bool:
        """May the file call `ray.remote` (or a name it binds to it) on a function or class
        (the need `CALLS_REMOTE`)? Only where it spells `remote` after a name it imports or
        assigns (`ray.remote`, `r.remote` after `import ray as r`, `remote` after `from ray
        import remote`): a submission, `f.remote(x)`, is made on a def, a parameter or an
        expression (`h[0].remote()`), which never stand for Ray's `remote`."""
        text = self.text
        if ANY_STAR_IMPORT.search(text):
            return spells(text, "remote")
        if any(imported == "remote" and not level and module.split(".")[0] == "ray" for module, level, _, imported in self.imports()):
            return True  # (`from ray import remote as wrap`: `wrap` is spelled, not `remote`)
        tried: dict[str, bool] = {}
        at, seen = text.find("remote"), 0
        while at != -1:
            end = at + 6
            if (at == 0 or not _is_name_char(text[at - 1])) and (end == len(text) or not _is_name_char(text[end])):
                seen += 1
                if seen > 10_000:
                    return True  # (a hostile file: unsure)
                root = _root_before(text, at, end)
                if root == "*":
                    return True
                if root is not None and root not in tried:
                    if len(tried) >= _MOST_NAMES_READ:
                        return True  # (a hostile file: unsure)
                    # (a name assigned a call's result, `h = Counter.remote()`, is never Ray's
                    # module nor its `remote`: the resolver reads a call as `ray.remote(**o)` only)
                    tried[root] = any(self._import_may_be_rays(entry) for entry in self.imports() if entry[2] == root) or any(
                        value is None or not _is_call(value) for value in _unseen_values(text, root)
                    )
                if root is not None and tried[root]:
                    return True
            at = text.find("remote", end)
        return False

    def _import_may_be_rays(self, entry: tuple) -> bool:
        """May the name an import binds be Ray's module or one of its names? Not a name a
        workspace module defines by a def or class, or does not bind (`from tasks import work`:
        a task, never Ray's `remote`)."""
        module, level, _, imported = entry
        if not imported or not level and module.split(".")[0] == "ray":
            return True  # (a module, or one of Ray's names)
        if self._workspace_files([entry]):
            return True  # (a submodule)
        files = self._workspace_files([(module, level, "", "")])
        return not files or any(may_bind(path, imported, self.index) for path in files)

    def _definers(self) -> tuple[set[str], set[str]]:
        """The names the file may make a task or actor with (see `_definer_files`), and the
        words of what it reads of them in its own text: the decorators and callees that apply
        them, their assignments and defs, the names their imports import ("*" when a text
        that applies one cannot be read)."""
        if self._definer_names is not None:
            return self._definer_names
        text = self.text
        uses = self._definer_uses()
        if not uses:
            self._definer_names = (set(), set())
            return self._definer_names
        imports = self.imports()
        bound = {name for _, _, name, _ in imports if name}
        assigned = whole = None
        scanned = 0
        todo, definers, words = [root for root, _ in uses], set(), set()
        while todo:
            name = todo.pop()
            if name in definers:
                continue
            if len(definers) >= _MOST_DEFINERS:
                # (so many: local variables read into one another, which a decorator at the top
                # level never reads; unsure, and reading them all cost 20 ms a keystroke)
                definers.update(bound)
                words.add("*")
                break
            read = set()
            if name not in bound:  # what its assignments read (`gpu = cluster.task`)
                assigned = _assignments(text) if assigned is None else assigned
                values = assigned.get(name, ())
                if not all(map(_whole_value, values)):  # (few: `gpu = (`, `gpu = \\`)
                    whole = _whole_assignments(text) if whole is None else whole
                    values = whole[name]
                read.update(n for value in values if value is not None for n in _NAME.findall(value))
                if not values or None in values:
                    # assigned in a way the reader does not see (`a = gpu = x`, `(gpu) = x`):
                    # what the rest of each such statement reads; where it does not end, or
                    # past the first names so read (each reads the whole text), whatever the
                    # file imports may be in it
                    scanned += 1
                    unseen = _unseen_values(text, name) if scanned <= _MOST_NAMES_READ else [None]
                    for value in unseen:
                        read.update(_NAME.findall(value) if value is not None else bound)
                        if value is None:
                            words.add("*")
                if not read:
                    continue  # a def or class of the file (never Ray's), a builtin, a parameter
            definers.add(name)
            words.update(read)
            todo.extend(n for n in read if n not in definers and (n in bound or n in assigned))
        for root, applied in uses:
            if root in definers:
                words.update(_NAME.findall(applied) if applied is not None else ("*",))
        words.update(imported for _, _, name, imported in imports if name in definers and imported)
        if "*" in words and spells(text, "remote"):
            words.add("remote")  # (unsure what applies or binds a definer: the file's own word counts)
        self._definer_names = (definers, words)
        return self._definer_names

    def _definer_files(self) -> list[str]:
        """The workspace files the file imports the names it may make tasks with from: a
        file that does not spell `remote` makes a task or actor only with a name it imports
        (`from .cluster import gpu_task`), used as a decorator (`@gpu_task`, `@cluster.task`)
        or called with one of its defs (`gpu_task(f)`), directly or through an assignment
        (`gpu = cluster.factory(num_gpus=1)`; a def of the file is never Ray's: the resolver
        does not read its body). With a star import, every import counts."""
        if ANY_STAR_IMPORT.search(self.text):  # (its names are not in the text: any may be a definer)
            return self.imported()
        definers, _ = self._definers()
        if not definers:
            return []
        chosen = [(m, level, name, imported) for m, level, name, imported in self.imports() if name in definers]
        files = self._workspace_files(chosen)  # (modules: `import cluster`, `from pkg import cluster`)
        # `from pkg import task`: `task` may be a name pkg binds, followed only where pkg's text
        # may bind it by an import or an assignment (a def or class there is never Ray's)
        for module, level, _, imported in chosen:
            if imported:
                files += [path for path in self._workspace_files([(module, level, "", "")]) if may_bind(path, imported, self.index)]
        return files

    def imports(self) -> list:
        return self._reading()[0]

    def _reading(self) -> tuple[list, bool]:
        if self._import_reading is None:
            self._import_reading = _read_imports(self.text)
        return self._import_reading

    def imported(self) -> list[str]:
        if self._imported is None:
            index, path = self.index, self.path
            if index.snapshot:  # the file on disk is this text: its imports serve every importer
                self._imported = index.memo(path, "imports", lambda: workspace_imports(self.text, path, index, self._reading()))
            else:
                self._imported = self._workspace_files(self.imports())
        return self._imported

    def _workspace_files(self, imports: list) -> list[str]:
        return self._learnt(("files", tuple(imports)), lambda: _workspace_files(imports, self.path, self.index))

    def _learnt(self, key: tuple, find):
        if self.known is None:
            return find()
        if key not in self.known:
            if len(self.known) > 10_000:  # (a long session of typing imports)
                self.known.clear()
            self.known[key] = find()
        return self.known[key]

    def outside_reaches(self, group: tuple) -> bool:
        """May an installed package (not the workspace's, not Ray) give the file a word of
        `group`? Without `externals` jedi is not asked, and such names mean nothing."""
        words = [word for word in group if not isinstance(word, InFile)]
        if self.externals is None or not words:
            return False
        kind = "remote" if "remote" in words else "any"
        if kind not in self._from_outside:
            if self._outside is None:
                self._outside = _from_outside(self.imports(), self.path, self.index)
            if kind == "remote":
                # (only packages whose names the file makes tasks with are looked into)
                found = any(self.externals.imports_ray(self._outside[name].split(".")[0]) for name in self._outside.keys() & self.definer_roots())
            else:
                found = any(self.externals.imports_ray(module.split(".")[0]) for module in self._outside.values())
            self._from_outside[kind] = found
        return self._from_outside[kind]


def _decorators(text: str) -> list[tuple[str, str | None]]:
    """(first name, text) of each decorator (`@name`, `@name.attr(...)`, `@(name)`): the text
    from its `@` to the def or class it decorates (None past 2,000 characters)."""
    found = []
    for match in _AT_NAME.finditer(text):
        line = text.rfind("\n", 0, match.start()) + 1
        if not text[line : match.start()].strip(" \t\x0c"):
            decorated = DEFINED_AFTER_LINE_END.search(text, match.start(), match.start() + 2000)  # (the def it decorates)
            found.append((match[1], text[match.start() : decorated.start()] if decorated else None))
    return found


def _is_call(value: str) -> bool:
    """Is an assigned value (after `=`, or a walrus's `:`) a call of a dotted name, `f.g(...)`?
    (Read without a regex that fails after a long run: a search of one tries every start.)"""
    value = value.lstrip()
    if value.startswith("="):
        value = value[1:].lstrip()
    dotted = _DOTTED.match(value)
    return dotted is not None and value[dotted.end() :].lstrip().startswith("(")


def _root_before(text: str, at: int, end: int) -> str | None:
    """The first name of the dotted chain the name at `at:end` is read from (`ray` for
    `ray.remote`, `a` for `a . b.remote`), the name itself if it is not after a dot, None
    after anything else (`f().remote`, `h[0].remote`), "*" if the chain is longer than the
    200 characters read (backwards, each once)."""
    stop = max(0, at - 200)
    root, i = text[at:end], at
    while True:
        while i > stop and text[i - 1] in _BLANKS:
            i -= 1
        if i == stop and stop > 0:
            return "*"
        if i == 0 or text[i - 1] != ".":
            return root
        i -= 1
        while i > stop and text[i - 1] in _BLANKS:
            i -= 1
        name_end = i
        while i > stop and _is_name_char(text[i - 1]):
            i -= 1
        if i == stop and stop > 0:
            return "*"
        if i == name_end or text[i].isdigit():
            return None  # (not a name: a call's or a subscript's result)
        root = text[i:name_end]


_BLANKS = frozenset(" \t\r\n\x0c\\")


def _whole_value(value: str) -> bool:
    """Is the rest of an assignment's line its whole value, not continued on the next line (an
    open bracket, a backslash)? (Brackets in strings and comments may make it look continued.)"""
    if "(" not in value and "[" not in value and "{" not in value and "\\" not in value:
        return bool(value.split("#", 1)[0].strip())  # (most values: at once)
    return _continued(value, 0, lines=1) is not None


def _assignments(text: str) -> dict[str, list[str]]:
    """Each name a line of the text assigns (`name = ...`, `name: T = ...`), with the rest of
    each such line (the names they read are found only for the names asked about)."""
    found: dict[str, list[str]] = {}
    for name, value in _ASSIGNED.findall("\n" + text):
        found.setdefault(name, []).append(value)
    return found


def _whole_assignments(text: str) -> dict[str, list[str | None]]:
    """`_assignments`, each value read to the end of its statement when it goes on past its
    line (brackets, a backslash), up to 100 lines; None when it does not end there, or past
    the first 100 such values (a hostile file of open brackets costs linear time)."""
    found: dict[str, list[str | None]] = {}
    continued = 0
    for match in _ASSIGNED.finditer("\n" + text):
        value = match[2]
        if not _whole_value(value):
            continued += 1
            value = _continued(text, match.start(2) - 1) if continued <= 100 else None  # (one "\n" put first)
        found.setdefault(match[1], []).append(value)
    return found


def _continued(text: str, start: int, lines: int = 100) -> str | None:
    """The text from `start` to the end of its statement (every bracket closed, no backslash at
    a line's end), within `lines` lines;
    None when it goes on. Each line is read once."""
    depth, at, seen = 0, start, False
    for _ in range(lines):
        end = text.find("\n", at)
        line = text[at:] if end == -1 else text[at:end]
        if "#" in line:
            line = line.split("#", 1)[0]
        depth += line.count("(") + line.count("[") + line.count("{") - line.count(")") - line.count("]") - line.count("}")
        line = line.rstrip()
        seen = seen or bool(line)
        if seen and depth <= 0 and not line.endswith("\\"):
            return text[start:] if end == -1 else text[start:end]
        if end == -1:
            return None
        at = end + 1
    return None


def _plain(text: str) -> str:
    """The text as the readers here expect it: every line end "\n" (a lone "\r" ends a line
    too, as in old Mac files), no byte order mark (not code: the first line's import or
    decorator is read after it), names spelled as the parser reads them (`names_as_parsed`)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return names_as_parsed(text.removeprefix("\ufeff"))


def names_as_parsed(text: str) -> str:
    """The text with each character that Python's parser normalizes into letters of a name
    (NFKC: `ｔａｓｋｓ.ｌｏａｄ` is `tasks.load`, `ﬁle` is `file`) written as the parser reads it, so
    that a search for a word finds it however a name is spelled. Lines stay where they are."""
    global _last_parsed
    if text.isascii():
        return text
    last = _last_parsed  # (the readers of one file ask in turn, with the text or its result)
    if text is last[0] or text is last[1]:
        return last[1]
    found = text
    if not unicodedata.is_normalized("NFKC", text):
        table = {}
        for char in set(_NOT_ASCII.findall(text)):
            parsed = unicodedata.normalize("NFKC", char)
            if parsed != char and _NAME_CHARS.fullmatch(parsed):
                table[ord(char)] = parsed
        found = text.translate(table) if table else text
    _last_parsed = (text, found)
    return found


_NAME_CHARS = re.compile(r"\w+")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_last_parsed: tuple[str, str] = ("", "")


def spells(text: str, word: str) -> bool:
    """Is `word` (letters, digits, `_`) in `text` as a whole word?"""
    return _whole_word_at(text, word, 0, len(text)) >= 0


def _whole_word_at(text: str, word: str, start: int, end: int) -> int:
    """Where `word` starts as a whole word in `text` between `start` and `end` (the characters
    around it read from the whole text), or -1. (str.find is many times faster than a regex;
    past 64 near misses, `load` in `loader`s, the regex's own loop goes on.)"""
    at, missed = text.find(word, start, end), 0
    while at != -1:
        stop = at + len(word)
        if (at == 0 or not _is_name_char(text[at - 1])) and (stop == len(text) or not _is_name_char(text[stop])):
            return at
        missed += 1
        if missed > 64:
            found = re.compile(r"\b%s\b" % re.escape(word)).search(text, stop)  # (`\b` read in the whole text)
            return found.start() if found is not None and found.end() <= end else -1
        at = text.find(word, stop, end)
    return -1


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _imports(text: str) -> list[tuple[str, int, str, str]]:
    """Each imported module and name, as (module, level, name it binds, name imported):
    `import a.b as c` → ("a.b", 0, "c", ""); `from .m import x as y` → ("m", 1, "", "") for the
    module itself, then ("m", 1, "y", "x"). Read from the import lines, or from the tokens
    where lines may be misread (`_UNSURE_IMPORT`; the lines again if it cannot be tokenized)."""
    return _read_imports(text)[0]


def _read_imports(text: str) -> tuple[list[tuple[str, int, str, str]], bool]:
    """`_imports` of the text, and whether they were read for sure (False: the lines were
    read since its tokens cannot be)."""
    text = _plain(text)
    if _may_misread(text):
        found = _tokenized_imports(text)
        if found is not None:
            return found, True
        return _line_imports(text), False
    return _line_imports(text), True


def _may_misread(text: str) -> bool:
    """Does `_UNSURE_IMPORT` match a line of `text`? Tried only at the lines that spell
    `from` or `import` (every line it matches does): at every line, the pattern took a third
    of the prefilter's time."""
    for word in ("import", "from"):
        at = text.find(word)
        while at != -1:
            if _UNSURE_IMPORT.match(text, text.rfind("\n", 0, at) + 1) is not None:
                return True
            end = text.find("\n", at)
            if end == -1:
                break
            at = text.find(word, end)
    return False


def _tokenized_imports(text: str) -> list[tuple[str, int, str, str]] | None:
    statements = _import_statements(text)
    return None if statements is None else [found for statement in statements for found in _line_imports(statement)]


def _line_imports(text: str) -> list[tuple[str, int, str, str]]:
    """`_imports` read from the lines that start with an import statement."""
    found = []
    for match in _import_statements_of(text):
        if match.group(3) is not None:
            for module, alias in _listed(match.group(3)):
                found.append((module, 0, alias or module.split(".")[0], ""))
        else:
            dotted = match.group(1)
            module = dotted.lstrip(".")
            level = len(dotted) - len(module)
            found.append((module, level, "", ""))
            found.extend((module, level, alias or name, name) for name, alias in _listed(match.group(2)))
    return found


def _import_statements_of(text: str) -> list[re.Match]:
    """`_IMPORT`'s matches, tried only at the lines that spell `import` (a search for the word
    is many times faster than trying the pattern at every line)."""
    matches, end = [], 0
    at = text.find("import")
    while at != -1:
        start = text.rfind("\n", 0, at) + 1
        if start >= end:  # (not inside the import statement matched last)
            match = _IMPORT.match(text, start)
            if match is not None:
                matches.append(match)
                end = match.end()
        at = text.find("import", max(at + 6, end))
    return matches


def _listed(items: str) -> list[tuple[str, str]]:
    """`a.b as c, d` → [("a.b", "c"), ("d", "")] (parentheses and line breaks allowed)."""
    pairs = []
    if "#" in items:  # (comments between the names of `from m import (a,  # why\n b)`)
        items = _COMMENT.sub("", items)
    for item in items.strip().strip("()").replace("\\", " ").split(","):
        name, _, alias = " ".join(item.split()).partition(" as ")  # (`a as\n b`, tabs)
        if name.strip() and name.strip() != "*":
            pairs.append((name.strip(), alias.strip()))
    return pairs


def import_lookups(text: str, path: str, index: ModuleIndex, reading: tuple | None = None) -> list[tuple[str, int, str | None]] | None:
    """Each module the file at `path` imports, as (module, level, its workspace file or
    None): modules, packages, and submodules named by `from`. Read from its import lines, or
    from its tokens where lines may be misread (None if it cannot be tokenized). `reading`:
    `_read_imports(text)`, if done already."""
    found, sure = reading or _read_imports(text)
    return _lookups(found, path, index) if sure else None


def _import_statements(text: str) -> list[str] | None:
    """The text of each import statement, on one line: where a statement starts (the tokenizer
    knows: after `;`, across backslashes and brackets, never in a string)."""
    lines = text.splitlines(keepends=True)
    statements, start, last, at_start = [], None, None, True
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if start is not None and (token.type == tokenize.NEWLINE or token.string == ";" or token.type == tokenize.ENDMARKER):
                statements.append(_between(lines, start, last))
                start = None
            # (`if x: import y`: a keyword after `:` starts a statement; a `:` elsewhere, in a
            # slice, dict or annotation, is never followed by `import` or `from`)
            if token.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) or token.string in (";", ":"):
                at_start = True
            elif token.type not in (tokenize.NL, tokenize.COMMENT):
                if at_start and token.type == tokenize.NAME and token.string in ("import", "from"):
                    start = token.start
                at_start = False
                last = token.end
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return statements


def _between(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    (first, column), (final, end_column) = start, end
    if first == final:
        part = lines[first - 1][column:end_column]
    else:
        part = lines[first - 1][column:] + "".join(lines[first:final - 1]) + lines[final - 1][:end_column]
    return part.replace("\\\r\n", " ").replace("\\\n", " ")


def import_lookups_of(text: str, path: str, index: ModuleIndex, reading: tuple | None = None) -> list[tuple[str, int, str | None]] | None:
    """`import_lookups` of the file's text, kept per file by the index: a run's result cache
    keys each file by them, and they give the files it imports."""
    return index.memo(path, "import lookups", lambda: import_lookups(text, path, index, reading))


def workspace_imports(text: str, path: str, index: ModuleIndex, reading: tuple | None = None) -> list[str]:
    """The workspace files the file at `path` imports (kept per file by `index.memo(path,
    "imports", ...)`). `reading`: `_read_imports(text)`, if done already."""
    # (in one run's snapshot, from the lookups the result cache keys the file by: the same work)
    lookups = import_lookups_of(text, path, index, reading) if index.snapshot else None
    if lookups is None:  # (or its tokens cannot be read: its import lines are read as they are)
        return _workspace_files((reading or _read_imports(text))[0], path, index)
    return [found for _, _, found in lookups if found is not None]


def unfound_imports(text: str, path: str, index: ModuleIndex) -> frozenset[str]:
    """The absolute module names the file imports (`a.b` of `import a.b`, `a` and `a.x` of
    `from a import x`) that name no workspace file from where it is: an installed package,
    or a workspace module reached through a search path raylint does not know (a folder put
    on `sys.path` at run time, PYTHONPATH)."""
    lookups = import_lookups_of(text, path, index) if index.snapshot else None
    if lookups is None:
        lookups = _lookups(_read_imports(text)[0], path, index)
    return frozenset(dotted for dotted, level, found in lookups if not level and found is None)


def _workspace_files(imports, path: str, index: ModuleIndex) -> list[str]:
    return [found for _, _, found in _lookups(imports, path, index) if found is not None]


def _lookups(imports, path: str, index: ModuleIndex) -> list[tuple[str, int, str | None]]:
    lookups = []
    for module, level, _, name in imports:
        dotted = f"{module}.{name}" if module and name else module or name
        if not level and (not dotted or dotted.split(".")[0] == "ray"):
            continue  # Ray's names are known by name (`ray.put`), never followed into files
        lookups.append((dotted, level, index.find(dotted, path, level)))
    return lookups


def may_bind(path: str, name: str, index: ModuleIndex) -> bool:
    """May the workspace module at `path` bind `name` at its top level by an import or an
    assignment, or have a star import? Only then can `from module import name` mean anything
    to the resolver (a def, a class or no binding means nothing there), so a module asked only
    about the names it defines is never parsed. Read from the text: True when unsure (a text
    that is not NFKC-normalized, whose identifiers the parser would normalize; imports that
    cannot be tokenized)."""
    text = index.text(path)
    if text is None:
        return False  # (nor can it be parsed)
    bound = index.memo(path, "names imports bind", lambda: _import_bound_names(text))
    if bound is None or "*" in bound or name in bound:
        return True
    return index.memo(path, ("may assign", name), lambda: _may_assign(names_as_parsed(text), name))


def _import_bound_names(text: str) -> frozenset[str] | None:
    """The names the import statements of `text` bind (anywhere; "*" for a star import), or
    None when they cannot be read for sure."""
    text = _plain(text)
    if not (text.isascii() or unicodedata.is_normalized("NFKC", text)):
        return None
    if _may_misread(text):
        found = _tokenized_imports(text)
        if found is None:
            return None
    else:
        found = _line_imports(text)
    bound = {name for _, _, name, _ in found if name}
    if ANY_STAR_IMPORT.search(text):
        bound.add("*")
    return frozenset(bound)


def _may_assign(text: str, name: str) -> bool:
    """Is `name` spelled where an assignment may bind it: `name =`, `name: T = `, `(name) =`,
    `name := `, across blanks, brackets and backslashes (a few too many: `f(name=1)`, `{name: 1}`)?
    Never after a dot (an attribute), inside a longer name, or named by `class name:`."""
    at = text.find(name)
    while at != -1:
        end = at + len(name)
        if _assignment_at(text, at, end) is not None:
            return True
        at = text.find(name, end)
    return False


def _assignment_at(text: str, at: int, end: int) -> re.Match | None:
    """`_may_assign` for the name spelled at `at:end`: the match of what follows it up to its
    `=` or `:`, if it may be assigned there."""
    if (at == 0 or not (_is_name_char(text[at - 1]) or text[at - 1] == ".")) and (end == len(text) or not _is_name_char(text[end])):
        assigns = _ASSIGNS_AFTER.match(text, end)
        if assigns is not None and _DEFINES_BEFORE.search(text, max(0, at - 16), at) is None:
            return assigns
    return None


def _unseen_values(text: str, name: str) -> list[str | None]:
    """Where `_may_assign` finds that `name` may be assigned, the text from the `=` or `:` after
    it to the end of its statement (None where it does not end within 100 lines, and for every
    place past the first 100: a hostile file costs linear time). Not a keyword argument or a
    default (`f(name=x)`, `def g(a, name=x)`), nor an element of a tuple (`a, name = x`): the
    resolver never takes those for the name's value."""
    found: list[str | None] = []
    at = text.find(name)
    while at != -1:
        end = at + len(name)
        assigns = _assignment_at(text, at, end)
        if assigns is not None and not (assigns[0].rstrip().endswith("=") and ")" not in assigns[0] and _after_open_or_comma(text, at)):
            found.append(_continued(text, assigns.end()) if len(found) < 100 else None)
            if len(found) > 100:
                return found
        at = text.find(name, end)
    return found


def _after_open_or_comma(text: str, at: int) -> bool:
    """Is the text before `at` (blanks and backslashes aside, 200 characters at most) `(` or `,`?"""
    i, stop = at, max(0, at - 200)
    while i > stop and text[i - 1] in _BLANKS:
        i -= 1
    return i > 0 and text[i - 1] in "(,"


def _reaches(files: list[str], word: str, index: ModuleIndex) -> bool:
    """Does any of `files`, or a workspace file they import (transitively), spell `word`?"""
    known = index.reaches if index.snapshot else {}
    # (each of `files` on its own, so that its answer is kept, True too: the files of a
    # project import the same few modules, whose imports were searched again for each)
    spelled = lambda path: index.memo(path, word, lambda: spells(names_as_parsed(index.text(path) or ""), word))  # noqa: E731
    return any(_transitively(start, word, spelled, index, known) for start in files)


def may_lead_to_ray(path: str, index: ModuleIndex, externals: ExternalResolver | None) -> bool:
    """May a name of the workspace module at `path` stand for one of Ray's? Not when neither
    it nor a workspace module it imports (transitively) spells `ray`, and none of them imports
    from an installed package that imports Ray: Ray's names come from an import of `ray`."""

    def leads(current: str) -> bool:
        text = index.text(current) or ""
        return index.memo(current, "ray", lambda: spells(names_as_parsed(text), "ray")) or externals is not None and index.memo(
            current, "imports from packages that import Ray",
            lambda: any(externals.imports_ray(m.split(".")[0]) for m in _from_outside(_imports(text), current, index).values()),
        )

    return _transitively(path, _LEADS_TO_RAY, leads, index, index.reaches if index.snapshot else {})


def _transitively(start: str, key: str, holds, index: ModuleIndex, known: dict) -> bool:
    """Does `holds(path)` hold for the workspace file `start` or one it imports (transitively)?
    Answers are kept in `known` by (path, key): True for `start`, False for every file seen."""
    found = known.get((start, key))
    if found is not None:
        return found
    seen: set[str] = set()
    stack = [start]
    while stack:
        path = stack.pop()
        if path in seen:
            continue
        found = known.get((path, key))
        if found is False:
            continue
        if found or holds(path):
            known[(start, key)] = True
            return True
        seen.add(path)
        stack.extend(imported_files(path, index))
    # everything reachable from `start` was visited: none of it holds
    for path in seen:
        known[(path, key)] = False
    return False


def imported_files(path: str, index: ModuleIndex) -> list[str]:
    """The workspace files the file at `path` (its text as the index reads it) imports, kept
    per file by the index."""
    return index.memo(path, "imports", lambda: workspace_imports(index.text(path) or "", path, index))


_LEADS_TO_RAY = " leads to Ray"


def _from_outside(imports, path: str, index: ModuleIndex) -> dict[str, str]:
    """The names bound by importing from outside the standard library, Ray and the workspace,
    with their module."""
    bound = {}
    for module, level, name, _ in imports:
        top = module.split(".")[0]
        if name and not level and top and top != "ray" and top not in sys.stdlib_module_names and index.find(module, path) is None:
            bound[name] = module
    return bound


def _lambda_wrappers(text: str) -> list[tuple[str, str | None]]:
    """(root, callee) of each call given a lambda first that may make a task (RAY001 looks
    into one), as `_wrappers` reads them: a callee that spells `remote` (`ray.remote(lambda
    x: ...)`, `ray.remote(num_cpus=1)(lambda ...)`) or is one name (`gpu(lambda ...)` after
    `gpu = ray.remote(num_gpus=1)`). Lambdas are given to methods (`df.apply(lambda ...)`,
    `Engine.subscribe(...)`) all the time, and an imported name's re-exports reach `remote`
    in any Ray project: `helpers.task(lambda ...)` is not followed. A callee not read counts
    when the text before it spells `remote` (`ray.remote(num_cpus=n(1))(lambda ...)`)."""
    found = []
    for number, match in enumerate(_LAMBDA_ARGUMENT.finditer(text)):
        if number == _MOST_NAMES_READ:
            return found + [("*", None)]  # (a hostile file: unsure; each is read in 200 characters)
        before = text[max(0, match.start() - 200) : match.start()]
        root = _ROOT_BEFORE.search(text, max(0, match.start() - 200), match.start())
        if root and ("remote" in root[0] or root[0] == root[1]):
            found.append((root[1], root[0]))
        elif not root and "remote" in before:
            found.append(("*", None))
    return found


_LAMBDA_ARGUMENT = re.compile(r"\(\s*lambda\b")


def _wrappers(text: str, defined: set[str]) -> list[tuple[str, str | None]]:
    """(root, callee) of each call given one of `defined` (a def or class of the file) as its
    one argument: `name(f)`, `name.attr(f)`, `name(**options)(f)` (the root of `a.name(f)` is
    `a`); ("*", None) for a callee not read (`x[0](f)`, `f(g(1))(h)`). Found from the `(f)`s,
    which a search finds fast, then read backwards."""
    found = []
    for start, name in one_name_arguments(text):  # (`(f)`, `(\n    f,\n)`, with comments)
        if name in defined:
            root = _ROOT_BEFORE.search(text, max(0, start - 200), start)
            found.append((root[1], root[0]) if root else ("*", None))
    return found
