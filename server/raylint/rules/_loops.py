"""What RAY002 and RAY005 share: `ray.get` calls with their loops, and `.remote()` submissions.

A private helper of the two rules. Generic parts that could move to the core one day: the walk
that gives every node its parent, scope and enclosing function (`Walk`), `dotted`/`reads`
(names an expression reads, as dotted paths), and `submission` (is a call a Ray submission,
to a task or to an actor method).
"""

from __future__ import annotations

import ast

from raylint.core.flow import LOOP_WORDS, view
from raylint.core.names import Scope
from raylint.core.rule import Checked
from raylint.core.walk import children

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
LOOPS = (ast.For, ast.AsyncFor, ast.While)
_ANY_LOOP = (*LOOPS, *COMPREHENSIONS)
# nodes whose insides run at another time than the statement they are in
_DEFERRED = (*FUNCTIONS, ast.Lambda, ast.ClassDef)


class Walk:
    """The `ray.get` and `ray.wait` calls of the statements to check, with each node's parent,
    scope and enclosing function (from the module's View)."""

    def __init__(self, ctx: Checked):
        self.ctx = ctx
        self.view = view(ctx.module)
        self.gets: list[ast.Call] = []  # calls of ray.get, in source order
        self.waits: list[ast.Call] = []
        self.memo: dict[tuple[str, int], tuple[ast.AST, object]] = {}  # see `memoized`

    def memoized(self, what: str, node: ast.AST, make):
        """What `make()` says of `node`, worked out once per walk (each `ray.get` in a long loop
        asks the same of the loop; the node is kept, so its id is not reused)."""
        key = (what, id(node))
        if key not in self.memo:
            self.memo[key] = (node, make())
        return self.memo[key][1]

    def run(self) -> Walk:
        ctx, v = self.ctx, self.view
        # (the submissions are spelled in the file; `ray.get` need not be: `from helpers import
        # fetch`, where helpers re-exports it)
        if "remote" not in ctx.source.text:
            return self
        resolver = ctx.resolver.for_ray()
        # Both rules look only at a `ray.get` inside a loop or comprehension (`innermost_loop`),
        # and RAY005 at a `ray.wait` inside that loop: a call in no loop is not resolved (which
        # may parse the modules its name is imported from), and a statement that spells
        # neither `for` nor `while` is not walked.
        for node in v.of(ast.Call, v.spelling(LOOP_WORDS, ctx.body)):
            func = node.func
            # (`ray.get` is an attribute named `get` or a name: other attributes, most of the
            # calls, are not resolved; a module re-exporting it as `utils.fetch` is not followed)
            if isinstance(func, ast.Attribute) and func.attr not in ("get", "wait") or not isinstance(func, (ast.Attribute, ast.Name)):
                continue
            if not self._in_loop(node):
                continue
            meaning = resolver.meaning(resolver.resolve(func, v.scope_of(node)))
            if meaning == "ray.get":
                self.gets.append(node)
            elif meaning == "ray.wait":
                self.waits.append(node)
        self.gets.sort(key=lambda n: (n.lineno, n.col_offset))
        return self

    def _in_loop(self, node: ast.AST) -> bool:
        """Is `node` inside a loop or comprehension (at any depth, nested functions too)?"""
        at = self.view.parent(node)
        while at is not None:
            if isinstance(at, _ANY_LOOP):
                return True
            at = self.view.parent(at)
        return False

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node holding `node`; None for a top-level statement."""
        parent = self.view.parent(node)
        return None if parent is self.ctx.tree else parent

    def scope(self, node: ast.AST) -> Scope:
        return self.view.scope_of(node)

    def owner(self, node: ast.AST) -> str:
        """The display name of the function (or class) whose body holds `node` ("A.f"), ""
        at module level; a lambda is part of the function it is in."""
        names = []
        child, at = node, self.parent(node)
        while at is not None:
            if isinstance(at, (*FUNCTIONS, ast.ClassDef)) and any(child is s for s in at.body):
                names.append(at.name)
            child, at = at, self.parent(at)
        return ".".join(reversed(names))

    def statement(self, node: ast.AST) -> ast.stmt | None:
        """The innermost statement holding `node`."""
        while node is not None and not isinstance(node, ast.stmt):
            node = self.parent(node)
        return node

    def ancestors(self, node: ast.AST):
        """The parents of `node`, innermost first, up to its function, lambda or class."""
        node = self.parent(node)
        while node is not None:
            yield node
            if isinstance(node, _DEFERRED):
                return
            node = self.parent(node)

    def innermost_loop(self, node: ast.AST) -> tuple[ast.AST, ast.AST] | None:
        """The innermost loop or comprehension whose every iteration runs `node`, with the
        child of it that holds `node` (a statement of its body, a comprehension's element);
        None if `node` is in no loop of its function, or is where a loop's parts run once."""
        child = node
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, _DEFERRED):
                return None
            if isinstance(ancestor, LOOPS):
                if child in ancestor.body:
                    return ancestor, child
                if isinstance(ancestor, ast.While) and child is ancestor.test:
                    return ancestor, child
                if child in ancestor.orelse or child is getattr(ancestor, "iter", None):
                    child = ancestor
                    continue
                if child is getattr(ancestor, "target", None):
                    return None
            if isinstance(ancestor, COMPREHENSIONS):
                elts = (ancestor.key, ancestor.value) if isinstance(ancestor, ast.DictComp) else (ancestor.elt,)
                if any(child is e for e in elts):
                    return ancestor, child
            child = ancestor
        return None


def walk_of(ctx: Checked) -> Walk:
    """The Walk of the statements to check, made once for RAY002 and RAY005 (`ctx.known`
    serves one set of statements of one tree)."""
    walk = ctx.known.get("_loops.walk")
    if walk is None or walk.ctx.tree is not ctx.tree or walk.ctx.body != ctx.body:
        walk = ctx.known["_loops.walk"] = Walk(ctx).run()
    return walk


def nodes(roots, skip_loops: bool = False):
    """The nodes under `roots` (a node or a list of them) that run with them: not the bodies of
    nested functions, lambdas and classes (nor of nested loops, with `skip_loops`)."""
    stack = list(reversed(roots)) if isinstance(roots, list) else [roots]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _DEFERRED):
            continue
        if skip_loops and isinstance(node, LOOPS):
            continue
        stack.extend(reversed(children(node)))


def dotted(expr: ast.AST) -> str | None:
    """`a.b.c` for a name or an attribute chain; the container's path for `a.b[k]`."""
    parts = []
    while True:
        if isinstance(expr, ast.Subscript):
            parts = []
            expr = expr.value
        elif isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        elif isinstance(expr, ast.Name):
            parts.append(expr.id)
            return ".".join(reversed(parts))
        elif isinstance(expr, ast.Starred):
            expr = expr.value
        else:
            return None


def targets(target: ast.AST) -> set[str]:
    """The paths an assignment target stores into."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return {path for elt in target.elts for path in targets(elt)}
    path = dotted(target)
    return {path} if path else set()


def reads(expr: ast.AST) -> set[str]:
    """The paths an expression reads (`a.b.c` stands for `a`, `a.b` and `a.b.c`)."""
    found = set()
    for node in nodes(expr):
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(getattr(node, "ctx", None), ast.Load):
            path = dotted(node)
            if path:
                found.add(path)
    return found


def overlaps(paths: set[str], read: set[str]) -> bool:
    """Does reading `read` read something stored at one of `paths` (the same path, or one a
    dotted prefix of the other)? Each name's prefixes are looked up, not every pair compared."""
    return _prefix_in(read, paths) or _prefix_in(paths, read)


def _prefix_in(names: set[str], others: set[str]) -> bool:
    """Is one of `names`, or a dotted prefix of one (`a.b` of `a.b.c`), in `others`?"""
    for name in names:
        at = len(name)
        while at > 0:
            if name[:at] in others:
                return True
            at = name.rfind(".", 0, at)
    return False


def is_remote_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "remote"


def receiver(call: ast.Call) -> ast.AST:
    """What `.remote` is called on, past `.options(...)`: `f` of `f.options(...).remote()`."""
    target = call.func.value
    if isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute) and target.func.attr == "options":
        target = target.func.value
    return target


def submission(ctx: Checked, call: ast.AST, scope: Scope) -> str | None:
    """"task" for `f.remote(...)`, `f.options(...).remote(...)`, `module.f.remote(...)`;
    "actor" for a method of an actor handle, `h.m.remote(...)`; None when the call is no Ray
    submission (`ray.remote(f)`, or `.remote` on a name that is not Ray's)."""
    if not is_remote_call(call):
        return None
    target = receiver(call)
    meant = ctx.qualified(target, scope)
    if isinstance(meant, str) and (meant == "ray" or meant.startswith("ray.")):
        return None  # `ray.remote(f)`, `ray.util.remote`: Ray's own API, no submission
    if isinstance(target, ast.Attribute):
        base = target.value
        # `tasks.f.remote()`: a task of an imported module; anything else is a handle's method
        if isinstance(base, ast.Name) and _is_module(ctx, base, scope):
            return "task"
        return "actor"
    if isinstance(target, ast.Name):
        if _is_actor_class(ctx, target, scope):
            return None  # `Actor.remote()` makes an actor, not a ref
        if _bound_to_method(ctx, target, scope):
            return "actor"  # `fn = handle.__ray_call__; fn.remote(...)`
        return _named_task(ctx, target, scope)
    if isinstance(target, ast.Call):
        return "task"  # `ray.remote(f).remote(x)`
    return "task"


def _is_module(ctx: Checked, name: ast.Name, scope: Scope) -> bool:
    home = scope.lookup(name.id)
    if home is None:
        return False
    return any(b[0] == "module" or b[0] == "from" and _looks_like_module(b) for b in home.bindings.get(name.id, ()))


def _looks_like_module(binding: tuple) -> bool:
    # `from pkg import tasks`: a module when lower-case and used as `tasks.f.remote`
    return binding[2][:1].islower()


def _named_task(ctx: Checked, name: ast.Name, scope: Scope) -> str | None:
    """"task" when `name` is a task: a def, an import, `ray.remote(fn)`, `task.options(...)`;
    None for a parameter or the result of some other call (`handle = app.get_handle()`: a
    Serve handle, an object raylint cannot tell)."""
    home = scope.lookup(name.id)
    if home is None:
        return "task"  # a global of a star import
    for binding in home.bindings.get(name.id, ()):
        kind = binding[0]
        if kind in ("def", "module", "from"):
            continue
        if kind == "value":
            value = binding[1]
            if isinstance(value, ast.Call):
                func = value.func
                if isinstance(func, ast.Attribute) and func.attr == "options":
                    continue
                if ctx.is_ray(func, home, "ray.remote") or isinstance(func, ast.Call) and ctx.is_ray(func.func, home, "ray.remote"):
                    continue
                if value.args and isinstance(value.args[0], ast.Name) and _is_function(value.args[0], home):
                    continue  # `work = cached_remote_fn(_work)`: a helper that makes a function remote
                return None
            if isinstance(value, (ast.Name, ast.Attribute)):
                continue  # an alias (`task = tasks.work`)
            return None
        return None  # a parameter, a loop variable, `with ... as`
    return "task"


def _is_function(name: ast.Name, scope: Scope) -> bool:
    home = scope.lookup(name.id)
    return home is not None and any(
        b[0] == "def" and isinstance(b[1], (ast.FunctionDef, ast.AsyncFunctionDef)) for b in home.bindings.get(name.id, ())
    )


def _bound_to_method(ctx: Checked, name: ast.Name, scope: Scope) -> bool:
    """Is `name` bound to an attribute of something that is no module (`m = handle.method`)?"""
    home = scope.lookup(name.id)
    if home is None:
        return False
    for binding in home.bindings.get(name.id, ()):
        if binding[0] == "value" and isinstance(binding[1], ast.Attribute):
            base = binding[1].value
            if not (isinstance(base, ast.Name) and _is_module(ctx, base, home)) and ctx.qualified(binding[1], home) is None:
                return True
    return False


def _is_actor_class(ctx: Checked, name: ast.Name, scope: Scope) -> bool:
    home = scope.lookup(name.id)
    if home is None:
        return False
    for binding in home.bindings.get(name.id, ()):
        if binding[0] == "def" and isinstance(binding[1], ast.ClassDef):
            return True
        if binding[0] == "value" and isinstance(binding[1], ast.Call) and binding[1].args:
            wrapped = binding[1].args[0]
            if isinstance(wrapped, ast.Name) and wrapped.id != name.id and _is_actor_class(ctx, wrapped, home):
                return True
    return False


def producers(expr: ast.AST) -> list[ast.Call] | None:
    """The `.remote()` calls whose refs `expr` holds when it is made of them alone: the call
    itself, a list or tuple of them, a comprehension of one. None for anything else."""
    if is_remote_call(expr):
        return [expr]
    if isinstance(expr, (ast.List, ast.Tuple)) and expr.elts:
        found = []
        for elt in expr.elts:
            inner = producers(elt)
            if inner is None:
                return None
            found.extend(inner)
        return found
    if isinstance(expr, (ast.ListComp, ast.GeneratorExp)) and is_remote_call(expr.elt):
        return [expr.elt]
    return None


def position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def list_building(name: str, statements: list[ast.stmt], after: tuple[int, int], before: tuple[int, int]):
    """The `.remote()` calls appended to list `name` between two positions (`name.append(call)`,
    `name.extend(refs)`, `name += refs`), or None when `name` is changed some other way there
    (or nothing is appended)."""
    found: list[ast.Call] = []
    for node in nodes(statements):
        if not (after < position(node) < before):
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id == name:
            method = node.func.attr
            if method in ("append", "extend", "insert") and node.args and not node.keywords:
                made = producers(node.args[-1])
                if made is None or method == "append" and not is_remote_call(node.args[-1]):
                    return None
                found.extend(made)
            elif method not in ("copy", "index", "count"):
                return None
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            made = producers(node.value)
            if made is None:
                return None
            found.extend(made)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.Delete)):
            stored = [t for t in (node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target])]
            if any(isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name for t in stored):
                return None
    return found or None


def is_empty_list(expr: ast.AST) -> bool:
    return (
        isinstance(expr, ast.List) and not expr.elts
        or isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "list" and not expr.args and not expr.keywords
    )


def exits(statements: list[ast.stmt], loop: ast.AST):
    """The `break`, `return`, `continue` and `raise` statements that leave an iteration of
    `loop` (not those of loops nested in it), with whether each is unconditional (not under an
    `if`, a `match` or an `except` inside the loop)."""
    stack = [(s, False) for s in reversed(statements)]
    while stack:
        node, conditional = stack.pop()
        if isinstance(node, _DEFERRED):
            continue
        if isinstance(node, (ast.Break, ast.Continue)):
            yield node, conditional
            continue
        if isinstance(node, (ast.Return, ast.Raise)):
            yield node, conditional
            continue
        if isinstance(node, LOOPS):
            # a nested loop's break/continue are its own; its returns still leave ours
            for inner in nodes(node.body + node.orelse):
                if isinstance(inner, (ast.Return, ast.Raise)):
                    yield inner, True
            continue
        if isinstance(node, (ast.If, ast.Match, ast.ExceptHandler, ast.IfExp)):
            conditional_children = True
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            stack.extend((c, conditional) for c in reversed([*node.body, *node.orelse, *node.finalbody]))
            stack.extend((h, True) for h in reversed(node.handlers))
            continue
        else:
            conditional_children = conditional
        if isinstance(node, ast.stmt) or isinstance(node, (ast.ExceptHandler, ast.match_case)):
            stack.extend((c, conditional_children) for c in reversed(children(node)) if isinstance(c, (ast.stmt, ast.ExceptHandler, ast.match_case)))


def first_positional(call: ast.Call, keyword: str) -> ast.AST | None:
    if call.args:
        return call.args[0]
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def has_keyword(call: ast.Call, name: str) -> bool:
    return any(kw.arg == name for kw in call.keywords) or len(call.args) > 1 and name == "timeout"


def findings_of_gets(ctx, check_get) -> list:
    """`check_get(ctx, walk, get)` for each `ray.get` of the checked statements: the findings."""
    walk = walk_of(ctx)
    return [finding for get in walk.gets if (finding := check_get(ctx, walk, get)) is not None]

