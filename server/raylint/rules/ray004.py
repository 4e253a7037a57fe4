"""RAY004 redefine-remote-in-loop: a remote function or actor class is defined inside a loop.

## What it does
Finds, lexically inside the body of a `for`, `async for` or `while` loop (also under `if`,
`with`, `try` or `match` in it), a def or class decorated with `@ray.remote` or
`@ray.remote(...)` (or a name bound to `ray.remote(...)`), and a `ray.remote(fn)` or
`ray.remote(**options)(fn)` call. The finding is on the decorator (or the call).

Not flagged: a remote def inside a plain function or class that is merely defined in the loop
(its body runs only when called), a definition in an `except` handler (an error path, such as a
retry loop's) or under a lazy-initialization guard that it binds (`if actor is None: actor =
ray.remote(A).remote()`: made once), a loop that calls `ray.init` at each pass (Ray exports the
function again after each new connection anyway), `ray.remote(fn)` where `fn` is the loop variable or another
name the loop binds by assignment (each pass wraps a different function: that is needed), and
`ray.remote(...)` inside a lambda.

## Why is this bad?
Each execution of `@ray.remote` makes a new remote function or actor class for Ray: on its
first `.remote()` call Ray pickles it and uploads it to the GCS, and the worker that runs it
downloads and unpickles it. Redefined at each pass, that work is repeated at each pass, for
the same code.

## Example
```python
for i in range(10):
    @ray.remote
    def double(x):
        return x * 2

    outputs.append(double.remote(i))
```

## Use instead
```python
@ray.remote
def double(x):
    return x * 2


for i in range(10):
    outputs.append(double.remote(i))
```
A definition that reads a loop variable takes it as an argument instead; options that depend
on it are set per call with `double.options(num_cpus=n).remote(i)`.

## Fix safety
The fix moves the definition (its decorators and the comments just above it), or the
`name = ray.remote(fn)` statement, to just before the innermost loop, at the loop's
indentation (a body left empty gets `pass`). When it is still in an outer loop, the next fix
round moves it again. There is no fix when the definition reads a name the loop binds (its
target, an assignment or a def in the loop), when its options depend on one, or when its name
is bound again in the loop.

Hoisting makes Ray pickle the function once, at its first `.remote()`, instead of once per
pass: what it reads from outside (globals and closure variables, and through the module's
functions it calls, theirs) is captured then. Verified on Ray 2.60: a task reading a dict the
loop updates sees each update when redefined in the loop, and only the first value once
hoisted. So the fix is **safe** only when every name the definition reads from outside is a
builtin, a module import, Ray's API, a name bound only to constants, a function, class or
module imported from the workspace, or a def or class of the module that
itself reads only such names and holds no state that may change (no attribute set on it,
`Config.size = n` or `cls.size = n`; no class attribute but constants, since `Config.items = []`
may be changed in place; no default but constants); when the task keeps no state of its own,
which a worker keeps between the calls of one definition (a default that is not a constant,
`acc=[]`, or an attribute set on it); when no function declares such a name `global` or
`nonlocal`, and the module sets no name by name (`globals()[...]`, `setattr`, `sys.modules`,
`exec`); when the definition is directly in the loop's body; when its
decorators, defaults and (for a class) class-level statements call nothing but Ray's
`remote`/`method`; when its name is bound nowhere else in the scope; and when the loop only
calls it (`f.remote(...)`, `f.options(...)`, `f.bind(...)`): stored (`handles.append(f)`),
passed or its options set, each pass had its own object, and hoisted all would share one
(verified on Ray: `len(set(handles))` goes from 3 to 1). It is **unsafe**
otherwise, with the reason.

What a safe fix still changes: the definition exists even when the loop runs zero times (a
name that was unbound after an empty loop is now bound), and an invalid option
(`@ray.remote(num_returns="streaming")` on a plain function) raises before the loop rather
than in it. A name imported from an installed package (`from numpy import zeros`) makes the fix
unsafe: raylint cannot tell a function from an object the loop may change, which the hoisted
task would see as it was at its first call.

## When it is wrong
- A loop that runs once (a `while True:` that always breaks, a retry loop) defines the
  function once: the finding is harmless noise there; mark it `# noqa: RAY004`.
- A definition that reads a loop variable is flagged without a fix: pass the variable as an
  argument by hand (or, if each pass really needs a different function, keep it and add
  `# noqa`).
- Misses: remote definitions in comprehensions, `ray.remote` applied through a helper
  function of your own, and loops written as recursion.
"""

from __future__ import annotations

import ast
import builtins
import io
import re
import tokenize

from raylint.core.flow import LOOP_WORDS, Def, Values, View, view
from raylint.core.model import Edit, Finding, Fix, Position, Range, Related
from raylint.core.names import REMOTE_FACTORY, SCOPE_NODES, LocalModule, Scope
from raylint.core.walk import children, walk
from raylint.core.rule import CALLS_REMOTE, DOCS_BASE, Checked, FixAvailability, Rule
from raylint.core.source import first_line, shortened
from raylint.rules._scan import FUNCTIONS, LOOPS, line_indent, statement_range, task_name

CODE = "RAY004"
MESSAGE_DEF = "`{name}` is made remote at each pass of the loop; define it once above the loop"
MESSAGE_WRAP = "`ray.remote({name})` is made again at each pass of the loop; make it once above the loop"
_BUILTINS = set(dir(builtins))
_BLOCKS = (ast.If, ast.With, ast.AsyncWith, ast.Try, getattr(ast, "TryStar", ast.Try))
_RAY_CALLS = ("ray.remote", "ray.method", REMOTE_FACTORY)


def check(ctx: Checked) -> list[Finding]:
    v = view(ctx.module)
    findings: list[Finding] = []
    for node in v.of(LOOPS, v.spelling(LOOP_WORDS, ctx.body)):  # (a statement without a loop is not walked)
        findings.extend(_check_loop(ctx, v, node))
    return findings


def _meaning(ctx: Checked, expr: ast.AST, scope: Scope):
    resolver = ctx.resolver
    return resolver.meaning(resolver.resolve(expr, scope))


def _loop_statements(body: list[ast.stmt], direct: bool = True):
    """(statement, directly in the loop body?, its block) for what runs at each pass: under
    if/with/try/match, and the `else` of inner loops; not in inner loops' bodies (their own)."""
    for statement in body:
        yield statement, direct, body
        if isinstance(statement, LOOPS):
            yield from _loop_statements(statement.orelse, False)
        elif isinstance(statement, ast.If) and _lazy_guard(statement.test) is not None:
            # `if x is None: x = ray.remote(...)`: made once, then kept (the guarded name's
            # own assignments are skipped; anything else in the block is not)
            guarded = _lazy_guard(statement.test)
            for inner, is_direct, block in _loop_statements(statement.body, False):
                if not _binds(inner, guarded):
                    yield inner, is_direct, block
            yield from _loop_statements(statement.orelse, False)
        elif isinstance(statement, _BLOCKS):
            for block in (statement.body, getattr(statement, "orelse", []), getattr(statement, "finalbody", [])):
                yield from _loop_statements(block, False)
            # (not the `except` handlers: error paths, such as a retry loop's, run rarely)
        elif isinstance(statement, ast.Match):
            for case in statement.cases:
                yield from _loop_statements(case.body, False)


def _lazy_guard(test: ast.expr) -> str | None:
    """The text of `x` in `x is None` or `not x` (a lazy initialization's guard)."""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is):
        right = test.comparators[0]
        if isinstance(right, ast.Constant) and right.value is None:
            return ast.unparse(test.left)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return ast.unparse(test.operand)
    return None


def _binds(statement: ast.stmt, target: str) -> bool:
    """Does `statement` bind `target` (a name or attribute, by its text)?"""
    if isinstance(statement, (*FUNCTIONS, ast.ClassDef)):
        return statement.name == target
    if isinstance(statement, ast.Assign):
        return any(ast.unparse(t) == target for t in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return ast.unparse(statement.target) == target
    return False


def _reconnects(ctx: Checked, v: View, loop: ast.AST) -> bool:
    """Does the loop call `ray.init` at each pass? Then Ray exports a remote function again
    after each new connection anyway: defining it again costs nothing more."""
    for node in walk(loop):
        if isinstance(node, ast.Call) and ctx.is_ray(node.func, v.scope_of(node), "ray.init"):
            return True
    return False


def _expressions(statement: ast.stmt):
    """The expression nodes of a simple statement, not inside lambdas or nested scopes'
    bodies (comprehensions included: they run at each pass)."""
    stack = children(statement)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Lambda):
            continue
        yield node
        stack.extend(children(node))


def _loop_bindings(loop: ast.AST) -> dict[str, list[str]]:
    """The names the loop binds at each pass (in the scope the loop is in), each with the kinds
    of binding ("def" for a def or class statement, "other" for the rest)."""
    bound: dict[str, list[str]] = {}
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        for node in ast.walk(loop.target):
            if isinstance(node, ast.Name):
                bound.setdefault(node.id, []).append("other")
    stack: list[ast.AST] = list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (*FUNCTIONS, ast.ClassDef)):
            bound.setdefault(node.name, []).append("def")
            stack.extend(node.decorator_list)
            if isinstance(node, ast.ClassDef):
                stack.extend([*node.bases, *node.keywords])
            else:
                stack.extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.setdefault(node.id, []).append("other")
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            bound.setdefault(node.target.id, []).append("other")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound.setdefault((alias.asname or alias.name).split(".")[0], []).append("other")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.setdefault(node.name, []).append("other")
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.setdefault(node.name, []).append("other")
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.setdefault(node.rest, []).append("other")
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # only walrus targets leak out of a comprehension
            stack.extend(n for n in ast.walk(node) if isinstance(n, ast.NamedExpr))
            continue
        stack.extend(children(node))
    return bound


def _check_loop(ctx: Checked, v: View, loop: ast.AST) -> list[Finding]:
    scope = v.scope_of(loop)
    bound: dict[str, list[str]] | None = None
    findings = []
    for statement, direct, block in _loop_statements(loop.body):
        if isinstance(statement, (*FUNCTIONS, ast.ClassDef)):
            decorator = _remote_decorator(ctx, statement, scope)
            if decorator is None:
                continue
            bound = _loop_bindings(loop) if bound is None else bound
            findings.append(_definition_finding(ctx, v, loop, scope, bound, statement, decorator, direct, block))
        elif not isinstance(statement, (*LOOPS, *_BLOCKS, ast.Match)):
            for node in _expressions(statement):
                wrapped = _wrapped(ctx, v, node)
                if wrapped is None:
                    continue
                bound = _loop_bindings(loop) if bound is None else bound
                finding = _wrap_finding(ctx, v, loop, scope, bound, statement, node, wrapped, direct, block)
                if finding is not None:
                    findings.append(finding)
    if findings and _reconnects(ctx, v, loop):
        return []
    return findings


def _remote_decorator(ctx: Checked, node: ast.AST, scope: Scope) -> ast.expr | None:
    for decorator in node.decorator_list:
        if _meaning(ctx, decorator, scope) in ("ray.remote", REMOTE_FACTORY):
            return decorator
    return None


def _wrapped(ctx: Checked, v: View, call: ast.AST) -> ast.expr | None:
    """`fn` of a `ray.remote(fn)` or `ray.remote(**options)(fn)` call."""
    if not isinstance(call, ast.Call) or len(call.args) != 1 or isinstance(call.args[0], ast.Starred):
        return None
    scope = v.scope_of(call)
    if isinstance(call.func, ast.Call):
        if call.keywords or _meaning(ctx, call.func, scope) != REMOTE_FACTORY:
            return None
    elif call.keywords or not ctx.is_ray(call.func, scope, "ray.remote"):
        return None
    fn = call.args[0]
    return fn if isinstance(fn, (ast.Name, ast.Attribute)) else None


def _decorator_range(ctx: Checked, decorator: ast.expr) -> Range:
    """The decorator's range from its `@`."""
    place = ctx.source.range_of(decorator)
    line = ctx.source.line(place.start.line)
    at = place.start.character - 1
    while at >= 0 and line[at] in " \t\x0c":
        at -= 1
    if at >= 0 and line[at] == "@":
        return Range(Position(place.start.line, at), place.end)
    return place


def _definition_finding(ctx, v, loop, scope, bound, node, decorator, direct, block) -> Finding:
    source = ctx.source
    fixes, reason = (), ""
    captured = _captured(v, node, scope, bound)
    if captured:
        name, where = captured
        if where == "options":
            reason = f"its options use `{name}`, which the loop binds; set options per call with `.options(...)`"
        elif where == "header":
            reason = f"its defaults or annotations use `{name}`, which the loop binds; pass it as an argument instead"
        else:
            reason = f"it reads `{name}`, which the loop binds; pass it as an argument instead"
    elif len(bound.get(node.name, [])) > 1:
        reason = f"`{node.name}` is bound again in the loop"
    else:
        unsafe = _unsafe_reason(ctx, v, node, scope, direct, block)
        fix = _hoist(ctx, loop, node, block, unsafe, f"Define `{node.name}` once, above the loop")
        if isinstance(fix, Fix):
            fixes = (fix,)
        else:
            reason = fix
    return Finding(
        CODE,
        MESSAGE_DEF.format(name=node.name),
        ctx.path,
        _decorator_range(ctx, decorator),
        related=(Related(ctx.path, source.range_of(_header(loop)), "the loop"),),
        fixes=fixes,
        task=task_name(v, node),
        no_fix_reason=reason,
        statement=Range(_decorator_range(ctx, decorator).start, Position(node.lineno - 1, len(source.line(node.lineno - 1)))),
    )


def _wrap_finding(ctx, v, loop, scope, bound, statement, call, fn, direct, block) -> Finding | None:
    source = ctx.source
    root = fn
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return None
    fn_scope = v.scope_of(fn).lookup(root.id)
    if fn_scope is not scope and fn_scope is not None and _inside(fn_scope.node, loop):
        return None  # a comprehension variable: a different function at each step
    kinds = bound.get(root.id, []) if fn_scope is scope else []
    if "other" in kinds:
        return None  # the loop variable or a name assigned in the loop: different functions
    fixes, reason = (), ""
    fn_text = source.segment(fn)
    options_captured = _names_bound(v, [call.func] if isinstance(call.func, ast.Call) else [], scope, bound)
    if kinds:
        reason = f"`{fn_text}` is defined in the loop too; move both above it"
    elif options_captured:
        reason = f"its options use `{options_captured}`, which the loop binds; set options per call with `.options(...)`"
    elif not (
        isinstance(statement, ast.Assign)
        and statement.value is call
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        reason = f"assign `ray.remote({fn_text})` to a name above the loop by hand"
    else:
        name = statement.targets[0].id
        if len(bound.get(name, [])) > 1:
            reason = f"`{name}` is bound again in the loop"
        elif root.id == name:
            reason = f"`{name}` is rebound to its remote version"
        else:
            unsafe = _unsafe_reason(ctx, v, statement, scope, direct, block, name=name, reads=[call])
            fix = _hoist(ctx, loop, statement, block, unsafe, f"Make `{name}` once, above the loop")
            if isinstance(fix, Fix):
                fixes = (fix,)
            else:
                reason = fix
    return Finding(
        CODE,
        MESSAGE_WRAP.format(name=fn_text),
        ctx.path,
        source.range_of(call),
        related=(Related(ctx.path, source.range_of(_header(loop)), "the loop"),),
        fixes=fixes,
        task=task_name(v, call),
        no_fix_reason=reason,
        statement=statement_range(source, v, call),
    )


def _header(loop: ast.AST) -> ast.AST:
    return loop.iter if isinstance(loop, (ast.For, ast.AsyncFor)) else loop.test


def _inside(node: ast.AST, outer: ast.AST) -> bool:
    return any(n is node for n in ast.walk(outer))


# -- what a definition reads -----------------------------------------------------------------


def _definition_time(node: ast.AST) -> list[ast.AST]:
    """The expressions a def or class statement evaluates when it runs: decorators, defaults,
    annotations, bases; for a class, also its class-level statements (not method bodies)."""
    if isinstance(node, FUNCTIONS):
        args = node.args
        found = [*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d is not None)]
        found += [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a is not None and a.annotation is not None]
        if node.returns is not None:
            found.append(node.returns)
        return found
    if isinstance(node, ast.ClassDef):
        found = [*node.decorator_list, *node.bases, *node.keywords]
        for statement in node.body:
            if isinstance(statement, (*FUNCTIONS, ast.ClassDef)):
                found.extend(_definition_time(statement))
            else:
                found.append(statement)
        return found
    return [node]


def _free_reads(v: View, node: ast.AST) -> list[tuple[str, Scope | None, ast.Name]]:
    """The names `node` (a def, class or statement) reads from outside itself, each with the
    scope that binds it (None: a builtin or an unbound global)."""
    inner = {id(n) for n in ast.walk(node) if isinstance(n, SCOPE_NODES)}
    found = []
    for name in ast.walk(node):
        if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load):
            home = v.scope_of(name).lookup(name.id)
            if home is None or id(home.node) not in inner:
                found.append((name.id, home, name))
    return found


def _captured(v: View, node: ast.AST, scope: Scope, bound: dict) -> tuple[str, str] | None:
    """A name the loop binds that the definition reads: (name, "header" or "body")."""
    if isinstance(node, FUNCTIONS):
        evaluated = _definition_time(node)
    else:  # a class: its decorators, bases and keywords (its body is read when it runs)
        evaluated = [*node.decorator_list, *node.bases, *node.keywords]
    options = {id(n) for expr in node.decorator_list for n in ast.walk(expr)}
    header = {id(n) for expr in evaluated for n in ast.walk(expr)}
    for name, home, load in _free_reads(v, node):
        if home is scope and name in bound and name != getattr(node, "name", None):
            return name, "options" if id(load) in options else "header" if id(load) in header else "body"
    return None


def _names_bound(v: View, exprs: list[ast.AST], scope: Scope, bound: dict) -> str:
    for expr in exprs:
        for name, home, _ in _free_reads(v, expr):
            if home is scope and name in bound:
                return name
    return ""


def _unsafe_reason(ctx, v, node, scope, direct, block, name=None, reads=None) -> str:
    """Why hoisting `node` may change what the program does ("" when it cannot)."""
    own = name or node.name
    if not direct:
        return "it is defined under a condition or in a block of the loop: hoisted, it is defined at every run"
    if len(scope.bindings.get(own, [])) > 1:
        return f"`{own}` is bound elsewhere too"
    used = _used_as_value(v, block, own)
    if used is not None:
        return (
            f"`{shortened(ctx.source.segment(used))}` uses `{own}` as a value: each pass made a new one, "
            "hoisted every pass would get the same object (its identity, its attributes and options shared)"
        )
    for expr in _definition_time(node) if reads is None else reads:
        for call in ast.walk(expr):
            if isinstance(call, ast.Call) and _meaning(ctx, call.func, v.scope_of(call)) not in _RAY_CALLS:
                if not (isinstance(call.func, ast.Call) and _meaning(ctx, call.func, v.scope_of(call)) == REMOTE_FACTORY):
                    return f"`{ctx.source.segment(call.func)}(...)` would run once instead of at each pass"
            if isinstance(call, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
                return "its header has an expression with side effects"
    # (a worker keeps one definition's state between its calls: a fresh one at each pass, one
    # for all once hoisted; an actor's state is its own process's either way)
    if reads is None and isinstance(node, FUNCTIONS) and _holds_changing_state(v, own, node):
        return "the task keeps state between calls (a default that is not a constant, or an attribute set on it): hoisted, every pass's calls would share it"
    changing = _changing_read(ctx, v, node if reads is None else reads[0], own, set(), 0)
    if changing:
        return f"Ray pickles `{changing}` at the first call: hoisted, the task would not see changes the loop makes to it"
    return ""


def _used_as_value(v: View, block: list[ast.stmt], own: str) -> ast.AST | None:
    """The first read of `own` in the loop's body that does more than call it remotely
    (`own.remote(...)`, `own.options(...)`, `own.bind(...)`): stored (`handles.append(f)`),
    passed, compared, its attributes read or set (`f._default_options[...] = ...`)."""
    for statement in block:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and node.id == own and isinstance(node.ctx, ast.Load):
                parent = v.parent(node)
                if not (isinstance(parent, ast.Attribute) and parent.attr in ("remote", "options", "bind")):
                    return parent if parent is not None else node
    return None


def _changing_read(ctx, v, node, own: str, seen: set, depth: int) -> str:
    """A name `node` reads (itself, or through the module's defs it reads) that may hold an
    object the loop changes: anything but builtins, imports, constants and such defs."""
    if depth > 8:
        return "?"
    for name, home, _ in _free_reads(v, node):
        if name == own:
            continue
        if home is None:
            if name in _BUILTINS:
                continue
            return name
        if name in home.declared_global:
            return name
        if isinstance(ctx.resolver.resolve_name(name, home), str):
            continue  # a Ray name (`gpu_task = ray.remote(num_gpus=1)`)
        if home.parent is None and name in _rebound_elsewhere(ctx, v):
            return name  # (a module's name a function rebinds, `global name`, or set by name)
        if home.parent is not None and name in _declared_nonlocal(ctx, home):
            return name  # (a function's name a nested function rebinds, `nonlocal name`)
        for binding in home.bindings.get(name, []):
            kind = binding[0]
            if kind == "module":
                continue  # a module: pickled by reference, the worker imports its own
            if kind == "from":
                if _imports_code(ctx, name, home):
                    continue
                return name  # maybe an object (a dict, a list): pickled by value at the first call
            if kind == "value" and _constant(binding[1]):
                continue
            if kind == "def":
                if _holds_changing_state(v, name, binding[1]):
                    return name  # (`Config.size = n`: pickled by value, the class keeps what it held then)
                if id(binding[1]) in seen:
                    continue
                seen.add(id(binding[1]))
                deeper = _changing_read(ctx, v, binding[1], own, seen, depth + 1)
                if deeper:
                    return deeper
                continue
            return name
    return ""


# Code that may set a module's names by name, where no binding is spelled: `globals()["n"] = 1`,
# `setattr(sys.modules[__name__], "n", 1)`, `vars()`, `exec`, a module's `__dict__`
_SETS_BY_NAME = re.compile(r"\b(?:globals|vars|exec|setattr|delattr)\s*\(|\bsys\s*\.\s*modules\b|\bmodules\s*\[|(?<!self\.)__dict__")


def _rebound_elsewhere(ctx: Checked, v: View):
    """The module's names that may change other than by the bindings its scope lists: those a
    function declares `global` (and may rebind); every name, when the module may set names by
    name (`_SETS_BY_NAME`). Worked out once per module."""
    known = ctx.known.get("ray004.rebound")
    if known is None:
        if _SETS_BY_NAME.search(ctx.source.text):
            known = _EVERY_NAME
        else:
            known = frozenset(name for node in v.of(ast.Global) for name in node.names)
        ctx.known["ray004.rebound"] = known
    return known


def _declared_nonlocal(ctx: Checked, home: Scope) -> frozenset[str]:
    """The names functions nested in `home`'s function declare `nonlocal` (a few too many:
    those of deeper functions' own locals too). Worked out once per function."""
    known = ctx.known.setdefault("ray004.nonlocal", {})
    found = known.get(id(home.node))
    if found is None:
        found = known[id(home.node)] = frozenset(name for node in ast.walk(home.node) if isinstance(node, ast.Nonlocal) for name in node.names)
    return found


class _Every:
    def __contains__(self, name: str) -> bool:
        return True


_EVERY_NAME = _Every()


def _holds_changing_state(v: View, name: str, definition: ast.AST) -> bool:
    """May the def or class `name` hold state that changes, which Ray pickles with it? Its
    attributes set anywhere (`name.attr = x`, `+=`; for a class, `cls.attr = x` in a classmethod,
    `type(self).attr = x`, `obj.__class__.attr = x`); a class attribute bound to anything but a
    constant (`items = []`, changed in place by `Cfg.items.append(x)`); a def's default that is
    not a constant (`def f(acc=[])`)."""
    for stores in v.attribute_stores().values():
        for _, target in stores:
            owner = target.value
            if isinstance(owner, ast.Name) and owner.id == name:
                return True
            if isinstance(definition, ast.ClassDef) and _names_a_class(owner):
                return True
    if isinstance(definition, FUNCTIONS):
        defaults = [*definition.args.defaults, *(d for d in definition.args.kw_defaults if d is not None)]
        return not all(_constant(d) for d in defaults)
    for statement in definition.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None and not _constant(statement.value):
            return True
        if isinstance(statement, ast.AugAssign):
            return True
        if not isinstance(statement, FUNCTIONS):
            continue
        params = [a.arg for a in [*statement.args.posonlyargs, *statement.args.args]]
        if params and any(isinstance(d, ast.Name) and d.id == "classmethod" for d in statement.decorator_list):
            for node in ast.walk(statement):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
                if any(isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == params[0] for t in targets):
                    return True
    return False


def _names_a_class(owner: ast.AST) -> bool:
    """`type(x)` or `x.__class__`: some class, whose attribute a store sets."""
    if isinstance(owner, ast.Attribute) and owner.attr == "__class__":
        return True
    return isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "type"


def _imports_code(ctx, name: str, home: Scope) -> bool:
    """Is `name` (bound by `from m import name`) certainly a module, function or class (which
    Ray pickles by reference, or whose code does not change), not an object the loop may change?
    Known for Ray's names and the workspace's modules; not for installed packages."""
    if isinstance(ctx.resolver.resolve_name(name, home), (str, LocalModule)):
        return True  # Ray's API, or a workspace module
    values = Values(ctx.resolver.index).name(name, ctx.module, home)
    return bool(values) and all(isinstance(value, (Def, LocalModule)) for value in values)


def _constant(expr: ast.AST) -> bool:
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.Tuple):
        return all(_constant(e) for e in expr.elts)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        return _constant(expr.operand)
    return False


# -- the edit ---------------------------------------------------------------------------------


def _hoist(ctx: Checked, loop: ast.AST, node: ast.stmt, block: list[ast.stmt], unsafe: str, title: str) -> Fix | str:
    """Move `node` (with its decorators and the comments just above it) before `loop`."""
    source = ctx.source
    first = node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno
    start, end = first - 1, node.end_lineno - 1
    indent = line_indent(source, start)
    loop_indent = line_indent(source, loop.lineno - 1)
    if "\x0c" in indent + loop_indent or not indent.startswith(loop_indent) or len(indent) <= len(loop_indent):
        return "the loop and the definition are indented in a way raylint does not rewrite"
    decorated = bool(getattr(node, "decorator_list", None))
    opening = source.line(start)[len(indent) :]
    if (not opening.startswith("@") if decorated else source.range_of(node).start.character != len(indent)) or _has_code_after(source, node):
        return "the definition shares its line with other code"
    while start - 1 > _header_end(source, loop) - 1:
        above = source.line(start - 1)
        if above.startswith(indent) and above[len(indent) :].startswith("#"):
            start -= 1
        else:
            break
    newline = source.newline
    in_strings = _string_lines(source, start, end)
    if in_strings is None:
        return "the definition could not be tokenized"
    lines = []
    for line in range(start, end + 1):
        text = source.line(line)
        if line not in in_strings and text.startswith(indent):
            text = loop_indent + text[len(indent) :]
        ending = source.text[source.offset(Position(line, len(source.line(line)))) : source.line_starts[line + 1]] if line + 1 < source.line_count else ""
        lines.append(text + (ending or newline))
    at = loop.lineno - 1
    while at > 0 and source.line(at - 1).startswith(loop_indent) and source.line(at - 1)[len(loop_indent) :].startswith("#"):
        at -= 1  # above the comments that introduce the loop
    moved = "".join(lines)
    if isinstance(node, (*FUNCTIONS, ast.ClassDef)):
        moved += newline  # blank lines around the definition
        before = source.line(at - 1).split("#")[0].strip() if at >= 1 else ""
        if before and not before.endswith(":"):
            moved = newline + moved
    column = 1 if at == 0 and source.has_bom else 0  # after a byte order mark
    insert = Edit(ctx.path, Range(Position(at, column), Position(at, column)), moved)
    header_end = _header_end(source, loop) - 1
    if start - 2 == header_end and not source.line(start - 1).strip():
        start -= 1  # the blank line between the loop's header and the definition goes
    blank_before = start - 1 == header_end or not source.line(start - 1).strip()
    if blank_before and end + 2 < source.line_count and not source.line(end + 1).strip():
        end += 1  # the blank line after it goes too
    after = Position(end + 1, 0) if end + 1 < source.line_count else Position(end, len(source.line(end)))
    removed = Range(Position(start, 0), after)
    alone = len(block) == 1
    replacement = indent + "pass" + newline if alone else ""
    if alone and end + 1 >= source.line_count:
        replacement = indent + "pass"
    delete = Edit(ctx.path, removed, replacement)
    return Fix("hoist", title, (insert, delete), unsafe_reason=unsafe)


def _header_end(source, loop: ast.AST) -> int:
    """The 1-based line the loop's header (up to its `:`) ends on."""
    header = _header(loop)
    line, column = header.end_lineno, source.range_of(header).end.character
    body = first_line(loop.body[0])
    while line < body and ":" not in source.line(line - 1)[column:].split("#")[0]:
        line, column = line + 1, 0
    return line


def _has_code_after(source, node: ast.stmt) -> bool:
    """Is there code after the statement on its last line (`x = ray.remote(f); y = 1`)?"""
    line = source.line(node.end_lineno - 1)
    end = source.range_of(node).end.character
    rest = line[end:].strip()
    return bool(rest) and not rest.startswith("#")


def _string_lines(source, start: int, end: int) -> set[int] | None:
    """The 0-based lines in start..end that begin inside a string (kept as they are)."""
    text = "".join(source.line(line) + "\n" for line in range(start, end + 1))
    found: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                found.update(start + row - 1 for row in range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return found


RULE = Rule(
    code=CODE,
    name="redefine-remote-in-loop",
    summary="A remote function or actor class is defined inside a loop",
    docs=__doc__,
    url=DOCS_BASE + "redefine-task-actor-loop.html",
    check=check,
    needs=(("remote", CALLS_REMOTE),),  # (a def made remote in a loop, or `ray.remote(fn)` in one)
    local=False,
    fix=FixAvailability.SOMETIMES,
)
