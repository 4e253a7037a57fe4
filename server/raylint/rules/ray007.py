"""RAY007 global-state-in-remote: a task or actor shares state through a global variable.

## What it does
Finds three shapes in Ray tasks and actor methods:
1. **A write to a module global**: the function's own body declares `global x` and assigns
   `x` (`x = ...`, `x += ...`, `del x`, `for x in ...`, `import ... as x`). The finding is on
   the `global` statement. Not flagged: a lazily filled per-process cache, where every
   assignment is under `if x is None:` (or `if not x:`), or follows
   `if x is not None: return ...` in the same block.
2. **A read of a module global that the driver changes**: the function (or a lambda,
   comprehension or nested function in it) reads a module-level name that is reassigned
   - by module-level code after that task is submitted there (`f.remote(...)`) and before
     it is submitted again, or after that actor is created there (`Actor.remote(...)`) and
     before a later `.remote(...)` call; or inside a module-level loop that submits it; or
   - by a function that declares `global x` and assigns it, when none of the functions that
     do is the reader itself, a function the reader calls (directly or through the plain
     functions it calls), a function the module's top level calls on import, or a method of
     the same actor class (then the global is set in the reader's own process).
   The finding is on the first such read in each function, with the writes as related
   locations.
3. **A write to a class variable of an actor**: a method of a Ray actor class (its `__init__`
   included) assigns `Cls.attr`, `type(self).attr` or `self.__class__.attr` of its own class.

## Why is this bad?
The driver, each task's worker and each actor run in different processes and share no
memory. A global a task writes changes that worker's copy only: the driver and the other
workers never see it, and a later task on the same worker sees a leftover. A global the
driver changes reaches no worker: a function defined in the driver script is pickled with
the values of the globals it reads when it is first submitted, and a function imported from
a module reads the worker's own import of it. Class variables are per process as well: each
actor has its own copy.

## Example
```python
counter = 0

@ray.remote
def work(item):
    global counter
    counter += 1
```

## Use instead
Keep shared state in an actor and pass its handle; pass values as arguments:
```python
@ray.remote
class Counter:
    def __init__(self):
        self.count = 0

    def add(self):
        self.count += 1

@ray.remote
def work(item, counter):
    counter.add.remote()
```

## Fix safety
No automatic fix: moving state into an actor or an argument changes the program's design.

## When it is wrong
- A driver script that sets a global in `main()` before it first submits a task that reads
  it does reach the task (cloudpickle copies the value then); it stops working once the task
  moves to an imported module or the value changes after the first submission, which is why
  it is flagged.
- A deliberate per-worker cache written without the `is None` guard (a counter of calls in
  this worker, say) is flagged: mark it `# noqa: RAY007`.
- Missed: mutation of a module-level container (`CACHE[key] = v`, `RESULTS.append(x)`: the
  same per-process state, but also the usual shape of a per-worker memo cache, which raylint
  cannot tell apart), globals written in nested functions of a task, in helpers the task
  calls, or through `globals()[...]`, and class variables written through another name than
  the class's own.
"""

from __future__ import annotations

import ast

from raylint.core.model import Finding, Related
from raylint.core.names import Scope
from raylint.core.rule import DOCS_BASE, Checked, Rule
from raylint.core.tasks import is_remote_definition, remote_wrapped_names
from raylint.core.flow import keywords, view
from raylint.rules._remote_code import FUNCTIONS, inside, own_nodes, top_level_nodes
from raylint.rules._scan import enclosing_statement

CODE = "RAY007"
DOCS_URL = DOCS_BASE + "global-variables.html"
NO_FIX = "moving the state into an actor or an argument changes the program's design"
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

CLASS_WORD = keywords("class")


def check(ctx: Checked) -> list[Finding]:
    functions = ctx.remote_functions()
    module = Module(ctx)
    findings: list[Finding] = []
    for fn in functions:
        findings.extend(module.global_writes(fn))
        findings.extend(module.stale_reads(fn))
    for cls in module.actor_classes():
        findings.extend(module.class_variable_writes(cls))
    return findings


class Module:
    def __init__(self, ctx: Checked):
        self.ctx = ctx
        self.v = view(ctx.module)
        self._writers: dict[str, list[ast.AST]] | None = None
        self._stores: dict[str, list[ast.Name]] | None = None
        self._calls: dict[int, set[str]] = {}

    # -- 1. writes to module globals ---------------------------------------------------------
    def global_writes(self, fn) -> list[Finding]:
        findings = []
        nodes = list(own_nodes(fn.node))
        for statement in nodes:
            if not isinstance(statement, ast.Global):
                continue
            written = [name for name in statement.names if self._unguarded_stores(fn.node, nodes, name)]
            if not written:
                continue
            names = ", ".join(f"`{name}`" for name in written)
            plural = "s" if len(written) > 1 else ""
            what = f"actor method `{fn.display_name}`" if fn.is_method else f"task `{fn.display_name}`"
            keep = "an instance attribute" if fn.is_method else "an actor"
            message = (
                f"{what[0].upper()}{what[1:]} writes module global{plural} {names}, seen only by this worker "
                f"process; keep shared state in {keep}"
            )
            findings.append(self._finding(fn.display_name, statement, message, statement))
        return findings

    def _unguarded_stores(self, fn: ast.AST, nodes: list[ast.AST], name: str) -> list[ast.AST]:
        stores = []
        for node in nodes:
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)):
                stores.append(node)
            elif isinstance(node, ast.alias) and (node.asname or node.name.split(".")[0]) == name:
                stores.append(node)
            elif isinstance(node, (*FUNCTIONS, ast.ClassDef)) and node.name == name:
                stores.append(node)
        return [store for store in stores if not self._guarded(store, fn, name)]

    def _guarded(self, store: ast.AST, fn: ast.AST, name: str) -> bool:
        """Is `store` a lazy fill of a cache: under `if name is None:`, or after
        `if name is not None: return ...` in an enclosing block of the function?"""
        child, at = store, self.v.parent(store)
        while at is not None and at is not fn:
            if isinstance(at, ast.If) and child in at.body and _tests_empty(at.test, name):
                return True
            for block in ("body", "orelse", "finalbody"):
                statements = getattr(at, block, None)
                if isinstance(statements, list) and child in statements:
                    before = statements[: statements.index(child)]
                    if any(_returns_if_filled(s, name) for s in before):
                        return True
            child, at = at, self.v.parent(at)
        if at is fn and child in fn.body:
            return any(_returns_if_filled(s, name) for s in fn.body[: fn.body.index(child)])
        return False

    # -- 3. class variables of actors -----------------------------------------------------------
    def actor_classes(self) -> list[ast.ClassDef]:
        """The Ray actor classes defined in the statements to check (at any depth)."""
        found = []
        wrapped = None
        for node in self.v.of(ast.ClassDef, self.v.spelling(CLASS_WORD, self.ctx.body)):  # (only statements spelling `class`)
            scope = self.v.scope_of(node)
            if is_remote_definition(self.ctx.resolver, node, scope):
                found.append(node)
                continue
            if scope.parent is None:
                if wrapped is None:
                    wrapped = remote_wrapped_names(self.ctx.resolver)
                if node.name in wrapped:
                    found.append(node)
        return found

    def class_variable_writes(self, cls: ast.ClassDef) -> list[Finding]:
        findings = []
        for method in cls.body:
            if not isinstance(method, FUNCTIONS):
                continue
            args = [*method.args.posonlyargs, *method.args.args]
            self_name = args[0].arg if args and not any(_decorator_name(d) in ("staticmethod", "classmethod") for d in method.decorator_list) else None
            for node in own_nodes(method):
                if isinstance(node, ast.Assign):
                    targets = node.targets
                elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                    targets = [node.target]
                else:
                    continue
                for target in targets:
                    if isinstance(target, ast.Attribute) and self._is_own_class(target.value, cls, self_name, method):
                        display = f"{cls.name}.{method.name}"
                        message = (
                            f"Actor method `{display}` writes class variable `{cls.name}.{target.attr}`, which each "
                            f"actor process has its own copy of; use an instance attribute"
                        )
                        findings.append(self._finding(display, target, message, node))
        return findings

    def _is_own_class(self, expr: ast.AST, cls: ast.ClassDef, self_name: str | None, method: ast.AST) -> bool:
        if isinstance(expr, ast.Name) and expr.id == cls.name:
            found = self.v.scope_of(expr).lookup(cls.name)
            return found is not None and any(b[0] == "def" and b[1] is cls for b in found.bindings.get(cls.name, []))
        if self_name is None:
            return False
        if isinstance(expr, ast.Attribute) and expr.attr == "__class__":
            return isinstance(expr.value, ast.Name) and expr.value.id == self_name
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "type" and len(expr.args) == 1:
            return isinstance(expr.args[0], ast.Name) and expr.args[0].id == self_name
        return False

    # -- 2. reads of globals the driver changes --------------------------------------------------
    def stale_reads(self, fn) -> list[Finding]:
        module_scope = self.ctx.scope
        declared = {name for node in own_nodes(fn.node) if isinstance(node, ast.Global) for name in node.names}
        reported: set[str] = set()
        findings = []
        reachable = None
        for node in inside(fn.node):
            if not isinstance(node, ast.Name) or not isinstance(node.ctx, ast.Load):
                continue
            name = node.id
            if name in reported or name in declared or name.startswith("__") and name.endswith("__"):
                continue
            found = self.v.scope_of(node).lookup(name)
            if found is None or found.parent is not None:
                continue
            bindings = module_scope.bindings.get(name, [])
            if not bindings or any(b[0] in ("def", "module", "from") for b in bindings):
                continue
            writers = self._function_writers().get(name, [])
            if not writers and name not in self._module_stores():
                continue
            if writers:
                if reachable is None:
                    reachable = self._reachable(fn)
                if any(id(owner) in reachable for owner, _ in writers):
                    continue  # the reader sets the global itself (in its own worker) before reading it
            driver = self._driver_writes(fn, name)
            functions = writers
            if not driver and not functions:
                continue
            reported.add(name)
            writes = driver + [(where, f"`{owner.name}` assigns `{name}` here") for owner, where in functions]
            what = f"actor method `{fn.display_name}`" if fn.is_method else f"task `{fn.display_name}`"
            after = "creating the actor" if fn.is_method else "submitting it"
            by = f"the driver reassigns after {after}" if driver else f"function `{functions[0][0].name}` reassigns"
            message = (
                f"{what[0].upper()}{what[1:]} reads module global `{name}`, which {by}; the worker keeps its "
                f"own copy, so pass the value as an argument or hold it in an actor"
            )
            related = tuple(Related(self.ctx.path, self.ctx.source.range_of(where), text) for where, text in writes)
            findings.append(self._finding(fn.display_name, node, message, enclosing_statement(self.v, node) or node, related))
        return findings

    def _driver_writes(self, fn, name: str) -> list[tuple[ast.AST, str]]:
        """Module-level stores of `name` between a module-level submission of `fn` (its task's
        `.remote`, its actor's creation) and a later use of it (the task submitted again; for
        an actor, any `.remote` call), or in a module-level loop that submits it."""
        window = self._submission_window(fn)
        if window is None:
            return []
        first, last, loops = window
        made = "the actor is created" if fn.is_method else f"`{fn.display_name}` is submitted"
        writes = []
        for store in self._module_stores().get(name, []):
            if first < (store.lineno, store.col_offset) < last or any(self._within(store, loop) for loop in loops):
                writes.append((store, f"the driver reassigns `{name}` here, after {made}"))
        return writes

    def _submission_window(self, fn):
        """(first submission, last use, module-level loops that submit) of `fn`, or None when
        the module's top level never submits it (computed once per function)."""
        memo = self.__dict__.setdefault("_windows", {})
        key = id(fn.node)
        if key not in memo:
            submissions = [call for call in self._module_level_calls() if _submits(call, fn.call_names)]
            if not submissions:
                memo[key] = None
            else:
                first = min((s.lineno, s.col_offset) for s in submissions)
                if fn.is_method:
                    uses = [c for c in self._module_level_calls() if isinstance(c.func, ast.Attribute) and c.func.attr == "remote"]
                else:
                    uses = submissions
                last = max((u.lineno, u.col_offset) for u in uses)
                loops = [loop for loop in self._module_level_loops() if any(self._within(s, loop) for s in submissions)]
                memo[key] = (first, last, loops)
        return memo[key]

    def _within(self, node: ast.AST, ancestor: ast.AST) -> bool:
        at = node
        while at is not None:
            if at is ancestor:
                return True
            at = self.v.parent(at)
        return False

    def _module_level_nodes(self):
        """The nodes of the module's own scope (outside defs, classes, lambdas, comprehensions)."""
        tree = self.ctx.tree
        return [node for node, scope in self.v.nodes if scope.node is tree and node is not tree]

    def _module_level_calls(self) -> list[ast.Call]:
        if not hasattr(self, "_calls_memo"):
            self._calls_memo = [n for n in self._module_level_nodes() if isinstance(n, ast.Call)]
        return self._calls_memo

    def _module_level_loops(self) -> list[ast.AST]:
        if not hasattr(self, "_loops_memo"):
            self._loops_memo = [n for n in self._module_level_nodes() if isinstance(n, _LOOPS)]
        return self._loops_memo

    def _module_stores(self) -> dict[str, list[ast.Name]]:
        if self._stores is None:
            self._stores = {}
            for node in self._module_level_nodes():
                if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    self._stores.setdefault(node.id, []).append(node)
        return self._stores

    def _function_writers(self) -> dict[str, list[tuple[ast.AST, ast.AST]]]:
        """By name: (function, store) for each function that declares the name `global` and
        assigns it in its own body."""
        if self._writers is None:
            self._writers = {}
            # (only the functions that declare a global: a walk of each would cost the module)
            declaring = {}
            for statement in self.v.of(ast.Global):
                fn = self.v.parent(statement)
                while fn is not None and not isinstance(fn, (*FUNCTIONS, ast.Lambda, ast.ClassDef, ast.Module)):
                    fn = self.v.parent(fn)
                if isinstance(fn, FUNCTIONS):
                    declaring[id(fn)] = fn
            for node in declaring.values():
                own = list(own_nodes(node))
                names = {name for n in own if isinstance(n, ast.Global) for name in n.names}
                for n in own:
                    if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, (ast.Store, ast.Del)):
                        self._writers.setdefault(n.id, []).append((node, n))
        return self._writers

    def _reachable(self, fn) -> set[int]:
        """The reader itself, the functions of this module it calls by name (and those they
        call, transitively), and for an actor method the methods of its class."""
        seen: set[int] = {id(fn.node)}
        stack = [fn.node]
        if fn.is_method:
            cls = self.v.parent(fn.node)
            if isinstance(cls, ast.ClassDef):
                seen.update(id(m) for m in cls.body if isinstance(m, FUNCTIONS))
        for callee in self._called_at_import():
            if id(callee) not in seen:
                seen.add(id(callee))
                stack.append(callee)
        while stack and len(seen) < 500:
            current = stack.pop()
            for node in inside(current):
                if isinstance(node, ast.Call):
                    callee = self._callee(node)
                    if callee is not None and id(callee) not in seen:
                        seen.add(id(callee))
                        stack.append(callee)
        return seen

    def _called_at_import(self) -> list[ast.AST]:
        """The functions the module's top level calls when it is imported (outside
        `if __name__ == "__main__":`): every worker that imports the module runs them too."""
        if not hasattr(self, "_import_calls"):
            self._import_calls = []
            for node in top_level_nodes(self.ctx.tree):
                if isinstance(node, ast.Call):
                    callee = self._callee(node)
                    if callee is not None:
                        self._import_calls.append(callee)
        return self._import_calls

    def _callee(self, call: ast.Call) -> ast.AST | None:
        """The def `call` calls: `helper(...)` of a function bound once by `def`, or
        `self.method(...)` inside a class."""
        func = call.func
        if isinstance(func, ast.Name):
            found = self.v.scope_of(call).lookup(func.id)
            if found is None:
                return None
            bindings = found.bindings.get(func.id, [])
            if len(bindings) == 1 and bindings[0][0] == "def" and isinstance(bindings[0][1], FUNCTIONS):
                return bindings[0][1]
        return None

    def _finding(self, task: str, node: ast.AST, message: str, statement: ast.AST, related=()) -> Finding:
        source = self.ctx.source
        return Finding(
            CODE, message, self.ctx.path, source.range_of(node), tuple(related), (), task,
            no_fix_reason=NO_FIX, statement=source.range_of(statement),
        )


def _submits(call: ast.Call, names: tuple[str, ...]) -> bool:
    """Is `call` `name.remote(...)` or `name.options(...).remote(...)` for one of `names`?"""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr != "remote":
        return False
    base = func.value
    if isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute) and base.func.attr == "options":
        base = base.func.value
    return isinstance(base, ast.Name) and base.id in names


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _tests_empty(test: ast.AST, name: str) -> bool:
    """`name is None`, `name == None`, `not name`, or an `or`/`and` of tests with one of them."""
    if isinstance(test, ast.BoolOp):
        return any(_tests_empty(value, name) for value in test.values)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _is_name(test.operand, name)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.Eq)):
        right = test.comparators[0]
        return _is_name(test.left, name) and isinstance(right, ast.Constant) and right.value is None
    return False


def _tests_filled(test: ast.AST, name: str) -> bool:
    """`name is not None`, `name != None`, or `name`."""
    if _is_name(test, name):
        return True
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.IsNot, ast.NotEq)):
        right = test.comparators[0]
        return _is_name(test.left, name) and isinstance(right, ast.Constant) and right.value is None
    return False


def _returns_if_filled(statement: ast.stmt, name: str) -> bool:
    return (
        isinstance(statement, ast.If)
        and _tests_filled(statement.test, name)
        and bool(statement.body)
        and isinstance(statement.body[-1], ast.Return)
    )


def _decorator_name(decorator: ast.AST) -> str:
    if isinstance(decorator, ast.Name):
        return decorator.id
    if isinstance(decorator, ast.Attribute):
        return decorator.attr
    return ""


RULE = Rule(
    code=CODE,
    name="global-state-in-remote",
    summary="A task or actor shares state through a module global or a class variable",
    docs=__doc__,
    url=DOCS_URL,
    check=check,
    needs=("remote",),
    local=False,
)

__all__ = ["CODE", "DOCS_URL", "RULE", "check"]
