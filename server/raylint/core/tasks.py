"""Find the code that runs remotely: Ray tasks and actor methods of one module."""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass

from raylint.core.names import REMOTE_FACTORY, Resolver, Scope
from raylint.core.source import first_line
from raylint.core.walk import children

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_NOT_REMOTE_METHOD_DECORATORS = {"staticmethod", "classmethod", "property"}


@dataclass(frozen=True)
class OptionsSite:
    """Where a task's options (num_returns) are written, and how to edit them.

    kind: "bare"   `@ray.remote`            → gains `(num_returns=N)`
          "call"   `@ray.remote(...)`, `ray.remote(...)(fn)`, `@ray.method(...)` → keyword edited
          "wrap"   `ray.remote(fn)`          → becomes `ray.remote(num_returns=N)(fn)`
          "shared" `@gpu_task` bound to `ray.remote(...)` elsewhere → not ours to edit
          "method" an actor method without `@ray.method` → one is added
    """

    kind: str
    node: ast.AST


@dataclass
class RemoteFunction:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    scope: Scope  # the function's own scope
    display_name: str  # `f` or `Actor.method`
    is_method: bool
    declared_at: ast.AST  # the decorator or `ray.remote(...)` call that makes it remote
    options: OptionsSite
    call_names: tuple[str, ...]  # names callers use: `f`, `g` for `g = ray.remote(f)`, or the actor class's
    nested: bool = False  # defined inside a function

    @property
    def declared_message(self) -> str:
        """What `declared_at` does, for a related location: the task made remote, or the
        actor class (for a method, `declared_at` is its class's decorator or `ray.remote(Cls)`)."""
        if self.is_method:
            return f"`{self.display_name.split('.')[0]}` is made a Ray actor here"
        return f"`{self.display_name}` is made a Ray task here"


def find_remote_functions(resolver: Resolver, statements: list[ast.stmt] | None = None, wrapped=None) -> list[RemoteFunction]:
    """The module's tasks and actor methods; only those in `statements` (top-level) if given,
    with `wrapped` (from `remote_wrapped_names`) when it is already known."""
    module = resolver.module
    wrapped = remote_wrapped_names(resolver) if wrapped is None else wrapped
    found: list[RemoteFunction] = []

    def visit(body: list[ast.stmt], scope: Scope) -> None:
        for node in _definitions(body):
            if isinstance(node, _FUNCTIONS):
                own = resolver.scope(node, scope)
                declared = _remote_decorator(resolver, node, scope) or wrapped.get(node.name)
                if declared is not None:
                    site, names = declared
                    nested = in_function(scope)
                    found.append(RemoteFunction(node, own, node.name, False, site.node, site, names, nested))
                visit(node.body, own)
            elif isinstance(node, ast.ClassDef):
                declared = _remote_decorator(resolver, node, scope) or wrapped.get(node.name)
                if declared is not None:
                    found.extend(_actor_methods(resolver, node, scope, *declared))
                # (a method's scope sits in its class's, as in the View: lookups from a
                # function skip class scopes)
                inner = resolver.scope(node, scope)
                visit([n for n in node.body if not isinstance(n, _FUNCTIONS)], inner)
                for method in node.body:
                    if isinstance(method, _FUNCTIONS):
                        visit(method.body, resolver.scope(method, inner))

    visit(module.tree.body if statements is None else statements, module.scope)
    return found


def in_function(scope: Scope) -> bool:
    """Is `scope` (where a def or class statement is) inside a function?"""
    while scope.parent is not None:
        if not isinstance(scope.node, ast.ClassDef):
            return True
        scope = scope.parent
    return False


def _definitions(body: list[ast.stmt]):
    """The defs and classes of a block, including those under if/try/with/for."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            yield node
        elif isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)):
            children = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", [])]
            for handler in getattr(node, "handlers", []):
                children.extend(handler.body)
            stack.extend(reversed(children))
        elif isinstance(node, ast.Match):
            for case in node.cases:
                stack.extend(reversed(case.body))


def _remote_decorator(resolver: Resolver, node: ast.AST, scope: Scope):
    for decorator in node.decorator_list:
        symbol = resolver.meaning(resolver.resolve(decorator, scope))
        if symbol == "ray.remote":
            return OptionsSite("bare", decorator), (node.name,)
        if symbol == REMOTE_FACTORY:
            if isinstance(decorator, ast.Call):
                return OptionsSite("call", decorator), (node.name,)
            return OptionsSite("shared", decorator), (node.name,)
    return None


def is_remote_definition(resolver: Resolver, node: ast.AST, scope: Scope) -> bool:
    """Is this def or class made remote by a decorator (`@ray.remote`, `@gpu_task`)?"""
    return _remote_decorator(resolver, node, scope) is not None


def remote_wrapped_names(resolver: Resolver) -> dict[str, tuple[OptionsSite, tuple[str, ...]]]:
    """Functions and classes made remote by a call: `g = ray.remote(f)`, `ray.remote(**o)(f)`,
    `gpu_task(f)` where `gpu_task = ray.remote(**o)`.
    Worked out once per module and index (kept in `module.facts`: every rule asks)."""
    module = resolver.module
    found = module.facts.get("remote_wrapped")
    if found is None or found[0] is not resolver.index or found[1] is not resolver.externals:
        found = module.facts["remote_wrapped"] = (resolver.index, resolver.externals, _remote_wrapped_names(resolver))
    return found[2]


def _remote_wrapped_names(resolver: Resolver) -> dict[str, tuple[OptionsSite, tuple[str, ...]]]:
    wrapped: dict[str, tuple[OptionsSite, tuple[str, ...]]] = {}
    module = resolver.module
    for statement, lines in statements_calling_with_a_definition(module):
        assigned: dict[int, tuple[str, ...]] = {}
        calls = []
        for node in _nodes_on_lines(statement, lines):
            if isinstance(node, ast.Assign):
                assigned[id(node.value)] = tuple(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.Call) and len(node.args) == 1 and isinstance(node.args[0], ast.Name):
                calls.append(node)
        for node in calls:
            target = node.args[0].id
            scope = module.scope
            if resolver.is_(node.func, scope, "ray.remote"):
                site = OptionsSite("wrap", node)
            elif resolver.meaning(resolver.resolve(node.func, scope)) == REMOTE_FACTORY:
                # `ray.remote(**o)(f)`, or `gpu_task(f)` with `gpu_task = ray.remote(**o)` (as `@gpu_task`)
                site = OptionsSite("call" if isinstance(node.func, ast.Call) else "shared", node.func)
            else:
                continue
            wrapped[target] = (site, (target, *assigned.get(id(node), ())))
    return wrapped


# `^` of re.MULTILINE starts lines after "\n" only: a lone "\r" ends a line too (old Mac files)
DEFINED_NAME = re.compile(r"(?:^|(?<=\r))[ \t\x0c]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)", re.MULTILINE)
# The same, matched from the line end before each line (the text is given a "\n" first): a
# pattern that starts with a character class is searched for fast, one that starts with
# `^`/a look-behind is tried at every position (twice as slow on the whole corpus).
DEFINED_AFTER_LINE_END = re.compile(r"[\n\r][ \t\x0c]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)")


def defined_names(text: str) -> list[str]:
    """`DEFINED_NAME.findall(text)`, faster."""
    return DEFINED_AFTER_LINE_END.findall("\n" + text)


# `(name)`, `(name,)`, with room for line breaks and comments: how a call passes one bare name.
# No regex with nested quantifiers runs on what a user wrote: `(\s|#[^\n]*)*` backtracked
# exponentially on a comment of `#`s. The usual case, no comment inside, is one linear regex;
# calls with a comment inside are few and read by `one_name_arguments` in linear time.
_ONE_NAME_PLAIN = re.compile(r"\(\s*(\w+)\s*(?:,\s*)?\)")
_OPEN_THEN_COMMENT = re.compile(r"\(\s*(?:\w+\s*(?:,\s*)?)?#")
_SPACE = re.compile(r"\s*")
WORD = re.compile(r"\w+")  # (a whole word, as a regex's `\\b` bounds it)
_LINE_END_CHAR = re.compile(r"[\r\n]")
# `._name.remote` / `._name.options`: a private actor method called remotely
_PRIVATE_CALLED_REMOTELY = re.compile(r"\.\s*(_\w+)\s*\.\s*(?:remote|options)\b")


def one_name_arguments(text: str) -> list[tuple[int, str]]:
    """Each `(name)` of the text — `(`, space, line breaks and whole comments, a name, the same,
    an optional comma and the same, `)` — as (offset of the `(`, name), in the order of the text.
    Linear time on any text (a comment ends at a line end; what it spans is looked up)."""
    found = [(m.start(), m[1]) for m in _ONE_NAME_PLAIN.finditer(text)]
    candidates = [m.start() for m in _OPEN_THEN_COMMENT.finditer(text)]
    if not candidates:
        return found
    size = len(text)
    line_ends = [m.start() for m in _LINE_END_CHAR.finditer(text)]
    gaps: dict[int, int] = {}  # where the space and comments from an offset end (each once)

    def gap(at: int) -> int:
        passed = []
        while at not in gaps:
            passed.append(at)
            after = _SPACE.match(text, at).end()
            if after < size and text[after] == "#":
                line_end = bisect.bisect_left(line_ends, after)
                at = line_ends[line_end] if line_end < len(line_ends) else size
                if at == size:
                    gaps[at] = size
            else:
                gaps[after] = after
                at = after
        end = gaps[at]
        for offset in passed:
            gaps[offset] = end
        return end

    words: dict[int, str] = {}
    for start in candidates:
        at = gap(start + 1)
        if at not in words:
            match = WORD.match(text, at)
            words[at] = match[0] if match else ""
        name = words[at]
        if not name:
            continue
        at = gap(at + len(name))
        if at < size and text[at] == ",":
            at = gap(at + 1)
        if at < size and text[at] == ")":
            found.append((start, name))
    return sorted(found)


def statements_calling_with_a_definition(module) -> list[tuple[ast.stmt, list[int]]]:
    """The top-level statements whose text passes a def or class of the module as a call's one
    argument (`ray.remote(f)`), each with the lines where it does: only those can make a
    definition remote by a call. Found in the text, so the rest of a large module is never walked."""
    text = module.source.text  # (it may not spell `remote`: `task(f)` with `task` imported)
    names = set(defined_names(text))  # at any depth: nested defs can be wrapped too
    if not names:
        return []
    starts_of_lines = module.source.line_starts
    lines = sorted({bisect.bisect_right(starts_of_lines, at) for at, name in one_name_arguments(text) if name in names})
    if not lines:
        return []
    body = module.tree.body
    starts = [first_line(s) for s in body]
    found: list[tuple[ast.stmt, list[int]]] = []
    for line in lines:
        at = bisect.bisect_right(starts, line) - 1
        if at >= 0 and line <= body[at].end_lineno:
            if found and found[-1][0] is body[at]:
                found[-1][1].append(line)
            else:
                found.append((body[at], [line]))
    return found


def _nodes_on_lines(statement: ast.stmt, lines: list[int]):
    """The nodes of `statement` whose lines include one of `lines` (sorted): a large class
    with one `f(g)` in it is not walked whole."""
    stack: list[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        first = getattr(node, "lineno", None)
        if first is not None:
            at = bisect.bisect_left(lines, first)
            if at == len(lines) or lines[at] > node.end_lineno:
                continue
        yield node
        stack.extend(children(node))


def _actor_methods(resolver: Resolver, cls: ast.ClassDef, scope: Scope, declared: OptionsSite, names: tuple[str, ...]):
    called_remotely = None
    for node in cls.body:
        if not isinstance(node, _FUNCTIONS) or node.name.startswith("__"):
            continue
        if any(_decorator_name(d) in _NOT_REMOTE_METHOD_DECORATORS for d in node.decorator_list):
            continue
        # A private helper is remote only if someone calls it through `.remote`/`.options`.
        if node.name.startswith("_"):
            if called_remotely is None:  # once per module, not once per method: linear
                called_remotely = _private_called_remotely(resolver.module)
            if node.name not in called_remotely:
                continue
        own = resolver.scope(node, resolver.scope(cls, scope))
        method_site = OptionsSite("method", node)
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and resolver.is_(decorator.func, scope, "ray.method"):
                method_site = OptionsSite("call", decorator)
        display = f"{cls.name}.{node.name}"
        yield RemoteFunction(node, own, display, True, declared.node, method_site, names, in_function(scope))


def _private_called_remotely(module) -> set[str]:
    """The names `._name.remote` or `._name.options` spell anywhere in the module's text."""
    memo = module.__dict__
    if "_raylint_private_remote" not in memo:
        memo["_raylint_private_remote"] = set(_PRIVATE_CALLED_REMOTELY.findall(module.source.text))
    return memo["_raylint_private_remote"]


def _decorator_name(decorator: ast.AST) -> str:
    if isinstance(decorator, ast.Name):
        return decorator.id
    if isinstance(decorator, ast.Attribute):
        return decorator.attr
    return ""
