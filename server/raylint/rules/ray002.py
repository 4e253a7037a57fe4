"""RAY002 ray-get-loop: `ray.get` of a task submitted in the same iteration of a loop.

## What it does
Finds a `ray.get(...)` inside a `for` or `while` loop, or in the element of a comprehension,
that fetches the result of one task submitted in the same iteration: `ray.get(f.remote(x))`,
or a name bound earlier in the iteration to `f.remote(...)`; when the next iteration's
submissions do not need the fetched value.

A submission is `f.remote(...)`, `f.options(...).remote(...)` or `module.f.remote(...)`
where `f` is a task: a def, an import, `ray.remote(fn)`, `task.options(...)`, or what a
helper makes of a function (`work = cached_remote_fn(_work)`). `.remote` on a parameter or
on what another call returned (`handle = app.get_handle()`, a Serve handle) is not taken for
a task.
The next iteration needs the value, and nothing is reported, when:
- the value (or anything computed from it in the loop: assignments, `x.append(value)`,
  `x.update(value)`, ...) is read by a `.remote(...)` call of the loop, by the `while`
  condition, by the iterable of the `for` (a work queue), or by the condition of an `if` that
  leaves the loop or the iteration (`break`, `continue`, `return`, `raise`);
- something the submission reads is assigned, or changed by a method call, after the
  `ray.get` in the iteration (`weights = model.get_weights()` after the update: a training
  step whose state raylint cannot follow).

## Why is this bad?
`ray.get` blocks. Submitting a task and waiting for it before submitting the next one runs
the tasks one at a time: the loop has no parallelism at all. Submitting every task first and
calling `ray.get` once on the list of refs lets them run in parallel.

## Example
```python
results = []
for x in xs:
    results.append(ray.get(f.remote(x)))

squares = [ray.get(square.remote(i)) for i in range(10)]
```

## Use instead
```python
results = []
for x in xs:
    results.append(f.remote(x))
results = ray.get(results)

squares = ray.get([square.remote(i) for i in range(10)])
```
To bound the work in flight, keep a window of refs and fetch the oldest ones (or
`ray.wait`) once the window is full: refs from earlier rounds are not reported.

## Fix safety
The fix is **unsafe**: it changes when things happen. Every task is submitted before any
result is read, so an exception from one task surfaces only after all the tasks were
submitted (the loop no longer stops at the first failure), and tasks with side effects now
run at the same time instead of one after the other. Offered for two shapes only:
- `[ray.get(f.remote(x)) for x in xs]` becomes `ray.get([f.remote(x) for x in xs])`;
- a `for` loop whose body is only `results.append(ray.get(f.remote(x)))` (or
  `ref = f.remote(x)` then `results.append(ray.get(ref))`), right after `results = []`:
  the loop appends the refs and `results = ray.get(results)` follows it.
Other loops are reported without a fix.

## When it is wrong
- Not reported (on purpose):
  - calls of actor methods (`h.m.remote()`): a training-step loop that waits for its actors
    is a barrier (the next step reads the state the actors hold), not this anti-pattern;
    serial calls to *different* actors (`[ray.get(w.m.remote()) for w in workers]`) are
    missed too;
  - `ray.get` of a list of refs submitted in the iteration (`ray.get([f.remote(y) for y in
    batch])`): the batch runs in parallel, and a batch per iteration is a training step or
    a deliberate bound on the work in flight (see Ray's "Fetching too many objects at once");
  - refs submitted before the loop or in an earlier iteration (a sliding window; see RAY005
    for a loop over refs submitted before it);
  - `ray.get(..., timeout=...)`, a `ray.get` whose value goes to another `.remote()` call
    (the unnecessary-`ray.get` anti-pattern), is returned or yielded, or is in a loop that
    ends after its first iteration (an unconditional `break` or `return`: retry loops);
  - an iteration that reads a clock before and after the `ray.get` (it measures the
    latency of one task: serial on purpose);
  - a generator expression not consumed whole at once (`any(...)`, `next(...)`, a generator
    kept in a variable): its laziness may be the point.
- Missed: tasks passed in as parameters, batches (see above), and `ray.get` re-exported
  under another attribute name (`utils.fetch(...)` with `fetch = ray.get` in `utils`: a name
  `fetch` imported or assigned is followed, an attribute is followed only when it is `get`).
- It may be wrong when the tasks must run one at a time: they write the same file, use a
  resource that cannot be shared, or each needs the whole cluster. Say so with
  `# noqa: RAY002`.
- The dependency check follows names and their attributes through assignments and method
  calls in the loop; a value that reaches the next submission another way (a global changed
  by a function the loop calls, `sess.run(update, grads)` then `get_weights()`) is missed,
  and the loop is reported.
"""

from __future__ import annotations

import ast
import re

from raylint.core.model import Edit, Finding, Fix, Position, Range, Related
from raylint.core.rule import DOCS_BASE, Checked, FixAvailability, InFile, Rule
from raylint.rules import _loops
from raylint.rules._loops import COMPREHENSIONS, Walk, dotted, nodes, overlaps, reads, targets

CODE = "RAY002"
DOCS_URL = DOCS_BASE + "ray-get-loop.html"
MESSAGE = (
    "`ray.get` waits for the task submitted in the same iteration before the next one is "
    "submitted, so the tasks run one at a time; submit them all, then `ray.get` the list once"
)
UNSAFE = (
    "every task is submitted before any result is read: an exception from a task surfaces only "
    "after all were submitted, and the tasks' side effects may now overlap"
)
NO_FIX = (
    "only `[ray.get(f.remote(x)) for x in xs]` and a loop that only appends `ray.get(f.remote(x))` "
    "to a list made empty just before it are rewritten; move the `ray.get` after the loop by hand"
)
# what consumes a generator expression whole, at once
_WHOLE = {"list", "tuple", "set", "frozenset", "sorted", "sum", "min", "max", "dict"}


def check(ctx: Checked) -> list[Finding]:
    return _loops.findings_of_gets(ctx, _check_get)


def _check_get(ctx: Checked, walk: Walk, get: ast.Call) -> Finding | None:
    found = walk.innermost_loop(get)
    if found is None or _loops.has_keyword(get, "timeout"):
        return None
    loop, child = found
    refs = _loops.first_positional(get, "object_refs")
    if refs is None:
        return None
    if isinstance(loop, ast.While) and child is loop.test:
        return None  # polling: the loop goes on while the value says so
    if isinstance(loop, COMPREHENSIONS):
        made = _in_comprehension(walk, loop, get, refs)
    else:
        made = _in_statement_loop(ctx, walk, loop, get, refs)
    if not made:
        return None
    kinds = {_loops.submission(ctx, call, walk.scope(call)) for call in made}
    if kinds != {"task"}:
        return None  # actor methods: a barrier on stateful actors; or not Ray's `.remote`
    source = ctx.source
    statement = walk.statement(get)
    related = (Related(ctx.path, source.range_of(made[0]), "the task is submitted here, in the same iteration"),)
    fix = _fix(ctx, walk, loop, get, refs)
    return Finding(
        CODE, MESSAGE, ctx.path, source.range_of(get), related, (fix,) if fix else (),
        task=walk.owner(get), no_fix_reason="" if fix else NO_FIX,
        statement=source.range_of(statement) if statement is not None else None,
    )


def _in_comprehension(walk: Walk, comp: ast.AST, get: ast.Call, refs: ast.AST) -> list[ast.Call] | None:
    if isinstance(comp, ast.GeneratorExp):
        consumer = walk.parent(comp)
        if not (isinstance(consumer, ast.Call) and consumer.args == [comp] and _consumes_whole(consumer)):
            return None
    if any(isinstance(n, ast.NamedExpr) for n in nodes(comp)):
        return None
    if _value_flows_badly(walk, get, comp):
        return None
    return [refs] if _loops.is_remote_call(refs) else None


def _consumes_whole(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in _WHOLE
    return isinstance(func, ast.Attribute) and func.attr == "join"


def _value_flows_badly(walk: Walk, get: ast.Call, stop: ast.AST) -> bool:
    """Does the fetched value go, on its way to `stop`, into a `.remote()` call (another rule's
    business), a `yield`/`await`, or a `return`?"""
    for ancestor in walk.ancestors(get):
        if ancestor is stop:
            return False
        if _loops.is_remote_call(ancestor) or isinstance(ancestor, (ast.Yield, ast.YieldFrom, ast.Await, ast.Return)):
            return True
        if isinstance(ancestor, ast.stmt) and not isinstance(ancestor, ast.Return):
            return False
    return False


def _in_statement_loop(ctx: Checked, walk: Walk, loop: ast.AST, get: ast.Call, refs: ast.AST) -> list[ast.Call] | None:
    if _loops.is_remote_call(refs):
        made = [refs]
    elif isinstance(refs, ast.Name):
        made = _bound_in_iteration(loop, refs.id, get)
    else:
        return None  # a list of refs: the iteration runs a batch in parallel (a step, a window)
    if not made:
        return None
    if any(not conditional and isinstance(node, (ast.Break, ast.Return)) for node, conditional in _loops.exits(loop.body, loop)):
        return None  # the loop ends after its first iteration that gets here (a retry loop)
    statement = walk.statement(get)
    if statement is None or _value_flows_badly(walk, get, statement):
        return None
    if _next_iteration_needs(ctx, walk, loop, get, statement) or _inputs_change_after(ctx, walk, loop, get, made):
        return None
    if _timed(ctx, walk, loop, get):
        return None
    return made


def _bound_in_iteration(loop: ast.AST, name: str, get: ast.Call) -> list[ast.Call] | None:
    """The `.remote()` call whose ref `name` holds at `get`, when the iteration binds it
    before `get` to a submission (the last binding before `get` in the loop's body)."""
    here = _loops.position(get)
    last = None
    for node in nodes(loop.body):
        if _loops.position(node) >= here:
            continue
        bound = _binding_of(node, name)
        if bound is not None and (last is None or _loops.position(node) > _loops.position(last[0])):
            last = (node, bound)
    if last is None or not _loops.is_remote_call(last[1]):
        return None
    return [last[1]]


_UNFOLLOWED = ast.Constant(None)  # bound some way the rule does not follow


def _binding_of(node: ast.AST, name: str) -> ast.AST | None:
    """The value `node` binds `name` to (_UNFOLLOWED when bound by unpacking, a `for`, a
    `with`); None when `node` does not bind `name` (`name += refs` extends the list)."""
    if isinstance(node, ast.Assign):
        if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
        if any(name in _names_stored(t) for t in node.targets if not isinstance(t, (ast.Subscript, ast.Attribute))):
            return _UNFOLLOWED
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
        return node.value if node.value is not None else _UNFOLLOWED
    elif isinstance(node, ast.NamedExpr) and node.target.id == name:
        return node.value
    elif isinstance(node, (ast.For, ast.AsyncFor)) and name in _names_stored(node.target):
        return _UNFOLLOWED
    elif isinstance(node, ast.withitem) and node.optional_vars is not None and name in _names_stored(node.optional_vars):
        return _UNFOLLOWED
    return None


def _names_stored(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _seeds(ctx: Checked, walk: Walk, get: ast.Call, statement: ast.stmt) -> set[str]:
    """The paths the fetched value is stored into by its own statement."""
    paths: set[str] = set()
    child = get
    for ancestor in walk.ancestors(get):
        if isinstance(ancestor, ast.NamedExpr):
            paths |= targets(ancestor.target)
        elif isinstance(ancestor, ast.Call) and isinstance(ancestor.func, ast.Attribute) and child is not ancestor.func:
            paths |= _mutated(ctx, walk, ancestor)
        if ancestor is statement:
            break
        child = ancestor
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            paths |= targets(target)
    elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
        paths |= targets(statement.target)
    elif isinstance(statement, (ast.For, ast.AsyncFor)):
        paths |= targets(statement.target)
    elif isinstance(statement, (ast.With, ast.AsyncWith)):
        for item in statement.items:
            if item.optional_vars is not None:
                paths |= targets(item.optional_vars)
    return paths


def _mutated(ctx: Checked, walk: Walk, call: ast.Call) -> set[str]:
    """`results` for `results.append(value)`: what a method call may store its arguments in
    (not an imported module's function: `np.array(value)`)."""
    owner = call.func.value
    if call.func.attr in ("remote", "options"):
        return set()  # a submission: followed as such
    path = dotted(owner)
    if path is None or ctx.qualified(owner, walk.scope(call)) is not None:
        return set()
    return {path}


def _next_iteration_needs(ctx: Checked, walk: Walk, loop: ast.AST, get: ast.Call, statement: ast.stmt) -> bool:
    """Does the next iteration need the fetched value: to submit, to decide whether to go on?"""
    if isinstance(statement, (ast.If, ast.While)) and any(get is n for n in nodes(statement.test)):
        if any(True for _ in _loops.exits(statement.body + statement.orelse, loop)):
            return True
    derived = _seeds(ctx, walk, get, statement)
    body, steps, stored = walk.memoized("ray002.steps", loop, lambda: _steps(loop))
    for _ in range(8):  # what is computed from the value, in the loop (a fixed point)
        grown = set(derived)
        for read, node in steps:
            if overlaps(derived, read):
                if id(node) not in stored:
                    stored[id(node)] = _stored_by(ctx, walk, node)
                grown |= stored[id(node)]
        if grown == derived:
            break
        derived = grown
    if not derived:
        return False
    control = loop.test if isinstance(loop, ast.While) else loop.iter
    if overlaps(derived, reads(control)):
        return True
    for node in body:
        if _loops.is_remote_call(node) and overlaps(derived, reads(node)):
            return True
        if isinstance(node, (ast.If, ast.While)) and overlaps(derived, reads(node.test)):
            if any(True for _ in _loops.exits(node.body + node.orelse, loop)):
                return True
        if isinstance(node, (ast.Yield, ast.YieldFrom)) and node.value is not None and overlaps(derived, reads(node.value)):
            return True
    return False


def _steps(loop: ast.AST) -> tuple[list[ast.AST], list[tuple[set[str], ast.AST]], dict[int, set[str]]]:
    """The nodes of a loop's body; each step of it that stores what it reads, (the paths read,
    the node), its reads found once (finding them again at each round of the fixed point, for
    every call nested in another's arguments, was quadratic in a large loop); and room for
    what each step stores into, once it is needed. Shared by every `ray.get` of the loop."""
    body = list(nodes(loop.body))
    steps: list[tuple[set[str], ast.AST]] = []
    for node in body:
        if isinstance(node, (ast.Assign, ast.NamedExpr)) or isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            steps.append((reads(node.value), node))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            steps.append((reads(node.iter), node))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            steps.append((reads(node.context_expr), node))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            steps.append((set().union(*(reads(a) for a in [*node.args, *(kw.value for kw in node.keywords)])), node))
    return body, steps, {}


def _stored_by(ctx: Checked, walk: Walk, node: ast.AST) -> set[str]:
    """The paths a step of `_next_iteration_needs` stores what it reads into."""
    if isinstance(node, ast.Assign):
        return {path for target in node.targets for path in targets(target)}
    if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor)):
        return targets(node.target)
    if isinstance(node, ast.withitem):
        return targets(node.optional_vars)
    return _mutated(ctx, walk, node)  # a method call given the value


def _inputs_change_after(ctx: Checked, walk: Walk, loop: ast.AST, get: ast.Call, made: list[ast.Call]) -> bool:
    """Is something the submission reads assigned (or changed by a method call) after the
    `ray.get` in the iteration? Then the next submission reads what was computed after the
    wait, maybe from the value through state raylint cannot follow (`weights = model.get()`
    after `model.apply(grads)`): a step loop, not this anti-pattern."""
    inputs: set[str] = set()
    for call in made:
        inputs |= reads(call)
    here = (get.end_lineno or 0, get.end_col_offset or 0)
    changed: set[str] = set()
    for node in nodes(loop.body):
        if _loops.position(node) < here:
            continue
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.NamedExpr)) and not _calls(node.value):
            continue  # a counter (`i += 1`), a value read from the loop's data: no hidden state
        if isinstance(node, ast.Assign):
            for target in node.targets:
                changed |= targets(target)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
            changed |= targets(node.target)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            changed |= targets(node.target)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            changed |= _mutated(ctx, walk, node)
    return overlaps(changed, inputs)


def _calls(expr: ast.AST | None) -> bool:
    return expr is not None and any(isinstance(n, ast.Call) for n in nodes(expr))


_CLOCKS = {
    "time.time", "time.perf_counter", "time.monotonic", "time.process_time", "time.time_ns",
    "time.perf_counter_ns", "time.monotonic_ns", "timeit.default_timer", "datetime.datetime.now",
}


def _timed(ctx: Checked, walk: Walk, loop: ast.AST, get: ast.Call) -> bool:
    """Does the iteration read a clock before and after the `ray.get`? (It measures one task's
    round trip: a benchmark of latency, serial on purpose.)"""
    here = _loops.position(get)
    before = after = False
    for node in nodes(loop.body):
        if isinstance(node, ast.Call) and ctx.qualified(node.func, walk.scope(node)) in _CLOCKS:
            if _loops.position(node) < here:
                before = True
            else:
                after = True
    return before and after


# The fixes.


def _fix(ctx: Checked, walk: Walk, loop: ast.AST, get: ast.Call, refs: ast.AST) -> Fix | None:
    if len(get.args) != 1 or get.keywords:
        return None
    source = ctx.source
    get_name = source.segment(get.func)
    if isinstance(loop, ast.ListComp) and loop.elt is get and _loops.is_remote_call(refs):
        text = source.segment(loop)
        start = source.offset(source.range_of(loop).start)
        elt = source.range_of(get)
        a, b = source.offset(elt.start) - start, source.offset(elt.end) - start
        new = f"{get_name}({text[:a]}{source.segment(refs)}{text[b:]})"
        edit = Edit(ctx.path, source.range_of(loop), new)
        return Fix("get-once", f"Submit all the tasks, then `{get_name}` the list once", (edit,), unsafe_reason=UNSAFE)
    if isinstance(loop, ast.For) and not loop.orelse:
        return _fix_appending_loop(ctx, walk, loop, get, refs, get_name)
    return None


def _fix_appending_loop(ctx: Checked, walk: Walk, loop: ast.For, get: ast.Call, refs: ast.AST, get_name: str) -> Fix | None:
    body = loop.body
    append = body[-1]
    if not (
        isinstance(append, ast.Expr) and isinstance(append.value, ast.Call) and append.value.args == [get]
        and not append.value.keywords and isinstance(append.value.func, ast.Attribute)
        and append.value.func.attr == "append" and isinstance(append.value.func.value, ast.Name)
    ):
        return None
    results = append.value.func.value.id
    if len(body) == 1:
        if not _loops.is_remote_call(refs):
            return None
    elif len(body) == 2:
        first = body[0]
        if not (
            isinstance(refs, ast.Name) and isinstance(first, ast.Assign) and len(first.targets) == 1
            and isinstance(first.targets[0], ast.Name) and first.targets[0].id == refs.id
            and _loops.is_remote_call(first.value)
        ):
            return None
    else:
        return None
    if results in reads(loop.iter) | _names_in(loop.target) | reads(refs) | (reads(body[0]) if len(body) == 2 else set()):
        return None
    before = _statement_before(walk, loop)
    if walk.parent(loop) is None:
        # a module-level loop: its fix reads the statement before it, another top-level
        # statement (see `reaches_outside`)
        ctx.memory.setdefault("lists", set()).add(results)
    if not (
        isinstance(before, ast.Assign) and len(before.targets) == 1 and isinstance(before.targets[0], ast.Name)
        and before.targets[0].id == results and _loops.is_empty_list(before.value)
    ):
        return None
    source = ctx.source
    start = source.range_of(loop).start
    indent = source.line(start.line)[: start.character]
    if indent.strip():
        return None
    end = source.range_of(loop).end
    if source.line(end.line)[end.character :].strip() and not source.line(end.line)[end.character :].lstrip().startswith("#"):
        return None
    newline = source.newline
    line = f"{indent}{results} = {get_name}({results})"
    if end.line + 1 < source.line_count:
        insert = Edit(ctx.path, Range(Position(end.line + 1, 0), Position(end.line + 1, 0)), line + newline)
    else:
        at = Position(end.line, len(source.line(end.line)))
        insert = Edit(ctx.path, Range(at, at), newline + line)
    replace = Edit(ctx.path, source.range_of(get), source.segment(refs))
    return Fix(
        "get-once", f"Append the refs, then `{results} = {get_name}({results})` after the loop",
        (replace, insert), unsafe_reason=UNSAFE,
    )


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _statement_before(walk: Walk, statement: ast.stmt) -> ast.stmt | None:
    parent = walk.parent(statement)
    if parent is None:
        block = walk.ctx.tree.body
    else:
        block = None
        for name in ("body", "orelse", "finalbody"):
            items = getattr(parent, name, None)
            if isinstance(items, list) and any(s is statement for s in items):
                block = items
                break
        if block is None:
            return None
    for index, item in enumerate(block):
        if item is statement:
            return block[index - 1] if index > 0 else None
    return None


def reaches_outside(old_text: str, new_text: str, resolver, memory: dict) -> bool:
    """May editing a top-level statement change RAY002's findings elsewhere? Only the fix of
    a module-level loop reads another statement (`results = []` before it): an edit that
    spells such a list's name re-checks the module."""
    texts = old_text + new_text
    return any(re.search(rf"\b{re.escape(name)}\b", texts) for name in memory.get("lists", ()))


RULE = Rule(
    code=CODE,
    name="ray-get-loop",
    summary="`ray.get` of a task submitted in the same loop iteration runs the tasks one at a time",
    docs=__doc__,
    url=DOCS_URL,
    check=check,
    needs=("get", InFile("remote")),  # (the submissions it looks at are in the file)
    fix=FixAvailability.SOMETIMES,
    reaches_outside=reaches_outside,
)

__all__ = ["CODE", "DOCS_URL", "RULE", "check"]
