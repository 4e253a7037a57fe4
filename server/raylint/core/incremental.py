"""Re-analysis of a document being edited: only the top-level statement an edit falls in,
or only the method of a class it falls in.

Three refinements for typing (see `DocumentAnalyzer.analyze`): with `complete=False` the rules
that read the whole module (`Rule.local` False) are not run on every keystroke: their last
findings are carried over (moved with the lines, without any the edits touched) until the
analysis is completed at a pause; a keystroke whose re-check would read more than
`DEFER_LINES` lines (in a long function, class body or literal; or, in a module that long,
one the whole module must be analysed again for: a syntax error, or another `context` since
another document was opened or edited) re-checks nothing: every
rule's last findings are carried over the same way (`_defer`), and the pause re-checks the
edits since, at once; and an edited `name = value` takes the old module's names with that
statement's swapped, instead of collecting them again.

An editor sends a new version of the document for every keystroke. Parsing a 10,000-line
module takes longer than the whole latency budget, yet a keystroke inside one function can
only change that function's findings. `DocumentAnalyzer` re-parses the edited top-level
statement alone, splices it into the previous tree (moving the later statements' line
numbers if lines were added or removed), re-checks that statement with the rules whose
findings are local to their statement (`Rule.local`), re-checks the spliced module with the
others, and keeps the other findings (moved the same way).

It falls back to a full `analyze()` whenever the edit could change anything outside that
statement: an edit across statements, a syntax error, a renamed def or class, a plain
statement that imports, defines, or binds a name differently or to anything of Ray; a
statement that makes a definition remote (`ray.remote(f)`), sets `.options(...)`, calls a
private actor method through `.remote`, or declares `global`/`nonlocal`; an edit a rule says
reaches outside its statement (`Rule.reaches_outside`: for RAY001, a helper a task calls);
a change of which rules apply to the file; a finding whose
fix or explanation points into the edited statement from outside; a change of the file's
line end; a change of anything else the analysis read (the caller's `context`: other
documents, settings); a finding carried over whose text names a line ("the return at line
27") when lines are added or removed. The property tests check that both ways give the same
findings for random edits.

An edit inside a method (a def in the `body` of a top-level class, or of a class nested in
it: not under an `if` or a `try`, and not a def in a function, whose analysis reads the defs
in it: RAY001 asks whether a call between a put and the return may change a value) goes
further: only that def is parsed again, alone (its lines, with the blank and comment lines after it up
to its next sibling, in an `if 1:` put on the line before it), and spliced into copies of its
containers (the later nodes moved); the local rules check only it (a copy of the top-level
statement that holds just the path down to it, each copy opening its container's scope);
the findings that start in its lines are replaced. It takes the statement's way instead when
its new text is not one def of the same name, decorators, signature, line and column, or
holds anything more (a statement of the container typed after it); and the same conditions
as above, applied to the def's text, fall back: `global`/`nonlocal`, `.options`, a private
actor method called remotely, a rule's `reaches_outside`, a definition passed to a call, a
finding from outside pointing into the def. This asks more of a local rule than `Rule.local`
says: that its findings in a method depend on that method, its class's header and the names
it sees, not on the other methods (true of RAY001 and RAY002: the property tests compare
with full analyses; a new local rule that reads a class's other methods breaks it).
"""

from __future__ import annotations

import ast
import bisect
import copy
import re
from collections import Counter
from dataclasses import dataclass

from raylint.core import Config, analyze_module, default_config, run_rules
from raylint.core.model import Analysis, Finding, Position, Range
from raylint.core.names import ExternalResolver, ModuleIndex, ModuleInfo, Resolver, bound_names
from raylint.core.prefilter import may_apply
from raylint.core.source import SourceText, common_ends, first_line
from raylint.core.walk import children
from raylint.core.tasks import (
    DEFINED_NAME,
    one_name_arguments,
    remote_wrapped_names,
)

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# While typing, a keystroke whose re-check would read more lines than this (a long function,
# class body or literal; an edit the whole module must be analysed again for, in a module this
# long, such as a syntax error) is answered by `_defer`, and re-checked at the pause: about
# 5 ms of rules at 30 µs a line
DEFER_LINES = 150
# What, inside one definition, changes findings elsewhere (see the module docstring).
# (`global x` as a statement: where a statement may start, so that the word in a docstring,
# "the global row index", does not send every edit of a large class the long way)
_REACHES_OUTSIDE = re.compile(
    r"\.options\b|(?:^|[;:])[ \t]*(?:global|nonlocal)[ \t]+[A-Za-z_]|\._\w+\s*\.\s*(?:remote|options)\b", re.MULTILINE
)


class DocumentAnalyzer:
    """Analyses the successive texts of one document (the same path and settings)."""

    def __init__(self, path: str, config: Config | None = None, *, index=None, externals=None, defer_lines: int = DEFER_LINES):
        self.path = path
        self.config = config if config is not None else default_config()
        self.memory: dict = {}  # each rule's notes about the document (see Checked.memory)
        self.index: ModuleIndex = index if index is not None else ModuleIndex()
        self.externals: ExternalResolver | None = externals
        self._last: _State | None = None
        # a provisional analysis of a later text, made from `_last` without re-checking (see
        # `_defer`): the text, its context and its analysis
        self._ahead: _Ahead | None = None
        self.defer_lines = defer_lines
        self.deferred = 0  # how many keystrokes were answered by `_defer`
        self.reused = 0  # how many analyses took the short way (for tests and benchmarks)
        self.inner = 0  # how many of those re-parsed a method only (see `_update_inner`)
        self.full = 0  # how many were full analyses (the text parsed whole)

    def analyze(
        self, text: str, context: object = None, keep: bool = True, complete: bool = True, stop=None
    ) -> Analysis:
        """The analysis of `text`, as `analyze()` gives it. `context` stands for everything
        else the analysis read: when it differs from the previous call's, nothing is reused.
        `keep=False` does not keep this text's tree for the next call (it costs memory).

        `complete=False` (typing) may answer with a provisional analysis: the edited statement
        re-checked by the local rules, and the findings of the rules that read the whole
        module (`Rule.local` False) as the last complete analysis had them, moved with the
        lines, without any that touch what was edited since (`pending` is then True, and
        `analyze(text)` completes it); or, when the re-check would read more than
        `defer_lines` lines, nothing re-checked: every rule's findings carried over that way
        (`_defer`; every rule pending). `stop()`, called between the rules that read the whole
        module while completing, may give up (the analysis stays provisional)."""
        last = self._last
        ahead, self._ahead = self._ahead, None
        if last is not None and last.context == context and last.text == text:
            if complete and last.pending:
                self._complete(last, stop)
            return last.analysis
        edit = _edit(last.resolver.module.source, text) if last is not None and last.text != text else None
        typing = not complete and keep and edit is not None and self._may_defer()
        if typing and ahead is not None and (ahead.text, ahead.context) == (text, context):
            self._ahead = ahead
            return ahead.analysis
        if typing and last.context != context and last.resolver.module.source.line_count > self.defer_lines:
            # (another document opened, closed or edited: the whole analysis, at the pause)
            return self._defer(last, ahead, text, context, edit)
        if last is not None and last.context == context:
            if typing and _recheck_lines(last, *edit) > self.defer_lines:
                return self._defer(last, ahead, text, context, edit)
            try:  # (completing a deferred text: the local rules now, the others interruptibly)
                result = self._update(last, text, complete and ahead is None, stop, edit, typing)
            except (RecursionError, ValueError):
                result, last.damaged = None, True
            if result is not None:
                if complete and self._last.pending:
                    self._complete(self._last, stop)
                    result = self._last.analysis
                self.reused += 1
                if not keep:
                    if self._last is not None and self._last.pending:
                        self._complete(self._last, None)  # (nothing would complete it later)
                        result = self._last.analysis
                    self._last = None
                return result
            if typing and not last.damaged and last.resolver.module.source.line_count > self.defer_lines:
                return self._defer(last, ahead, text, context, edit)  # (a whole analysis: at the pause)
        self.memory = {}
        self.full += 1
        analysis, resolver = analyze_module(
            text, self.path, self.config, index=self.index, externals=self.externals, memory=self.memory
        )
        self._last = None
        if keep and resolver is not None and not analysis.problems:
            rules = may_apply(text, self.path, self.index, self.externals, self.config.rules, self.memory.setdefault("prefilter", {}), quick=True)
            self._last = _State(text, context, resolver, analysis, rules)
        return analysis

    @property
    def pending(self) -> frozenset[str]:
        """The codes of the rules whose findings in the last analysis are provisional (not run
        on its text: see `analyze`); empty once it is complete."""
        if self._ahead is not None:  # (every rule: nothing was checked)
            return frozenset(rule.code for rule in self.config.rules)
        last = self._last
        return last.pending if last is not None else frozenset()

    @property
    def kept(self) -> bool:
        """Is the last text's tree kept (the next analysis may re-check just an edit)?"""
        return self._last is not None

    def prepare(self) -> None:
        """Work out now what the first edit after a full analysis would otherwise (the names
        the text defines, what `ray.remote(f)` makes remote, the rules' notes on the module),
        so that the first keystroke costs what the later ones do (for a server, once the
        analysis is out)."""
        last = self._last
        if last is None:
            return
        last.defined()
        last.wrapped()
        for rule in last.rules:
            if rule.local and rule.reaches_outside:  # (an empty edit: memoizes, reaches nothing)
                rule.reaches_outside("", "", last.resolver, self.memory.setdefault(rule.code, {}))

    def forget(self) -> None:
        """Drop what was kept of the last text (its tree): the next analysis is a full one."""
        self._last = self._ahead = None

    def _complete(self, state: _State, stop) -> bool:
        """Run the rules that read the whole module over the state's tree (one at a time:
        `stop()` between them may give up); True once the state's analysis is complete."""
        whole: list[Finding] = []
        for rule in [r for r in state.rules if not r.local]:
            if stop is not None and stop():
                return False
            found, problem = run_rules([rule], state.resolver, self.path, self.config, None, {}, self.memory)
            if problem:  # as a full analysis tells it; and the next one starts afresh
                self.memory = {}
                state.analysis, _ = analyze_module(
                    state.text, self.path, self.config, index=self.index, externals=self.externals, memory=self.memory
                )
                state.pending = frozenset()
                if self._last is state:
                    self._last = None
                return True
            whole.extend(found)
        local = {rule.code for rule in state.rules if rule.local}
        findings = sorted([f for f in state.analysis.findings if f.code in local] + whole, key=lambda f: (f.range.start, f.code))
        state.analysis = Analysis(self.path, findings, [])
        state.owners = [bisect.bisect_right(state.starts, f.range.start.line + 1) - 1 for f in findings]
        state.pending = frozenset()
        return True

    def _update(self, last: _State, text: str, complete: bool = True, stop=None, edit=None, typing=False) -> Analysis | None:
        if edit is None:
            return None
        rules = may_apply(text, self.path, self.index, self.externals, self.config.rules, self.memory.setdefault("prefilter", {}), quick=True)
        if rules != last.rules:
            return None
        old = last.resolver.module
        source, (first, old_last) = edit
        body = old.tree.body
        at = _statement_at(last.starts, first, old_last, old.source.line_count)
        if at is None:
            return None
        statement = body[at]
        start = last.starts[at]  # 1-based
        old_end = last.starts[at + 1] - 1 if at + 1 < len(body) else old.source.line_count
        delta = source.line_count - old.source.line_count
        inner = self._update_inner(last, text, source, rules, at, first, old_last, old_end, delta, complete)
        if inner is not _NOT_HERE:
            return inner
        if typing and old_end - start + 1 > self.defer_lines:
            return None  # (not in a method after all: the long statement is re-checked at the pause)
        new_end = old_end + delta
        new_text = _lines_text(source, start, new_end)
        old_text = _lines_text(old.source, start, old_end)
        # the text around the statement must be exactly the old text (not merely its lines:
        # deleting the line break before the next statement changes that statement)
        head = old.source.line_starts[start - 1]
        if text[:head] != old.source.text[:head] or text[head + len(new_text) :] != old.source.text[head + len(old_text) :]:
            return None
        if _REACHES_OUTSIDE.search(new_text) or _REACHES_OUTSIDE.search(old_text):
            return None
        for rule in rules:
            if rule.local and rule.reaches_outside and rule.reaches_outside(old_text, new_text, last.resolver, self.memory.setdefault(rule.code, {})):
                return None
        # (the names defined anywhere in the new text: the old text's, with the statement's own
        # definitions swapped; counted, since a name may be defined more than once)
        defined = last.defined() - Counter(DEFINED_NAME.findall(old_text)) + Counter(DEFINED_NAME.findall(new_text))
        if _passes_a_definition(new_text, defined) or _passes_a_definition(old_text, last.defined()):
            return None
        try:  # (parsed where it stands: blank lines before it, rather than moving every node)
            parsed = ast.parse("\n" * (start - 1) + new_text)
        except (SyntaxError, ValueError):
            return None
        if len(parsed.body) != 1:
            return None
        new = parsed.body[0]
        if type(new) is not type(statement) or first_line(new) != start:
            return None
        if isinstance(new, _DEFINITIONS) and new.name != statement.name:
            return None
        plain = not isinstance(new, _DEFINITIONS)
        if plain:
            new_names = _bound_names(new, new_text)
            if not _binds_nothing_of_ray(statement, new_names, old_text, new_text, last.resolver):
                return None

        # The findings of the other definitions stay; none may point into the edited one.
        span = Range(Position(start - 1, 0), Position(old_end, 0))
        local = {rule.code for rule in rules if rule.local}
        kept = []
        provisional = []  # the findings of the other rules, kept until they run again
        for number, finding in enumerate(last.analysis.findings):
            if finding.code not in local:
                # dropped if they touch the edited statement (even its `# noqa` lines)
                if not complete and not any(_overlaps(r, span) for r in _ranges(finding, True)):
                    if not (delta and _tells_lines(finding)):
                        provisional.append(finding)
                continue
            if last.owners[number] == at:
                continue
            if any(_overlaps(r, span) for r in _ranges(finding)) or delta and _tells_lines(finding):
                return None
            kept.append((last.owners[number] < at, finding))

        # (what `ray.remote(f)` calls make remote is read off the old text and tree: before
        # the later statements move)
        wrapped = None if plain else last.wrapped()
        if delta:  # the later statements move (in place: the old tree is not used again)
            last.damaged = True
            _move(body[at + 1 :], delta)
        tree = ast.Module(body=[*body[:at], new, *body[at + 1 :]], type_ignores=[])
        module = ModuleInfo(self.path, source, tree)
        if plain:
            _reuse_module_bindings(module.scope, old.scope, statement, new, old_text + new_text)
        resolver = Resolver(module, self.index, self.externals)
        if plain and any(resolver.resolve_name(name, module.scope) is not None for name in new_names):
            return None
        known = {"wrapped": wrapped} if wrapped is not None else {}
        if plain:
            known["remote_functions"] = []  # (checked above: it defines nothing)
        fresh, problem = run_rules([r for r in rules if r.local], resolver, self.path, self.config, [new], known, self.memory)
        if problem:
            return None
        if delta:
            kept = [(before, _shift(f, delta, old_end)) for before, f in kept]
            provisional = [_shift(f, delta, old_end) for f in provisional]
        findings = [f for before, f in kept if before] + fresh + [f for before, f in kept if not before]
        if provisional:
            findings = sorted(findings + provisional, key=lambda f: (f.range.start, f.code))
        state = _State(text, last.context, resolver, Analysis(self.path, findings, []), rules, last.known_wrapped)
        state._defined = +defined  # (unary plus drops the names no longer defined)
        state.pending = frozenset(rule.code for rule in rules if not rule.local)
        self._last = state
        if complete or not state.pending:
            self._complete(state, None)
        return state.analysis


    def _may_defer(self) -> bool:
        return any(True for _ in self.config.rules)  # (with no rule on there is nothing to carry)

    def _defer(self, last: _State, ahead: _Ahead | None, text: str, context, edit) -> Analysis:
        """A keystroke's provisional analysis of `text` made without re-checking anything:
        the last findings moved with the lines, without those the edits since touched (their
        ranges, related locations, fixes and `# noqa` lines). Every rule is pending: the
        pause's `analyze(text)` re-checks the edits (see the module docstring). Made from the
        last deferred answer when there is one (`ahead`): only the lines of this keystroke
        drop findings, and a keystroke that adds no line leaves the others as they were (the
        same objects: the server sends them as it did)."""
        findings, old = last.analysis.findings, last.resolver.module.source
        if ahead is not None and ahead.context == context:
            step = _edit(ahead.source, text)
            if step is not None:
                findings, old, edit = ahead.analysis.findings, ahead.source, step
        source, (first, old_last) = edit
        delta = source.line_count - old.line_count
        low, high = first - 1, old_last  # 0-based: the old lines first-1..old_last-1
        findings = [
            _shift(f, delta, high) if delta else f
            for f in findings
            if _apart(f, low, high) and not (delta and _tells_lines(f))
        ]
        analysis = Analysis(self.path, findings, [])
        self._ahead = _Ahead(text, context, analysis, source)
        self.deferred += 1
        return analysis

    def _update_inner(self, last, text, source, rules, at, first, old_last, old_end, delta, complete):
        """The analysis of `text` when the edit is inside a method of the top-level class
        `at` (or of a class nested in it): that def alone is parsed again, spliced
        in, and checked by the local rules (see the module docstring). `_NOT_HERE` when this
        way does not apply (the caller tries the top-level statement); None for a full
        analysis (the old tree was changed already)."""
        old = last.resolver.module
        body = old.tree.body
        found = _inner_def(body[at], first, old_last, old_end)
        if found is None:
            return _NOT_HERE
        path, indices, region_end = found
        target = path[-1]
        start = first_line(target)
        new_text = _lines_text(source, start, region_end + delta)
        old_text = _lines_text(old.source, start, region_end)
        # the text around the def's lines must be exactly the old text (as for a statement)
        head = old.source.line_starts[start - 1]
        if text[:head] != old.source.text[:head] or text[head + len(new_text) :] != old.source.text[head + len(old_text) :]:
            return _NOT_HERE
        if "\x0c" in new_text or _REACHES_OUTSIDE.search(new_text) or _REACHES_OUTSIDE.search(old_text):
            return _NOT_HERE  # (a form feed resets the indentation the wrapper below relies on)
        for rule in rules:
            if rule.local and rule.reaches_outside and rule.reaches_outside(old_text, new_text, last.resolver, self.memory.setdefault(rule.code, {})):
                return _NOT_HERE
        old_names, new_names = DEFINED_NAME.findall(old_text), DEFINED_NAME.findall(new_text)
        if old_names == new_names:  # (the usual case: no def typed or removed)
            defined = last.defined()
        else:
            defined = +(last.defined() - Counter(old_names) + Counter(new_names))
        if _passes_a_definition(new_text, defined) or _passes_a_definition(old_text, last.defined()):
            return _NOT_HERE
        # Parsed where it stands, in an `if 1:` on the line before it: every line of the def's
        # is indented deeper, so the tokenizer reads them as it does in the whole module (the
        # text after them is unchanged, and they close every bracket and string they open)
        try:
            parsed = ast.parse("\n" * (start - 2) + "if 1:\n" + new_text)
        except (SyntaxError, ValueError, MemoryError):
            return _NOT_HERE
        wrapper = parsed.body
        if len(wrapper) != 1 or not isinstance(wrapper[0], ast.If) or wrapper[0].orelse or len(wrapper[0].body) != 1:
            return _NOT_HERE
        new = wrapper[0].body[0]
        if type(new) is not type(target) or new.name != target.name or new.lineno != target.lineno or new.col_offset != target.col_offset:
            return _NOT_HERE
        if not all(_same(getattr(new, f, None), getattr(target, f, None)) for f in _HEADER_FIELDS):
            return _NOT_HERE  # (a decorator, the signature: what the def is to the rest)
        for field in _HEADER_FIELDS:  # the same nodes: the bindings carried over below name them
            if hasattr(target, field):
                setattr(new, field, getattr(target, field))

        # The findings outside the def stay; none may point into it. The def's own (those
        # that start in its lines) are found again.
        span = Range(Position(start - 1, 0), Position(region_end, 0))
        new_span = Range(Position(start - 1, 0), Position(region_end + delta, 0))
        local = {rule.code for rule in rules if rule.local}
        kept = []
        provisional = []
        low, high = span.start.line, span.end.line
        for number, finding in enumerate(last.analysis.findings):
            # (most findings are far from the def: their lines, compared first, tell)
            apart = _apart(finding, low, high)
            if finding.code not in local:
                if not complete and (apart or not any(_overlaps(r, span) for r in _ranges(finding, True))):
                    if not (delta and _tells_lines(finding)):
                        provisional.append(finding)
                continue
            if delta and _tells_lines(finding):
                return _NOT_HERE
            if apart:
                kept.append(finding)
                continue
            if last.owners[number] == at and span.start <= finding.range.start < span.end:
                continue
            if any(_overlaps(r, span) for r in _ranges(finding)):
                return _NOT_HERE
            kept.append(finding)

        wrapped = last.wrapped()  # (read off the old tree, before the later lines move)
        old_path = list(path)
        # The containers from the top-level statement down to the def are copied with the new
        # def in their body; what follows the def (later methods, statements) moves by delta.
        child = new
        last.damaged = bool(delta)
        for depth in range(len(path) - 2, -1, -1):
            container, index = path[depth], indices[depth]
            later = container.body[index + 1 :]
            if delta:
                _move(later, delta)
            copied = copy.copy(container)
            copied.body = [*container.body[:index], child, *later]
            if later:
                copied.end_lineno = container.end_lineno + delta
            else:  # (a def or class ends where its last statement does)
                copied.end_lineno, copied.end_col_offset = child.end_lineno, child.end_col_offset
            path[depth + 1] = child
            child = copied
        path[0] = child
        if delta:
            _move(body[at + 1 :], delta)
        tree = ast.Module(body=[*body[:at], child, *body[at + 1 :]], type_ignores=[])
        module = ModuleInfo(self.path, source, tree)
        resolver = Resolver(module, self.index, self.externals)

        # The local rules check a copy of the top-level statement that holds only the path
        # down to the def (`Checked.statements`): each copy opens the scope its container does
        # in the module (the same Scope object), and the View walks only the def and the
        # containers' headers. The copies are dropped from the module once checked.
        scope = module.scope
        pruned = [copy.copy(node) for node in path[:-1]]
        for depth, node in enumerate(path[:-1]):
            scope = module.scope_of(node, scope)
            _reuse_bindings(scope, old.scopes.get(id(old_path[depth])), old_path[depth + 1], path[depth + 1])
            module.scopes[id(pruned[depth])] = scope
            pruned[depth].body = [pruned[depth + 1] if depth + 1 < len(pruned) else path[-1]]
        from raylint.core.flow import view

        view(module).walk_path(path)
        known = {"wrapped": wrapped}
        try:
            fresh, problem = run_rules([r for r in rules if r.local], resolver, self.path, self.config, [pruned[0]], known, self.memory)
        finally:
            for node in pruned:
                module.scopes.pop(id(node), None)
        if problem:
            return None
        fresh = [f for f in fresh if new_span.start <= f.range.start < new_span.end]
        if delta:
            kept = [_shift(f, delta, region_end) for f in kept]
            provisional = [_shift(f, delta, region_end) for f in provisional]
        before = [f for f in kept if f.range.start < new_span.start]
        findings = before + fresh + kept[len(before) :]
        if provisional:
            findings = sorted(findings + provisional, key=lambda f: (f.range.start, f.code))
        state = _State(text, last.context, resolver, Analysis(self.path, findings, []), rules, last.known_wrapped)
        state._defined = defined
        state.pending = frozenset(rule.code for rule in rules if not rule.local)
        self._last = state
        self.inner += 1
        if complete or not state.pending:
            self._complete(state, None)
        return state.analysis


_NOT_HERE = object()  # (`_update_inner`: not an edit inside a method)
# what a def is to the code around it, besides its name (its body is what may change)
_HEADER_FIELDS = ("decorator_list", "args", "returns", "type_comment", "type_params")


def _same(a, b) -> bool:
    """Are two fields of AST nodes the same, positions included?"""
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, ast.AST):
        return isinstance(b, ast.AST) and ast.dump(a, include_attributes=True) == ast.dump(b, include_attributes=True)
    return a == b


def _inner_def(statement: ast.stmt, first: int, last: int, end: int):
    """The method whose lines hold lines first..last: a def in the body of `statement` (a
    top-level class whose lines, with the blank and comment lines after it, end at `end`) or
    of a class nested in it, each in the `body` of the one before. (Not a def nested in a
    function: what a function's analysis reads between two of its statements includes the
    defs among them — RAY001 asks whether a call there may change a value.) Returns (the path
    of nodes from `statement` down to the def; the index of each in its container's body; the
    last line of the def with the blank and comment lines after it up to its next sibling, or
    to where its container's end), or None."""
    path, indices = [statement], []
    node = statement
    while isinstance(node, ast.ClassDef):
        children = node.body
        index = bisect.bisect_right(children, first, key=first_line) - 1  # (a class may have thousands)
        if index < 0:
            return None
        child = children[index]
        child_end = first_line(children[index + 1]) - 1 if index + 1 < len(children) else end
        if last > child_end or not isinstance(child, _DEFINITIONS):
            return None
        path.append(child)
        indices.append(index)
        node, end = child, child_end
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return path, indices, end
    return None


def _edit(old: SourceText, text: str) -> tuple[SourceText, tuple[int, int]] | None:
    """The new text's lines (found only around the edit) and the changed lines of the old
    text (1-based, first and last); None when the line end changed (a fix writes the file's)."""
    common = common_ends(old.text, text)
    source = SourceText.edited(old, text, *common)  # (not the whole text's lines again)
    changed = _changed_lines(old, source, common)
    if changed is None or source.newline != old.newline:
        return None
    return source, changed


def _recheck_lines(last: _State, source: SourceText, changed: tuple[int, int]) -> int:
    """What re-checking the edit costs at least, in lines re-checked: the method it is in
    (`_inner_def`), else the top-level statement, else (an edit across statements) the whole
    module; plus, when lines were added or removed, the lines whose nodes move below it
    (moving one costs about a quarter of checking one: a line break in the middle of 10,000
    lines moved 5,000 lines of nodes, 35 ms)."""
    first, old_last = changed
    module = last.resolver.module
    count = module.source.line_count
    at = _statement_at(last.starts, first, old_last, count)
    if at is None:
        return source.line_count
    moved = (count - old_last) // 4 if source.line_count != count else 0
    end = last.starts[at + 1] - 1 if at + 1 < len(last.starts) else count
    found = _inner_def(module.tree.body[at], first, old_last, end)
    if found is not None:
        path, _, end = found
        return end - first_line(path[-1]) + 1 + moved
    return end - last.starts[at] + 1 + moved


@dataclass
class _Ahead:
    """A deferred keystroke's answer (`DocumentAnalyzer._defer`), for the text after `_last`'s."""

    text: str
    context: object
    analysis: Analysis
    source: SourceText  # the text's lines


class _State:
    """What the last analysis left to build on."""

    def __init__(self, text, context, resolver: Resolver, analysis: Analysis, rules, known_wrapped=None):
        self.text, self.context, self.resolver, self.analysis = text, context, resolver, analysis
        self.damaged = False  # were nodes of its tree moved (by an update that then gave up)?
        self.rules = rules  # the rules that apply to the text
        self.known_wrapped = known_wrapped
        self._defined: Counter | None = None
        # the codes of the rules whose findings are provisional (see `DocumentAnalyzer.analyze`)
        self.pending: frozenset[str] = frozenset()
        self.starts = [first_line(s) for s in resolver.module.tree.body]  # 1-based
        # the top-level statement each finding belongs to (by its first line)
        self.owners = [bisect.bisect_right(self.starts, f.range.start.line + 1) - 1 for f in analysis.findings]

    def defined(self) -> Counter:
        """The names the text defines with `def` or `class` (any depth), counted."""
        if self._defined is None:
            self._defined = Counter(DEFINED_NAME.findall(self.text))
        return self._defined

    def wrapped(self):
        # unchanged by an edit that passes no definition to a call (checked before)
        if self.known_wrapped is None:
            self.known_wrapped = remote_wrapped_names(self.resolver)
        return self.known_wrapped


def _move(nodes: list[ast.AST], delta: int) -> None:
    """`ast.increment_lineno(node, delta)` for each of `nodes`, without its generators (half
    a module moves when a line is added in its middle): the context and operator singletons,
    which have no position, are not visited."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node._attributes:  # (`arguments`, `comprehension`, `withitem`... have none)
            node.lineno = getattr(node, "lineno", 0) + delta
            end = getattr(node, "end_lineno", 0)
            if end is not None:
                node.end_lineno = end + delta
        stack.extend(children(node))


def _binds_nothing_of_ray(old: ast.stmt, new_names: set[str], old_text: str, new_text: str, resolver: Resolver) -> bool:
    """May a top-level statement other than a def/class change without touching any other
    finding? Yes if it defines nothing, imports nothing, and binds the same names
    (`new_names`: the new statement's), none of them to anything of Ray (checked again in the
    new module once it is built)."""
    if "import" in old_text or "import" in new_text or _defines(old_text) or _defines(new_text):
        return False
    names = _bound_names(old, old_text)
    if names != new_names:
        return False
    module = resolver.module
    return all(resolver.resolve_name(name, module.scope) is None for name in names)


_DEFINES = re.compile(r"\b(?:def|class)\b")


def _defines(text: str) -> bool:
    """May the text define a function or class (a `def` or `class` word anywhere: a string
    or comment too, which only costs the short way)?"""
    return _DEFINES.search(text) is not None


def _plain_targets(statement: ast.stmt, text: str) -> list[ast.Name] | None:
    """The targets of `name = ...` / `a = b = ...` / `name: T = ...` (names only), if the
    statement binds nothing else (no `:=` anywhere in its text); else None."""
    if ":=" in text:
        return None
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets = [statement.target]
    else:
        return None
    return list(targets) if all(isinstance(t, ast.Name) for t in targets) else None


def _bound_names(statement: ast.stmt, text: str) -> set[str]:
    """`bound_names([statement])`, without a walk of a long value (a literal table)."""
    targets = _plain_targets(statement, text)
    if targets is not None:
        return {t.id for t in targets}
    return bound_names([statement])


def _reuse_bindings(scope, old_scope, old: ast.stmt, new: ast.stmt) -> None:
    """Give the scope of a def or class on the path down to an edited def the old scope's
    bindings (if collected), its child on the path swapped (`old` -> `new`): nothing else in
    its body changed (a large class's are not collected again on every keystroke)."""
    if old_scope is None or old_scope._bindings is None:
        return
    bindings = dict(old_scope._bindings)
    before = bindings.get(new.name, [])
    after = [("def", new) if b[0] == "def" and b[1] is old else b for b in before]
    if sum(b[0] == "def" and b[1] is new for b in after) != 1:
        return  # (not bound as expected: collected anew)
    bindings[new.name] = after
    scope._bindings = bindings
    scope._declared_global = set(old_scope._declared_global)
    scope._star_imports = list(old_scope._star_imports)


def _reuse_module_bindings(scope, old_scope, old: ast.stmt, new: ast.stmt, texts: str) -> None:
    """Give a new module's scope the old module's bindings, the edited statement's swapped
    (instead of a walk of the whole module): for an edited `name = value` only, which binds
    the same names as before (checked by the caller) and nothing else; the old scope must be
    collected already. Anything unexpected leaves the new scope to collect its own."""
    try:
        if old_scope._bindings is None or not isinstance(new, type(old)):
            return
        old_targets, new_targets = _plain_targets(old, texts), _plain_targets(new, texts)
        if old_targets is None or new_targets is None or [t.id for t in old_targets] != [t.id for t in new_targets]:
            return
        bindings = dict(old_scope._bindings)
        for name in {t.id for t in new_targets}:
            before = bindings[name]
            ours = [i for i, b in enumerate(before) if b[0] == "value" and b[1] is old.value]
            if len(ours) != sum(t.id == name for t in old_targets):
                return
            after = list(before)
            for i in ours:
                after[i] = ("value", new.value)
            bindings[name] = after
        scope._bindings = bindings
        scope._declared_global = set(old_scope._declared_global)
        scope._star_imports = list(old_scope._star_imports)
    except (AttributeError, KeyError, TypeError):  # (the scope's make-up changed: collected anew)
        scope._bindings = None


def _changed_lines(old: SourceText, new: SourceText, common: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """The changed lines of the old text (1-based): first and last. `common`: the lengths
    of the texts' common prefix and suffix (`common_ends`), if known."""
    a, b = old.text, new.text
    if a == b:
        return None
    prefix, suffix = common if common is not None else common_ends(a, b)
    first = bisect.bisect_right(old.line_starts, prefix)
    if prefix == len(a) - suffix and first > 1 and old.line_starts[first - 1] == prefix and b[len(b) - suffix - 1] in "\r\n":
        # whole lines inserted before line `first`: they extend the statement above it
        return first - 1, first - 1
    old_last = bisect.bisect_right(old.line_starts, max(prefix, len(a) - suffix - 1))
    return first, old_last


def _statement_at(starts: list[int], first: int, last: int, line_count: int) -> int | None:
    """The top-level statement (by the lines it starts on) whose lines, with the blank and
    comment lines after it up to the next statement, hold lines first..last; or None."""
    at = bisect.bisect_right(starts, first) - 1
    if at < 0:
        return None
    end = starts[at + 1] - 1 if at + 1 < len(starts) else line_count
    return at if last <= end else None


def _lines_text(source: SourceText, first: int, last: int) -> str:
    """Lines first..last (1-based, inclusive) with their line ends."""
    starts = source.line_starts
    end = starts[last] if last < len(starts) else len(source.text)
    return source.text[starts[first - 1] : end]


def _passes_a_definition(part: str, defined: Counter) -> bool:
    """Does `part` call something with a def or class of the module (`ray.remote(f)`)?
    `defined`: the names the module's text defines (any depth), counted."""
    candidates = {name for _, name in one_name_arguments(part)}
    return any(defined[name] > 0 for name in candidates)


def _ranges(finding: Finding, statement: bool = False):
    yield finding.range
    if statement and finding.statement is not None:
        yield finding.statement
    for related in finding.related:
        yield related.range
    for fix in finding.fixes:
        for edit in fix.edits:
            yield edit.range


_LINE_NUMBER = re.compile(r"\bline \d")


def _tells_lines(finding: Finding) -> bool:
    """Does the finding's text name a line ("the return at line 12")? Moving its ranges
    would not move that number: it is not kept when lines are added or removed."""
    texts = [finding.message, finding.no_fix_reason, *(r.message for r in finding.related)]
    texts += [t for fix in finding.fixes for t in (fix.title, fix.unsafe_reason)]
    return any(_LINE_NUMBER.search(t) for t in texts if t)


def _apart(finding: Finding, low: int, high: int) -> bool:
    """Does each of the finding's ranges (`_ranges(finding, True)`) end before line `low` or
    start at line `high` or after? (Then none overlaps lines low..high-1.)"""
    ranges = [finding.range, *(r.range for r in finding.related), *(e.range for x in finding.fixes for e in x.edits)]
    if finding.statement is not None:
        ranges.append(finding.statement)
    return all(r.end.line < low or r.start.line >= high for r in ranges)


def _overlaps(range_: Range, span: Range) -> bool:
    return range_.start < span.end and span.start < range_.end or span.start <= range_.start < span.end


def _shift(finding: Finding, delta: int, after: int) -> Finding:
    """The finding with every position past line `after` (0-based: lines >= after) moved.
    (A line typed in the middle of a module moves half its findings on every keystroke: the
    copies are made without `dataclasses.replace`, which costs a constructor call each.)"""

    def move(r: Range) -> Range:
        if r.start.line < after:
            return r
        return Range(Position(r.start.line + delta, r.start.character), Position(r.end.line + delta, r.end.character))

    def moved(part, **changes):
        return _with(part, range=move(part.range), **changes)

    return _with(
        finding,
        range=move(finding.range),
        related=tuple(moved(r) for r in finding.related),
        statement=finding.statement and move(finding.statement),
        fixes=tuple(_with(x, edits=tuple(moved(e) for e in x.edits)) for x in finding.fixes),
    )


def _with(record, **changes):
    """A copy of a frozen dataclass instance with `changes` (its fields need no checks)."""
    copied = object.__new__(type(record))
    copied.__dict__.update(record.__dict__, **changes)
    return copied
