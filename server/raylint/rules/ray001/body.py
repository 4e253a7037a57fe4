"""What a remote function's body does with ray.put: the puts, the names holding refs,
and the shape of each returned value.

A call's result holds the refs passed to it only when the call is known to keep its
arguments: a container (`list(...)`, `dict(...)`), a class of the module (`Box(ref)`), a
copy or a serialized form (`pickle.dumps(ref)`). Any other call returns something of its
own (`consumer.remote(ref)`, `helper(ref)`, `pool.submit(ref)`): its result is not the ref.
A call of a helper (a plain function of the module, or for an actor method a plain method of
its class called on `self`) runs in the task's worker, so the refs that helper returns from
its own `ray.put()` are the task's too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from raylint.core.names import External, Resolver, Scope
from raylint.core.tasks import OptionsSite, RemoteFunction, is_remote_definition

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Calls whose result never is the ref passed in (ray.get is resolved separately).
_VALUE_BUILTINS = {"len", "bool", "str", "repr", "int", "float", "isinstance", "hash", "id", "type", "print", "format"}
_MUTATORS = {"append", "extend", "insert", "add", "update", "setdefault", "appendleft"}
# Calls whose result holds the values passed in (builtins, when not shadowed; dotted names as
# the module imports them).
_KEEPING_BUILTINS = {"list", "tuple", "set", "frozenset", "dict", "sorted", "reversed", "zip", "enumerate", "iter", "next", "filter"}
_KEEPING_FUNCTIONS = {
    "pickle.dumps", "cloudpickle.dumps", "ray.cloudpickle.dumps", "copy.copy", "copy.deepcopy",
    "functools.partial", "collections.OrderedDict", "collections.deque", "collections.ChainMap",
}
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def value_parts(expr: ast.AST) -> list[ast.AST]:
    """The parts of `expr` whose values end up in its own (the items of a tuple, both sides of
    a conditional, a comprehension's element, ...): empty for a name, a call, a constant."""
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        return expr.elts
    if isinstance(expr, ast.Dict):
        return [*(k for k in expr.keys if k is not None), *expr.values]
    if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return [expr.elt]
    if isinstance(expr, ast.DictComp):
        return [expr.key, expr.value]
    if isinstance(expr, ast.IfExp):
        return [expr.body, expr.orelse]
    if isinstance(expr, ast.BoolOp):
        return expr.values
    if isinstance(expr, ast.BinOp):
        return [expr.left, expr.right]
    if isinstance(expr, (ast.Starred, ast.Subscript, ast.NamedExpr, ast.Await)):
        return [expr.value]
    return []


def keeping_builtin(call: ast.Call, scope: Scope) -> bool:
    """Is `call`, made in `scope`, one of the builtins whose result holds what it is given
    (`list(x)`, `dict(a=x)`), its name bound by no scope it is seen from nor a star import?"""
    if not isinstance(call.func, ast.Name) or call.func.id not in _KEEPING_BUILTINS or _binding_of(call.func.id, scope):
        return False
    while scope.parent is not None:
        scope = scope.parent
    return all(m == "ray" and not level for m, level in scope.star_imports)


@dataclass
class Store:
    """One place a local name gets (part of) its value."""

    kind: str  # "assign" | "append" | "mutate" | "item" | "aug" | "other"
    node: ast.AST  # the statement, or the call for append/mutate
    value: ast.AST | None


@dataclass
class Body:
    fn: RemoteFunction
    resolver: Resolver
    puts: list[ast.Call] = field(default_factory=list)
    returns: list[ast.Return] = field(default_factory=list)
    has_yield: bool = False
    yields: list[ast.Yield] = field(default_factory=list)  # (those with a value)
    stores: dict[str, list[Store]] = field(default_factory=dict)
    loads: dict[str, list[ast.Name]] = field(default_factory=dict)
    parents: dict[int, ast.AST] = field(default_factory=dict)

    # the puts made in a helper the body calls (not in `puts`), by id: the helper called
    helper_of: dict[int, str] = field(default_factory=dict)

    def __post_init__(self):
        self._put_ids: set[int] = set()
        self._holding: dict[str, list[ast.Call]] = {}
        self._gets: dict[int, bool] = {}
        self._calls: dict[int, tuple] = {}
        self.calls_put_helper = False  # some call of the body reaches a helper's put

    # -- collecting -------------------------------------------------------------------------

    def scan(self) -> Body:
        resolver, scope = self.resolver, self.fn.scope
        calls: list[ast.Call] = []
        stack: list[ast.AST] = list(self.fn.node.body)
        for stmt in self.fn.node.body:
            self.parents[id(stmt)] = self.fn.node
        while stack:
            node = stack.pop()
            if isinstance(node, _SCOPES):
                continue
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
                stack.append(child)
            if isinstance(node, ast.Call):
                calls.append(node)
                self._note_mutation(node)
            elif isinstance(node, ast.Return):
                self.returns.append(node)
            elif isinstance(node, (ast.Yield, ast.YieldFrom)):
                self.has_yield = True
                if isinstance(node, ast.Yield) and node.value is not None:
                    self.yields.append(node)
            elif isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    self.loads.setdefault(node.id, []).append(node)
                elif not self._is_assign_target(node):
                    self.stores.setdefault(node.id, []).append(Store("other", node, None))
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._note_target(target, node, node.value)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                kind = "aug" if isinstance(node, ast.AugAssign) else "assign"
                self._note_target(node.target, node, node.value, kind)
            elif isinstance(node, ast.NamedExpr):
                self.stores.setdefault(node.target.id, []).append(Store("other", node, node.value))
        self.returns.sort(key=lambda r: (r.lineno, r.col_offset))
        self.yields.sort(key=lambda y: (y.lineno, y.col_offset))
        for call in calls:
            if self._is_put(call, scope):
                self.puts.append(call)
                self._put_ids.add(id(call))
            elif isinstance(call.func, (ast.Name, ast.Attribute)) and self._call_kind(call)[0] == "helper" and self._call_kind(call)[1]:
                self.calls_put_helper = True
        if self.puts or self.calls_put_helper:
            self._find_holding()
        return self

    def _is_assign_target(self, name: ast.Name) -> bool:
        parent = self.parents.get(id(name))
        return isinstance(parent, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.NamedExpr)) and (
            name in getattr(parent, "targets", ()) or getattr(parent, "target", None) is name
        )

    def _note_target(self, target: ast.AST, stmt: ast.AST, value: ast.AST, kind: str = "assign") -> None:
        if isinstance(target, ast.Name):
            self.stores.setdefault(target.id, []).append(Store(kind, stmt, value))
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self.stores.setdefault(target.value.id, []).append(Store("item", stmt, value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
            for index, element in enumerate(target.elts):
                if values is not None and len(values) == len(target.elts):
                    self._note_target(element, stmt, values[index], "other")
                else:
                    self._note_target(element, stmt, value, "other")

    def _note_mutation(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in _MUTATORS:
            value = ast.Tuple(elts=[*call.args, *(k.value for k in call.keywords)], ctx=ast.Load())
            kind = "append" if func.attr == "append" and len(call.args) == 1 else "mutate"
            self.stores.setdefault(func.value.id, []).append(Store(kind, call, value if kind == "mutate" else call.args[0]))

    def _is_put(self, call: ast.Call, scope) -> bool:
        if any(k.arg == "_tensor_transport" for k in call.keywords):
            return False  # Ray Direct Transport keeps tensors in the actor on purpose
        return self.resolver.is_(call.func, scope, "ray.put")

    def _is_get(self, call: ast.Call) -> bool:
        if id(call) not in self._gets:
            self._gets[id(call)] = self.resolver.is_(call.func, self.fn.scope, "ray.get")
        return self._gets[id(call)]

    def _find_holding(self) -> None:
        """Names whose value is, or contains, a put ref (to a fixed point: `b = a`)."""
        changed = True
        while changed:
            changed = False
            for name, stores in self.stores.items():
                if name in self._holding:
                    continue
                found = [put for store in stores if store.value is not None for put in self.contained_puts(store.value)]
                if found:
                    self._holding[name] = found
                    changed = True

    # -- questions --------------------------------------------------------------------------

    def is_put(self, node: ast.AST) -> bool:
        return id(node) in self._put_ids

    def contained_puts(self, expr: ast.AST) -> list[ast.Call]:
        """The put calls whose refs end up in the value of `expr` (empty if none)."""
        if isinstance(expr, ast.Call):
            if id(expr) in self._put_ids:
                return [expr]
            if self._is_get(expr) or isinstance(expr.func, ast.Name) and expr.func.id in _VALUE_BUILTINS:
                return []
            kind, found = self._call_kind(expr)
            if kind == "helper":
                return found
            if kind != "keeps":
                return []  # the call's own result (`consumer.remote(ref)`, `helper(ref)`): not the ref
            parts = [*expr.args, *(k.value for k in expr.keywords)]  # a ref wrapped in an object
        elif isinstance(expr, ast.Name):
            return self._holding.get(expr.id, [])
        else:
            parts = value_parts(expr)
        return [put for part in parts for put in self.contained_puts(part)]

    def _call_kind(self, call: ast.Call) -> tuple[str, list[ast.Call]]:
        """("keeps", []) for a call whose result holds its arguments, ("helper", puts) for a
        call of a helper of the module (the puts whose refs it returns), ("other", [])."""
        if id(call) not in self._calls:
            self._calls[id(call)] = self._classify_call(call)
        return self._calls[id(call)]

    def _classify_call(self, call: ast.Call) -> tuple[str, list[ast.Call]]:
        func = call.func
        if isinstance(func, ast.Name):
            found = _binding_of(func.id, self.fn.scope)
            if found is None:
                return ("keeps", []) if keeping_builtin(call, self.fn.scope) else ("other", [])
            scope, bindings = found
            if scope.parent is None and len(bindings) == 1 and bindings[0][0] == "def":
                node = bindings[0][1]
                if isinstance(node, ast.ClassDef):
                    return "keeps", []  # an instance of a class of the module holds what it is given
                if isinstance(node, _FUNCTIONS):
                    puts = helper_puts(self.resolver, node)
                    for put, _ in puts:
                        self.helper_of.setdefault(id(put), node.name)
                    return "helper", [put for put, _ in puts]
        method = self._own_method(func)
        if method is not None:  # `self._load(x)`: a method of the actor, run in its worker
            key = f"{self.fn.display_name.split('.')[0]}.{method.name}"
            puts = helper_puts(self.resolver, method, key, self.fn.scope.parent)
            for put, _ in puts:
                self.helper_of.setdefault(id(put), key)
            return "helper", [put for put, _ in puts]
        if isinstance(func, (ast.Name, ast.Attribute)):
            symbol = self.resolver.resolve(func, self.fn.scope)
            dotted = symbol.dotted if isinstance(symbol, External) else symbol
            if isinstance(dotted, str) and dotted in _KEEPING_FUNCTIONS:
                return "keeps", []
        return "other", []

    def _own_method(self, func: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """For an actor method, the plain method of its class that `self.name` calls (one def
        of that name in the class body, undecorated, `self` never bound again)."""
        fn = self.fn
        if not (fn.is_method and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return None
        arguments = fn.node.args.posonlyargs + fn.node.args.args
        if not arguments or arguments[0].arg != func.value.id or func.value.id in self.stores:
            return None
        cls = fn.scope.parent
        bindings = cls.bindings.get(func.attr, []) if cls is not None and cls.is_class else []
        if len(bindings) == 1 and bindings[0][0] == "def" and isinstance(bindings[0][1], _FUNCTIONS):
            node = bindings[0][1]
            return None if node.decorator_list or node is fn.node else node
        return None

    def helper_put_where(self, put: ast.Call) -> str:
        """The helper whose body makes `put` (maybe one the called helper calls)."""
        for found, where in helper_puts(self.resolver, None, self.helper_of.get(id(put))):
            if found is put:
                return where
        return self.helper_of.get(id(put), "")

    def single_put_name(self, name: str) -> ast.Assign | None:
        """The one `name = ray.put(x)` that is `name`'s only binding."""
        stores = self.stores.get(name, [])
        if len(stores) == 1 and stores[0].kind == "assign" and isinstance(stores[0].node, ast.Assign):
            stmt = stores[0].node
            if len(stmt.targets) == 1 and self.is_put(stmt.value):
                return stmt
        return None

    def put_assignments(self, name: str) -> list[ast.Assign]:
        """Every binding of `name`, if each is a plain `name = ray.put(x)` (else empty)."""
        stores = self.stores.get(name, [])
        statements = [store.node for store in stores if store.kind == "assign" and isinstance(store.node, ast.Assign)]
        if not stores or len(statements) != len(stores):
            return []
        if all(len(stmt.targets) == 1 and self.is_put(stmt.value) for stmt in statements):
            return statements
        return []

    def loads_outside(self, name: str, allowed: list[ast.AST]) -> list[ast.Name]:
        """Uses of `name` that are not inside any of the `allowed` nodes."""
        inside = {id(n) for node in allowed for n in ast.walk(node)}
        return [load for load in self.loads.get(name, []) if id(load) not in inside]

    def value_returns(self) -> list[ast.Return]:
        return [r for r in self.returns if r.value is not None]


def _binding_of(name: str, scope: Scope) -> tuple[Scope, list[tuple]] | None:
    """The scope that binds `name` as seen from `scope`, with its bindings (None: a builtin,
    or a name from a star import)."""
    while scope is not None:
        if name in scope.declared_global:
            while scope.parent is not None:
                scope = scope.parent
        if name in scope.bindings:
            return scope, scope.bindings[name]
        scope = scope.parent
    return None


HELPER_PUTS = "RAY001.helper_puts"  # (module.facts) helper name → the puts it returns


def helper_puts(resolver: Resolver, node: ast.AST | None, name: str | None = None, scope: Scope | None = None) -> list[tuple[ast.Call, str]]:
    """The puts whose refs a helper (a plain module-level function, or the method `name` of
    an actor class, `Class.method`, whose class scope is `scope`) returns, each with the name
    of the function that makes it (the helper, or one it calls). Kept on the module."""
    module = resolver.module
    memo = module.facts.setdefault(HELPER_PUTS, {})
    if node is None:
        return memo.get(name, [])
    key = name or node.name
    if key in memo:
        return memo[key]
    memo[key] = []  # a helper that calls itself
    if scope is None and is_remote_definition(resolver, node, module.scope):
        return []  # a task: calling it in-process raises
    method = scope is not None
    fn = RemoteFunction(node, resolver.scope(node, scope or module.scope), key, method, node, OptionsSite("shared", node), ())
    body = Body(fn, resolver).scan()
    found: list[tuple[ast.Call, str]] = []
    for ret in body.value_returns():
        for put in body.contained_puts(ret.value):
            if all(put is not seen for seen, _ in found):
                found.append((put, body.helper_put_where(put) if id(put) in body.helper_of else key))
    memo[key] = found
    return found
