"""Call sites of a rewritten task, across the workspace, and how each must change.

Every RAY001 rewrite changes what `f.remote()` hands its caller: the outer ref now holds what
the inner ref held (see shared notes). So wherever a caller fetched the inner ref with
`ray.get(outer)`, it must now use the outer ref itself:

| rewrite            | `ray.get(X)` becomes   |
|--------------------|------------------------|
| return-value       | `X`                    |
| num-returns        | `X`                    |
| generator          | `list(X)`              |
| generator, dynamic | `list(ray.get(X))`     |

where X is a call site (`f.remote(...)`, `f.options(...).remote(...)`, `handle.m.remote(...)`),
a list of call sites, or a variable bound once to one of those. A call site used in any other
way (passed to another task, awaited, stored, waited on...) is not guessed at: it is reported
for review, and the fix is then unsafe.
"""

from __future__ import annotations

import ast
import os
import re
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Callable, Iterable, Iterator

from raylint.analysis.model import CallSite, Edit, Finding, Fix, Position, Range, Related
from raylint.analysis.names import ModuleIndex, ModuleInfo, Resolver, Scope
from raylint.analysis.source import SourceText, first_line

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


@dataclass(frozen=True)
class Target:
    """The remote function whose callers change: where it is defined and how it is called."""

    path: str  # the module that defines it
    names: tuple[str, ...]  # module-level names callers reach it by (`f`; `g` for `g = ray.remote(f)`)
    method: str = ""  # for an actor method: its name (and `names` are the actor class's)
    rewrite: str = "return-value"  # the fix id
    style: str = "streaming"  # generator style

    @property
    def words(self) -> tuple[str, ...]:
        """The words a file must spell to call it."""
        return (*self.names, self.method) if self.method else self.names


def find_call_sites(target: Target, files: list[str], index: ModuleIndex) -> list[CallSite]:
    """Every call site of `target` in `files` (the workspace), with its edits or a reason."""
    return CallerSearch(files, index, target.style).call_sites(target)


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


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class _Tree:
    """What the search needs of one parsed module, whatever it looks for: its `.remote(...)`
    calls by the name they are called on, the functions around each, and parent links.

    Kept as long as the module is (the index keeps one per file stamp), so that the targets
    of a search, and the searches after it, walk each tree once. Parent links are made one
    top-level statement at a time, when a node of it is asked about: most statements never
    are, and a whole-tree map costs about as much memory as the tree.
    """

    def __init__(self, module: ModuleInfo):
        tree = module.tree
        self.module, self.tree = module, tree
        # Every `X.remote(...)` call, in `ast.walk` order (call sites keep the order they had):
        # (call, what `.remote` is called on once `.options(...)` is taken off, its name).
        self.calls: list[tuple[ast.Call, ast.AST, str]] = []
        self.by_name: dict[str, list[int]] = {}  # `f` for f.remote / mod.f.remote, `m` for h.m.remote
        self.functions: dict[int, tuple[ast.AST, ...]] = {}  # id(call) → the functions around it
        queue: deque = deque([(tree, ())])
        while queue:
            node, functions = queue.popleft()
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "remote":
                callee = node.func.value
                if isinstance(callee, ast.Call) and isinstance(callee.func, ast.Attribute) and callee.func.attr == "options":
                    callee = callee.func.value
                name = callee.id if isinstance(callee, ast.Name) else callee.attr if isinstance(callee, ast.Attribute) else ""
                if name:  # anything else (`make().remote()`) is no target's call site
                    self.by_name.setdefault(name, []).append(len(self.calls))
                    self.calls.append((node, callee, name))
                    self.functions[id(node)] = functions
            inner = (*functions, node) if isinstance(node, _FUNCTIONS) else functions
            queue.extend((child, inner) for child in ast.iter_child_nodes(node))
        self._parents: dict[int, ast.AST] = {id(statement): tree for statement in tree.body}
        self._starts = [first_line(statement) for statement in tree.body]
        self._built = [False] * len(tree.body)
        self._scopes: dict[int, Scope] = {}

    def scope(self, function: ast.AST, parent: Scope) -> Scope:
        """The scope of `function`, defined in `parent` (what the names in it bind depends on
        its text alone, so it is kept with the tree)."""
        if id(function) not in self._scopes:
            self._scopes[id(function)] = Scope(function, parent, self.module)
        return self._scopes[id(function)]

    def parent(self, node: ast.AST) -> ast.AST | None:
        found = self._parents.get(id(node))
        if found is not None or node is self.tree:
            return found
        line = getattr(node, "lineno", None)
        if line is not None:
            # the top-level statement starting last at or before the node's line, then any
            # other that spans the line (`a = 1; b = f.remote()`), then all of them
            last = bisect_right(self._starts, line) - 1
            spanning = [i for i, s in enumerate(self.tree.body) if self._starts[i] <= line <= (s.end_lineno or line)]
            for index in ([last] if last >= 0 else []) + spanning:
                self._build(index)
                if id(node) in self._parents:
                    return self._parents[id(node)]
        for index in range(len(self.tree.body)):
            self._build(index)
        return self._parents.get(id(node))

    def _build(self, index: int) -> None:
        if not self._built[index]:
            self._built[index] = True
            for node in ast.walk(self.tree.body[index]):
                for child in ast.iter_child_nodes(node):
                    self._parents[id(child)] = node

    def syntax_error_line(self, text: str) -> int | None:
        """The line of the module's first syntax error: what the index's parse found (or,
        for a module parsed elsewhere, `_syntax_error_line`)."""
        errors = self.module.syntax_errors
        if errors is None:
            return _syntax_error_line(text)
        return errors[0][0] if errors else None


def _tree(module: ModuleInfo) -> _Tree:
    """The module's _Tree, kept on the module itself: it lives and dies with it (the index
    makes a new ModuleInfo for a new text), and may refer back to it (its scopes do)."""
    tree = getattr(module, "_caller_tree", None)
    if tree is None:
        tree = module._caller_tree = _Tree(module)  # type: ignore[attr-defined]
    return tree


class _Module:
    """One caller module during one search: the call sites of each target, and their rewriting.

    Name resolution is shared by all the search's targets. It is not kept longer: what a name
    means depends on other modules, which may change between searches.
    """

    def __init__(self, module: ModuleInfo, index: ModuleIndex, modules: Callable[[ModuleInfo], "_Module"]):
        self.module = module
        self.resolver = Resolver(module, index, None)
        self._module_of = modules  # the search's _Module of another module
        self._defined: dict[tuple[str, str], list[int]] | None = None  # (path, name) → its calls
        self._matches: dict[tuple, list[ast.Call]] = {}  # (path, names, method) → its calls

    @cached_property
    def tree(self) -> _Tree:  # not made for a module only followed through (`g = other.f`)
        return _tree(self.module)

    # -- finding ---------------------------------------------------------------------------

    def call_sites(self, target: Target) -> list[CallSite]:
        return [self._rewrite(call, target) for call in self.calls_of(target)]

    def calls_of(self, target: Target) -> list[ast.Call]:
        """The `.remote(...)` calls of `target` in the module, in walk order."""
        key = (target.path, target.names, target.method)
        if key not in self._matches:
            calls = self.tree.calls
            if target.method:  # `h.m.remote()`: only the calls of that name
                numbers = [i for i in self.tree.by_name.get(target.method, []) if self._calls_method(i, target)]
            else:
                defined = self._definitions()
                numbers = sorted({i for name in target.names for i in defined.get((target.path, name), [])})
            self._matches[key] = [calls[i][0] for i in numbers]
        return self._matches[key]

    def _definitions(self) -> dict[tuple[str, str], list[int]]:
        """The `.remote` calls by the module-level binding (path, name) they call.

        A function may be called by any name (`from m import f as g`, `h = m.f`, a re-export
        under another name), so every call is looked at, but once for all the targets.
        """
        if self._defined is None:
            self._defined = {}
            for number, (call, callee, _) in enumerate(self.tree.calls):
                found = self.definition(callee, self.scope_of(call))
                if found is not None:
                    self._defined.setdefault(found, []).append(number)
        return self._defined

    def _calls_method(self, number: int, target: Target) -> bool:
        """Is the `number`th `.remote` call `handle.method.remote()` on a handle of the target?"""
        call, callee, _ = self.tree.calls[number]
        if isinstance(callee, ast.Attribute) and callee.attr == target.method:
            return self.is_handle(callee.value, self.scope_of(call), target)
        return False

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.tree.parent(node)

    def scope_of(self, node: ast.AST) -> Scope:
        """The scope a name in `node` is looked up in."""
        chain = self.tree.functions.get(id(node))  # known for `.remote` calls
        if chain is None:
            found = []
            parent = self.parent(node)
            while parent is not None:
                if isinstance(parent, _FUNCTIONS):
                    found.append(parent)
                parent = self.parent(parent)
            chain = tuple(reversed(found))
        scope = self.module.scope
        for function in chain:
            scope = self.tree.scope(function, scope)
        return scope

    def is_target(self, expr: ast.AST, scope: Scope, target: Target) -> bool:
        found = self.definition(expr, scope)
        return found is not None and found[0] == target.path and found[1] in target.names

    def definition(self, expr: ast.AST, scope: Scope, depth: int = 0) -> tuple[str, str] | None:
        """The module-level binding (path, name) that `expr` refers to, through imports."""
        if depth > 10:
            return None
        if isinstance(expr, ast.Name):
            return self._name_definition(expr.id, scope, self.module, depth)
        if isinstance(expr, ast.Attribute):
            base = self.resolver.resolve(expr.value, scope)
            if hasattr(base, "path"):  # a workspace module
                info = self.resolver.index.module(base.path)
                if info is not None:
                    return self._name_definition(expr.attr, info.scope, info, depth + 1)
        return None

    def _name_definition(self, name: str, scope: Scope, module: ModuleInfo, depth: int):
        while scope is not None and name not in scope.bindings:
            scope = scope.parent
        if scope is None or len(scope.bindings[name]) != 1:
            return None
        binding = scope.bindings[name][0]
        if binding[0] == "from":
            _, source, imported, level = binding
            path = self.resolver.index.find(source, module.path, level)
            info = self.resolver.index.module(path) if path else None
            return self._name_definition(imported, info.scope, info, depth + 1) if info else None
        if scope.parent is not None:
            return None  # a local name: not the module-level task
        if binding[0] == "value" and isinstance(binding[1], (ast.Name, ast.Attribute)):
            return self._name_definition_expr(binding[1], module, depth + 1) or (module.path, name)
        if binding[0] in ("def", "value"):
            return module.path, name
        return None

    def _name_definition_expr(self, expr: ast.AST, module: ModuleInfo, depth: int):
        if module is self.module:
            return self.definition(expr, module.scope, depth)
        return self._module_of(module).definition(expr, module.scope, depth)

    def is_handle(self, expr: ast.AST, scope: Scope, target: Target) -> bool:
        """Is `expr` known to be a handle of the target actor class?"""
        if isinstance(expr, ast.Call):  # `Cls.remote().m.remote()`
            return self._creates_handle(expr, scope, target)
        if isinstance(expr, ast.Name):
            while scope is not None and expr.id not in scope.bindings:
                scope = scope.parent
            if scope is None:
                return False
            bindings = scope.bindings[expr.id]
            if len(bindings) == 1 and bindings[0][0] == "value":
                return self._creates_handle(bindings[0][1], scope, target)
            return self._annotated_as_class(expr.id, scope, target)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
            return self._self_attribute_is_handle(expr, scope, target)
        return False

    def _creates_handle(self, expr: ast.AST, scope: Scope, target: Target) -> bool:
        """`Cls.remote(...)` or `Cls.options(...).remote(...)`."""
        if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "remote"):
            return False
        cls = expr.func.value
        if isinstance(cls, ast.Call) and isinstance(cls.func, ast.Attribute) and cls.func.attr == "options":
            cls = cls.func.value
        return self.is_target(cls, scope, target)

    def _annotated_as_class(self, name: str, scope: Scope, target: Target) -> bool:
        node = scope.node
        if isinstance(node, _FUNCTIONS):
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                if arg.arg == name and arg.annotation is not None:
                    return self._is_class_annotation(arg.annotation, scope.parent or scope, target)
        return False

    def _is_class_annotation(self, annotation: ast.AST, scope: Scope, target: Target) -> bool:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return False
        return self.is_target(annotation, scope, target)

    def _self_attribute_is_handle(self, expr: ast.Attribute, scope: Scope, target: Target) -> bool:
        cls = self.parent(scope.node)
        if not isinstance(cls, ast.ClassDef):
            return False
        for node in ast.walk(cls):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr == expr.attr and isinstance(t.value, ast.Name) for t in node.targets
            ):
                if not self._creates_handle(node.value, self.scope_of(node), target):
                    return False
                return True
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, (ast.Name, ast.Attribute)):
                name = node.target.id if isinstance(node.target, ast.Name) else node.target.attr
                if name == expr.attr:
                    return self._is_class_annotation(node.annotation, self.module.scope, target)
        return False

    # -- rewriting --------------------------------------------------------------------------

    def _rewrite(self, call: ast.Call, target: Target) -> CallSite:
        source = self.module.source
        site = Range(source.range_of(call).start, source.range_of(call).end)
        if isinstance(call.func.value, ast.Call) and any(k.arg == "num_returns" for k in call.func.value.keywords):
            return self._review(site, "it sets num_returns with .options(); update it by hand")
        edits, reason = self._outer_uses(call, target)
        if reason:
            return self._review(site, reason)
        return CallSite(self.module.path, site, tuple(edits))

    def _review(self, site: Range, reason: str) -> CallSite:
        return CallSite(self.module.path, site, (), reason)

    def _outer_uses(self, outer: ast.AST, target: Target) -> tuple[list[Edit], str]:
        """Edits for every use of an outer ref (or list of them), or why there are none."""
        parent = self.parent(outer)
        if isinstance(parent, ast.Expr):
            return [], ""  # fire and forget: nothing to change
        if isinstance(parent, ast.Call) and self._is_plain_get(parent, outer):
            return [self._unwrap_get(parent, outer, target)], ""
        if isinstance(parent, (ast.ListComp, ast.List)) and (getattr(parent, "elt", None) is outer or outer in getattr(parent, "elts", [])):
            if isinstance(parent, ast.List) and len(parent.elts) != 1 and not all(self._same_target(e, target) for e in parent.elts):
                return [], "it shares a list with other refs"
            if target.rewrite == "generator":
                return [], "a list of generators has no one-line rewrite"
            return self._outer_uses(parent, target)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
            return self._variable_uses(parent.targets[0].id, parent, target)
        what = _describe_use(parent, outer)
        return [], f"the ref is {what}, which raylint cannot follow"

    def _same_target(self, element: ast.AST, target: Target) -> bool:
        return isinstance(element, ast.Call) and any(element is call for call in self.calls_of(target))

    def _variable_uses(self, name: str, assignment: ast.Assign, target: Target) -> tuple[list[Edit], str]:
        scope = self.scope_of(assignment)
        if len(scope.bindings.get(name, [])) != 1:
            return [], f"`{name}` is assigned more than once"
        if scope.parent is None:
            return [], f"`{name}` is a module-level name, which other modules may import"
        body = scope.node.body if hasattr(scope.node, "body") else []
        loads = [
            node
            for stmt in body
            for node in _walk_scope(stmt)
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
        ]
        nested = [n for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id == name]
        if sum(isinstance(n.ctx, ast.Load) for n in nested) != len(loads):
            return [], f"`{name}` is read in a nested function, which raylint cannot follow"
        edits = []
        for load in loads:
            parent = self.parent(load)
            if not (isinstance(parent, ast.Call) and self._is_plain_get(parent, load)):
                return [], f"`{name}` is {_describe_use(parent, load)}, which raylint cannot follow"
            edits.append(self._unwrap_get(parent, load, target))
        if target.rewrite == "generator" and len(loads) > 1:
            return [], f"`{name}` is read more than once, and a generator can be read only once"
        return edits, ""

    def _is_plain_get(self, call: ast.Call, argument: ast.AST) -> bool:
        return (
            len(call.args) == 1
            and call.args[0] is argument
            and not call.keywords
            and self.resolver.is_(call.func, self.scope_of(call), "ray.get")
        )

    def _unwrap_get(self, get: ast.Call, outer: ast.AST, target: Target) -> Edit:
        """`ray.get(X)` → what the rewrite's callers use instead."""
        source, path = self.module.source, self.module.path
        text = source.segment(outer)
        if target.rewrite == "generator":
            text = f"list({source.segment(get)})" if target.style == "dynamic" else f"list({text})"
        return Edit(path, source.range_of(get), text)


def _walk_scope(node: ast.AST):
    """Nodes of `node` without entering nested functions and classes."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(c for c in ast.iter_child_nodes(current) if not isinstance(c, _SCOPES))


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
    return f"used in {type(parent).__name__ if parent else 'an unknown place'}"


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
        generator_style: str = "streaming",
        excluded: frozenset[str] = frozenset(),
        library: bool = False,
    ):
        # `excluded`: files of `files` the user excluded from raylint. Their call sites are
        # searched (a fix must not silently break them) but never edited: they go to review.
        # `library`: the tasks may also be called from outside the workspace, so no fix that
        # changes what callers get can be proven safe.
        self.files, self.index, self.style, self.excluded = files, index, generator_style, excluded
        self.library = library
        self._sites: dict[Target, list[CallSite]] = {}
        self._modules: dict[ModuleInfo, _Module] = {}

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
        return [
            target_of(finding.path, finding.task, finding.callee, fix.id, self.style)
            for fix in finding.fixes
            if not fix.call_sites
        ]

    def _search(self, targets: list[Target]) -> Iterator[None]:
        """Find the call sites of `targets` (those not known yet), file by file."""
        targets = [t for t in dict.fromkeys(targets) if t not in self._sites]
        if not targets:
            return
        found: dict[Target, list[CallSite]] = {t: [] for t in targets}
        words = {w for t in targets for w in t.words}
        # One pass over each text finds every target's words. Around \w+ words, \b...\b
        # matches whole tokens, so this finds what a search per target would.
        tokens = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, sorted(words))))
        plain = all(re.fullmatch(r"\w+", w) for w in words)
        for path in self.files:
            yield
            text = self.index.text(path)
            if not text or "remote" not in text:
                continue
            if plain:
                spelled = set(tokens.findall(text))
                here = [t for t in targets if any(w in spelled for w in t.words)]
            else:
                here = [t for t in targets if re.search(r"\b(?:%s)\b" % "|".join(map(re.escape, t.words)), text)]
            if not here:
                continue
            # each piece a slice of its own: parsing, walking the tree, the call sites, the
            # syntax check (a second parse) may each take a while in a large file
            yield
            module = self.index.module(path)
            if module is not None:
                yield
                caller = self._module(module)
                caller.tree  # noqa: B018 (made now, in its own slice)
                yield
                for target in here:
                    sites = caller.call_sites(target)
                    if os.path.abspath(path) in self.excluded:
                        sites = [_excluded(site) for site in sites]
                    found[target].extend(sites)
                yield
                broken = caller.tree.syntax_error_line(text)
            else:
                broken = _syntax_error_line(text)
            if broken is not None:
                # the parser's recovery drops the broken lines, and call sites with them: never guess
                source = module.source if module is not None else SourceText(text)
                line = min(broken, source.line_count - 1)
                where = Range(Position(line, 0), Position(line, len(source.line(line))))
                for target in here:
                    found[target].append(CallSite(os.path.abspath(path), where, (), "a syntax error hides part of its file"))
        self._sites.update(found)

    def _module(self, module: ModuleInfo) -> _Module:
        if module not in self._modules:
            self._modules[module] = _Module(module, self.index, self._module)
        return self._modules[module]

    def _fix_with_callers(self, finding: Finding, fix: Fix) -> Fix:
        # (an unsafe_reason may come from the rewrite itself: its callers still change)
        if fix.call_sites:
            return fix  # done already
        if finding.nested:
            return replace(fix, unsafe_reason=_reasons(fix.unsafe_reason, "the task is defined inside a function; its callers are not followed"))
        target = target_of(finding.path, finding.task, finding.callee, fix.id, self.style)
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


def _reasons(own: str, more: str) -> str:
    """The rewrite's own reason to be unsafe and the callers', each once."""
    return "; ".join(r for r in dict.fromkeys(own.split("; ") + [more]) if r)


def _excluded(site: CallSite) -> CallSite:
    if not site.edits or site.review:
        return site  # nothing to change there (or to review anyway)
    return replace(site, edits=(), review="it is in a file excluded from raylint, which it does not edit")


def _related_order(related: Related):
    return related.path, related.range.start


def target_of(path: str, task: str, call_names: tuple[str, ...], rewrite: str, style: str) -> Target:
    """The Target of a finding's task (`f`, or `Cls.method`)."""
    if "." in task:
        method = task.split(".", 1)[1]
        return Target(os.path.abspath(path), call_names, method, rewrite, style)
    return Target(os.path.abspath(path), call_names or (task,), "", rewrite, style)
