"""RAY005 ray-get-submission-order: a loop over submitted refs that fetches and processes them one at a time.

## What it does
Finds a `for` loop (or a comprehension) over a list of refs that calls `ray.get` on each ref
in turn and does some work with each result:
```python
refs = [f.remote(x) for x in xs]
for ref in refs:
    process(ray.get(ref))
```
The list must be one raylint can see being made of submissions, in the same function (or at
module level): a comprehension or list of `.remote(...)` calls, or an empty list filled by
`append`/`extend` of them, and changed no other way before the loop. Loops over
`enumerate(refs)` and `zip(refs, ...)` count too.

## Why is this bad?
Tasks finish in any order. Fetching in submission order waits for each straggler while
results that are already done sit unprocessed: the total runtime is the slowest prefix of
tasks plus all the processing, instead of the processing overlapping with the tasks still
running. `ray.wait(refs, num_returns=1)` hands back refs as they finish.

## Example
```python
refs = [f.remote(x) for x in xs]
for ref in refs:
    total += ray.get(ref)
```

## Use instead
```python
refs = [f.remote(x) for x in xs]
unfinished = list(refs)
while unfinished:
    [ref], unfinished = ray.wait(unfinished, num_returns=1)
    total += ray.get(ref)
```

## Fix safety
The fix is **unsafe**: the results are processed in completion order, not submission order.
Code that relies on the order changes. So the fix is offered only for a plain
`for ref in refs:` loop (no `enumerate` or `zip`, no `else`, the body on its own lines) whose
body builds no ordered result (no `append`, `extend`, `insert`, `write`, `x[i] = ...`), when a
name for `ray.wait` is in scope. The set of results processed is the same (tested on Ray);
`break`, `return` and `yield` never occur in a reported loop, and `continue` keeps its meaning.

## When it is wrong
- Not reported (on purpose):
  - a loop that only collects (`results.append(ray.get(ref))`, `[ray.get(r) for r in refs]`):
    it needs every result anyway and is `ray.get(refs)`; nothing is gained by completion order;
  - refs that all come from one actor handle (`[counter.add.remote(x) for x in xs]`): an
    ordinary actor runs its calls in submission order anyway. An actor known to run calls
    concurrently (an `async def` method, `max_concurrency` or `concurrency_groups` in its
    options or decorator) is reported; calls to several actors (`[w.m.remote() for w in workers]`)
    are reported;
  - loops with `break` or `return` (a search for the first good result in order), loops that
    `yield` (the consumer sees the order), loops that call `ray.wait` or change the list;
  - `ray.get(ref, timeout=...)`, and iterating an `ObjectRefGenerator` (a streaming task's
    refs come in completion order already).
- It is wrong when the processing must follow submission order (output written in order):
  keep the loop and say so with `# noqa: RAY005`.
- Lists of refs passed in as parameters, returned by helpers or kept on `self`, and refs of
  `.remote` calls on parameters or on what another call returned (a Serve handle) are not
  followed: those loops are missed. So are `while` loops that pop refs one at a time.
"""

from __future__ import annotations

import ast
import re

from raylint.core.model import Edit, Finding, Fix, Position, Range, Related
from raylint.core.names import Scope
from raylint.core.rule import DOCS_BASE, Checked, FixAvailability, InFile, Rule
from raylint.rules import _loops
from raylint.rules._loops import COMPREHENSIONS, FUNCTIONS, Walk, nodes

CODE = "RAY005"
DOCS_URL = DOCS_BASE + "ray-get-submission-order.html"
MESSAGE = (
    "`ray.get` in a loop over submitted refs processes results in submission order, so one slow "
    "task holds up results that are ready; process them as they finish with `ray.wait`"
)
UNSAFE = (
    "results are processed in completion order, not submission order: code that relies on the "
    "order (output written in order, lists aligned with the inputs) changes"
)


def check(ctx: Checked) -> list[Finding]:
    return _loops.findings_of_gets(ctx, _check_get)


def _check_get(ctx: Checked, walk: Walk, get: ast.Call) -> Finding | None:
    ref = _loops.first_positional(get, "object_refs")
    if not isinstance(ref, ast.Name) or _loops.has_keyword(get, "timeout"):
        return None
    found = walk.innermost_loop(get)
    if found is None:
        return None
    loop, child = found
    iterated = _iterated_refs(loop, ref.id)
    if iterated is None:
        return None
    refs_name, plain = iterated
    scope = walk.scope(loop)
    if isinstance(loop, COMPREHENSIONS):
        scope = scope  # the first iterable is read where the comprehension is
        if _collects_only_comprehension(loop, get):
            return None
    else:
        if _collects_only(loop, ref.id, get) or _order_matters(walk, loop, refs_name):
            return None
    made = _submissions(ctx, walk, refs_name, scope, loop)
    if not made:
        return None
    if not _may_finish_out_of_order(ctx, walk, made):
        return None
    source = ctx.source
    statement = walk.statement(get)
    related = (Related(ctx.path, source.range_of(made[0]), "the refs are submitted here"),)
    fix, reason = None, ""
    if isinstance(loop, ast.For) and plain:
        fix, reason = _fix(ctx, walk, loop, get, refs_name)
    else:
        reason = "only a plain `for ref in refs:` loop is rewritten (with `enumerate`, `zip` or in a comprehension the order is part of the result)"
    return Finding(
        CODE, MESSAGE, ctx.path, source.range_of(get), related, (fix,) if fix else (),
        task=walk.owner(get), no_fix_reason=reason,
        statement=source.range_of(statement) if statement is not None else None,
    )


def _iterated_refs(loop: ast.AST, ref: str) -> tuple[str, bool] | None:
    """The name of the list `loop` walks whose items it binds to `ref`, and whether it is the
    plain `for ref in refs`; None when `ref` is not an item of a named list."""
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        pairs = [(loop.target, loop.iter)]
    elif isinstance(loop, COMPREHENSIONS):
        pairs = [(g.target, g.iter) for g in loop.generators]
    else:
        return None
    for target, iterable in pairs:
        if isinstance(target, ast.Name) and target.id == ref and isinstance(iterable, ast.Name):
            return iterable.id, True
        if isinstance(target, ast.Tuple) and isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name):
            names = [e.id if isinstance(e, ast.Name) else None for e in target.elts]
            if ref not in names:
                continue
            at = names.index(ref)
            args = iterable.args
            if iterable.func.id == "enumerate" and len(target.elts) == 2 and at == 1 and len(args) >= 1 and isinstance(args[0], ast.Name):
                return args[0].id, False
            if iterable.func.id == "zip" and len(args) == len(target.elts) and isinstance(args[at], ast.Name) and not iterable.keywords:
                return args[at].id, False
    return None


def _collects_only_comprehension(comp: ast.AST, get: ast.Call) -> bool:
    value = comp.value if isinstance(comp, ast.DictComp) else comp.elt
    return value is get


def _collects_only(loop: ast.AST, ref: str, get: ast.Call) -> bool:
    """Is the loop body only `x = ray.get(ref)` and storing `x` (or the get) in containers?
    (In a `try`, its handlers are error paths, not the processing of results.)"""
    return _collecting(loop.body, get, set())


def _collecting(body: list[ast.stmt], get: ast.Call, fetched: set[str]) -> bool:
    for statement in body:
        if isinstance(statement, ast.Try) and not statement.finalbody and not statement.orelse:
            if _collecting(statement.body, get, fetched):
                continue
            return False
        if isinstance(statement, ast.Assign) and statement.value is get and all(isinstance(t, ast.Name) for t in statement.targets):
            fetched.update(t.id for t in statement.targets)
            continue
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Subscript):
            if _is_value(statement.value, get, fetched) and isinstance(statement.targets[0].value, (ast.Name, ast.Attribute)):
                continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            if (
                isinstance(call.func, ast.Attribute) and call.func.attr in ("append", "add", "extend")
                and len(call.args) == 1 and not call.keywords and _is_value(call.args[0], get, fetched)
            ):
                continue
        if isinstance(statement, ast.Pass):
            continue
        return False
    return True


def _is_value(expr: ast.AST, get: ast.Call, fetched: set[str]) -> bool:
    return expr is get or isinstance(expr, ast.Name) and expr.id in fetched


def _order_matters(walk: Walk, loop: ast.AST, refs_name: str) -> bool:
    """Does the loop stop early, stream its results, wait itself, or change the list?"""
    if any(isinstance(node, (ast.Break, ast.Return)) for node, _ in _loops.exits(loop.body, loop)):
        return True
    for node in nodes(loop.body):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(node, ast.Name) and node.id == refs_name:
            return True
    start, end = _loops.position(loop), (loop.end_lineno or 0, loop.end_col_offset or 0)
    return any(start < _loops.position(wait) < end for wait in walk.waits)


def _submissions(ctx: Checked, walk: Walk, name: str, scope: Scope, loop: ast.AST) -> list[ast.Call] | None:
    """The `.remote()` calls the list `name` holds at `loop`, if every binding of it in its
    scope makes it of submissions alone."""
    home = scope.lookup(name)
    if home is None or home.is_class:
        return None
    bindings = home.bindings.get(name, ())
    if not bindings or any(b[0] != "value" for b in bindings):
        return None
    body = _body_of(home)
    if body is None:
        return None
    made: list[ast.Call] = []
    for _, value in bindings:
        # (one `.remote()` is one ref, or a streaming generator's refs: not a list of refs)
        found = None if _loops.is_remote_call(value) else _loops.producers(value)
        if found is None and _loops.is_empty_list(value):
            found = _loops.list_building(name, body, _loops.position(value), _loops.position(loop))
        if found is None:
            return None
        made.extend(found)
    return made


def _body_of(scope: Scope) -> list[ast.stmt] | None:
    node = scope.node
    if isinstance(node, ast.Module):
        return node.body
    if isinstance(node, FUNCTIONS):
        return node.body
    return None


def _may_finish_out_of_order(ctx: Checked, walk: Walk, made: list[ast.Call]) -> bool:
    """Tasks, or several actors, or one actor that runs calls concurrently; not the methods of
    one ordinary actor handle, which runs them in submission order anyway."""
    kinds = {_loops.submission(ctx, call, walk.scope(call)) for call in made}
    if None in kinds:
        return False
    if "task" in kinds:
        return True
    handles = set()
    for call in made:
        method = _loops.receiver(call)
        if not isinstance(method, ast.Attribute):
            return True
        handle = method.value
        handles.add(ctx.source.segment(handle))
        if _bound_per_item(walk, call, handle):
            return True  # `[w.m.remote() for w in workers]`: several actors
    if len(handles) > 1:
        return True
    return _concurrent_actor(ctx, walk, made[0])


def _bound_per_item(walk: Walk, call: ast.Call, handle: ast.AST) -> bool:
    """Is a name of the handle bound by a loop or comprehension around the call?"""
    names = {n.id for n in ast.walk(handle) if isinstance(n, ast.Name)}
    for ancestor in walk.ancestors(call):
        if isinstance(ancestor, (ast.For, ast.AsyncFor)):
            bound = {n.id for n in ast.walk(ancestor.target) if isinstance(n, ast.Name)}
        elif isinstance(ancestor, COMPREHENSIONS):
            bound = {n.id for g in ancestor.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
        else:
            continue
        if names & bound:
            return True
    return False


def _concurrent_actor(ctx: Checked, walk: Walk, call: ast.Call) -> bool:
    """Is the handle of `h.m.remote()` known to run calls concurrently (async methods,
    `max_concurrency`, `concurrency_groups`)? False when unknown."""
    handle = _loops.receiver(call).value
    if not isinstance(handle, ast.Name):
        return False
    scope = walk.scope(call)
    home = scope.lookup(handle.id)
    if home is None:
        return False
    for binding in home.bindings.get(handle.id, ()):
        if binding[0] != "value" or not _loops.is_remote_call(binding[1]):
            continue
        made = binding[1]
        options = made.func.value
        if isinstance(options, ast.Call) and _concurrency_keywords(options):
            return True
        cls_name = _loops.receiver(made)
        if isinstance(cls_name, ast.Name):
            cls = _class_of(cls_name.id, home)
            if cls is not None:
                if any(isinstance(d, ast.Call) and _concurrency_keywords(d) for d in cls.decorator_list):
                    return True
                if any(isinstance(m, ast.AsyncFunctionDef) for m in cls.body):
                    return True
    return False


def _concurrency_keywords(call: ast.Call) -> bool:
    for kw in call.keywords:
        if kw.arg == "concurrency_groups":
            return True
        if kw.arg == "max_concurrency" and not (isinstance(kw.value, ast.Constant) and kw.value.value == 1):
            return True
    return False


def _class_of(name: str, scope: Scope) -> ast.ClassDef | None:
    home = scope.lookup(name)
    if home is None:
        return None
    for binding in home.bindings.get(name, ()):
        if binding[0] == "def" and isinstance(binding[1], ast.ClassDef):
            return binding[1]
        if binding[0] == "value" and isinstance(binding[1], ast.Call) and binding[1].args and isinstance(binding[1].args[0], ast.Name):
            inner = binding[1].args[0].id
            if inner != name:
                return _class_of(inner, home)
    return None


# The fix.

_FRESH = ("unfinished", "unfinished_refs", "pending_refs", "not_ready")


def _fix(ctx: Checked, walk: Walk, loop: ast.For, get: ast.Call, refs_name: str) -> tuple[Fix | None, str]:
    if loop.orelse:
        return None, "the loop has an `else` clause; rewrite it by hand"
    source = ctx.source
    if not loop.body or loop.body[0].lineno == loop.lineno:
        return None, "the loop's body is on the line of the `for`; rewrite it by hand"
    ordered = _builds_in_order(loop)
    if ordered:
        return None, (
            f"the loop builds an ordered result (`{ordered}`) that completion order would change; "
            "rewrite it by hand if the order does not matter"
        )
    wait = _wait_name(ctx, walk, get)
    if wait is None:
        return None, "no name for `ray.wait` is in scope here (import ray); rewrite it by hand"
    function = _function_of(walk, loop)
    text = source.segment(function) if function is not None else source.text
    fresh = next((n for n in _FRESH if not re.search(rf"\b{n}\b", text)), None)
    if fresh is None:
        return None, "no free name for the list of unfinished refs; rewrite it by hand"
    start = source.range_of(loop).start
    header_end = source.range_of(loop.iter).end
    indent = source.line(start.line)[: start.character]
    first = source.range_of(loop.body[0]).start
    body_indent = source.line(first.line)[: first.character]
    if header_end.line >= first.line or source.line(header_end.line)[header_end.character :].strip()[:1] != ":":
        return None, "the loop's header is not one line of its own; rewrite it by hand"
    if indent.strip() or body_indent.strip():
        return None, "the loop shares its lines with other statements; rewrite it by hand"
    ref = loop.target.id
    newline = source.newline
    header = Edit(ctx.path, Range(start, header_end), f"{fresh} = list({refs_name}){newline}{indent}while {fresh}")
    at = Position(header_end.line + 1, 0)
    waiting = Edit(ctx.path, Range(at, at), f"{body_indent}[{ref}], {fresh} = {wait}({fresh}, num_returns=1){newline}")
    title = f"Process the refs as they finish with `{wait}`"
    return Fix("wait-loop", title, (header, waiting), unsafe_reason=UNSAFE), ""


_ORDERED_METHODS = {"append", "appendleft", "extend", "insert", "write", "writelines", "writerow", "writerows"}


def _builds_in_order(loop: ast.For) -> str:
    """What in the body keeps results in the loop's order (`results.append`), or ""."""
    for node in nodes(loop.body):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _ORDERED_METHODS:
            return f"{node.func.attr}(...)"
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            stored = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Subscript) for t in stored):
                return "x[...] = ..."
    return ""


def _function_of(walk: Walk, node: ast.AST) -> ast.AST | None:
    for ancestor in walk.ancestors(node):
        if isinstance(ancestor, FUNCTIONS):
            return ancestor
    return None


def _wait_name(ctx: Checked, walk: Walk, get: ast.Call) -> str | None:
    """How to spell `ray.wait` where `get` is: `ray.wait` through the module name the get
    uses, or a name bound to `ray` or `ray.wait`."""
    scope = walk.scope(get)
    func = get.func
    if isinstance(func, ast.Attribute) and ctx.qualified(func.value, scope) == "ray":
        return f"{ctx.source.segment(func.value)}.wait"
    module = ctx.scope
    for name in sorted(module.bindings):
        if scope.lookup(name) is not module:
            continue
        meant = ctx.qualified(ast.Name(id=name, ctx=ast.Load()), module)
        if meant == "ray.wait":
            return name
        if meant == "ray":
            return f"{name}.wait"
    return None


RULE = Rule(
    code=CODE,
    name="ray-get-submission-order",
    summary="A loop over submitted refs fetches and processes them in submission order",
    docs=__doc__,
    url=DOCS_URL,
    check=check,
    needs=("get", InFile("remote")),  # (the submissions it looks at are in the file)
    fix=FixAvailability.SOMETIMES,
    local=False,  # the list of refs and the actor class may be made in other top-level statements
)

__all__ = ["CODE", "DOCS_URL", "RULE", "check"]
