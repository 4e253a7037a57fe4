"""RAY006 out-of-band-ref-serialization: an ObjectRef is pickled by user code.

## What it does
Finds a call of `pickle.dumps`/`pickle.dump`, `cloudpickle.dumps`/`dump`,
`ray.cloudpickle.dumps`/`dump` or `dill.dumps`/`dump` (any import spelling: `import
cloudpickle as cp`, `from pickle import dumps`, `from ray import cloudpickle`) whose object
is known to be, or to hold, a `ray.ObjectRef`:
- the result of `ray.put(...)`;
- the result of `.remote(...)` on a task of the module (not a generator task), on
  `.options(...)` of one, or on a method of an actor handle made in the same scope
  (`h = Actor.remote()`, `h = ray.get_actor(...)`); not an actor class's `.remote()`, which
  makes a handle;
- a parameter annotated `ray.ObjectRef`;
- a list, tuple, set or dict display, or a comprehension, with such a value in it;
- a name bound only to such values in its scope (or bound to `[]` and only ever
  `.append`ed/`.extend`ed with them there), or the variable of a loop over a list of refs.
Driver code and tasks alike. The finding is on the `dumps` call.

## Why is this bad?
Ray counts the references to each object to know when it can free it. Refs it serializes
itself (task arguments, return values, refs inside them) are counted; bytes made by user
code are not:
- with `pickle`, `cloudpickle` or `dill`, Ray does not know the bytes name the object: once
  the Python refs are gone it frees the object, and a ref loaded from the bytes later hangs or
  fails in `ray.get`;
- with `ray.cloudpickle`, Ray pins the object for the lifetime of the worker that owns it, since
  it cannot know when the bytes are dropped: the object leaks and the object store spills.
Set `RAY_allow_out_of_band_object_ref_serialization=0` to make Ray raise where this happens.

## Example
```python
ref = ray.put(table)
blob = pickle.dumps(ref)
```

## Use instead
Pass the refs themselves to the tasks and actors that need them (as arguments, inside
arguments, or held by an actor), so Ray counts them; if the value must be saved, save the
value (`ray.get(ref)`), not its ref.

## Fix safety
No automatic fix: what should hold the ref instead of the bytes is a design choice.

## When it is wrong
- Missed: refs raylint cannot tell are refs (a parameter without an annotation, a task
  imported from another module, an attribute, a function's result, a list filled in a loop
  with other calls than `append`/`extend`), `pickle.Pickler(...).dump(...)`, and other
  serializers (`joblib.dump`, `torch.save`).
- A name that a branch binds to a ref and another to something else is not flagged.
- A deliberate external store of refs (Ray's serialization guide shows one with
  `ray.cloudpickle` that frees the object itself with `ray._private.internal_api.free`) is
  still flagged: mark such lines `# noqa: RAY006`.
"""

from __future__ import annotations

import ast

from raylint.core.model import Finding
from raylint.core.names import Scope
from raylint.core.rule import DOCS_BASE, Checked, InFile, Rule
from raylint.core.tasks import is_remote_definition, remote_wrapped_names
from raylint.core.flow import view
from raylint.rules._remote_code import FUNCTIONS, may_be, own_nodes
from raylint.rules._scan import statement_range

CODE = "RAY006"
DOCS_URL = DOCS_BASE + "out-of-band-object-ref-serialization.html"

_PICKLERS = ("pickle", "cloudpickle", "ray.cloudpickle", "dill", "_pickle", "cloudpickle.cloudpickle")
DUMPS = {f"{module}.{name}": module for module in _PICKLERS for name in ("dumps", "dump")}
# (a pickler is reached through an import that spells its module: `import pickle`, `from ray
# import cloudpickle`, a workspace module's `from dill import dumps`)
PICKLER_WORDS = tuple(sorted({part for module in _PICKLERS for part in module.split(".") if part != "ray"}))
OBJECT_REF = {"ray.ObjectRef", "ray._raylet.ObjectRef", "ray.types.ObjectRef"}
_CONTAINERS = ("list", "List", "tuple", "Tuple", "Sequence", "set", "Set", "dict", "Dict", "Mapping")
NO_FIX = "the refs must reach their readers through Ray (arguments, return values, an actor); that is a design change"
_DEPTH = 12


def check(ctx: Checked) -> list[Finding]:
    v = view(ctx.module)
    refs = Refs(ctx, v)
    findings = []
    for node in v.of(ast.Call, ctx.body):
        if not node.args and not node.keywords:
            continue
        if not may_be(node.func, v.scope_of(node), {"dumps", "dump"}):
            continue
        module = DUMPS.get(ctx.qualified(node.func, v.scope_of(node)) or "")
        if module is None:
            continue
        obj = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "obj"), None)
        if obj is None or isinstance(obj, ast.Starred) or not refs.contains_ref(obj, v.scope_of(obj)):
            continue
        findings.append(_finding(ctx, v, node, module))
    return findings


class Refs:
    """What is known to be an ObjectRef, or to hold one, in one module."""

    def __init__(self, ctx: Checked, v):
        self.ctx, self.v = ctx, v
        self._wrapped = None
        self._scope_nodes: dict[int, list[ast.AST]] = {}

    # -- a single ref --------------------------------------------------------------------
    def is_ref(self, expr: ast.AST, scope: Scope, depth: int = 0) -> bool:
        if depth > _DEPTH:
            return False
        if isinstance(expr, ast.Call):
            if self.ctx.is_ray(expr.func, scope, "ray.put"):
                return True
            return self._remote_call_gives_ref(expr, scope, depth)
        if isinstance(expr, ast.Name):
            return self._name(expr.id, scope, depth, self.is_ref, loop=self.all_refs, annotated=_ONE)
        if isinstance(expr, ast.Subscript) and not isinstance(expr.slice, ast.Slice):
            return self.all_refs(expr.value, scope, depth + 1)
        if isinstance(expr, ast.NamedExpr):
            return self.is_ref(expr.value, scope, depth + 1)
        return False

    # -- a container whose every element is a ref ----------------------------------------
    def all_refs(self, expr: ast.AST, scope: Scope, depth: int = 0) -> bool:
        if depth > _DEPTH:
            return False
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return bool(expr.elts) and all(self.is_ref(e, scope, depth + 1) for e in expr.elts)
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self.is_ref(expr.elt, self.v.scope_opened_by(expr) or scope, depth + 1)
        if isinstance(expr, ast.Name):
            return self._name(expr.id, scope, depth, self.all_refs, loop=None, annotated=_MANY, filled=True)
        if isinstance(expr, ast.Call) and self._remote_call_gives_ref(expr, scope, depth, many=True):
            return True
        return False

    # -- a value with a ref somewhere in it ----------------------------------------------
    def contains_ref(self, expr: ast.AST, scope: Scope, depth: int = 0) -> bool:
        if depth > _DEPTH:
            return False
        if self.is_ref(expr, scope, depth) or self.all_refs(expr, scope, depth):
            return True
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return any(self.contains_ref(e.value if isinstance(e, ast.Starred) else e, scope, depth + 1) for e in expr.elts)
        if isinstance(expr, ast.Dict):
            return any(self.contains_ref(value, scope, depth + 1) for value in expr.values)
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self.contains_ref(expr.elt, self.v.scope_opened_by(expr) or scope, depth + 1)
        if isinstance(expr, ast.DictComp):
            return self.contains_ref(expr.value, self.v.scope_opened_by(expr) or scope, depth + 1)
        if isinstance(expr, ast.Name):
            return self._name(expr.id, scope, depth, self.contains_ref, loop=None, annotated=_ANY)
        return False

    # -- names -----------------------------------------------------------------------------
    def _name(self, name: str, scope: Scope, depth: int, test, loop, annotated, filled: bool = False) -> bool:
        """Is every binding of `name` (where it is looked up from `scope`) a value that passes
        `test`, a loop over a container that passes `loop`, or a parameter annotated so?"""
        found = scope.lookup(name)
        if found is None:
            return False
        bindings = found.bindings.get(name, [])
        if not bindings:
            return False
        if len(bindings) == 1 and bindings[0][0] == "other":
            return self._annotated(found, name, annotated)
        if any(b[0] == "other" for b in bindings):
            # `del name` binds too (as "other"): the deletions are not values
            deletions = sum(1 for n in self._nodes_of(found) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Del))
            others = [b for b in bindings if b[0] == "other"]
            if deletions < len(others):
                return False
            bindings = [b for b in bindings if b[0] != "other"]
            if not bindings:
                return False
        if filled and len(bindings) == 1 and bindings[0][0] == "value" and _empty_list(bindings[0][1]):
            return self._filled_with_refs(found, name, depth)
        for binding in bindings:
            if binding[0] == "value":
                if not test(binding[1], found, depth + 1):
                    return False
            elif binding[0] == "for" and loop is not None:
                if not loop(binding[1], found, depth + 1):
                    return False
            else:
                return False
        return True

    def _annotated(self, scope: Scope, name: str, wanted: int) -> bool:
        """Is `name` a parameter of the function `scope` annotated as a ref (`_ONE`), a list or
        dict of refs (`_MANY`), or either (`_ANY`)?"""
        fn = scope.node
        if not isinstance(fn, (*FUNCTIONS, ast.Lambda)) or isinstance(fn, ast.Lambda):
            return False
        args = fn.args
        arg = next((a for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if a.arg == name), None)
        if arg is None or arg.annotation is None or scope.parent is None:
            return False
        where = scope.parent
        annotation = arg.annotation
        if self._is_object_ref(annotation, where):
            return wanted in (_ONE, _ANY)
        if isinstance(annotation, ast.Subscript) and _container_name(annotation.value):
            inner = annotation.slice
            items = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            if items and self._is_object_ref(items[-1], where):
                return wanted in (_MANY, _ANY)
        return False

    def _is_object_ref(self, annotation: ast.AST, scope: Scope) -> bool:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except (SyntaxError, ValueError):
                return False
        if not isinstance(annotation, (ast.Name, ast.Attribute)):
            return False
        return self.ctx.qualified(annotation, scope) in OBJECT_REF

    def _filled_with_refs(self, scope: Scope, name: str, depth: int) -> bool:
        """`refs = []` filled only by `refs.append(ref)` / `refs.extend(list of refs)` in its
        scope, at least once, and otherwise only read."""
        filled = False
        for node in self._nodes_of(scope):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id == name:
                method = node.func.attr
                if method in ("append", "extend", "insert"):
                    if len(node.args) != (2 if method == "insert" else 1) or node.keywords:
                        return False
                    item = node.args[-1]
                    ok = self.is_ref(item, self.v.scope_of(item), depth + 1) if method != "extend" else self.all_refs(item, self.v.scope_of(item), depth + 1)
                    if not ok:
                        return False
                    filled = True
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == name:
                        return False  # `refs[i] = other`
        return filled

    def _nodes_of(self, scope: Scope) -> list[ast.AST]:
        key = id(scope.node)
        if key not in self._scope_nodes:
            if isinstance(scope.node, ast.Module):
                self._scope_nodes[key] = [n for n, s in self.v.nodes if s.node is scope.node]
            elif isinstance(scope.node, FUNCTIONS):
                self._scope_nodes[key] = list(own_nodes(scope.node))
            else:
                self._scope_nodes[key] = []
        return self._scope_nodes[key]

    # -- `.remote(...)` calls ----------------------------------------------------------------
    def _remote_call_gives_ref(self, call: ast.Call, scope: Scope, depth: int, many: bool = False) -> bool:
        """Does `call` (`f.remote(...)`, `f.options(...).remote(...)`, `h.m.remote(...)`) give
        one ObjectRef (or, with `many`, a list of them: `num_returns=N` with N > 1)?"""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr != "remote":
            return False
        base = func.value
        returns = None
        if isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute) and base.func.attr == "options":
            returns = next((k.value for k in base.keywords if k.arg == "num_returns"), None)
            base = base.func.value
        if isinstance(base, ast.Name):
            kind, node = self._definition(base.id, scope, depth)
            if kind != "task" or _is_generator(node):
                return False
            if returns is None:
                returns = _decorator_num_returns(node)
        elif isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name):
            method = self._actor_method(base.value.id, base.attr, scope, depth)
            if method is False:
                return False
            if method is not None:
                if _is_generator(method):
                    return False
                if returns is None:
                    returns = _decorator_num_returns(method)
        else:
            return False
        count = returns.value if isinstance(returns, ast.Constant) else (1 if returns is None else None)
        if not isinstance(count, int) or isinstance(count, bool):
            return False
        return count > 1 if many else count == 1

    def _definition(self, name: str, scope: Scope, depth: int):
        """("task", def) or ("actor", class) for a remote definition of this module that `name`
        means (directly, or by `g = ray.remote(f)`); (None, None) otherwise."""
        found = scope.lookup(name)
        if found is None or depth > _DEPTH:
            return None, None
        bindings = found.bindings.get(name, [])
        if len(bindings) != 1:
            return None, None
        binding = bindings[0]
        if binding[0] == "def":
            node = binding[1]
            if self._is_remote(node, found):
                return ("actor" if isinstance(node, ast.ClassDef) else "task"), node
            return None, None
        if binding[0] == "value":
            value = binding[1]
            if isinstance(value, ast.Call) and len(value.args) == 1 and isinstance(value.args[0], ast.Name) and not value.keywords:
                wraps = self.ctx.is_ray(value.func, found, "ray.remote") or (
                    isinstance(value.func, ast.Call) and self.ctx.is_ray(value.func.func, found, "ray.remote")
                )
                if wraps:
                    inner = found.lookup(value.args[0].id)
                    target = inner.bindings.get(value.args[0].id, []) if inner is not None else []
                    if len(target) == 1 and target[0][0] == "def":
                        return ("actor" if isinstance(target[0][1], ast.ClassDef) else "task"), target[0][1]
        return None, None

    def _is_remote(self, node: ast.AST, scope: Scope) -> bool:
        if is_remote_definition(self.ctx.resolver, node, scope):
            return True
        if scope.parent is None:
            if self._wrapped is None:
                self._wrapped = remote_wrapped_names(self.ctx.resolver)
            return node.name in self._wrapped
        return False

    def _actor_method(self, handle: str, method: str, scope: Scope, depth: int):
        """For `handle.method.remote(...)`: the method's def when `handle` is bound once to an
        actor of a class of this module; None when it is an actor of an unknown class
        (`ray.get_actor(...)`); False when `handle` is not known to be an actor handle."""
        found = scope.lookup(handle)
        if found is None:
            return False
        bindings = found.bindings.get(handle, [])
        if len(bindings) != 1 or bindings[0][0] != "value" or not isinstance(bindings[0][1], ast.Call):
            return False
        value = bindings[0][1]
        if self.ctx.is_ray(value.func, found, "ray.get_actor"):
            return None
        func = value.func
        if not isinstance(func, ast.Attribute) or func.attr != "remote":
            return False
        base = func.value
        if isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute) and base.func.attr == "options":
            base = base.func.value
        if not isinstance(base, ast.Name):
            return False
        kind, cls = self._definition(base.id, found, depth + 1)
        if kind != "actor":
            return False
        for node in cls.body:
            if isinstance(node, FUNCTIONS) and node.name == method:
                return node
        return False  # not a method the class defines (an inherited one: unknown)


_ONE, _MANY, _ANY = 1, 2, 3


def _container_name(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in _CONTAINERS
    return isinstance(node, ast.Name) and node.id in _CONTAINERS


def _empty_list(node: ast.AST) -> bool:
    return isinstance(node, ast.List) and not node.elts or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "list" and not node.args and not node.keywords
    )


def _is_generator(fn: ast.AST | None) -> bool:
    if not isinstance(fn, FUNCTIONS):
        return False
    return any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in own_nodes(fn))


def _decorator_num_returns(fn: ast.AST | None) -> ast.AST | None:
    """The `num_returns=` of the `@ray.remote(...)`/`@ray.method(...)` decorating `fn`."""
    if fn is None or isinstance(fn, ast.ClassDef):
        return None
    for decorator in getattr(fn, "decorator_list", []):
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "num_returns":
                    return keyword.value
    return None


def _finding(ctx: Checked, v, call: ast.Call, module: str) -> Finding:
    source = ctx.source
    name = ctx.source.segment(call.func) if call.func.end_lineno == call.func.lineno else f"{module}.dumps"
    if module == "ray.cloudpickle":
        consequence = "Ray pins its object until the owner exits"
    else:
        consequence = "Ray may free its object while the bytes still name it"
    message = f"`{name}` serializes an ObjectRef out of band, so {consequence}; pass the ref itself to tasks and actors"
    return Finding(
        CODE, message, ctx.path, source.range_of(call), (), (), _enclosing_function(v, call),
        no_fix_reason=NO_FIX, statement=statement_range(source, v, call),
    )


def _enclosing_function(v, node: ast.AST) -> str:
    at = v.parent(node)
    while at is not None:
        if isinstance(at, FUNCTIONS):
            return at.name
        at = v.parent(at)
    return ""


RULE = Rule(
    code=CODE,
    name="out-of-band-ref-serialization",
    summary="An ObjectRef is serialized with `pickle`/`cloudpickle` by user code (out of band)",
    docs=__doc__,
    url=DOCS_URL,
    check=check,
    needs=((InFile("dumps"), InFile("dump")), PICKLER_WORDS, ("put", InFile("remote"), "ObjectRef")),  # (it reads calls spelled `dumps`)
    local=False,
)

__all__ = ["CODE", "DOCS_URL", "RULE", "check"]
