"""Can a value move from its `ray.put` to the `return`? `ray.put(x)` copies (serializes) `x`
when it is called; a returned value is serialized when the task returns. Anything that
changes `x` in between would change what the caller gets.

    batch = ray.put(self.events)        batch = self.events
    self.events.clear()          →      self.events.clear()
    return batch                        return batch          # the cleared list!

`copy_reason` answers conservatively: "" only when nothing that runs between the put and the
moment Ray takes the returned value (the statements in between, the next rounds of a loop,
`finally:` blocks and `with` exits after the return) can change the value. What can change it:

- any call, `await`, iteration, `with` or import, unless the value is a *fresh local*: made in
  this task from literals, builtins, other fresh locals and the task's parameters (Ray hands
  a task its own deserialized copy of each argument; an actor method's parameters and `self`
  may be shared), never handed to another function or closure, never stored in an attribute
  or an item of something else. For a fresh local only a call (or iteration...) that
  mentions one of its names, or an alias of them, counts, unless it is a builtin that only
  reads (`print`, `len`, `sorted`...) or another `ray.put`;
- an attribute or item assignment, `+=`, or `del` on one of the value's names or aliases (or on
  anything, if the value is not a fresh local: setters run code).

Operators (`a + b`) and attribute reads are taken as harmless. Values that cannot change at
all (constants, f-strings, comparisons, `len(...)`...) are always safe.
"""

from __future__ import annotations

import ast
import builtins

from raylint.core.source import shortened
from raylint.rules.ray001.edits import Context, put_value

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_WITHS = (ast.With, ast.AsyncWith)
_TRIES = (ast.Try, getattr(ast, "TryStar", ast.Try))
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_UNSAFE_BUILTINS = {"eval", "exec", "globals", "locals", "vars", "__import__", "setattr", "delattr", "open", "input"}
_BUILTINS = set(dir(builtins)) - _UNSAFE_BUILTINS
# builtins whose result is an immutable value whatever they are given
_IMMUTABLE_RESULTS = {"len", "str", "repr", "int", "float", "bool", "hash", "id", "format", "isinstance", "ascii"}
# builtins that read their arguments and change none of them (through Python's own types)
_READING_BUILTINS = _IMMUTABLE_RESULTS | {
    "print", "sorted", "list", "tuple", "dict", "set", "frozenset", "min", "max", "sum", "any", "all", "abs",
    "round", "type", "enumerate", "zip", "range", "reversed", "issubclass", "callable", "divmod", "pow", "chr", "ord",
}


def copy_reason(ctx: Context, put: ast.Call, assignment: ast.stmt | None, returns: list[ast.Return]) -> str:
    """Why the value of `put` cannot be returned in its place ("" if it can).

    `assignment` is the `ref = ray.put(x)` statement (None when the put is in the return
    itself); `returns` are the returns that hand the ref back.
    """
    value = put_value(ctx, put)
    if value is None:
        return ""
    facts = _facts(ctx)
    if facts.immutable(value):
        return ""
    reach, fresh = facts.reach(value)
    text = " ".join(ctx.text(value).split())
    what = f"`{text}`" if len(text) <= 40 else "the value"
    for ret in returns:
        for node, implicit in _between(ctx, assignment, ret):
            harm = _harm(node, implicit, reach, fresh, facts)
            if not harm:
                continue
            # No line numbers: the language server moves a finding whose function did not
            # change without analysing it again, and the text must stay true then.
            if assignment is None:
                return f"{what} may change after the return, before Ray copies it, by {harm}"
            return f"{what} may change between the ray.put and the return, by {harm}"
    return ""


def caught_reason(ctx: Context, puts: list[ast.Call]) -> str:
    """Why errors of the puts would no longer be caught ("" if none is inside a `try` that
    has handlers): `ray.put(x)` serializes `x` where it is called, and an `except` around it
    catches what that raises (a value that cannot be pickled, a full object store); a value
    returned or yielded instead is serialized by Ray after the task's code hands it over,
    where no handler of the task sees the error: the task fails."""
    parents, fn = ctx.body.parents, ctx.fn.node
    for put in puts:
        child, node = put, parents.get(id(put))
        while node is not None and node is not fn:
            if isinstance(node, _TRIES) and node.handlers and any(child is stmt for stmt in node.body):
                # (a text naming a line is analysed again, not moved: incremental._tells_lines)
                text = " ".join(ctx.text(put).split())
                what = f"`{text}`" if len(text) <= 40 else "the ray.put"
                return (
                    f"{what} (line {put.lineno}) is inside a `try` whose `except` (line {node.handlers[0].lineno}) "
                    f"catches what serializing the value raises; "
                    f"a value returned instead is serialized after the task hands it to Ray, where that "
                    f"`except` no longer runs"
                )
            child, node = node, parents.get(id(node))
    return ""


def _module_binds(ctx: Context, name: str) -> bool:
    return name in ctx.body.resolver.module.scope.bindings


# -- what runs in between ---------------------------------------------------------------------


def _between(ctx: Context, assignment: ast.stmt | None, ret: ast.Return):
    """(node, implicit) pairs for what may run after the put and before Ray takes the value
    `ret` returns. `implicit` says how an expression's use runs code: "iter" (a loop's next
    round), "with" (an exit), "match" (patterns); "" for plain code."""
    parents = ctx.body.parents
    fn = ctx.fn.node

    def ancestors(node):
        found = []
        parent = parents.get(id(node))
        while parent is not None and parent is not fn:
            found.append(parent)
            parent = parents.get(id(parent))
        return found

    around_ret = ancestors(ret)
    around_put = ancestors(assignment) if assignment is not None else []
    ids_ret = {id(a) for a in around_ret}
    ids_put = {id(a) for a in around_put}
    skip = {id(assignment), id(ret)}
    # after the return: `finally:` blocks and `with` exits around it
    for node in around_ret:
        if isinstance(node, _WITHS):
            yield from ((item.context_expr, "with") for item in node.items)
        if isinstance(node, _TRIES) and node.finalbody and not _inside(ret, node.finalbody, parents, fn):
            for stmt in node.finalbody:
                yield from _units(stmt, skip)
    if assignment is None:
        return
    # statements after the put and before the return, in the order of the text
    start = (assignment.end_lineno, assignment.end_col_offset)
    end = (ret.lineno, ret.col_offset)
    if start < end:
        for stmt in fn.body:
            yield from _units(stmt, skip, start, end)
    elif not any(isinstance(a, _LOOPS) for a in around_put if id(a) in ids_ret):
        return  # the put comes after the return and no loop leads back to it
    # a `with` the put is in and the return is not: its exit runs in between
    for node in around_put:
        if isinstance(node, _WITHS) and id(node) not in ids_ret:
            yield from ((item.context_expr, "with") for item in node.items)
    # loops: the next rounds run in between, unless the put comes first in every round
    for node in around_put + around_ret:
        if not isinstance(node, _LOOPS):
            continue
        both = id(node) in ids_ret and id(node) in ids_put
        if both and start < end and assignment in node.body and not _jumps(node, start, end):
            continue  # every way back to the return passes the put again
        yield from _units(node, skip)


def _inside(node: ast.AST, block: list[ast.stmt], parents, fn) -> bool:
    ids = {id(s) for s in block}
    while node is not None and node is not fn:
        if id(node) in ids:
            return True
        node = parents.get(id(node))
    return False


def _jumps(loop: ast.AST, start, end) -> bool:
    """A `continue` or `break` of `loop` between `start` and `end`."""
    for node in ast.walk(loop):
        if isinstance(node, (ast.Continue, ast.Break)) and start <= (node.lineno, node.col_offset) < end:
            return True
    return False


def _units(stmt: ast.stmt, skip: set[int], start=None, end=None):
    """The (node, implicit) pieces of `stmt` that run, limited to those starting in
    [start, end) if given: a simple statement whole, a compound one's header, then its blocks."""
    here = (stmt.lineno, stmt.col_offset)
    stmt_end = (stmt.end_lineno, stmt.end_col_offset)
    if start is not None and (stmt_end <= start or here >= end):
        return
    in_range = start is None or start <= here < end
    if id(stmt) in skip:
        return
    if isinstance(stmt, (ast.If, ast.While)):
        if in_range:
            yield stmt.test, ""
        blocks = [stmt.body, stmt.orelse]
    elif isinstance(stmt, (ast.For, ast.AsyncFor)):
        if in_range:
            yield stmt.target, ""
            yield stmt.iter, "iter"
        blocks = [stmt.body, stmt.orelse]
    elif isinstance(stmt, _WITHS):
        if in_range:
            for item in stmt.items:
                yield item.context_expr, "with"
                if item.optional_vars is not None:
                    yield item.optional_vars, ""
        blocks = [stmt.body]
    elif isinstance(stmt, _TRIES):
        blocks = [stmt.body, *([h] for h in stmt.handlers), stmt.orelse, stmt.finalbody]
    elif isinstance(stmt, ast.ExceptHandler):
        if in_range and stmt.type is not None:
            yield stmt.type, ""
        blocks = [stmt.body]
    elif isinstance(stmt, getattr(ast, "Match", ())):
        if in_range:
            yield stmt, "match"  # patterns run code (`__eq__`, `__getitem__`, class checks)
        blocks = [case.body for case in stmt.cases]
    else:
        if in_range:
            yield stmt, ""
        return
    for block in blocks:
        for child in block:
            yield from _units(child, skip, start, end)


# -- what may change the value ----------------------------------------------------------------


def _harm(node: ast.AST, implicit: str, reach: set[str], fresh: bool, facts: _Facts) -> str:
    """What in `node` may change a value reachable from `reach` ("" if nothing)."""
    ctx = facts.ctx
    if implicit == "match":
        return "a match statement (its patterns run code)" if not fresh or _mentions(node.subject, reach) else ""
    if implicit and (not fresh or _mentions(node, reach)):
        return f"leaving `with {shortened(ctx.text(node))}`" if implicit == "with" else f"iterating over `{shortened(ctx.text(node))}`"
    if isinstance(node, (ast.Import, ast.ImportFrom)) and not fresh:
        return "an import (it runs code)"
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and (not fresh or _mentions(inner, reach)) and not facts.harmless_call(inner):
            return f"`{shortened(ctx.text(inner))}`"
        if isinstance(inner, (ast.Await, ast.Yield, ast.YieldFrom)) and (not fresh or _mentions(inner, reach)):
            return f"`{shortened(ctx.text(inner))}` (other code runs meanwhile)"
        if isinstance(inner, ast.comprehension) and (not fresh or _mentions(inner.iter, reach)):
            return f"iterating over `{shortened(ctx.text(inner.iter))}`"
        targets = []
        if isinstance(inner, (ast.Assign, ast.Delete)):
            targets = inner.targets
        elif isinstance(inner, (ast.AnnAssign, ast.AugAssign)):
            targets = [inner.target]
        for target in targets:
            for part in _flatten(target):
                changes_in_place = isinstance(part, (ast.Attribute, ast.Subscript)) or isinstance(inner, ast.AugAssign)
                if changes_in_place and (not fresh or _root(part) in reach):
                    return f"`{shortened(ctx.text(inner))}`"
    return ""




def _flatten(target: ast.AST) -> list[ast.AST]:
    if isinstance(target, (ast.Tuple, ast.List)):
        return [p for element in target.elts for p in _flatten(element)]
    if isinstance(target, ast.Starred):
        return _flatten(target.value)
    return [target]


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


# -- which names reach the value, and is it fresh ---------------------------------------------


def _facts(ctx: Context) -> _Facts:
    """The task's _Facts, made once per analysis of the task (not once per put: a tuple of
    thousands of puts would scan the task thousands of times). Kept on its Body."""
    found = getattr(ctx.body, "_copy_facts", None)
    if found is None:
        found = ctx.body._copy_facts = _Facts(ctx)  # type: ignore[attr-defined]
    return found


class _Facts:
    """The task's bindings, as links between names (`a = f(b)` links a, f and b)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        fn = ctx.fn.node
        arguments = fn.args
        self.parameters = {
            a.arg
            for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            if a is not None
        }
        self.links: list[set[str]] = []
        self.stored: set[str] = set()  # names bound in the task
        self.not_fresh: set[str] = set()  # bound by import, def, except, or from await/yield
        self.escaped: set[str] = set()  # handed to a call, or used in a nested function
        self.declared: set[str] = set()  # global / nonlocal
        self._scan(fn)

    def is_local(self, name: str) -> bool:
        return name in self.stored and name not in self.declared

    def immutable(self, value: ast.AST) -> bool:
        """Values nothing can change: constants, f-strings, comparisons, `len(...)`..."""
        if isinstance(value, (ast.Constant, ast.JoinedStr, ast.Compare)):
            return True
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not):
            return True
        return (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in _IMMUTABLE_RESULTS
            and self._builtin(value.func.id)
        )

    def harmless_call(self, call: ast.Call) -> bool:
        """A call that changes none of its arguments: a reading builtin, another ray.put."""
        if self.ctx.body.is_put(call):
            return True
        if not (isinstance(call.func, ast.Name) and call.func.id in _READING_BUILTINS and self._builtin(call.func.id)):
            return False
        # `key=f` calls f with the elements, `file=f` writes to f: not only reading any more
        return all(k.arg in ("sep", "end", "flush") for k in call.keywords)

    def reach(self, value: ast.AST) -> tuple[set[str], bool]:
        """The names whose objects the value may share, and whether it is a fresh local."""
        reach = self._names(value)
        changed = True
        while changed:
            changed = False
            for link in self.links:
                if link & reach and not link <= reach:
                    reach |= link
                    changed = True
        fresh = not any(isinstance(n, (ast.Await, ast.Yield, ast.YieldFrom)) for n in ast.walk(value)) and all(
            (name in self.parameters and not self.ctx.fn.is_method or self.is_local(name) and name not in self.parameters)
            and name not in self.not_fresh
            and name not in self.escaped
            for name in reach
        )
        return reach, fresh

    def _names(self, node: ast.AST | None) -> set[str]:
        """Names an expression reads, leaving out unshadowed builtins it calls."""
        names: set[str] = set()
        stack = [node] if node is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Call) and self.ctx.body.is_put(node):
                continue  # a ref: it shares nothing with what was put
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and self._builtin(node.func.id):
                stack.extend([*node.args, *node.keywords])
                continue
            stack.extend(ast.iter_child_nodes(node))
        return names

    def _builtin(self, name: str) -> bool:
        return name in _BUILTINS and name not in self.stored and not _module_binds(self.ctx, name)

    def _scan(self, fn: ast.AST) -> None:
        # first the names bound in the task (a builtin shadowed by one is not the builtin)
        for node in self._walk(fn):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                self.stored.add(node.id)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                self.declared.update(node.names)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    name = (alias.asname or alias.name).split(".")[0]
                    self.stored.add(name)
                    self.not_fresh.add(name)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self.stored.add(node.name)
                self.not_fresh.add(node.name)
            elif isinstance(node, _NESTED) and node is not fn and not isinstance(node, ast.Lambda):
                self.stored.add(node.name)
                self.not_fresh.add(node.name)
        for node in self._walk(fn):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._link(target, node.value)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                self._link(node.target, node.value)
            elif isinstance(node, ast.NamedExpr):
                self._link(node.target, node.value)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                self._link(node.target, node.iter)
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                self._link(node.optional_vars, node.context_expr)
            elif isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, _NESTED) and node is not fn:
                # a closure keeps what it reads: it may change it whenever it is called
                inner = node.body if isinstance(node, ast.Lambda) else node
                self.escaped.update(n.id for n in ast.walk(inner) if isinstance(n, ast.Name))

    def _walk(self, fn: ast.AST):
        """The task's nodes, not looking into nested functions and classes (but yielding them)."""
        stack = list(ast.iter_child_nodes(fn))
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, _NESTED):
                # decorators, defaults and bases run here
                parts = [*getattr(node, "decorator_list", []), *getattr(node, "bases", []), *getattr(node, "keywords", [])]
                if not isinstance(node, ast.ClassDef) and hasattr(node, "args"):
                    parts.extend([*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)])
                stack.extend(parts)
                continue
            stack.extend(ast.iter_child_nodes(node))

    def _link(self, target: ast.AST, value: ast.AST) -> None:
        roots = {r for part in _flatten(target) if (r := _root(part))}
        values = self._names(value)
        if any(isinstance(n, (ast.Await, ast.Yield, ast.YieldFrom)) for n in ast.walk(value)):
            self.not_fresh.update(roots)
        self.links.append(roots | values)

    def _call(self, call: ast.Call) -> None:
        if self.ctx.body.is_put(call):
            return  # ray.put copies what it is given, and keeps nothing
        arguments = [*call.args, *(k.value for k in call.keywords)]
        names = set().union(*(self._names(a) for a in arguments)) if arguments else set()
        if isinstance(call.func, ast.Attribute):
            root = _root(call.func)
            if root is not None:
                self.links.append({root} | names)  # `x.append(y)`: x may hold y now
                return
        if isinstance(call.func, ast.Name) and self._builtin(call.func.id):
            return  # builtins do not keep what they are given
        self.escaped.update(names)
