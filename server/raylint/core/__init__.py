"""The analysis core: source text in, findings with their fixes out.

Both the command line and the language server call `analyze`; nothing here knows about
terminals or LSP, or about any rule by name: the rules to run come in a `Config` (every
registered rule by default, see `raylint.rules`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from types import MappingProxyType
from typing import Callable, Mapping, Sequence

from raylint.core.callers import CallerSearch
from raylint.core.model import Analysis, Applicability, CallerChange, Edit, Finding, Fix, Position, Problem, Range
from raylint.core.names import ExternalResolver, ModuleIndex, ModuleInfo, Resolver, disk_stamp, read_disk
from raylint.core.noqa import unsuppressed
from raylint.core.prefilter import may_apply
from raylint.core.rule import Checked, Rule
from raylint.core.source import SourceText, parse


@dataclass(frozen=True)
class Config:
    """Which rules run, and their options (by key: `generator-style`). Hashable: it is part
    of what an analysis depends on."""

    rules: tuple[Rule, ...] = ()
    options: tuple[tuple[str, object], ...] = ()

    @staticmethod
    def make(rules: Sequence[Rule] | None = None, options: Mapping[str, object] | None = None) -> Config:
        """`rules` (None: every registered rule) with `options` over their defaults."""
        if rules is None:
            from raylint.rules import RULES  # the registry, which imports the rules

            rules = RULES
        values = {option.key: option.default for rule in rules for option in rule.options}
        values.update(options or {})
        return Config(tuple(rules), tuple(sorted(values.items())))

    @property
    def option_values(self) -> Mapping[str, object]:
        return MappingProxyType(dict(self.options))

    def only(self, codes) -> Config:
        """This configuration with only the rules of `codes`."""
        return Config(tuple(r for r in self.rules if r.code in codes), self.options)


_DEFAULT: list[Config] = []


def default_config() -> Config:
    if not _DEFAULT:
        _DEFAULT.append(Config.make())
    return _DEFAULT[0]


def analyze(
    text: str,
    path: str,
    config: Config | None = None,
    *,
    index: ModuleIndex | None = None,
    externals: ExternalResolver | None = None,
) -> Analysis:
    """Run the configured rules over one file's text. Never raises on any input text."""
    return analyze_module(text, path, config, index=index, externals=externals)[0]


def analyze_module(
    text: str,
    path: str,
    config: Config | None = None,
    *,
    index: ModuleIndex | None = None,
    externals: ExternalResolver | None = None,
    parsed: ModuleInfo | None = None,
    memory: dict | None = None,
) -> tuple[Analysis, Resolver | None]:
    """`analyze`, with the resolver of the parsed module (None if the file was not parsed),
    for callers that build on the tree (`DocumentAnalyzer`). `parsed`: this text already
    parsed (by an earlier step of the run), so that it is not parsed again. `memory`: each
    rule's notes about the document (by code), kept between analyses of it."""
    config = config if config is not None else default_config()
    result = Analysis(path)
    index = index if index is not None else ModuleIndex()
    rules = may_apply(text, path, index, externals, config.rules)
    if not rules:
        return result, None
    if parsed is not None and parsed.syntax_errors is not None and _same_text(parsed.source.text, text):
        module = parsed
        source, tree, syntax_errors = module.source, module.tree, module.syntax_errors
    else:
        source = SourceText(text)
        tree, syntax_errors = parse(source)
        module = ModuleInfo(path, source, tree, syntax_errors) if tree is not None else None
    for line, message in syntax_errors:
        where = Range(Position(line, 0), Position(line, len(source.line(line))))
        rest = "checked the rest" if tree is not None else "nothing else checked"
        result.problems.append(Problem(path, f"syntax error: {message} (line {line + 1}); {rest}", where))
    if module is None:
        return result, None
    resolver = Resolver(module, index, externals)
    result.findings, problem = run_rules(rules, resolver, path, config, memory=memory)
    if problem:
        result.problems.append(Problem(path, problem))
    return result, resolver


def run_rules(
    rules: Sequence[Rule], resolver: Resolver, path: str, config: Config, statements=None, known=None, memory=None
) -> tuple[list[Finding], str]:
    """The findings of `rules` in the module (in `statements` only, if given), `# noqa`
    applied, in source order; and a problem if a rule could not finish."""
    findings: list[Finding] = []
    known = {} if known is None else known
    memory = {} if memory is None else memory
    problem = ""
    for rule in rules:
        checked = Checked(path, resolver, config.option_values, statements, known, memory.setdefault(rule.code, {}))
        try:
            findings.extend(rule.check(checked))
        except RecursionError:
            problem = "code nested too deeply to analyze"
    findings.sort(key=lambda f: (f.range.start, f.code))
    return unsuppressed(findings, resolver.module.source), problem



def _same_text(a: str, b: str) -> bool:
    return a is b or a == b


class ParsedOnce(ModuleIndex):
    """A ModuleIndex that hands the modules it parsed to `analyze_module` (`parsed(path,
    text)`), and is handed the modules `analyze_module` parsed (`adopt`): each text is parsed
    once in a run, however many steps (analysis, caller search, fix rounds) read it. A module
    is used only while the file still holds its very text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._parsed: dict[str, ModuleInfo] = {}

    def adopt(self, module: ModuleInfo) -> None:
        self._parsed[module.path] = module

    def parsed(self, path: str, text: str) -> ModuleInfo | None:
        """The module of `text` at `path`, if it was parsed already."""
        known = self._parsed.get(self.absolute(path))
        return known if known is not None and _same_text(known.source.text, text) else None

    def modules(self) -> list[ModuleInfo]:
        """Every module parsed or adopted so far."""
        return list(self._parsed.values())

    def module(self, path: str) -> ModuleInfo | None:
        path = self.absolute(path)
        known = self._parsed.get(path)
        if known is not None:
            text = self.text(path)
            if text is not None and _same_text(known.source.text, text):
                return known
        found = super().module(path)
        if found is not None:
            self._parsed[path] = found
        return found


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
    chosen: set[Fix] = set()
    # the edits taken, by file and line: an edit is compared only with those on its lines
    # (two edits at the same place share a line; all against all was quadratic in a module
    # with thousands of findings)
    touched: dict[tuple[str, int], list[Range]] = {}
    for finding in findings:
        if not finding.fixes:
            continue
        fix = finding.fixes[0]
        if fix in chosen or fix.display_only or not (fix.safe or unsafe):
            continue
        places = [(os.path.abspath(e.path), e.range) for e in fix.edits]
        if any(_same_place(r, t) for path, r in places for line in _lines(r) for t in touched.get((path, line), ())):
            continue
        taken.append(fix)
        chosen.add(fix)
        for path, r in places:
            for line in _lines(r):
                touched.setdefault((path, line), []).append(r)
    return taken


def _lines(r: Range) -> range:
    return range(r.start.line, r.end.line + 1)


def _same_place(a: Range, b: Range) -> bool:
    return a.overlaps(b) or a == b


def fix_text(text: str, path: str, config: Config | None = None, rounds: int = 5, **options) -> tuple[str, Analysis]:
    """Apply one file's preferred fixes until none is left (like ruff, a few rounds at most).

    Edits to other files (callers) are not made here: see `fix_workspace`.
    """
    analysis = analyze(text, path, config, **options)
    for _ in range(rounds):
        fixes = choose_fixes(analysis.findings)
        if not fixes:
            break
        own = [e for fix in fixes for e in fix.edits if os.path.abspath(e.path) == os.path.abspath(path)]
        text = apply_edits(text, own)
        analysis = analyze(text, path, config, **options)
    return text, analysis


@dataclass
class WorkspaceFix:
    texts: dict[str, str]  # absolute path → new text, for every file changed
    before: dict[str, Analysis]  # the findings as they were, callers included
    after: dict[str, Analysis]  # what is left once the fixes are made
    # the files of each fix made (absolute paths): a fix is written whole or not at all
    linked: list[frozenset[str]] = field(default_factory=list)


def fix_workspace(
    paths: list[str],
    files: list[str],
    roots: list[str],
    *,
    read=read_disk,
    unsafe: bool = False,
    config: Config | Callable[[str], Config] | None = None,
    externals: ExternalResolver | None = None,
    rounds: int = 5,
    excluded: Mapping[str, str] | None = None,
    library: bool = False,
    parsed: list[ModuleInfo] = (),
) -> WorkspaceFix:
    """Fix `paths` and update the callers of each rewritten task anywhere in `files`.

    Works on texts in memory and writes nothing. Unsafe fixes (call sites to review) only
    if `unsafe`. With `rounds=0` it only finds the call sites of each finding's fixes.
    Call sites in `excluded` files (absolute paths, each with its reason) are
    never edited: they are to review.
    With `library`, every fix that changes what callers get is unsafe (callers may be elsewhere).
    `parsed`: modules already parsed (by the caller's own analysis of `paths`); each text is
    parsed once, here and in the caller search, and used only if the file still holds it.
    """
    texts: dict[str, str] = {}
    config_of = config if callable(config) else (lambda path: config)

    def current(path: str) -> str | None:
        path = os.path.abspath(path)
        return texts[path] if path in texts else read(path)

    def stamp(path: str):
        path = os.path.abspath(path)
        return ("edited", id(texts[path])) if path in texts else disk_stamp(path)

    index = ParsedOnce(roots, read=current, stamp=stamp)
    for module in parsed:
        module.facts.clear()  # learned with another index
        index.adopt(module)
    options = {"index": index, "externals": externals}
    history: list[dict[str, Analysis]] = []
    linked: list[frozenset[str]] = []
    for round_ in range(rounds + 1):
        search = CallerSearch(files, index, excluded, library)
        analyses = {}
        for path in paths:
            text = index.text(path)  # the index's copy: the search reads the same object
            if text is None:
                analysis = Analysis(path)
            else:
                analysis, resolver = analyze_module(text, path, config_of(path), parsed=index.parsed(path, text), **options)
                if resolver is not None:
                    index.adopt(resolver.module)
            analysis.findings = [search.with_callers(f) for f in analysis.findings]
            analyses[path] = analysis
        history.append(analyses)
        fixes = choose_fixes([f for a in analyses.values() for f in a.findings], unsafe)
        if round_ == rounds or not fixes:
            break
        linked.extend(frozenset(os.path.abspath(e.path) for e in fix.edits) for fix in fixes)
        by_path: dict[str, list[Edit]] = {}
        for edit in (e for fix in fixes for e in fix.edits):
            by_path.setdefault(os.path.abspath(edit.path), []).append(edit)
        for path, edits in by_path.items():
            texts[path] = apply_edits(current(path), edits)
    return WorkspaceFix(texts, history[0], history[-1], linked)


__all__ = [
    "Analysis",
    "Applicability",
    "CallerChange",
    "Config",
    "Rule",
    "default_config",
    "run_rules",
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
    "ParsedOnce",
    "analyze_module",
]
