"""The analysis core: source text in, findings with their fixes out.

Both the command line and the language server call `analyze`; nothing here knows about
terminals or LSP.
"""

from __future__ import annotations

import os
import re

from raylint.analysis import ray001
from raylint.analysis.model import Analysis, Edit, Finding, Fix, Position, Problem, Range
from raylint.analysis.names import ExternalResolver, ModuleIndex, ModuleInfo, Resolver
from raylint.analysis.source import SourceText, parse

# Every way to reach ray.put spells `put` somewhere: in this file (`ray.put`, `from ray
# import put as store`) or in a workspace module it imports (a re-export).
_PUT_WORD = re.compile(r"\bput\b")
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import|import[ \t]+([\w.]+))", re.MULTILINE)


def analyze(
    text: str,
    path: str,
    *,
    generator_style: str = "streaming",
    index: ModuleIndex | None = None,
    externals: ExternalResolver | None = None,
) -> Analysis:
    """Find RAY001 in one file's text. Never raises on any input text."""
    result = Analysis(path)
    index = index if index is not None else ModuleIndex()
    if not _PUT_WORD.search(text) and not _imports_put(text, path, index, set()):
        return result
    source = SourceText(text)
    tree, syntax_errors = parse(source)
    for line, message in syntax_errors:
        where = Range(Position(line, 0), Position(line, len(source.line(line))))
        result.problems.append(Problem(path, f"syntax error: {message} (line {line + 1}); checked the rest", where))
    if tree is None:
        return result
    resolver = Resolver(ModuleInfo(path, source, tree), index, externals)
    try:
        result.findings = ray001.check(resolver, path, generator_style)
    except RecursionError:
        result.problems.append(Problem(path, "code nested too deeply to analyze"))
    return result


def _imports_put(text: str, path: str, index: ModuleIndex, seen: set[str]) -> bool:
    """Does a workspace module this file imports (transitively) mention `put`?"""
    for match in _IMPORT.finditer(text):
        module = match.group(1) or match.group(2)
        level = len(module) - len(module.lstrip("."))
        found = index.find(module.lstrip("."), path, level)
        if found is None or found in seen:
            continue
        seen.add(found)
        other = index.read(found) or ""
        if _PUT_WORD.search(other) or _imports_put(other, found, index, seen):
            return True
    return False


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


def choose_fixes(findings: list[Finding]) -> list[Fix]:
    """The preferred fix of each finding, without any two that touch the same text.

    Findings of one function share function-wide fixes: those are taken once. A fix
    that overlaps one already taken waits for the next round (see `fix_text`).
    """
    taken: list[Fix] = []
    ranges: list[Range] = []
    for finding in findings:
        if not finding.fixes:
            continue
        fix = finding.fixes[0]
        if fix in taken:
            continue
        if any(e.range.overlaps(r) or e.range == r for e in fix.edits for r in ranges):
            continue
        taken.append(fix)
        ranges.extend(e.range for e in fix.edits)
    return taken


def fix_text(text: str, path: str, rounds: int = 5, **options) -> tuple[str, Analysis]:
    """Apply preferred fixes until none is left (like ruff, a few rounds at most)."""
    analysis = analyze(text, path, **options)
    for _ in range(rounds):
        fixes = choose_fixes(analysis.findings)
        if not fixes:
            break
        text = apply_edits(text, [edit for fix in fixes for edit in fix.edits])
        analysis = analyze(text, path, **options)
    return text, analysis


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
]
