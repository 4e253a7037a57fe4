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
from dataclasses import dataclass, replace
from functools import lru_cache

from raylint.analysis.model import CallSite, Edit, Finding, Fix, Position, Range, Related
from raylint.analysis.names import ModuleIndex, ModuleInfo, Resolver, Scope
from raylint.analysis.source import SourceText

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


@dataclass(frozen=True)
class Target:
    """The remote function whose callers change: where it is defined and how it is called."""

    path: str  # the module that defines it
    names: tuple[str, ...]  # module-level names callers reach it by (`f`; `g` for `g = ray.remote(f)`)
    method: str = ""  # for an actor method: its name (and `names` are the actor class's)
    rewrite: str = "return-value"  # the fix id
    style: str = "streaming"  # generator style


def find_call_sites(target: Target, files: list[str], index: ModuleIndex) -> list[CallSite]:
    """Every call site of `target` in `files` (the workspace), with its edits or a reason."""
    words = [*target.names, target.method] if target.method else list(target.names)
    pattern = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, words)))
    sites: list[CallSite] = []
    for path in files:
        text = index.text(path)
        if not text or "remote" not in text or not pattern.search(text):
            continue
        module = index.module(path)
        if module is not None:
            sites.extend(_Module(module, index, target).call_sites())
        broken = _syntax_error_line(text)
        if broken is not None:
            # the parser's recovery drops the broken lines, and call sites with them: never guess
            source = module.source if module is not None else SourceText(text)
            line = min(broken, source.line_count - 1)
            where = Range(Position(line, 0), Position(line, len(source.line(line))))
            sites.append(CallSite(os.path.abspath(path), where, (), "a syntax error hides part of its file"))
    return sites


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


class _Module:
    """One caller module: its call sites of the target and their rewriting."""

    def __init__(self, module: ModuleInfo, index: ModuleIndex, target: Target):
        self.module, self.target = module, target
        self.resolver = Resolver(module, index, None)
        self.parents: dict[int, ast.AST] = {}
        self.scopes: dict[int, Scope] = {}
        for node in ast.walk(module.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node

    # -- finding ---------------------------------------------------------------------------

    def call_sites(self) -> list[CallSite]:
        sites = []
        for node in ast.walk(self.module.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "remote":
                if self._calls_target(node.func.value):
                    sites.append(self._rewrite(node))
        return sites

    def _calls_target(self, callee: ast.AST) -> bool:
        """Is `callee` (what `.remote` is called on) the target, or `target.options(...)`?"""
        if isinstance(callee, ast.Call) and isinstance(callee.func, ast.Attribute) and callee.func.attr == "options":
            callee = callee.func.value
        scope = self.scope_of(callee)
        if not self.target.method:
            return self.is_target(callee, scope)
        if isinstance(callee, ast.Attribute) and callee.attr == self.target.method:
            return self.is_handle(callee.value, scope)
        return False

    def scope_of(self, node: ast.AST) -> Scope:
        """The scope a name in `node` is looked up in."""
        chain = []
        parent = self.parents.get(id(node))
        while parent is not None:
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
                chain.append(parent)
            parent = self.parents.get(id(parent))
        scope = self.module.scope
        for function in reversed(chain):
            scope = self.resolver.scope(function, scope)
        return scope

    def is_target(self, expr: ast.AST, scope: Scope) -> bool:
        found = self.definition(expr, scope)
        return found is not None and found[0] == self.target.path and found[1] in self.target.names

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
        return _Module(module, self.resolver.index, self.target).definition(expr, module.scope, depth)

    def is_handle(self, expr: ast.AST, scope: Scope) -> bool:
        """Is `expr` known to be a handle of the target actor class?"""
        if isinstance(expr, ast.Call):  # `Cls.remote().m.remote()`
            return self._creates_handle(expr, scope)
        if isinstance(expr, ast.Name):
            while scope is not None and expr.id not in scope.bindings:
                scope = scope.parent
            if scope is None:
                return False
            bindings = scope.bindings[expr.id]
            if len(bindings) == 1 and bindings[0][0] == "value":
                return self._creates_handle(bindings[0][1], scope)
            return self._annotated_as_class(expr.id, scope)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
            return self._self_attribute_is_handle(expr, scope)
        return False

    def _creates_handle(self, expr: ast.AST, scope: Scope) -> bool:
        """`Cls.remote(...)` or `Cls.options(...).remote(...)`."""
        if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "remote"):
            return False
        cls = expr.func.value
        if isinstance(cls, ast.Call) and isinstance(cls.func, ast.Attribute) and cls.func.attr == "options":
            cls = cls.func.value
        return self.is_target(cls, scope)

    def _annotated_as_class(self, name: str, scope: Scope) -> bool:
        node = scope.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                if arg.arg == name and arg.annotation is not None:
                    return self._is_class_annotation(arg.annotation, scope.parent or scope)
        return False

    def _is_class_annotation(self, annotation: ast.AST, scope: Scope) -> bool:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return False
        return self.is_target(annotation, scope)

    def _self_attribute_is_handle(self, expr: ast.Attribute, scope: Scope) -> bool:
        cls = self.parents.get(id(scope.node))
        if not isinstance(cls, ast.ClassDef):
            return False
        for node in ast.walk(cls):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr == expr.attr and isinstance(t.value, ast.Name) for t in node.targets
            ):
                if not self._creates_handle(node.value, self.scope_of(node)):
                    return False
                return True
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, (ast.Name, ast.Attribute)):
                name = node.target.id if isinstance(node.target, ast.Name) else node.target.attr
                if name == expr.attr:
                    return self._is_class_annotation(node.annotation, self.module.scope)
        return False

    # -- rewriting --------------------------------------------------------------------------

    def _rewrite(self, call: ast.Call) -> CallSite:
        source = self.module.source
        site = Range(source.range_of(call).start, source.range_of(call).end)
        if isinstance(call.func.value, ast.Call) and any(k.arg == "num_returns" for k in call.func.value.keywords):
            return self._review(site, "it sets num_returns with .options(); update it by hand")
        edits, reason = self._outer_uses(call)
        if reason:
            return self._review(site, reason)
        return CallSite(self.module.path, site, tuple(edits))

    def _review(self, site: Range, reason: str) -> CallSite:
        return CallSite(self.module.path, site, (), reason)

    def _outer_uses(self, outer: ast.AST) -> tuple[list[Edit], str]:
        """Edits for every use of an outer ref (or list of them), or why there are none."""
        parent = self.parents.get(id(outer))
        if isinstance(parent, ast.Expr):
            return [], ""  # fire and forget: nothing to change
        if isinstance(parent, ast.Call) and self._is_plain_get(parent, outer):
            return [self._unwrap_get(parent, outer)], ""
        if isinstance(parent, (ast.ListComp, ast.List)) and (getattr(parent, "elt", None) is outer or outer in getattr(parent, "elts", [])):
            if isinstance(parent, ast.List) and len(parent.elts) != 1 and not all(self._same_target(e) for e in parent.elts):
                return [], "it shares a list with other refs"
            if self.target.rewrite == "generator":
                return [], "a list of generators has no one-line rewrite"
            return self._outer_uses(parent)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
            return self._variable_uses(parent.targets[0].id, parent)
        what = _describe_use(parent, outer)
        return [], f"the ref is {what}, which raylint cannot follow"

    def _same_target(self, element: ast.AST) -> bool:
        return (
            isinstance(element, ast.Call)
            and isinstance(element.func, ast.Attribute)
            and element.func.attr == "remote"
            and self._calls_target(element.func.value)
        )

    def _variable_uses(self, name: str, assignment: ast.Assign) -> tuple[list[Edit], str]:
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
            parent = self.parents.get(id(load))
            if not (isinstance(parent, ast.Call) and self._is_plain_get(parent, load)):
                return [], f"`{name}` is {_describe_use(parent, load)}, which raylint cannot follow"
            edits.append(self._unwrap_get(parent, load))
        if self.target.rewrite == "generator" and len(loads) > 1:
            return [], f"`{name}` is read more than once, and a generator can be read only once"
        return edits, ""

    def _is_plain_get(self, call: ast.Call, argument: ast.AST) -> bool:
        return (
            len(call.args) == 1
            and call.args[0] is argument
            and not call.keywords
            and self.resolver.is_(call.func, self.scope_of(call), "ray.get")
        )

    def _unwrap_get(self, get: ast.Call, outer: ast.AST) -> Edit:
        """`ray.get(X)` → what the rewrite's callers use instead."""
        source, path = self.module.source, self.module.path
        text = source.segment(outer)
        if self.target.rewrite == "generator":
            text = f"list({source.segment(get)})" if self.target.style == "dynamic" else f"list({text})"
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

    One search serves a whole run: parsed modules are cached by the index (by stamp), and
    the call sites of a target are computed once.
    """

    def __init__(self, files: list[str], index: ModuleIndex, generator_style: str = "streaming"):
        self.files, self.index, self.style = files, index, generator_style
        self._sites: dict[Target, list[CallSite]] = {}

    def call_sites(self, target: Target) -> list[CallSite]:
        if target not in self._sites:
            self._sites[target] = find_call_sites(target, self.files, self.index)
        return self._sites[target]

    def with_callers(self, finding: Finding) -> Finding:
        fixes = tuple(self._fix_with_callers(finding, fix) for fix in finding.fixes)
        reviews = {
            Related(s.path, s.range, f"call site to review: {s.review}")
            for fix in fixes
            for s in fix.call_sites
            if s.review
        }
        return replace(finding, fixes=fixes, related=finding.related + tuple(sorted(reviews, key=_related_order)))

    def _fix_with_callers(self, finding: Finding, fix: Fix) -> Fix:
        if fix.call_sites or fix.unsafe_reason:
            return fix  # done already
        if finding.nested:
            return replace(fix, unsafe_reason="the task is defined inside a function; its callers are not followed")
        target = target_of(finding.path, finding.task, finding.callee, fix.id, self.style)
        sites = self.call_sites(target)
        taken = list(fix.edits)
        handled, reviews = [], []
        for site in sites:
            # call sites in one list (`ray.get([f.remote(0), f.remote(1)])`) share their edit
            new = [e for e in site.edits if e not in taken]
            if site.review:
                reviews.append(site)
            elif any(e.path == t.path and (e.range.overlaps(t.range) or e.range == t.range) for e in new for t in taken):
                reviews.append(replace(site, edits=(), review="it overlaps the task's own rewrite"))
            else:
                handled.append(site)
                taken.extend(new)
        title = fix.title
        if reviews:
            title += f" ({len(reviews)} call site{'s' * (len(reviews) != 1)} to review)"
        reason = f"{len(reviews)} call site{'s' * (len(reviews) != 1)} must be updated by hand" if reviews else ""
        return replace(fix, title=title, edits=tuple(taken), call_sites=tuple(handled + reviews), unsafe_reason=reason)


def _related_order(related: Related):
    return related.path, related.range.start


def target_of(path: str, task: str, call_names: tuple[str, ...], rewrite: str, style: str) -> Target:
    """The Target of a finding's task (`f`, or `Cls.method`)."""
    if "." in task:
        method = task.split(".", 1)[1]
        return Target(os.path.abspath(path), call_names, method, rewrite, style)
    return Target(os.path.abspath(path), call_names or (task,), "", rewrite, style)
