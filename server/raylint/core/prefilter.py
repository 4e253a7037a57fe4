"""Which files a rule can apply to at all, from their text: most are never parsed.

Each rule names the words a file must reach for it to find anything (`Rule.needs`): RAY001
needs a task and a put, and every way to make a task spells `remote`, every way to reach
ray.put spells `put`: in the file itself (`@ray.remote`, `from ray import put as store`) or
in a workspace module it imports (a re-export). A file that reaches a needed word neither
itself nor through its imports cannot have a finding of that rule. An installed package (not
the workspace's, not Ray) may re-export Ray's API too, which only jedi can tell: such a
package counts when it imports Ray (for `remote`: when the file also uses one of its names
as a decorator or to wrap a def).

Two words are read more closely, since nearly every module of a Ray project reaches them
through its imports. `remote` (a task or actor defined in the file): a file that does not
spell it reaches it only through the modules it imports its decorators and wrappers from.
An `InFile` word (`InFile("remote")`: a `.remote(...)` submission the rule looks at) must be
spelled by the file itself.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
import unicodedata

from raylint.core.names import ExternalResolver, ModuleIndex
from raylint.core.rule import InFile
from raylint.core.tasks import definitions, one_name_arguments

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
_COMMENT = re.compile(r"#[^\n]*")
ANY_STAR_IMPORT = re.compile(r"import[\s\\(]*\*")  # (a star import however it is split: a few too many)
# (see `_may_assign`; after `)`, a `:` counts only with an `=` after it on its line, as in
# `(name): T = value`, or 200 characters on it without one: `def f(self):` is everywhere; the
# look ahead is bounded, or a long line of `x):` would be read to its end at every `x`)
_ASSIGNS_AFTER = re.compile(r"[\s\\]*(?::|=(?!=))|[\s\\]*\)[\s\\)]*(?:=(?!=)|:(?![^\n=]{0,200}(?:\n|$)))")
_DEFINES_BEFORE = re.compile(r"(?<![\w.])(?:def|class)[ \t]+$")
# (a decorator where only blanks are before it on its line; `@(name)`, `@ \<newline> name`)
_AT_NAME = re.compile(r"@[\s(\\]*(\w+)")
# (two patterns that start with a word, which the regex engine searches fast; a few names too many)
_DEFINED_WORDS = (re.compile(r"def[ \t]+(?=(\w+))"), re.compile(r"class[ \t]+(?=(\w+))"))
# What is called with `(f)`, ending where `(f)` starts: `name`, `name.attr`, `name(**options)`,
# blanks between (each piece matches one way only)
_ROOT_BEFORE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?:\s*\.\s*\w+)*(?:\s*\([^()]*\))?\s*$")


def may_have_findings(
    text: str, path: str, index: ModuleIndex, externals: ExternalResolver | None, needs: tuple
) -> bool:
    """Does the file reach every word of `needs` (each a word or a tuple of alternatives)?
    False only when a rule that needs them certainly finds nothing in it."""
    return _File(text, path, index, externals).reaches_all(needs)


def may_apply(text: str, path: str, index: ModuleIndex, externals, rules, known: dict | None = None) -> list:
    """The rules of `rules` that may find something in the file. `known`: what was learnt of
    the other files for an earlier text of this one, while they have not changed (a document
    being typed in: the modules its imports name are not looked up and read again)."""
    file = _File(text, path, index, externals, known)
    return [rule for rule in rules if file.reaches_all(rule.needs)]


class _File:
    """One file's text as the prefilter reads it; what it learns (its imports, the words it
    reaches) serves every rule asked about."""

    def __init__(self, text: str, path: str, index: ModuleIndex, externals: ExternalResolver | None, known: dict | None = None):
        self.text, self.path, self.index, self.externals = text, path, index, externals
        self.known = known  # (see `may_apply`)
        self._reaches: dict[tuple, bool] = {}
        self._imports: list | None = None
        self._imported: list[str] | None = None
        self._outside: dict[str, str] | None = None
        self._from_outside: dict[str, bool] = {}
        self._defined: set[str] | None = None
        self._roots: set[str] | None = None

    def reaches_all(self, needs: tuple) -> bool:
        groups = [(need,) if isinstance(need, str) else tuple(need) for need in needs]
        # first the words that must be in the file (cheap), then the ones followed through imports
        for group in groups:
            if all(isinstance(word, InFile) for word in group) and not any(spells(self.text, word) for word in group):
                return False
        for group in groups:
            if not any(self.reaches(word) for word in group) and not self.outside_reaches(group):
                return False
        return True

    def reaches(self, word: str) -> bool:
        """Does the file, or a workspace file it imports (transitively), spell `word`? For
        `remote`: a workspace file it imports one of its definers from (see `_definers`).
        A word `InFile` must be spelled by the file itself."""
        key = (word, isinstance(word, InFile))  # (an InFile word equals its plain word)
        found = self._reaches.get(key)
        if found is None:
            if spells(self.text, word):
                found = True
            elif isinstance(word, InFile):
                found = False
            else:
                files = self._definer_files() if word == "remote" else self.imported()
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
        if self._roots is None:
            defined = self.defined()
            self._roots = _decorator_roots(self.text) | (_wrapper_roots(self.text, defined) if defined else set())
        return self._roots

    def _definer_files(self) -> list[str]:
        """The workspace files the file imports the names it may make tasks with from: a
        file that does not spell `remote` makes a task or actor only with a name it imports
        (`from .cluster import gpu_task`), used as a decorator (`@gpu_task`, `@cluster.task`)
        or called with one of its defs (`gpu_task(f)`), directly or through a module-level
        assignment (`gpu = cluster.factory(num_gpus=1)`) or a def of the file (what its body
        names counts). With a star import, every import counts."""
        text = self.text
        if ANY_STAR_IMPORT.search(text):  # (its names are not in the text: any may be a definer)
            return self.imported()
        defined = self.defined()
        definers = set(self.definer_roots())
        if not definers:
            return []
        imports = self.imports()
        bound = {name for _, _, name, _ in imports if name}
        assigned = whole = None
        definitions = None
        todo, definers = list(definers), set()
        while todo:
            name = todo.pop()
            if name in definers:
                continue
            read = set()
            if name not in bound:  # what its assignments (`gpu = cluster.task`) and defs read
                assigned = _assignments(text) if assigned is None else assigned
                values = assigned.get(name, ())
                if not all(map(_whole_value, values)):  # (few: `gpu = (`, `gpu = \\`)
                    whole = _whole_assignments(text) if whole is None else whole
                    values = whole[name]
                read.update(n for value in values if value is not None for n in _NAME.findall(value))
                if (not values or None in values) and _may_assign(text, name):
                    # assigned in a way the reader does not see (`a = gpu = x`, `(gpu) = x`, a
                    # value that does not end): whatever the file imports may be in it
                    read.update(bound)
                if name in defined:
                    definitions = _definition_texts(text) if definitions is None else definitions
                    read.update(_NAME.findall(_definition_text(text, definitions.get(name, []))))
                if not read:
                    continue  # a builtin, a parameter: nothing imported
            definers.add(name)
            todo.extend(n for n in read if n not in definers and (n in bound or n in defined or n in assigned))
        chosen = [(m, level, name, imported) for m, level, name, imported in imports if name in definers]
        # `from pkg import task`: `task` may be a name of pkg (or a submodule)
        chosen += [(m, level, "", "") for m, level, name, imported in chosen if imported]
        return self._workspace_files(chosen)

    def imports(self) -> list:
        if self._imports is None:
            self._imports = _imports(self.text)
        return self._imports

    def imported(self) -> list[str]:
        if self._imported is None:
            index, path = self.index, self.path
            if index.snapshot:  # the file on disk is this text: its imports serve every importer
                self._imported = index.memo(path, "imports", lambda: _workspace_files(self.imports(), path, index))
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


def _decorator_roots(text: str) -> set[str]:
    """The first name of each decorator (`@name`, `@name.attr(...)`, `@(name)`)."""
    roots = set()
    for match in _AT_NAME.finditer(text):
        line = text.rfind("\n", 0, match.start()) + 1
        if not text[line : match.start()].strip(" \t\x0c"):
            roots.add(match[1])
    return roots


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


def _definition_texts(text: str) -> dict[str, list[tuple[int, int]]]:
    """Each name a `def` or `class` of the text defines (any depth), with the indentation and
    offset of each of its definitions."""
    found: dict[str, list[tuple[int, int]]] = {}
    for start, line, name in definitions(text):
        indent = len(line) - len(line.lstrip(" \t\x0c"))
        found.setdefault(name, []).append((indent, start))
    return found


def _definition_text(text: str, where: list[tuple[int, int]]) -> str:
    """The text of the definitions at `where`: each from its line to the next line of code
    indented no deeper."""
    return "\n".join(text[start : _block_end(text, start + 1, indent)] for indent, start in where)


_DEDENTED: dict[int, re.Pattern] = {}


def _block_end(text: str, at: int, indent: int) -> int:
    """Where the block whose header starts a line indented by `indent` ends: the start of the
    next line of code indented no deeper (or the end of the text)."""
    pattern = _DEDENTED.get(indent)
    if pattern is None:
        pattern = _DEDENTED[indent] = re.compile(rf"\n[ \t\x0c]{{0,{indent}}}(?=[^ \t\x0c\r\n#])")
    match = pattern.search(text, at)
    return match.start() if match else len(text)


def spells(text: str, word: str) -> bool:
    """Is `word` in `text` as a whole word? (str.find is many times faster than a regex.)"""
    at = text.find(word)
    while at != -1:
        end = at + len(word)
        if (at == 0 or not _is_name_char(text[at - 1])) and (end == len(text) or not _is_name_char(text[end])):
            return True
        at = text.find(word, end)
    return False


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _imports(text: str) -> list[tuple[str, int, str, str]]:
    """Each imported module and name, as (module, level, name it binds, name imported):
    `import a.b as c` → ("a.b", 0, "c", ""); `from .m import x as y` → ("m", 1, "", "") for the
    module itself, then ("m", 1, "y", "x"). Read from the import lines, or from the tokens
    where lines may be misread (`_UNSURE_IMPORT`; the lines again if it cannot be tokenized)."""
    if _may_misread(text):
        found = _tokenized_imports(text)
        if found is not None:
            return found
    return _line_imports(text)


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


def import_lookups(text: str, path: str, index: ModuleIndex) -> list[tuple[str, int, str | None]] | None:
    """Each module the file at `path` imports, as (module, level, its workspace file or
    None): modules, packages, and submodules named by `from`. Read from its import lines, or
    from its tokens where lines may be misread (None if it cannot be tokenized)."""
    if not _may_misread(text):
        return _lookups(_line_imports(text), path, index)
    found = _tokenized_imports(text)
    return None if found is None else _lookups(found, path, index)


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


def workspace_imports(text: str, path: str, index: ModuleIndex) -> list[str]:
    """The workspace files the file at `path` imports (kept per file by `index.memo(path,
    "imports", ...)`)."""
    return _workspace_files(_imports(text), path, index)


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
    return index.memo(path, ("may assign", name), lambda: _may_assign(text, name))


def _import_bound_names(text: str) -> frozenset[str] | None:
    """The names the import statements of `text` bind (anywhere; "*" for a star import), or
    None when they cannot be read for sure."""
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
        if (
            (at == 0 or not (_is_name_char(text[at - 1]) or text[at - 1] == "."))
            and (end == len(text) or not _is_name_char(text[end]))
            and _ASSIGNS_AFTER.match(text, end) is not None
            and _DEFINES_BEFORE.search(text, max(0, at - 16), at) is None
        ):
            return True
        at = text.find(name, end)
    return False


def _reaches(files: list[str], word: str, index: ModuleIndex) -> bool:
    """Does any of `files`, or a workspace file they import (transitively), spell `word`?"""
    known = index.reaches if index.snapshot else {}
    # (each of `files` on its own, so that its answer is kept, True too: the files of a
    # project import the same few modules, whose imports were searched again for each)
    spelled = lambda path: index.memo(path, word, lambda: spells(index.text(path) or "", word))  # noqa: E731
    return any(_transitively(start, word, spelled, index, known) for start in files)


def may_lead_to_ray(path: str, index: ModuleIndex, externals: ExternalResolver | None) -> bool:
    """May a name of the workspace module at `path` stand for one of Ray's? Not when neither
    it nor a workspace module it imports (transitively) spells `ray`, and none of them imports
    from an installed package that imports Ray: Ray's names come from an import of `ray`."""

    def leads(current: str) -> bool:
        text = index.text(current) or ""
        return index.memo(current, "ray", lambda: spells(text, "ray")) or externals is not None and index.memo(
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


def _wrapper_roots(text: str, defined: set[str]) -> set[str]:
    """The names called with one of `defined` (a def or class of the file) as their one
    argument: `name(f)`, `name.attr(f)`, `name(**options)(f)` (the root of `a.name(f)` is
    `a`). Found from the `(f)`s, which a search finds fast, then read backwards."""
    roots = set()
    for start, name in one_name_arguments(text):  # (`(f)`, `(\n    f,\n)`, with comments)
        if name in defined:
            root = _ROOT_BEFORE.search(text, max(0, start - 200), start)
            if root:
                roots.add(root[1])
    return roots
