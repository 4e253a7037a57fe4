"""The analysis core: source text in, findings with their fixes out.

Both the command line and the language server call `analyze`; nothing here knows about
terminals or LSP.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

from raylint.analysis import ray001
from raylint.analysis.model import Analysis, Edit, Finding, Fix, Position, Problem, Range
from raylint.analysis.callers import CallerSearch
from raylint.analysis.names import ExternalResolver, ModuleIndex, ModuleInfo, Resolver, disk_stamp, read_disk
from raylint.analysis.source import SourceText, parse
from raylint.analysis.tasks import _DEFINED_NAME

# A finding needs a task and a put. Every way to make a task spells `remote` and every way
# to reach ray.put spells `put`: in this file (`@ray.remote`, `from ray import put as store`)
# or in a workspace module it imports (a re-export). A file that reaches neither word through
# its imports is never parsed: most files of a Ray project, and nearly all of everyone else's.
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]+))",
    re.MULTILINE,
)

def analyze(
    text: str,
    path: str,
    *,
    generator_style: str = "streaming",
    index: ModuleIndex | None = None,
    externals: ExternalResolver | None = None,
) -> Analysis:
    """Find RAY001 in one file's text. Never raises on any input text."""
    return analyze_module(text, path, generator_style=generator_style, index=index, externals=externals)[0]


def analyze_module(
    text: str,
    path: str,
    *,
    generator_style: str = "streaming",
    index: ModuleIndex | None = None,
    externals: ExternalResolver | None = None,
) -> tuple[Analysis, Resolver | None]:
    """`analyze`, with the resolver of the parsed module (None if the file was not parsed),
    for callers that build on the tree (`DocumentAnalyzer`)."""
    result = Analysis(path)
    index = index if index is not None else ModuleIndex()
    if not _may_have_findings(text, path, index, externals):
        return result, None
    source = SourceText(text)
    tree, syntax_errors = parse(source)
    for line, message in syntax_errors:
        where = Range(Position(line, 0), Position(line, len(source.line(line))))
        result.problems.append(Problem(path, f"syntax error: {message} (line {line + 1}); checked the rest", where))
    if tree is None:
        return result, None
    resolver = Resolver(ModuleInfo(path, source, tree), index, externals)
    try:
        result.findings = ray001.check(resolver, path, generator_style)
    except RecursionError:
        result.problems.append(Problem(path, "code nested too deeply to analyze"))
    return result, resolver


def _may_have_findings(text: str, path: str, index: ModuleIndex, externals: ExternalResolver | None = None) -> bool:
    """Can this file hold a task that returns a put? False only when it certainly cannot."""
    spells_remote, spells_put = spells(text, "remote"), spells(text, "put")
    if spells_remote and spells_put:
        return True
    if index.snapshot:  # the file on disk is this text: its imports serve every importer
        imported = index.memo(path, "imports", lambda: _imported_files(text, path, index))
    else:
        imported = _imported_files(text, path, index)
    # An installed package (not the workspace's, not Ray) that imports Ray may re-export
    # ray.remote or ray.put: only jedi can tell, so such files are analysed when they use an
    # imported decorator. (Without `externals`, jedi is not asked: such names mean nothing.)
    if not (spells_remote or _reaches(imported, "remote", index) or _may_decorate_with_installed(text, path, index, externals)):
        return False
    if spells_put or _reaches(imported, "put", index):
        return True
    return externals is not None and bool(_installed_names(text, path, index, externals))


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


def _imported_files(text: str, path: str, index: ModuleIndex) -> list[str]:
    """The workspace files `text` imports: modules, packages, and submodules named by `from`."""
    files = []
    for match in _IMPORT.finditer(text):
        if match.group(3) is not None:  # import a.b, c as d
            modules = [(name, 0) for name in _names(match.group(3))]
        else:
            dotted = match.group(1)
            level = len(dotted) - len(dotted.lstrip("."))
            base = dotted.lstrip(".")
            modules = [(base, level)] + [(f"{base}.{n}" if base else n, level) for n in _names(match.group(2))]
        for module, level in modules:
            if not level and module.split(".")[0] == "ray":
                continue  # Ray's names are known by name (`ray.put`), never followed into files
            found = index.find(module, path, level)
            if found is not None:
                files.append(found)
    return files


def _names(listed: str) -> list[str]:
    """`a.b as c, d` → ["a.b", "d"] (parentheses and line breaks allowed)."""
    names = []
    for item in listed.strip().strip("()").replace("\\", " ").split(","):
        name = item.split(" as ")[0].strip()
        if name and name != "*":
            names.append(name)
    return names


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
        stack.extend(index.memo(path, "imports", lambda: _imported_files(index.text(path) or "", path, index)))
    # everything reachable from `files` was visited: none of it can reach the word
    for path in seen:
        known[(path, word)] = False
    return False


def _installed_names(text: str, path: str, index: ModuleIndex, externals: ExternalResolver) -> set[str]:
    """The names the file binds by importing from installed packages that import Ray."""
    candidates = _imported_from_outside(text, path, index)
    return {name for name, module in candidates.items() if externals.imports_ray(module.split(".")[0])}


def _imported_from_outside(text: str, path: str, index: ModuleIndex) -> dict[str, str]:
    """The names the file binds by importing from modules outside the standard library, Ray
    and the workspace, with their module: `import pkg` binds `pkg`, `from pkg import a as b`
    binds `b`."""
    bound: dict[str, str] = {}
    for match in _IMPORT.finditer(text):
        if match.group(3) is not None:
            pairs = []
            for item in match.group(3).split(","):
                module, _, alias = item.strip().partition(" as ")
                pairs.append((module.strip(), alias.strip() or module.strip().split(".")[0]))
        else:
            if match.group(1).startswith("."):
                continue
            pairs = []
            for item in match.group(2).strip().strip("()").replace("\\", " ").split(","):
                name, _, alias = item.strip().partition(" as ")
                if name.strip() and name.strip() != "*":
                    pairs.append((match.group(1), alias.strip() or name.strip()))
        for module, name in pairs:
            if _outside(module, path, index):
                bound[name] = module
    return bound


def _outside(module: str, path: str, index: ModuleIndex) -> bool:
    top = module.split(".")[0]
    return bool(top) and top != "ray" and top not in sys.stdlib_module_names and index.find(module, path) is None


def _may_decorate_with_installed(text: str, path: str, index: ModuleIndex, externals) -> bool:
    """Is a name imported from an installed package (one that imports Ray) used as a decorator
    (`@name`, `@name.attr(...)`) or to wrap (`name(f)`, `name(**options)(f)`)? Only packages
    whose names are used that way are looked into."""
    if externals is None:
        return False
    candidates = _imported_from_outside(text, path, index)
    if not candidates:
        return False
    used = candidates.keys() & set(_DECORATOR_ROOT.findall(text))
    defined = set(_DEFINED_NAME.findall(text)) if len(used) < len(candidates) else set()
    used |= {name for name in candidates.keys() - used if defined and _wraps(text, name, defined)}
    return any(externals.imports_ray(candidates[name].split(".")[0]) for name in used)


def _wraps(text: str, name: str, defined: set[str]) -> bool:
    """Is `name` called with one of the file's defs or classes (`name(f)`, `name(**o)(f)`)?"""
    at = text.find(name)
    while at != -1:
        if at == 0 or not _is_name_char(text[at - 1]):
            match = _WRAP_CALL_AFTER_NAME.match(text, at + len(name))
            if match and match[1] in defined:
                return True
        at = text.find(name, at + len(name))
    return False


# what follows `name` in `name(f)`, `name.attr(f)`, `name(**options)(f)`
_WRAP_CALL_AFTER_NAME = re.compile(r"(?:\.\w+)*(?:\([^()]*\))?\(\s*(\w+)\s*\)")
_DECORATOR_ROOT = re.compile(r"^[ \t]*@[ \t]*(\w+)", re.MULTILINE)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits to `text` (positions as the core gives them)."""
    source = SourceText(text)
    pieces, cursor = [], 0
    for edit in sorted(set(edits), key=lambda e: (e.range.start, e.range.end)):
        start, end = source.offset(edit.range.start), source.offset(edit.range.end)
        if start < cursor:
            raise ValueError(f"overlapping edits at {edit.range.start}")
        pieces.append(text[cursor:start])
        pieces.append(edit.new_text)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def choose_fixes(findings: list[Finding], unsafe: bool = True) -> list[Fix]:
    """The preferred fix of each finding, without any two that touch the same text.

    Findings of one function share function-wide fixes: those are taken once. A fix that
    overlaps one already taken waits for the next round. Unsafe fixes only if `unsafe`.
    """
    taken: list[Fix] = []
    touched: list[Edit] = []
    for finding in findings:
        if not finding.fixes:
            continue
        fix = finding.fixes[0]
        if fix in taken or not (fix.safe or unsafe):
            continue
        if any(_same_place(e, t) for e in fix.edits for t in touched):
            continue
        taken.append(fix)
        touched.extend(fix.edits)
    return taken


def _same_place(a: Edit, b: Edit) -> bool:
    if os.path.abspath(a.path) != os.path.abspath(b.path):
        return False
    return a.range.overlaps(b.range) or a.range == b.range


def fix_text(text: str, path: str, rounds: int = 5, **options) -> tuple[str, Analysis]:
    """Apply one file's preferred fixes until none is left (like ruff, a few rounds at most).

    Edits to other files (callers) are not made here: see `fix_workspace`.
    """
    analysis = analyze(text, path, **options)
    for _ in range(rounds):
        fixes = choose_fixes(analysis.findings)
        if not fixes:
            break
        own = [e for fix in fixes for e in fix.edits if os.path.abspath(e.path) == os.path.abspath(path)]
        text = apply_edits(text, own)
        analysis = analyze(text, path, **options)
    return text, analysis


@dataclass
class WorkspaceFix:
    texts: dict[str, str]  # absolute path → new text, for every file changed
    before: dict[str, Analysis]  # the findings as they were, callers included
    after: dict[str, Analysis]  # what is left once the fixes are made


def fix_workspace(
    paths: list[str],
    files: list[str],
    roots: list[str],
    *,
    read=read_disk,
    unsafe: bool = False,
    generator_style: str = "streaming",
    externals: ExternalResolver | None = None,
    rounds: int = 5,
    excluded: frozenset[str] = frozenset(),
) -> WorkspaceFix:
    """Fix `paths` and update the callers of each rewritten task anywhere in `files`.

    Works on texts in memory and writes nothing. Unsafe fixes (call sites to review) only
    if `unsafe`. With `rounds=0` it only finds the call sites of each finding's fixes.
    Call sites in `excluded` files (absolute paths) are never edited: they are to review.
    """
    texts: dict[str, str] = {}

    def current(path: str) -> str | None:
        path = os.path.abspath(path)
        return texts[path] if path in texts else read(path)

    def stamp(path: str):
        path = os.path.abspath(path)
        return ("edited", id(texts[path])) if path in texts else disk_stamp(path)

    index = ModuleIndex(roots, read=current, stamp=stamp)
    options = {"generator_style": generator_style, "index": index, "externals": externals}
    history: list[dict[str, Analysis]] = []
    for round_ in range(rounds + 1):
        search = CallerSearch(files, index, generator_style, excluded)
        analyses = {}
        for path in paths:
            text = current(path)
            analysis = analyze(text, path, **options) if text is not None else Analysis(path)
            analysis.findings = [search.with_callers(f) for f in analysis.findings]
            analyses[path] = analysis
        history.append(analyses)
        fixes = choose_fixes([f for a in analyses.values() for f in a.findings], unsafe)
        if round_ == rounds or not fixes:
            break
        by_path: dict[str, list[Edit]] = {}
        for edit in (e for fix in fixes for e in fix.edits):
            by_path.setdefault(os.path.abspath(edit.path), []).append(edit)
        for path, edits in by_path.items():
            texts[path] = apply_edits(current(path), edits)
    return WorkspaceFix(texts, history[0], history[-1])


__all__ = [
    "Analysis",
    "Edit",
    "ExternalResolver",
    "Finding",
    "Fix",
    "ModuleIndex",
    "Position",
    "Problem",
    "Range",
    "analyze",
    "apply_edits",
    "choose_fixes",
    "fix_text",
    "fix_workspace",
    "WorkspaceFix",
    "CallerSearch",
]
