"""RAY010 fork-in-remote: a Ray task or actor method forks a new process.

## What it does
Finds, lexically inside a Ray task or actor method (nested functions and lambdas defined
there included), a call that forks the Ray worker process:
- `os.fork()`, `os.forkpty()`, `pty.fork()`;
- `multiprocessing.Process(...)`, `multiprocessing.Pool(...)`, `multiprocessing.Manager()`,
  `multiprocessing.pool.Pool(...)` (and the same names of `torch.multiprocessing`), which
  use the default start method: "fork" in a Ray worker on Linux;
- `concurrent.futures.ProcessPoolExecutor(...)` without `mp_context=`;
- `.Process(...)`, `.Pool(...)`, `.Manager()` of `multiprocessing.get_context("fork")` or
  of `multiprocessing.get_context()` (the default method), called directly or through a name
  bound once to that context.

## Why is this bad?
Ray workers hold sockets to the raylet and the GCS and run threads of their own (gRPC,
the core worker). A forked child gets copies of those sockets with no synchronization and
none of the threads: Ray's messages can be corrupted and the child can hang or crash. Ray's
docs ask application code not to fork, and to start processes with the "spawn" method
(the child does not copy the parent's memory) or to parallelize with Ray tasks and actors.

## Example
```python
import multiprocessing

@ray.remote
def score(batches):
    with multiprocessing.Pool(4) as pool:
        return pool.map(score_one, batches)
```

## Use instead
```python
@ray.remote
def score(batches):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        return pool.map(score_one, batches)
```
or submit `score_one` as Ray tasks.

## Fix safety
No automatic fix: with "spawn" the child imports the target's module afresh and the target
and its arguments must be picklable (lambdas and closures are not), so the change needs a
person's review.

## When it is wrong
- Not flagged: a "spawn" or "forkserver" context (`get_context("spawn")`,
  `ProcessPoolExecutor(mp_context=...)` with any context), `multiprocessing.dummy` and
  `ThreadPool` (threads), `subprocess` (it starts another program: Python uses `vfork` or
  `posix_spawn` and execs at once), `torch.multiprocessing.spawn`, and a module or task that
  calls `multiprocessing.set_start_method(...)` with another method than "fork" (at the
  module's top level or in the task itself; a call in the driver's `main()` does not change
  the workers' method, so it does not count).
- Missed: forks in helpers the task calls (only the task's own code is read), in libraries
  (a PyTorch `DataLoader(num_workers=N)`, `joblib` with the multiprocessing backend), in
  driver code (Ray's page also warns there; raylint reads only remote code, where the worker
  owns Ray's sockets), and processes started through a context or pool passed in as an
  argument.
- Python 3.14 makes "forkserver" the default start method on Linux and macOS has used "spawn"
  since Python 3.8: there the default-method calls do not fork, and this rule's findings on
  them are wrong (the explicit `os.fork()` and "fork" contexts still are).
"""

from __future__ import annotations

import ast

from raylint.core.model import Finding, Related
from raylint.core.rule import DOCS_BASE, Checked, Rule
from raylint.core.flow import view
from raylint.rules._remote_code import inside, may_be, single_value, string_constant, top_level_nodes
from raylint.rules._scan import statement_range

CODE = "RAY010"
DOCS_URL = DOCS_BASE + "fork-new-processes.html"

ALWAYS_FORK = {"os.fork", "os.forkpty", "pty.fork"}
_PACKAGES = ("multiprocessing", "torch.multiprocessing")
# made with the default start method
DEFAULT_METHOD = {f"{p}.{name}" for p in _PACKAGES for name in ("Process", "Pool", "Manager", "pool.Pool")}
EXECUTORS = {"concurrent.futures.ProcessPoolExecutor", "concurrent.futures.process.ProcessPoolExecutor"}
GET_CONTEXT = {f"{p}.get_context" for p in _PACKAGES}
SET_START_METHOD = {f"{p}.set_start_method" for p in _PACKAGES}
CONTEXT_MAKERS = {"Process", "Pool", "Manager"}
# the last part of every name above: only calls spelling one are resolved
_LAST_NAMES = {name.rsplit(".", 1)[-1] for name in (*ALWAYS_FORK, *DEFAULT_METHOD, *EXECUTORS)}
NO_FIX = (
    "with \"spawn\" the child imports the target's module afresh and needs picklable targets and "
    "arguments; the change needs review"
)


def check(ctx: Checked) -> list[Finding]:
    functions = ctx.remote_functions()
    if not functions:
        return []
    v = view(ctx.module)
    module_sets_method = _sets_other_method(ctx, v, top_level_nodes(ctx.tree))
    findings: list[Finding] = []
    for fn in functions:
        nodes = list(inside(fn.node))
        default_ok = module_sets_method or _sets_other_method(ctx, v, nodes)
        for node in nodes:
            if isinstance(node, ast.Call):
                what = _forks(ctx, v, node, default_ok)
                if what:
                    findings.append(_finding(ctx, v, fn, node, what))
    return findings


def _forks(ctx: Checked, v, call: ast.Call, default_ok: bool) -> str:
    """The name of what `call` forks with (`os.fork`), or ""."""
    scope = v.scope_of(call)
    if isinstance(call.func, ast.Attribute) and call.func.attr in CONTEXT_MAKERS and isinstance(call.func.value, (ast.Call, ast.Name)):
        method = _context_method(ctx, v, call.func.value)
        if method is not None:
            if method == "fork" or method == "" and not default_ok:
                return f'get_context("{method}").{call.func.attr}' if method else f"get_context().{call.func.attr}"
            return ""
    if not may_be(call.func, scope, _LAST_NAMES):
        return ""
    name = ctx.qualified(call.func, scope)
    if name in ALWAYS_FORK:
        return name
    if name in DEFAULT_METHOD:
        return "" if default_ok else name
    if name in EXECUTORS:
        if default_ok or any(k.arg in ("mp_context", None) for k in call.keywords) or len(call.args) >= 2:
            return ""
        return "ProcessPoolExecutor"
    return ""


def _context_method(ctx: Checked, v, expr: ast.AST) -> str | None:
    """The start method of a `multiprocessing.get_context(...)` context (`""`: the default),
    or None when `expr` is not known to be one."""
    if isinstance(expr, ast.Name):
        bound = single_value(expr.id, v.scope_of(expr))
        if bound is None:
            return None
        expr, scope = bound
    else:
        scope = v.scope_of(expr)
    if not isinstance(expr, ast.Call) or not may_be(expr.func, scope, {"get_context"}) or ctx.qualified(expr.func, scope) not in GET_CONTEXT:
        return None
    argument = expr.args[0] if expr.args else next((k.value for k in expr.keywords if k.arg == "method"), None)
    if argument is None or isinstance(argument, ast.Constant) and argument.value is None:
        return ""
    return string_constant(argument)


def _sets_other_method(ctx: Checked, v, nodes) -> bool:
    """Do these nodes call `multiprocessing.set_start_method(...)` with a method other than
    "fork" (or one raylint cannot read)?"""
    for node in nodes:
        if isinstance(node, ast.Call) and may_be(node.func, v.scope_of(node), {"set_start_method"}) and ctx.qualified(node.func, v.scope_of(node)) in SET_START_METHOD:
            argument = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "method"), None)
            if string_constant(argument) != "fork":
                return True
    return False


def _finding(ctx: Checked, v, fn, call: ast.Call, what: str) -> Finding:
    source = ctx.source
    kind = "actor method" if fn.is_method else "task"
    message = (
        f"`{what}` forks the Ray worker of {kind} `{fn.display_name}`, and the child shares its Ray sockets; "
        f"use the \"spawn\" start method or Ray tasks"
    )
    related = (Related(ctx.path, source.range_of(fn.declared_at), fn.declared_message),)
    return Finding(
        CODE, message, ctx.path, source.range_of(call), related, (), fn.display_name,
        no_fix_reason=NO_FIX, statement=statement_range(source, v, call),
    )


RULE = Rule(
    code=CODE,
    name="fork-in-remote",
    summary="A task or actor method forks a new process (`os.fork`, a default `multiprocessing` pool)",
    docs=__doc__,
    url=DOCS_URL,
    check=check,
    needs=("remote", ("fork", "forkpty", "Process", "Pool", "Manager", "ProcessPoolExecutor", "get_context")),
    local=False,
)

__all__ = ["CODE", "DOCS_URL", "RULE", "check"]
