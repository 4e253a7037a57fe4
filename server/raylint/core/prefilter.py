"""Which files a rule can apply to at all, from their text: most are never parsed.

Each rule names the words a file must reach for it to find anything (`Rule.needs`): RAY001
needs a task and a put, and every way to make a task spells `remote`, every way to reach
ray.put spells `put`: in the file itself (`@ray.remote`, `from ray import put as store`) or
in a workspace module it imports (a re-export). A file that reaches a needed word neither
itself nor through its imports cannot have a finding of that rule. An installed package (not
the workspace's, not Ray) may re-export Ray's API too, which only jedi can tell: such a
package counts when it imports Ray (for `remote`: when the file also uses one of its names
as a decorator or to wrap a def).
"""

from __future__ import annotations

import re
import sys

from raylint.core.names import ExternalResolver, ModuleIndex
from raylint.core.tasks import DEFINED_NAME

# Each piece matches one way only (dots, then a name that starts with a letter; a parenthesis
# closes before the next one opens), so a hostile line costs linear time, not quadratic.
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*(?:\w[\w.]*)?)[ \t]+import[ \t]*(\([^()]*\)|[^\n#;]*)|import[ \t]+([^\n#;]+))",
    re.MULTILINE,
)
_DECORATOR_ROOT = re.compile(r"^[ \t]*@[ \t]*(\w+)", re.MULTILINE)
# what follows `name` in `name(f)`, `name.attr(f)`, `name(**options)(f)`
_WRAP_CALL_AFTER_NAME = re.compile(r"(?:\.\w+)*(?:\([^()]*\))?\(\s*(\w+)\s*\)")


def may_have_findings(
    text: str, path: str, index: ModuleIndex, externals: ExternalResolver | None, needs: tuple
) -> bool:
    """Does the file reach every word of `needs` (each a word or a tuple of alternatives)?
    False only when a rule that needs them certainly finds nothing in it."""
    return _File(text, path, index, externals).reaches_all(needs)


def may_apply(text: str, path: str, index: ModuleIndex, externals, rules) -> list:
    """The rules of `rules` that may find something in the file."""
    file = _File(text, path, index, externals)
    return [rule for rule in rules if file.reaches_all(rule.needs)]


class _File:
    """One file's text as the prefilter reads it; what it learns (its imports, the words it
    reaches) serves every rule asked about."""

    def __init__(self, text: str, path: str, index: ModuleIndex, externals: ExternalResolver | None):
        self.text, self.path, self.index, self.externals = text, path, index, externals
        self._reaches: dict[str, bool] = {}
        self._imports: list | None = None
        self._imported: list[str] | None = None
        self._outside: dict[str, str] | None = None
        self._from_outside: dict[str, bool] = {}

    def reaches_all(self, needs: tuple) -> bool:
        for need in needs:
            group = (need,) if isinstance(need, str) else tuple(need)
            if not any(self.reaches(word) for word in group) and not self.outside_reaches(group):
                return False
        return True

    def reaches(self, word: str) -> bool:
        """Does the file, or a workspace file it imports (transitively), spell `word`?"""
        found = self._reaches.get(word)
        if found is None:
            found = self._reaches[word] = spells(self.text, word) or _reaches(self.imported(), word, self.index)
        return found

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
                self._imported = _workspace_files(self.imports(), path, index)
        return self._imported

    def outside_reaches(self, group: tuple) -> bool:
        """May an installed package (not the workspace's, not Ray) give the file a word of
        `group`? Without `externals` jedi is not asked, and such names mean nothing."""
        if self.externals is None:
            return False
        kind = "remote" if "remote" in group else "any"
        if kind not in self._from_outside:
            if self._outside is None:
                self._outside = _from_outside(self.imports(), self.path, self.index)
            if kind == "remote":
                found = _decorates_or_wraps(self.text, self._outside, self.externals)
            else:
                found = any(self.externals.imports_ray(module.split(".")[0]) for module in self._outside.values())
            self._from_outside[kind] = found
        return self._from_outside[kind]


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
    module itself, then ("m", 1, "y", "x")."""
    found = []
    for match in _IMPORT.finditer(text):
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


def _listed(items: str) -> list[tuple[str, str]]:
    """`a.b as c, d` → [("a.b", "c"), ("d", "")] (parentheses and line breaks allowed)."""
    pairs = []
    for item in items.strip().strip("()").replace("\\", " ").split(","):
        name, _, alias = item.strip().partition(" as ")
        if name.strip() and name.strip() != "*":
            pairs.append((name.strip(), alias.strip()))
    return pairs


def workspace_imports(text: str, path: str, index: ModuleIndex) -> list[str]:
    """The workspace files the file at `path` imports, read from the import lines of its text
    (kept per file by `index.memo(path, "imports", ...)`)."""
    return _workspace_files(_imports(text), path, index)


def _workspace_files(imports, path: str, index: ModuleIndex) -> list[str]:
    """The workspace files imported: modules, packages, and submodules named by `from`."""
    files = []
    for module, level, _, name in imports:
        dotted = f"{module}.{name}" if module and name else module or name
        if not level and (not dotted or dotted.split(".")[0] == "ray"):
            continue  # Ray's names are known by name (`ray.put`), never followed into files
        found = index.find(dotted, path, level)
        if found is not None:
            files.append(found)
    return files


def _reaches(files: list[str], word: str, index: ModuleIndex) -> bool:
    """Does any of `files`, or a workspace file they import (transitively), spell `word`?"""
    known = index.reaches if index.snapshot else {}
    seen: set[str] = set()
    stack = list(files)
    while stack:
        path = stack.pop()
        if path in seen or known.get((path, word)) is False:
            continue
        seen.add(path)
        if index.memo(path, word, lambda: spells(index.text(path) or "", word)):
            return True
        stack.extend(index.memo(path, "imports", lambda: _workspace_files(_imports(index.text(path) or ""), path, index)))
    # everything reachable from `files` was visited: none of it can reach the word
    for path in seen:
        known[(path, word)] = False
    return False


def _from_outside(imports, path: str, index: ModuleIndex) -> dict[str, str]:
    """The names bound by importing from outside the standard library, Ray and the workspace,
    with their module."""
    bound = {}
    for module, level, name, _ in imports:
        top = module.split(".")[0]
        if name and not level and top and top != "ray" and top not in sys.stdlib_module_names and index.find(module, path) is None:
            bound[name] = module
    return bound


def _decorates_or_wraps(text: str, outside: dict[str, str], externals: ExternalResolver | None) -> bool:
    """Is a name from an installed package that imports Ray a decorator's root (`@name`,
    `@name.attr(...)`) or called with a def of the file (`name(f)`, `name(**o)(f)`)? Only
    packages whose names are used that way are looked into."""
    if not outside:
        return False
    used = outside.keys() & set(_DECORATOR_ROOT.findall(text))
    defined = set(DEFINED_NAME.findall(text)) if len(used) < len(outside) else set()
    used |= {name for name in outside.keys() - used if defined and _wraps(text, name, defined)}
    return any(externals.imports_ray(outside[name].split(".")[0]) for name in used)


def _wraps(text: str, name: str, defined: set[str]) -> bool:
    at = text.find(name)
    while at != -1:
        # (not after a dot: `a.name(f)` is not the name, and `x.x.x...` is then read once)
        if at == 0 or not (_is_name_char(text[at - 1]) or text[at - 1] == "."):
            match = _WRAP_CALL_AFTER_NAME.match(text, at + len(name))
            if match and match[1] in defined:
                return True
        at = text.find(name, at + len(name))
    return False
