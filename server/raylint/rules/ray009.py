"""RAY009 closure-capture-large-objects: a task or actor captures a large array from its
enclosing code.

## What it does
Finds a read, inside a Ray task or actor method, of a name that Ray pickles together with the
function's definition, when that name is bound once to an array whose size the code spells
(the constructors RAY008 reads: `numpy.zeros((1000, 1000))`, `torch.rand(1024, 1024)`, ...)
and the array is larger than 10 MB (Ray's own warning threshold for a pickled definition):
- a local variable of the function the task or actor is defined in (a closure), or
- a module-level name, when the module is a script (it has an `if __name__ == "__main__":`
  block or calls `ray.init()` at its top level): the functions of the script being run are
  pickled by value, with the globals they read.
The finding is on the first such read in each function.

## Why is this bad?
Ray serializes a remote function or class with what it captures, and ships the bytes through
its metadata store (GCS) to every worker that runs it. A definition of tens of MB is slow to
export and to import, and can run the GCS out of memory; Ray is not built for large
definitions (it warns from 10 MB and refuses from 100 MB).

## Example
```python
large_object = np.zeros(10 * 1024 * 1024)

@ray.remote
def f():
    return len(large_object)
```

## Use instead
```python
large_object_ref = ray.put(np.zeros(10 * 1024 * 1024))

@ray.remote
def f(large_object):
    return len(large_object)

ray.get(f.remote(large_object_ref))
```
or make the object inside the task (`large_object = np.zeros(...)` in its body).

## Fix safety
No automatic fix: the array becomes a parameter, and every call must pass its ref.

## When it is wrong
- It finds only arrays whose size is written in the code: data read from files, computed
  shapes, models and dataframes captured the same way are missed.
- A module imported by the driver (not run as the script) is pickled by reference and
  captures nothing; raylint tells a script by its `__main__` block or top-level
  `ray.init()`, which a module meant for import can also have.
"""

from __future__ import annotations

import ast

from raylint.core.model import Finding, Related
from raylint.core.rule import DOCS_BASE, Checked, Rule
from raylint.core.flow import view
from raylint.rules._remote_code import FUNCTIONS, inside, is_main_guard, top_level_nodes
from raylint.rules._scan import statement_range
from raylint.rules.ray008 import ARRAY_MODULES, ARRAY_WORDS, _human, array_bytes

CODE = "RAY009"
DOCS_URL = DOCS_BASE + "closure-capture-large-objects.html"
WARN_THRESHOLD = 10**7  # ray_constants.FUNCTION_SIZE_WARN_THRESHOLD
NO_FIX = "the array becomes a parameter, and every caller must pass its ref"


def check(ctx: Checked) -> list[Finding]:
    functions = ctx.remote_functions()
    if not functions:
        return []
    v = view(ctx.module)
    script: bool | None = None
    sizes: dict[int, int | None] = {}
    findings = []
    reported_by_definition: dict[int, set[str]] = {}  # an actor's methods share one definition
    for fn in functions:
        reported = reported_by_definition.setdefault(id(fn.declared_at), set())
        own = {id(node) for node in inside(fn.node) if isinstance(node, (*FUNCTIONS, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp))}
        own.add(id(fn.node))
        for node in inside(fn.node):
            if not isinstance(node, ast.Name) or not isinstance(node.ctx, ast.Load) or node.id in reported:
                continue
            found = v.scope_of(node).lookup(node.id)
            if found is None or id(found.node) in own or found.is_class:
                continue
            if found.parent is None:
                if script is None:
                    script = _is_script(ctx, v)
                if not script:
                    continue
            bindings = found.bindings.get(node.id, [])
            if len(bindings) != 1 or bindings[0][0] != "value":
                continue
            value = bindings[0][1]
            if id(value) not in sizes:
                sizes[id(value)] = array_bytes(ctx, v, value)
            size = sizes[id(value)]
            if size is None or size <= WARN_THRESHOLD:
                continue
            reported.add(node.id)
            findings.append(_finding(ctx, v, fn, node, value, size, found.parent is None))
    return findings


def _is_script(ctx: Checked, v) -> bool:
    """Is the module run as a script: a `__main__` block, or `ray.init()` at its top level?"""
    for statement in ctx.tree.body:
        if isinstance(statement, ast.If) and is_main_guard(statement.test):
            return True
    for node in top_level_nodes(ctx.tree):
        if isinstance(node, ast.Call) and ctx.is_ray(node.func, v.scope_of(node), "ray.init"):
            return True
    return False


def _finding(ctx: Checked, v, fn, read: ast.Name, value: ast.AST, size: int, module_level: bool) -> Finding:
    source = ctx.source
    kind = "Actor method" if fn.is_method else "Task"
    where = "a module global of this script" if module_level else "an enclosing function's variable"
    message = (
        f"{kind} `{fn.display_name}` captures `{read.id}` ({_human(size)}, {where}), which Ray pickles into its "
        f"definition; `ray.put` it and pass the ref as an argument"
    )
    related = (
        Related(ctx.path, source.range_of(value), f"`{read.id}` is made here ({_human(size)})"),
        Related(ctx.path, source.range_of(fn.declared_at), fn.declared_message),
    )
    return Finding(
        CODE, message, ctx.path, source.range_of(read), related, (), fn.display_name,
        no_fix_reason=NO_FIX, statement=statement_range(source, v, read),
    )


RULE = Rule(
    code=CODE,
    name="closure-capture-large-objects",
    summary="A task or actor captures a large array (of a size written in the code) from its enclosing code",
    docs=__doc__,
    url=DOCS_URL,
    check=check,
    needs=("remote", ARRAY_WORDS, ARRAY_MODULES),  # (a task, and an array of a size RAY008 can tell)
    local=False,
)

__all__ = ["CODE", "DOCS_URL", "RULE", "check"]
