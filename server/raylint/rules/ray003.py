"""RAY003 unnecessary-ray-get: a value is fetched with `ray.get` only to be passed to another task.

## What it does
Finds a `ray.get(ref)` of one ObjectRef whose value is used for nothing but being passed, as a
whole top-level argument (positional or keyword), to `.remote(...)` calls: directly
(`g.remote(ray.get(ref))`), or through a name bound once to the `ray.get` and read only as
such arguments (`x = ray.get(ref)` ... `g.remote(x)`, `h.m.remote(k=x)`,
`g.options(num_cpus=2).remote(x)`, `Actor.remote(x)`).

The fetched ref must be known to be a single ObjectRef: a `.remote(...)` call, a `ray.put(...)`,
or a name every binding of which is one of those. A task of the module that returns several
refs (`num_returns` other than 1, set on its decorator, through `ray.remote(...)(fn)` or
`.options(num_returns=...)`) or is a generator is not one.

## Why is this bad?
`ray.get` copies the value from the object store into the caller (the driver, usually), and
`.remote(x)` copies it back into the object store for the next task: two transfers, and the
caller waits for the first task before it can even submit the second. Ray resolves an
ObjectRef passed as a top-level argument of `.remote(...)` to its value before the task runs
(verified on Ray 2.60 for tasks, actor constructors and actor methods, positional and keyword
arguments, and `.options(...).remote`), so passing the ref gives the callee the same value with
no round trip, and lets Ray schedule the second task as soon as the first is done.

## Example
```python
rollout = ray.get(generate_rollout.remote())
reduced = ray.get(reduce.remote(rollout))
```

## Use instead
```python
rollout = generate_rollout.remote()
reduced = ray.get(reduce.remote(rollout))
```

## Fix safety
The fix removes the `ray.get` (`x = ray.get(ref)` becomes `x = ref`; `g.remote(ray.get(ref))`
becomes `g.remote(ref)`). The callee receives the same value (verified on Ray 2.60, also for
numpy arrays, which arrive read-only either way).

It is **safe** when the ref is made by `ray.put(...)` (directly or through a name every binding
of which is a put) and every call it goes to is certainly a task or actor method of the
workspace (a `.remote` of anything else, such as a Serve handle, may receive the ref itself):
such a ref is ready at once and holds no task error, so the caller waited for nothing and
nothing is raised elsewhere instead. (What it still changes: the put object
stays in the object store while the name holds its ref, instead of being freed at once.)
The variable must also be a function's local that nothing reads but by its name: a module
global (`main.x` from another module, `globals()`), a class attribute, or a local read by
`locals()`, `vars()`, `eval`/`exec` or a frame's `f_locals` would see the ObjectRef instead of
the value after the fix, so those fixes are unsafe too.

Otherwise it is **unsafe**, because removing a `ray.get` of a task's ref changes more than
the transfer:
- the caller no longer waits there: whatever it does between the `ray.get` and the
  `.remote(...)` call (and other tasks it submits meanwhile) now runs while the first task
  may still be running;
- an error raised by the first task is no longer raised at this line: it reaches the
  `ray.get` of the task that receives the ref (as a `RayTaskError` of the same exception
  type, with "At least one of the input arguments for this task could not be computed"), and
  is never seen if that result is never fetched;
- the value no longer passes through the caller (a ref to a generator, or a task of another
  module returning several refs, would now reach the callee as refs).

## When it is wrong
- The `ray.get` may be a barrier on purpose: the caller must wait for the first task's side
  effects (a file it writes, an actor it updates) before doing something else. Ray does wait
  for the ref before running the receiving task, but not before the caller's next lines.
- In a loop, the `ray.get` also throttles it: without it the loop submits all its tasks at
  once. Pass the ref, and bound the tasks in flight with `ray.wait` if that matters.
- A task or actor method of another module (or reached through an actor handle) that
  returns several refs with `num_returns` is not recognized as such.
- A `.remote(...)` that is not a Ray task or actor call (a Ray Serve deployment handle, or
  another library's `.remote`) may not resolve the ref the way Ray's calls do: there the
  finding (and its fix) are wrong.
- Not flagged (misses): a `ray.get` inside a `try` that handles its errors (it is there to
  catch them); a list (`ray.get([a, b])`: refs nested in a list argument are *not* resolved
  by Ray), `ray.get(..., timeout=...)`, a ref that is a parameter or an item of a list or
  attribute (raylint cannot tell it is one ref), a value also used in any other way (printed,
  compared, indexed, passed to a plain function, put in a list), a name bound more than once,
  annotated, or declared `global`/`nonlocal`.
"""

from __future__ import annotations

import ast

from raylint.core.flow import Values, View, view
from raylint.core.model import Finding, Fix, Related
from raylint.core.names import Scope
from raylint.core.rule import DOCS_BASE, Checked, FixAvailability, InFile, Rule
from raylint.core.walk import walk
from raylint.rules._scan import FUNCTIONS, enclosing_statement, statement_range, task_name
from raylint.rules.ray001.edits import Context, unwrapped_text

CODE = "RAY003"
MESSAGE = "`ray.get` fetches a value only to pass it to a task; pass the ObjectRef itself"
UNSAFE = (
    "the caller no longer waits for the task here, and the task's error surfaces where the "
    "receiving task's result is fetched instead of at this line"
)


def check(ctx: Checked) -> list[Finding]:
    v = view(ctx.module)
    # the calls that may be `ray.get` first (cheap): most `.get` calls are `dict.get`
    candidates = [node for node in v.of(ast.Call, ctx.body) if node.args and _may_be_get(ctx, v, node.func)]
    gets = [node for node in candidates if ctx.is_ray(node.func, v.scope_of(node), "ray.get")]
    if not gets:
        return []
    facts = _module_facts(ctx, v)  # (read of the whole module: only where there is a ray.get)
    findings = []
    for node in gets:
        finding = _check_get(ctx, v, facts, node)
        if finding is not None:
            findings.append(finding)
    return findings


def _may_be_get(ctx: Checked, v: View, func: ast.AST) -> bool:
    """A cheap test before resolving (which collects the bindings of the enclosing functions):
    `X.get` or `g` where `X` / `g` is a name some import or plain alias of the module binds, at
    any depth (`import ray` inside a function too), or may come from a star import. Most `.get`
    calls are `dict.get` on a local."""
    if isinstance(func, ast.Attribute) and func.attr == "get" and isinstance(func.value, ast.Name):
        name = func.value.id
    elif isinstance(func, ast.Name):
        name = func.id
    else:
        return False
    if "ray003.aliases" not in ctx.known:
        ctx.known["ray003.aliases"] = _aliases(v)
    aliases, star = ctx.known["ray003.aliases"]
    return star or name in aliases


def _aliases(v: View) -> tuple[set[str], bool]:
    """The names imports bind anywhere in the module, and those assigned a name or an
    attribute (`get = ray.get`, `r = ray`); and whether it has a star import."""
    names: set[str] = set()
    star = False
    for node in v.of((ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.NamedExpr)):
        if isinstance(node, ast.Import):
            names.update((alias.asname or alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            star = star or any(alias.name == "*" for alias in node.names)
            names.update((alias.asname or alias.name) for alias in node.names)
        elif isinstance(node.value, (ast.Name, ast.Attribute)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names, star


class _Facts:
    """What RAY003 reads of the whole module once: the names loaded (by name), the names some
    scope declares global/nonlocal, and the tasks that do not return exactly one ref."""

    def __init__(self, v: View):
        self.loads: dict[str, list[tuple[ast.Name, Scope]]] = {}
        self.declared: set[str] = set()
        self.multi: set[str] = set()
        for node in v.of(ast.Name):
            if isinstance(node.ctx, ast.Load):
                self.loads.setdefault(node.id, []).append((node, v.scope_of(node)))
        for node in v.of((ast.Global, ast.Nonlocal)):
            self.declared.update(node.names)
        generators = _generators(v)
        for node in v.of(FUNCTIONS):
            if id(node) in generators or any(_sets_num_returns(d) for d in node.decorator_list):
                self.multi.add(node.name)
        for node in v.of(ast.ClassDef):
            for method in node.body:
                if isinstance(method, FUNCTIONS) and any(_sets_num_returns(d) for d in method.decorator_list):
                    self.multi.add(method.name)
        for node in v.of(ast.Call):
            if isinstance(node.func, ast.Call) and _sets_num_returns(node.func):
                # ray.remote(num_returns=2)(fn)
                self.multi.update(a.id for a in node.args if isinstance(a, ast.Name))
                parent = v.parent(node)
                if isinstance(parent, ast.Assign):
                    self.multi.update(t.id for t in parent.targets if isinstance(t, ast.Name))


def _module_facts(ctx: Checked, v: View) -> _Facts:
    facts = getattr(ctx.module, "_raylint_ray003", None)
    if facts is None:
        facts = ctx.module._raylint_ray003 = _Facts(v)  # type: ignore[attr-defined]
    return facts


def _sets_num_returns(node: ast.AST) -> bool:
    """A call with `num_returns=` other than the literal 1."""
    if not isinstance(node, ast.Call):
        return False
    for keyword in node.keywords:
        if keyword.arg is None:
            return True  # `**options` may set it
        if keyword.arg == "num_returns":
            return not (isinstance(keyword.value, ast.Constant) and keyword.value.value == 1)
    return False


def _generators(v: View) -> set[int]:
    """The functions (by id) with a `yield` of their own: generators."""
    found = set()
    for node in v.of((ast.Yield, ast.YieldFrom)):
        child, at = node, v.parent(node)
        while at is not None and not isinstance(at, (ast.Lambda, ast.ClassDef, ast.Module)):
            if isinstance(at, FUNCTIONS) and any(child is s for s in at.body):
                found.add(id(at))
                break
            child, at = at, v.parent(at)
    return found


def _check_get(ctx: Checked, v: View, facts: _Facts, get: ast.Call) -> Finding | None:
    if len(get.args) != 1 or get.keywords or isinstance(get.args[0], ast.Starred):
        return None
    scope = v.scope_of(get)
    if not _single_ref(ctx, v, facts, get.args[0], scope, 0) or _handled_here(v, get):
        return None
    uses = _uses(ctx, v, facts, get, scope)
    if not uses:
        return None
    source = ctx.source
    related = tuple(Related(ctx.path, source.range_of(use), "the value is passed to this task call") for use in uses)
    fixes = ()
    text = unwrapped_text(Context(ctx.path, source, None), get)
    if text is not None:
        edit = Context(ctx.path, source, None).edit(get, text)
        # A ref made by `ray.put` is ready at once and cannot hold a task's error: then the
        # caller waited for nothing and nothing is raised later instead.
        unsafe = UNSAFE
        if _put_ref(ctx, v, get.args[0], scope):
            values = Values(ctx.resolver.index)
            unknown = next((use for use in uses if not values.submits_to_ray(use, ctx.module, v.scope_of(use))), None)
            unsafe = "" if unknown is None else (
                f"raylint cannot tell that `{ctx.source.segment(unknown.func)}` is a Ray task or actor call "
                f"(only those resolve a ref argument to its value)"
            )
        read_otherwise = _read_otherwise(v, get, scope)
        unsafe = "; ".join(reason for reason in (unsafe, read_otherwise) if reason)
        fixes = (Fix("pass-ref", "Pass the ObjectRef instead of its value", (edit,), unsafe_reason=unsafe),)
    return Finding(
        CODE,
        MESSAGE,
        ctx.path,
        source.range_of(get),
        related=related,
        fixes=fixes,
        task=task_name(v, get),
        no_fix_reason="" if fixes else "the `ray.get` call cannot be unwrapped",
        statement=statement_range(source, v, get),
    )


def _single_ref(ctx: Checked, v: View, facts: _Facts, expr: ast.AST, scope: Scope, depth: int) -> bool:
    """Is `expr` certainly one ObjectRef (not a list of refs, a generator, anything else)?"""
    if depth > 5:
        return False
    if isinstance(expr, ast.Call):
        if ctx.is_ray(expr.func, scope, "ray.put"):
            return True
        func = expr.func
        if not (isinstance(func, ast.Attribute) and func.attr == "remote"):
            return False
        callee = func.value
        while isinstance(callee, ast.Call) and isinstance(callee.func, ast.Attribute) and callee.func.attr == "options":
            if _sets_num_returns(callee):
                return False
            callee = callee.func.value
        if isinstance(callee, ast.Call):  # ray.remote(fn).remote(): the factory's options
            return False
        if ctx.is_ray(callee, scope, "ray.remote") or ctx.is_ray(callee, scope, "ray"):
            return False
        name = callee.id if isinstance(callee, ast.Name) else callee.attr if isinstance(callee, ast.Attribute) else None
        return name is not None and name not in facts.multi
    if isinstance(expr, ast.Name):
        if expr.id in facts.declared:
            return False
        home = scope.lookup(expr.id)
        if home is None:
            return False
        bindings = home.bindings.get(expr.id, [])
        return bool(bindings) and all(
            b[0] == "value" and _single_ref(ctx, v, facts, b[1], home, depth + 1) for b in bindings
        )
    return False


def _put_ref(ctx: Checked, v: View, expr: ast.AST, scope: Scope) -> bool:
    """Is `expr` a `ray.put(...)`, or a name every binding of which is one?"""
    if isinstance(expr, ast.Call):
        return ctx.is_ray(expr.func, scope, "ray.put")
    if isinstance(expr, ast.Name):
        home = scope.lookup(expr.id)
        bindings = home.bindings.get(expr.id, []) if home is not None else []
        return bool(bindings) and all(b[0] == "value" and _put_ref(ctx, v, b[1], home) for b in bindings)
    return False


def _handled_here(v: View, get: ast.Call) -> bool:
    """Is the `ray.get` inside a `try` (of its own function) that handles errors?"""
    child, parent = get, v.parent(get)
    while parent is not None and not isinstance(parent, (*FUNCTIONS, ast.Lambda, ast.ClassDef, ast.Module)):
        if isinstance(parent, (ast.Try, getattr(ast, "TryStar", ast.Try))) and parent.handlers:
            if any(child is s for s in parent.body):
                return True
        child, parent = parent, v.parent(parent)
    return False


def _remote_argument(ctx: Checked, v: View, node: ast.AST) -> ast.Call | None:
    """The `.remote(...)` call `node` is a whole top-level argument of (None if it is not)."""
    parent = v.parent(node)
    if isinstance(parent, ast.keyword):
        if parent.arg is None:
            return None
        parent = v.parent(parent)
        if not isinstance(parent, ast.Call) or not any(k.value is node for k in parent.keywords):
            return None
    elif not isinstance(parent, ast.Call) or not any(a is node for a in parent.args):
        return None
    func = parent.func
    if not (isinstance(func, ast.Attribute) and func.attr == "remote"):
        return None
    if ctx.is_ray(func, v.scope_of(parent), "ray.remote"):
        return None
    return parent


def _uses(ctx: Checked, v: View, facts: _Facts, get: ast.Call, scope: Scope) -> list[ast.Call]:
    """The `.remote(...)` calls the fetched value goes to, if it goes nowhere else."""
    direct = _remote_argument(ctx, v, get)
    if direct is not None:
        return [direct]
    assign = v.parent(get)
    if not (isinstance(assign, ast.Assign) and assign.value is get and len(assign.targets) == 1):
        return []
    target = assign.targets[0]
    if not isinstance(target, ast.Name) or target.id in facts.declared:
        return []
    name = target.id
    if len(scope.bindings.get(name, [])) != 1:
        return []
    uses = []
    for load, where in facts.loads.get(name, []):
        if where.lookup(name) is not scope:
            continue
        call = _remote_argument(ctx, v, load)
        if call is None:
            return []
        uses.append(call)
    if uses and _calls_between(ctx, v, scope, enclosing_statement(v, get), uses):
        return []  # the `ray.get` may be a barrier for what runs in between
    return uses


# What reads a function's local variables without naming them: `locals()`, `eval("x")`, a
# frame's `f_locals` (`sys._getframe()`, `inspect.currentframe()`), a closure's cells.
_LOCALS_BUILTINS = frozenset({"locals", "vars", "eval", "exec", "breakpoint"})
_LOCALS_ATTRIBUTES = frozenset({"f_locals", "_getframe", "currentframe", "cell_contents", "__closure__"})


def _read_otherwise(v: View, get: ast.Call, scope: Scope) -> str:
    """Why the variable the fetched value is assigned to may be read other than by its name
    in its own scope ("" when it may not): then passing the ref instead changes what that
    read sees (an ObjectRef, not the value)."""
    assign = v.parent(get)
    if not isinstance(assign, ast.Assign) or assign.value is not get:
        return ""  # (`g.remote(ray.get(ref))`: the value is bound to no name)
    name = assign.targets[0].id  # (see `_uses`: one plain name)
    node = scope.node
    if isinstance(node, ast.Module):
        return (
            f"`{name}` is a module global: other modules (`from module import {name}`, `module.{name}`) "
            f"and `globals()` may read it, and would get the ObjectRef instead of the value"
        )
    if isinstance(node, ast.ClassDef):
        return f"`{name}` is a class attribute (`{node.name}.{name}`), which code anywhere may read"
    for inner in walk(node):
        if isinstance(inner, ast.Name) and inner.id in _LOCALS_BUILTINS and v.scope_of(inner).lookup(inner.id) is None:
            return f"`{inner.id}` may read `{name}` by its name at run time, and would get the ObjectRef instead of the value"
    # (a frame is read anywhere in the module: a helper the function calls may read its caller's)
    frames = next((inner for inner in v.of(ast.Attribute) if inner.attr in _LOCALS_ATTRIBUTES), None)
    if frames is not None:
        return f"`.{frames.attr}` (line {frames.lineno}) may read the function's variables, `{name}` among them, at run time"
    return ""


# Calls that cannot depend on a task having finished: submitting more tasks, filling lists,
# logging, and pure builtins.
_HARMLESS_METHODS = {
    "remote", "options", "append", "extend", "insert", "add", "items", "keys", "values", "copy", "join", "format",
    "debug", "info", "warning", "warn",
}
_HARMLESS_BUILTINS = {
    "len", "range", "list", "dict", "tuple", "set", "str", "int", "float", "bool", "enumerate", "zip",
    "isinstance", "print", "min", "max", "sorted", "reversed", "repr", "format",
}


def _calls_between(ctx: Checked, v: View, scope: Scope, statement: ast.stmt | None, uses: list[ast.Call]) -> bool:
    """Is anything called between the `ray.get`'s statement and its last use (in source order,
    in the same scope) that might rely on the first task having finished (a barrier)?"""
    if statement is None:
        return True
    source = ctx.source
    after = source.range_of(statement).end
    last = max(uses, key=lambda c: (c.lineno, c.col_offset))
    before = source.range_of(last).start
    if before <= after:
        return False
    holding = set()  # the calls that contain a use (they run after it)
    for use in uses:
        node = v.parent(use)
        while node is not None and node is not scope.node:
            holding.add(id(node))
            node = v.parent(node)
    for node in walk(scope.node):
        if not isinstance(node, ast.Call) or id(node) in holding or any(node is u for u in uses):
            continue
        place = source.range_of(node).start
        if not (after <= place < before) or _inside_use(v, node, uses):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _HARMLESS_METHODS:
            continue
        if isinstance(func, ast.Name) and func.id in _HARMLESS_BUILTINS and v.scope_of(node).lookup(func.id) is None:
            continue
        return True
    return False


def _inside_use(v: View, node: ast.AST, uses: list[ast.Call]) -> bool:
    parent = v.parent(node)
    while parent is not None:
        if any(parent is u for u in uses):
            return True
        parent = v.parent(parent)
    return False


RULE = Rule(
    code=CODE,
    name="unnecessary-ray-get",
    summary="A value is fetched with `ray.get` only to be passed to another task",
    docs=__doc__,
    url=DOCS_BASE + "unnecessary-ray-get.html",
    check=check,
    needs=("get", InFile("remote")),  # (the submissions it looks at are in the file)
    local=False,
    fix=FixAvailability.SOMETIMES,
)
