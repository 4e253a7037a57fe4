"""RAY001 return-ray-put: a Ray task returns `ray.put()` ObjectRefs.

## What it does
Finds a `return` in a Ray task or actor method whose value is, or contains, an ObjectRef
made by `ray.put()` in that task's worker: by the task itself, or by a helper (a plain
function of the same module, or a plain method of the actor's class called on `self`) whose
result the task returns. A helper's refs are reported
at the task's `return`, with the helper's `ray.put()` as a related location, and without an
automatic fix (rewrite the helper by hand). A generator task's items are its returns too:
`yield ray.put(x)` is flagged, without an automatic fix (each caller's extra `ray.get` of
an item is not rewritten). So is a task made from a lambda whose value is a put, or a tuple,
list or comprehension of puts (`ray.remote(lambda x: ray.put(x))`).

## Why is this bad?
- Ray returns small values (≤ 100 KB) inline to the caller; `ray.put()` always goes through
  the object store, so the optimization is lost.
- Returning a ref adds Ray's distributed reference counting, which is slower than
  returning the value.
- The worker that calls `ray.put()` owns the ref and the value fate-shares with it: if
  that worker dies, the value is lost (`OwnerDiedError`). A value returned directly is
  owned by the caller.

## Example
```python
@ray.remote
def load(path):
    return ray.put(read(path))
```

## Use instead
```python
@ray.remote
def load(path):
    return read(path)
```
A fixed number of values: `@ray.remote(num_returns=N)` and return them as a tuple. An
unknown number: make the task a generator that yields each value.

## Fix safety
Every fix changes what `f.remote()` gives its callers: the outer ref now holds what the
inner ref held, so each caller's extra `ray.get` must go (`ray.get(ray.get(f.remote()))`
becomes `ray.get(f.remote())`), and a fix rewrites the task and its callers together.

A fix is **safe** only when every place in the workspace that can observe the changed
return value was found and rewritten with certainty. `raylint check --fix` and the editors'
"Fix all" apply safe fixes only.

A fix is **unsafe** when raylint cannot prove that: each place it cannot prove is listed
with the finding ("review call site path:line:col: why") and counted in the fix's title.
Such places are, among others:
- a call whose outer ref is passed to another call or task, returned, stored in an object,
  or read in a nested function (an outer ref fetched with `ray.get` or `await`, kept in
  local variables and lists, waited on with `ray.wait` or gathered is followed and rewritten);
- the task itself stored, passed to a function, or wrapped (`functools.partial(f)`), so
  its calls cannot all be found;
- an in-process call of a function also given to `ray.remote(fn)`;
- a decorator other than Ray's on the task, its actor class or method: one above `@ray.remote`
  is handed the task (a registry may keep it where its calls cannot be found), one under it
  wraps the function and receives the return value the fix changes;
- a namespace read as a dict where the task may be bound (`globals()["f"]`, `locals()`,
  `vars()`, `sys._getframe().f_globals`, `fn.__globals__`);
- calls through actor handles whose class raylint cannot tell (an un-annotated parameter,
  `ray.get_actor(...)`, an `ActorPool` lambda), and `self.m()` or `super().m()` in-process;
- a module that imports the task's module at run time (`importlib.import_module("tasks")`,
  `import_module(".tasks", "pkg")`, `__import__`, `pkgutil.resolve_name("tasks:load")`, or a
  module name or package computed there), or
  fetches from it by a computed name (`getattr(tasks, name)`, `sys.modules[name]`), or hands
  an actor method on uncalled (`run(h.report)`);
- a module that loads code from a path or a text at run time, which need not name the task's
  module at all (`runpy.run_path(p)`, `importlib.util.spec_from_file_location(m, p)`,
  `exec(text)`, `eval(text)`, a notebook's `%run tasks.py`);
- code in a string, which raylint does not rewrite: a doctest example that names the task or
  method (`>>> ray.get(ray.get(f.remote()))` in a docstring of a module that imports it, or
  whose docstrings name a module exposing it; run by doctest and pytest's `--doctest-modules`),
  or any other string but a docstring that names it, `remote` and a module exposing it
  (`subprocess.run([sys.executable, "-c", "from tasks import f; ...f.remote()..."])`);
- an outer ref fetched, where the value is not waited for first thing after: `inner =
  ray.get(f.remote())` becomes `inner = f.remote()`, which no longer waits for the task, so
  what runs before `ray.get(inner)` could see it unfinished (a file it writes not there yet,
  its failure not raised yet, past a `try`'s handler, or a timeout that no longer fires).
  Safe only when the next statement waits for the value before it runs anything else
  (`value = ray.get(inner)`, `await inner`, `[ray.get(r) for r in refs]` of one call's refs;
  not `ray.get(g.remote(inner))`, which raises a failure as g's). The
  same holds for a task that becomes a generator: `list(f.remote())` waits for it to end but
  does not raise its failure, which stays in the last ref;
- a list of calls of a task that becomes a generator (`ray.get([f.remote(i) for i in xs])`):
  `[list(f.remote(i)) for i in xs]` would read each generator to its end before the next
  call, so the tasks would run one at a time;
- a file that spells the task but has a syntax error or is not UTF-8;
- a file that spells the task (or fetches names at run time) and imports a module raylint
  finds no project file for, whose name ends like the task's module (`from tasks import f`
  for lib/tasks.py: a `sys.path` set at run time or PYTHONPATH may make it that module);
- callers in files excluded from raylint (searched, never edited);
- calls from outside the workspace: for a library whose tasks others call, set
  `library = true` (`--library`) and every fix that changes callers is unsafe.
The task's own code can make a fix unsafe too:
- a value that may change between the put and the return (the put copied it; see `copies`);
- a put inside a `try` that has an `except`: `ray.put` serializes the value inside the `try`,
  where the handler catches what that raises (a value that cannot be pickled); a value
  returned or yielded instead is serialized by Ray after the task hands it over, and the task
  fails where it used to take its fallback.
- a put given options (`ray.put(x, _owner=actor)`, `**options`): a returned value keeps none
  of them (`_owner` raises on Ray 2.56 and later, an error the rewrite would remove).
A task that returns a put on several paths has one fix for all of them (rewriting one return
alone would give callers a value on one path and a ref on the other).
A task defined inside a function has its callers unfollowed: its fixes are unsafe too.
Unsafe fixes are applied only with `--unsafe-fixes`, or in an editor after you confirm
(where the editor can ask).

What raylint cannot see at all: code that reaches the task through a loader it does not
know (a plugin framework's entry points, `hydra.utils.instantiate` of a config naming it),
handles stored into objects by code outside the class's module, and callers outside the
searched files. Such projects should set `library = true`.

## When it is wrong
It misses refs it cannot trace: a put made in a helper of another module, a ref stored in an
object's attribute and returned with the object, a ref that reaches the return through a
container built across calls, and a lambda made a task by a name of another module
(`helpers.task(lambda x: ray.put(x))`, where `task = ray.remote(num_cpus=1)`: the file may
not be read at all). It may flag a task that returns a put on purpose, for instance one that
hands out a large value it made, whose callers only pass the ref on to other tasks and
never fetch it (the value then lives while that worker does): suppress it there with
`# noqa: RAY001` and a comment saying why.

Not flagged: `ray.put` in driver code and helpers (only a task returning a helper's refs
is), a put whose ref is not returned, a ref passed into a call whose result is returned
(`consumer.remote(ray.put(x))`, `pool.submit(ref)`), `ray.get(ray.put(x))`,
`ray.put(x, _tensor_transport=...)`, and lines marked `# noqa: RAY001` (or a bare `# noqa`).
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import replace

from raylint.core.model import Finding, Fix, NoFix, Related
from raylint.core.flow import view
from raylint.core.names import REMOTE_FACTORY, Resolver
from raylint.core.rule import DOCS_BASE, Checked, FixAvailability, Option, Rule
from raylint.core.tasks import RemoteFunction, in_function
from raylint.rules.ray001 import generator, num_returns, return_value
from raylint.rules.ray001.copies import caught_reason
from raylint.rules.ray001.body import HELPER_PUTS, Body, keeping_builtin, value_parts
from raylint.rules.ray001.edits import Context

CODE = "RAY001"
DOCS_URL = DOCS_BASE + "return-ray-put.html"
GENERATOR_STYLE = Option(
    "generator-style",
    "streaming",
    ("streaming", "dynamic"),
    "the generator rewrite's form: a plain generator task (streaming, Ray >= 2.8), or the "
    'legacy `num_returns="dynamic"` (a ref to an ObjectRefGenerator)',
)


def check(ctx: Checked) -> list[Finding]:
    """RAY001 in the remote functions of the statements to check."""
    style = ctx.options.get(GENERATOR_STYLE.key, GENERATOR_STYLE.default)
    findings: list[Finding] = []
    for fn in ctx.remote_functions():
        body = Body(fn, ctx.resolver).scan()
        if body.puts or body.calls_put_helper:
            findings.extend(_check_function(Context(ctx.path, ctx.source, body), style))
    findings.extend(_lambda_tasks(ctx))
    # the helpers the tasks call, for `reaches_outside` (kept while the document is edited: a
    # task not checked again still calls them; a method helper, `Actor._load`, by its def's name)
    ctx.memory.setdefault("helpers", set()).update(name.rsplit(".", 1)[-1] for name in ctx.module.facts.get(HELPER_PUTS, ()))
    if ctx.statements is None:  # a full analysis: `reaches_outside` works out the names again
        ctx.memory.pop("cleanup", None)
    return findings


def _check_function(ctx: Context, generator_style: str) -> list[Finding]:
    body = ctx.body
    # a generator task's items are its returns: each a ref to the put's ref
    yielded = [_finding(ctx, y, puts, [], YIELD_NO_FIX) for y in body.yields if (puts := body.contained_puts(y.value))]
    flagged = [(ret, puts) for ret in body.value_returns() if (puts := body.contained_puts(ret.value))]
    if not flagged:
        return yielded
    # The function-wide rewrites are computed once and shared by the function's findings.
    whole: dict[str, Fix | NoFix] = {}
    results = [(ret, puts, *_fixes(ctx, ret, puts, whole, generator_style)) for ret, puts in flagged]
    # `return-value` rewrites one return at a time: with another return left returning refs,
    # callers would get a value on one path and a ref on the other.
    for ret, _, fixes, reason in results:
        if not any(fix.id == return_value.ID for fix in fixes):
            break
    else:
        ret = None
    if ret is None and len(results) > 1:
        results = _value_returned_everywhere(ctx, results)
    findings = []
    for here, puts, fixes, reason in results:
        if ret is not None and any(fix.id == return_value.ID for fix in fixes):
            fixes = [fix for fix in fixes if fix.id != return_value.ID]
            if not fixes:
                reason = (
                    f"the return at line {ret.lineno} cannot be rewritten the same way, and rewriting this one "
                    f"alone would give callers a value on one path and a ref on the other"
                )
        findings.append(_finding(ctx, here, puts, fixes, reason))
    return sorted(findings + yielded, key=lambda f: (f.range.start.line, f.range.start.character))


def _value_returned_everywhere(ctx: Context, results: list) -> list:
    """`results` with each return's `return-value` fix replaced by one that rewrites every
    return: applied one at a time, the first would rewrite the callers while the other paths
    still return refs (and the next would find its callers rewritten already)."""
    together = return_value.fix_all(ctx, [here for here, *_ in results])
    if isinstance(together, Fix):
        together = _with_task_reasons(ctx, together)
    shared = []
    for here, puts, fixes, reason in results:
        if isinstance(together, Fix):
            fixes = [together if fix.id == return_value.ID else fix for fix in fixes]
        else:
            fixes = [fix for fix in fixes if fix.id != return_value.ID]
            reason = reason or together.reason
        shared.append((here, puts, fixes, reason))
    return shared


def _fixes(ctx: Context, ret: ast.Return, puts: list[ast.Call], whole: dict, generator_style: str) -> tuple[list[Fix], str]:
    """The fixes for one return, preferred first, or the reason there is none."""
    body, value = ctx.body, ret.value
    helpers = sorted({body.helper_of[id(put)] for put in puts if id(put) in body.helper_of})
    if helpers:
        named = " and ".join(f"`{name}`" for name in helpers)
        return [], f"the refs are made in helper {named}; rewrite it by hand"

    def function_wide(key, make):
        result = _once(whole, key, lambda: make(ctx))
        return result if isinstance(result, Fix) else NoFix(_blocker_for(ctx, ret, make, result.reason))

    def as_generator():
        return function_wide("generator", lambda c: generator.fix(c, generator_style))

    if body.is_put(value) or isinstance(value, ast.Name) and (body.put_assignments(value.id) or _one_ref(body, value.id)):
        # (a name holding one ref some other way, `b = a`: return-value says why it cannot)
        results = [return_value.fix(ctx, ret)]
    elif isinstance(value, (ast.Tuple, ast.List)):
        results = [function_wide("num-returns", num_returns.fix), as_generator()]
    elif isinstance(value, (ast.ListComp, ast.Name)):
        results = [as_generator()]
    else:
        results = [NoFix(_wrapped_reason(ctx, value))]
    fixes = [r for r in results if isinstance(r, Fix)]
    reason = "" if fixes else next((r.reason for r in results if isinstance(r, NoFix)), "")
    return [_with_task_reasons(ctx, fix) for fix in fixes], reason


def _with_task_reasons(ctx: Context, fix: Fix) -> Fix:
    """`fix`, unsafe also for what holds for every rewrite of the task: a decorator that is
    not Ray's, a `try` around a put whose errors it catches."""
    puts = _flagged_puts(ctx)
    reasons = [fix.unsafe_reason, _decorators_reason(ctx), caught_reason(ctx, puts), _put_options_reason(puts)]
    return replace(fix, unsafe_reason="; ".join(dict.fromkeys(r for r in reasons if r)))


def _put_options_reason(puts: list[ast.Call]) -> str:
    """Why a put's own options make every rewrite unsafe, or "": a returned value keeps none
    of them (`ray.put(x, _owner=actor)` gave the object another owner; on Ray 2.56 and later it
    raises, an error the rewrite would remove)."""
    for put in puts:
        options = [k.arg or "**" for k in put.keywords if k.arg != "value"]
        if options:
            return f"the ray.put on line {put.lineno} passes `{options[0]}`, which a returned value does not keep"
    return ""


def _flagged_puts(ctx: Context) -> list[ast.Call]:
    """The puts whose refs the task returns: every rewrite removes them all."""
    body = ctx.body
    return [put for ret in body.value_returns() for put in body.contained_puts(ret.value)]


# Ray's own decorators: they make the task or set its options, and hand its return on as it is
_RAYS_DECORATORS = ("ray.remote", "ray.method", REMOTE_FACTORY)


def _decorators_reason(ctx: Context) -> str:
    """Why decorators other than Ray's make every rewrite unsafe, or "". One above the decorator
    that makes the task (or actor) is handed the task or class and may keep or replace it, so
    not all its calls can be found; one under it, on a task made by `ray.remote(f)`, or on an
    actor method or its class, may wrap the function and receive what it returns."""
    fn, resolver = ctx.fn, ctx.body.resolver
    defined_in = fn.scope.parent  # (a method's scope sits in its class's)
    levels = [(fn.node, defined_in)]
    if fn.is_method and defined_in is not None and isinstance(defined_in.node, ast.ClassDef):
        levels.append((defined_in.node, defined_in.parent))
    handed, wrapping = [], []
    for node, scope in levels:
        above = fn.declared_at in node.decorator_list  # (a list without it: all are under it)
        for decorator in node.decorator_list:
            if decorator is fn.declared_at:
                above = False
                continue
            called = decorator.func if isinstance(decorator, ast.Call) else decorator
            if resolver.meaning(resolver.resolve(called, scope)) not in _RAYS_DECORATORS:
                (handed if above else wrapping).append(decorator)
    what = "actor class" if fn.is_method else "task"
    reasons = []
    if handed:
        reasons.append(f"the {what} is handed to decorator {_named(ctx, handed)}, which may keep or replace it, so not all its calls can be found")
    if wrapping:
        reasons.append(f"decorator {_named(ctx, wrapping)} may wrap the function and receive what it returns, which the rewrite changes")
    return "; ".join(reasons)


def _named(ctx: Context, decorators: list[ast.AST]) -> str:
    return " and ".join(f"`@{' '.join(ctx.text(d).split())[:40]}` (line {d.lineno})" for d in decorators)


def _one_ref(body, name: str) -> bool:
    """Does `name` hold a single ref (each binding a put or another name), not a list of them?"""
    stores = body.stores.get(name, [])
    return bool(stores) and all(
        store.kind in ("assign", "other") and (isinstance(store.value, ast.Name) or body.is_put(store.value))
        for store in stores
    )


_NAMED = re.compile(r"`([A-Za-z_]\w*)`")


def _blocker_for(ctx: Context, ret: ast.Return, make, reason: str) -> str:
    """Why a rewrite of the whole function fails, as seen from the return `ret`.

    The rewrite stops at the first return it cannot change. Asked again with `ret` first, it
    names what blocks in `ret` itself if anything does; if what it names is in another return
    only, the message says which.
    """
    returns = ctx.body.value_returns()
    if len(returns) < 2:
        return reason
    view = copy.copy(ctx.body)
    view.returns = [ret, *(r for r in ctx.body.returns if r is not ret)]
    own = make(Context(ctx.path, ctx.source, view))
    if isinstance(own, NoFix):
        reason = own.reason
    named = set(_NAMED.findall(reason))
    if not named or named & _names_in(ret):
        return reason
    other = next((r for r in returns if r is not ret and named & _names_in(r)), None)
    return reason if other is None else f"{reason} (in the return at line {other.lineno})"


def _names_in(ret: ast.Return) -> set[str]:
    return {node.id for node in ast.walk(ret.value) if isinstance(node, ast.Name)}


def _wrapped_reason(ctx: Context, value: ast.AST) -> str:
    """Why a returned value that holds refs inside something else has no mechanical fix."""
    if isinstance(value, ast.IfExp):
        return "the value is chosen by a conditional expression; return the values by hand"
    if isinstance(value, (ast.Dict, ast.DictComp)):
        what = "a dict"
    elif isinstance(value, (ast.Set, ast.SetComp)):
        what = "a set"
    elif isinstance(value, ast.Call):
        what = f"the result of `{ctx.text(value.func)}(...)`"
    else:
        what = "another value"
    return f"the refs are wrapped in {what}; return the values by hand"


def _once(cache: dict, key: str, make):
    if key not in cache:
        cache[key] = make()
    return cache[key]


YIELD_NO_FIX = "raylint does not rewrite the callers' extra ray.get of each item: yield the value, and drop that get by hand"


def _finding(ctx: Context, ret: ast.Return | ast.Yield, puts: list[ast.Call], fixes: list[Fix], reason: str) -> Finding:
    fn, source = ctx.fn, ctx.source
    what = "Actor method" if fn.is_method else "Task"
    value = ret.value
    single = ctx.body.is_put(value) or isinstance(value, ast.Name) and ctx.body.put_assignments(value.id)
    refs = "an ObjectRef" if single else "ObjectRefs"
    if isinstance(ret, ast.Yield):
        message = f"Generator {what.lower()} `{fn.display_name}` yields {refs} made by ray.put(); yield the value itself"
    else:
        message = f"{what} `{fn.display_name}` returns {refs} made by ray.put(); return the value itself"
    in_order = sorted(puts, key=lambda put: (put.lineno, put.col_offset))
    done = "yielded" if isinstance(ret, ast.Yield) else "returned"
    related = [Related(ctx.path, source.range_of(put), _put_message(ctx, put, done)) for put in in_order]
    related.append(Related(ctx.path, source.range_of(fn.declared_at), fn.declared_message))
    return Finding(
        CODE, message, ctx.path, source.range_of(ret.value), tuple(related), tuple(fixes),
        fn.display_name, fn.call_names, fn.nested, no_fix_reason=reason, statement=source.range_of(_statement_of(ctx.body.parents, ret)),
    )


LAMBDA_NO_FIX = (
    "raylint does not rewrite a task made from a lambda, nor its callers' extra ray.get: "
    "return the value (`lambda x: x`), and drop that get by hand"
)
_LAMBDA = re.compile(r"\blambda\b")


def _lambda_tasks(ctx: Checked) -> list[Finding]:
    """Tasks made from a lambda whose value is, or holds, a put: `ray.remote(lambda x:
    ray.put(x))`, `ray.remote(num_cpus=1)(lambda x: [ray.put(x)])`. Flagged, not fixed."""
    v = view(ctx.module)
    findings = []
    for fn in v.of(ast.Lambda, v.spelling(_LAMBDA, ctx.body)):
        call = v.parents.get(id(fn))
        if not isinstance(call, ast.Call) or call.args != [fn] or call.keywords:
            continue
        scope = v.scope_of(call)
        meant = ctx.resolver.meaning(ctx.resolver.resolve(call.func, scope))
        if meant not in ("ray.remote", REMOTE_FACTORY):  # (`ray.remote(lambda ...)`, `ray.remote(**o)(lambda ...)`, `gpu(lambda ...)`)
            continue
        value = fn.body
        puts = _lambda_puts(ctx, v, value)
        if not puts:
            continue
        assigned = v.parents.get(id(call))
        targets = assigned.targets if isinstance(assigned, ast.Assign) else [assigned.target] if isinstance(assigned, ast.AnnAssign) else []
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        name = names[0] if names else "<lambda>"
        task = f"Task `{name}` (a lambda)" if names else "A task made from a lambda"
        refs = "an ObjectRef" if puts == [value] else "ObjectRefs"
        related = [Related(ctx.path, ctx.source.range_of(put), "ray.put() makes the returned ref here") for put in puts]
        made = f"`{name}` is made a Ray task here" if names else "the lambda is made a Ray task here"
        related.append(Related(ctx.path, ctx.source.range_of(call.func), made))
        findings.append(Finding(
            CODE, f"{task} returns {refs} made by ray.put(); return the value itself", ctx.path,
            ctx.source.range_of(value), tuple(related), (), name, tuple(names), in_function(scope),
            no_fix_reason=LAMBDA_NO_FIX, statement=ctx.source.range_of(_statement_of(v.parents, call)),
        ))
    return findings


def _lambda_puts(ctx: Checked, v, expr: ast.AST) -> list[ast.Call]:
    """The put calls whose refs end up in a lambda's value, as `Body.contained_puts` finds
    them in a return (no names to follow; a call other than a put or a builtin that keeps what
    it is given is its own result: `g.remote(ray.put(x))` hands the ref on)."""
    found, todo = [], [expr]
    while todo:
        expr = todo.pop()
        if not isinstance(expr, ast.Call):
            todo.extend(value_parts(expr))
        elif ctx.is_ray(expr.func, v.scope_of(expr), "ray.put"):
            found.append(expr)
        elif keeping_builtin(expr, v.scope_of(expr)):  # (`list` may be a lambda's parameter)
            todo.extend([*expr.args, *(k.value for k in expr.keywords)])
    return sorted(found, key=lambda put: (put.lineno, put.col_offset))


def _statement_of(parents: dict[int, ast.AST], node: ast.AST) -> ast.AST:
    """The statement `node` is in (the lines a `# noqa` may be on), by a map of parents."""
    while not isinstance(node, ast.stmt) and id(node) in parents:
        node = parents[id(node)]
    return node


def _put_message(ctx: Context, put: ast.Call, done: str) -> str:
    if ctx.body.is_put(put):
        return f"ray.put() makes the {done} ref here"
    return f"ray.put() in helper `{ctx.body.helper_put_where(put)}` makes the {done} ref here"


# What an edit elsewhere in the module can change in RAY001's findings.
_CLEANED_UP = {"ray.put", "ray.ObjectRef", "ray._raylet.ObjectRef", "ray.types.ObjectRef"}
_DEFINED = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)", re.MULTILINE)


def reaches_outside(old_text: str, new_text: str, resolver: Resolver, memory: dict) -> bool:
    """May editing a top-level statement from `old_text` to `new_text` change RAY001's
    findings in other statements? When it edits a helper a task calls (its puts are the
    task's), or spells a module-level name bound to ray.put or ObjectRef (a fix removes such an
    import once nothing else in the module spells it)."""
    helpers = memory.get("helpers", ())
    if helpers and any(name in helpers for name in _DEFINED.findall(old_text + new_text)):
        return True
    texts = old_text + new_text
    if "cleanup" not in memory:  # (on the first edit after a full analysis: no edit that takes
        # the short way changes what a module-level name is bound to)
        memory["cleanup"] = cleanup_names(resolver)
    return any(name in texts and re.search(rf"\b{re.escape(name)}\b", texts) for name in memory["cleanup"])


def cleanup_names(resolver: Resolver) -> frozenset[str]:
    """The module-level names bound to ray.put or ObjectRef by an import or an assignment."""
    scope = resolver.module.scope
    return frozenset(
        name
        for name, bindings in scope.bindings.items()
        if any(b[0] in ("from", "value") for b in bindings)
        and resolver.meaning(resolver.resolve_name(name, scope)) in _CLEANED_UP
    )


RULE = Rule(
    code=CODE,
    name="return-ray-put",
    summary="A task or actor method returns ObjectRefs made by `ray.put()`",
    docs=__doc__,
    url=DOCS_URL,
    check=check,
    needs=("remote", "put"),
    options=(GENERATOR_STYLE,),
    fix=FixAvailability.SOMETIMES,
    reaches_outside=reaches_outside,
)

__all__ = ["CODE", "DOCS_URL", "RULE", "RemoteFunction", "check"]
