"""What an expression can be, across the workspace: the values a caller search follows.

A fix is safe only if every place that can observe a task's return value is found. So the
search does not look for the shapes of a call (`f.remote(...)`); it asks of every name and
attribute what it may be, and then looks at how each one that may be the task is used.

`values(expr)` over-approximates: a set of the things `expr` may evaluate to, where UNKNOWN
stands for "anything" (a parameter, the result of a call raylint cannot see into). A
workspace function or class is a `Def`; `Handle(cls)` is an actor handle of a workspace
class, `Instance(cls)` an ordinary object of one; OTHER is a value known to be none of
those (a literal, an object of an installed class, an installed module).
"""

from __future__ import annotations

import ast
import bisect
import builtins
import os
import re
from dataclasses import dataclass
from typing import Callable

from raylint.core.source import first_line
from raylint.core.walk import CHILDREN_OF, children_of, walk
from raylint.core.names import _COMPREHENSIONS, RAY_API, REMOTE_FACTORY, External, LocalModule, ModuleIndex, ModuleInfo, Resolver, Scope, canonical, import_target

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def keywords(*words: str) -> re.Pattern:
    """Where a text may spell one of `words` as a keyword (for `View.spelling`): not right
    after a letter or `_` (after a digit it may: `1for`), not before a word character."""
    return re.compile(rf"(?<![A-Za-z_])(?:{'|'.join(words)})(?!\w)")


LOOP_WORDS = keywords("for", "while")  # every loop and comprehension spells one


@dataclass(frozen=True)
class Def:
    """A function or class defined in the workspace; `remote` once made a task or actor."""

    path: str
    name: str
    line: int
    kind: str  # "function" | "class"
    remote: bool

    @property
    def key(self) -> tuple[str, int]:
        return self.path, self.line

    def made_remote(self) -> Def:
        return Def(self.path, self.name, self.line, self.kind, True)


@dataclass(frozen=True)
class Options:
    """`task.options(...)`: called like the task; `call` is the `.options(...)` call."""

    of: Def
    num_returns: bool  # the options set num_returns, which changes what the call returns


@dataclass(frozen=True)
class Handle:
    cls: Def


@dataclass(frozen=True)
class Instance:
    cls: Def


@dataclass(frozen=True)
class Declared:
    """A value annotated as the workspace class `cls`: taken at its word to make a call
    certain, never to prove a call is not the target's (annotations may be loose)."""

    cls: Def


# Where imports lead is followed by names.import_target, for both questions: its kinds are
# values too. A workspace module; a name from outside the workspace (`ray.get`, a Ray name
# too, `queue.Queue`, `builtins.list`).
Mod = LocalModule
Ext = External


UNKNOWN = "unknown"
OTHER = "other"  # known to be no workspace definition, handle or instance
FACTORY = REMOTE_FACTORY  # what `ray.remote(num_cpus=1)` returns

# builtins whose result holds the items of their argument (a list of handles stays one)
_KEEPS_ITEMS = {"list", "tuple", "sorted", "reversed", "iter", "set", "frozenset", "next"}
_BUILTINS = set(dir(builtins))


class View:
    """One parsed module as the search walks it: parent links and the scope of every node,
    as Python defines scopes. Kept on the module (its text alone decides both).

    Each top-level statement is walked the first time something of it is asked for: a rule
    that checks one edited statement does not pay for the whole module. Every rule asks
    the same View for the nodes of a kind (`of`), instead of walking the tree again."""

    def __init__(self, module: ModuleInfo):
        self.module = module
        self.parents: dict[int, ast.AST] = {}
        self.scopes: dict[int, Scope] = {}
        body = module.tree.body
        self._parts: list[list[tuple[ast.AST, Scope]] | None] = [None] * len(body)
        self._starts = [first_line(s) for s in body]
        self._position = {id(s): at for at, s in enumerate(body)}
        self._of: dict[tuple, list] = {}
        self._spelled: dict[tuple[re.Pattern, int], bool] = {}  # (pattern, statement): `spelling`
        self._kinds: list[dict[type, list[ast.AST]] | None] = [None] * len(body)
        self._all_walked = False
        self.scopes[id(module.tree)] = module.scope
        self._loads: list[tuple[ast.AST, Scope]] | None = None
        self._loads_by_name: dict[str, list[tuple[ast.AST, Scope]]] | None = None  # see loads_named()
        self._stores: dict[str, list[tuple[ast.stmt, ast.Attribute]]] | None = None
        self._following: dict[int, ast.stmt | None] = {}  # see next_statement()

    @property
    def nodes(self) -> list[tuple[ast.AST, Scope]]:
        """Every node of the module (but the context and operator singletons) with its scope,
        in source order (a statement's args are not walked: see `_walk`)."""
        return [pair for at in range(len(self._parts)) for pair in self._part(at)]

    def of(self, kinds, statements=None) -> list:
        """The nodes of `kinds` (a class or tuple of classes) in `statements` (top-level
        statements; default: the whole module), in source order."""
        if statements is None:
            key = (kinds, None)
            found = self._of.get(key)
            if found is None:
                found = self._of[key] = [n for at in range(len(self._parts)) for n in self._of_part(kinds, at)]
            return found
        found = []
        for statement in statements:
            at = self._position.get(id(statement))
            if at is None:  # not one of the module's statements (a tree being built)
                found.extend(n for n in walk(statement) if isinstance(n, kinds))
            else:
                found.extend(self._of_part(kinds, at))
        return found

    def spelling(self, pattern: re.Pattern, statements=None) -> list:
        """The top-level statements of `statements` (default: the whole module) whose lines,
        decorators included, hold a match of `pattern`: a rule that needs a node only where
        the text spells a word (a loop spells `for` or `while`) walks just those statements.
        A statement of another tree (one being built) is kept: its lines are not this text's."""
        text, starts = self.module.source.text, self.module.source.line_starts
        found = []
        for statement in self.module.tree.body if statements is None else statements:
            at = self._position.get(id(statement))
            end = getattr(statement, "end_lineno", None)
            if at is None or end is None:
                found.append(statement)
                continue
            key = (pattern, at)
            spelled = self._spelled.get(key)
            if spelled is None:
                # (1-based lines, as the parser counts them: SourceText's line ends are Python's;
                # the search stops at the start of the next line)
                low, high = starts[self._starts[at] - 1], starts[end] if end < len(starts) else len(text)
                spelled = self._spelled[key] = pattern.search(text, low, high) is not None
            if spelled:
                found.append(statement)
        return found

    def _of_part(self, kinds, at: int) -> list:
        key = (kinds, at)
        found = self._of.get(key)
        if found is None:
            self._part(at)
            of_kind = self._kinds[at]
            lists = [of_kind[kind] for kind in _node_classes(kinds) if kind in of_kind]
            if len(lists) == 1:
                found = lists[0]
            else:  # (kinds asked together are statements, or sets: start order is source order)
                found = sorted((n for nodes in lists for n in nodes), key=_start)
            self._of[key] = found
        return found

    def _part(self, at: int) -> list[tuple[ast.AST, Scope]]:
        part = self._parts[at]
        if part is None:
            statement = self.module.tree.body[at]
            self.parents[id(statement)] = self.module.tree
            part = self._parts[at] = self._walk(statement, self.module.scope)
            kinds: dict[type, list[ast.AST]] = {}
            for node, _ in part:
                kind = type(node)
                if kind in kinds:
                    kinds[kind].append(node)
                else:
                    kinds[kind] = [node]
            self._kinds[at] = kinds
        return part

    def _walk(self, top: ast.AST, top_scope: Scope) -> list[tuple[ast.AST, Scope]]:
        # A node's parent and scope are set when it is pushed, so that the stack holds bare
        # nodes (no (node, scope) pair per child: most nodes open no scope).
        parents, scopes = self.parents, self.scopes
        of = CHILDREN_OF.get
        scopes[id(top)] = top_scope
        stack: list[ast.AST] = [top]
        nodes: list[tuple[ast.AST, Scope]] = []
        while stack:
            node = stack.pop()
            scope = scopes[id(node)]
            nodes.append((node, scope))
            kind = type(node)
            opens = _OPENS_SCOPE.get(kind)
            if opens is None:
                opens = _OPENS_SCOPE[kind] = isinstance(node, (*_FUNCTIONS, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS))
            if not opens:
                kids = (of(kind) or children_of(kind))(node)
                if kids:
                    for child in kids:
                        parents[id(child)] = node
                        scopes[id(child)] = scope
                    kids.reverse()
                    stack.extend(kids)
                continue
            children: list[tuple[ast.AST, Scope]]
            if isinstance(node, (*_FUNCTIONS, ast.Lambda)):
                inner = self.module.scope_of(node, scope)
                args = node.args
                outside = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
                if not isinstance(node, ast.Lambda):
                    outside += node.decorator_list
                    outside += [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a is not None and a.annotation is not None]
                    outside += [node.returns] if node.returns is not None else []
                    inside = node.body
                else:
                    inside = [node.body]
                children = [(c, scope) for c in outside] + [(c, inner) for c in inside]
            elif isinstance(node, ast.ClassDef):
                inner = self.module.scope_of(node, scope)
                outside = [*node.decorator_list, *node.bases, *node.keywords]
                children = [(c, scope) for c in outside] + [(c, inner) for c in node.body]
            else:  # a comprehension
                inner = self.module.scope_of(node, scope)
                children = []
                for number, generator in enumerate(node.generators):
                    parents[id(generator)] = node
                    scopes[id(generator)] = inner
                    children.append((generator.iter, scope if number == 0 else inner))
                    children.append((generator.target, inner))
                    children.extend((c, inner) for c in generator.ifs)
                    for c in (generator.iter, generator.target, *generator.ifs):
                        parents[id(c)] = generator
                elts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
                children.extend((c, inner) for c in elts)
                for c in elts:
                    parents[id(c)] = node
                for child, child_scope in children:
                    scopes[id(child)] = child_scope
                stack.extend([c for c, _ in reversed(children)])
                continue
            for child, child_scope in children:
                parents[id(child)] = node
                scopes[id(child)] = child_scope
            stack.extend([c for c, _ in reversed(children)])
        return nodes

    def walk_path(self, path: list[ast.AST]) -> None:
        """Give parents and scopes to the nodes of the last of `path` (a chain of defs and
        classes from a top-level statement, each in the body of the one before) and to the
        headers of the others (decorators, bases, defaults, annotations), as `_walk` gives them,
        without walking the rest of the top-level statement: a rule that checks one edited
        method of a large class asks only about those (see `incremental`)."""
        parent, scope = self.module.tree, self.module.scope
        for node in path[:-1]:
            self.parents[id(node)] = parent
            self.scopes[id(node)] = scope
            if isinstance(node, ast.ClassDef):
                header = [*node.decorator_list, *node.bases, *node.keywords]
            else:
                args = node.args
                header = [*args.defaults, *(d for d in args.kw_defaults if d is not None), *node.decorator_list]
                header += [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a is not None and a.annotation is not None]
                header += [node.returns] if node.returns is not None else []
            for part in header:
                self.parents[id(part)] = node
                self._walk(part, scope)
            parent, scope = node, self.module.scope_of(node, scope)
        self.parents[id(path[-1])] = parent
        self._walk(path[-1], scope)

    def _walked(self, node: ast.AST) -> bool:
        """Walk the top-level statement `node` is in, if not yet; False if none holds it."""
        line = getattr(node, "lineno", None)
        if line is not None:
            at = bisect.bisect_right(self._starts, line) - 1
            if at < 0 or self._parts[at] is not None:
                return False  # (a node the walk skips, such as an `arg`, or of another tree)
            self._part(at)
            return id(node) in self.scopes
        # no line (an `arguments`, a `withitem`): walk them all, once
        if not self._all_walked:
            for at in range(len(self._parts)):
                self._part(at)
            self._all_walked = True
            return id(node) in self.scopes
        return False

    def parent(self, node: ast.AST) -> ast.AST | None:
        found = self.parents.get(id(node))
        if found is None and id(node) not in self.scopes and self._walked(node):
            found = self.parents.get(id(node))
        return found

    def next_statement(self, statement: ast.stmt) -> ast.stmt | None:
        """The statement right after `statement` in its block (None at the block's end)."""
        if id(statement) not in self._following:
            parent = self.parent(statement)
            for field in ("body", "orelse", "finalbody"):  # (each block of the parent, at once)
                block = getattr(parent, field, None)
                if isinstance(block, list):
                    for item, after in zip(block, [*block[1:], None]):
                        self._following[id(item)] = after
        return self._following.get(id(statement))

    def loads(self) -> list[tuple[ast.AST, Scope]]:
        """The names and attributes the module reads, with their scopes, in walk order; and the
        calls that fetch by a name given as a value (`getattr`, `import_module`, `__import__`)."""
        if self._loads is None:
            self._loads = [
                (node, scope) for node, scope in self.nodes
                if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load)
                or isinstance(node, ast.Call) and _fetches_by_name(node.func)
            ]
        return self._loads

    def loads_named(self, name: str) -> list[tuple[ast.AST, Scope]]:
        """The `loads()` that spell `name`: the name itself, an attribute of that name, or a
        call that fetches it by a string (`getattr(x, "name")`), in walk order. (Each method
        of an actor searched for looks at its own: thousands in one class.)"""
        if self._loads_by_name is None:
            by_name: dict[str, list[tuple[ast.AST, Scope]]] = {}
            for pair in self.loads():
                node = pair[0]
                if isinstance(node, ast.Name):
                    key = node.id
                elif isinstance(node, ast.Attribute):
                    key = node.attr
                elif len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                    key = node.args[1].value
                else:
                    continue
                by_name.setdefault(key, []).append(pair)
            self._loads_by_name = by_name
        return self._loads_by_name.get(name, [])

    def attribute_stores(self) -> dict[str, list[tuple[ast.stmt, ast.Attribute]]]:
        """Every `x.attr = ...` (plain, annotated or augmented) of the module, by `attr`."""
        if self._stores is None:
            self._stores = {}
            for node in self.of((ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Attribute):
                        self._stores.setdefault(target.attr, []).append((node, target))
        return self._stores

    def scope_of(self, node: ast.AST) -> Scope:
        found = self.scopes.get(id(node))
        if found is None:
            found = self.scopes.get(id(node)) if self._walked(node) else None
        return found if found is not None else self.module.scope

    def scope_opened_by(self, node: ast.AST) -> Scope | None:
        found = self.module.scopes.get(id(node))
        if found is None and id(node) not in self.scopes and self._walked(node):
            found = self.module.scopes.get(id(node))
        return found


_OPENS_SCOPE: dict[type, bool] = {}  # node class -> does it open a scope (see View._walk)


_classes: dict[object, tuple[type, ...]] = {}


def _node_classes(kinds) -> tuple[type, ...]:
    """The classes of `kinds` (a class or tuple of classes) and all their subclasses: the node
    types a part is looked up by (a part holds a few dozen types; a query names one or two)."""
    found = _classes.get(kinds)
    if found is None:
        todo, seen = list(kinds) if isinstance(kinds, tuple) else [kinds], {}
        while todo:
            kind = todo.pop()
            if kind not in seen:
                seen[kind] = None
                todo.extend(kind.__subclasses__())
        found = _classes[kinds] = tuple(seen)
    return found


def _start(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def view(module: ModuleInfo) -> View:
    """The module's View, kept on the module itself: it lives and dies with that text."""
    found = getattr(module, "_view", None)
    if found is None:
        found = module._view = View(module)  # type: ignore[attr-defined]
    return found


class Values:
    """`values(expr)` for one search: what each name and attribute may be (see the module
    docstring). Not kept between searches: what a name means depends on other modules.

    Names are looked up and imports followed as names.Resolver does (Scope.lookup,
    import_target); what differs is how a name's bindings add up: here every binding counts
    (the union), where the Resolver's "is it Ray's X?" holds only if no def, parameter or
    loop binds the name too, and takes the first import or assignment that means something."""

    def __init__(self, index: ModuleIndex, imported: Callable[[str], bool] = lambda path: True):
        self.index = index
        self.imported = imported  # does a workspace module import the module at this path?
        self._names: dict[tuple[int, str], frozenset] = {}
        self._resolvers: dict[int, Resolver] = {}
        self._attributes: dict[tuple[tuple[str, int], str], frozenset] = {}
        self._sealed_names: dict[tuple[int, str], bool] = {}

    # -- names ---------------------------------------------------------------------------

    def of(self, expr: ast.AST, module: ModuleInfo, scope: Scope | None = None, depth: int = 0) -> frozenset:
        if depth > 40:
            return frozenset({UNKNOWN})
        if scope is None:
            scope = view(module).scope_of(expr)
        if isinstance(expr, ast.Name):
            return self.name(expr.id, module, scope, depth)
        if isinstance(expr, ast.Attribute):
            return self._attribute(expr, module, scope, depth)
        if isinstance(expr, ast.Call):
            return self._call(expr, module, scope, depth)
        if isinstance(expr, (ast.Constant, ast.JoinedStr, ast.Compare, ast.BinOp, ast.UnaryOp)):
            return frozenset({OTHER})
        if isinstance(expr, ast.BoolOp):
            return frozenset().union(*(self.of(v, module, scope, depth + 1) for v in expr.values))
        if isinstance(expr, ast.IfExp):
            return self.of(expr.body, module, scope, depth + 1) | self.of(expr.orelse, module, scope, depth + 1)
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            items = [self.of(e, module, scope, depth + 1) for e in expr.elts]
            return frozenset().union(*items) if items else frozenset({UNKNOWN})
        if isinstance(expr, ast.Dict):
            items = [self.of(v, module, scope, depth + 1) for v in expr.values]
            return frozenset().union(*items) if items else frozenset({UNKNOWN})
        if isinstance(expr, _COMPREHENSIONS):
            inner = view(module).scope_opened_by(expr) or scope
            element = expr.value if isinstance(expr, ast.DictComp) else expr.elt
            return self.of(element, module, inner, depth + 1)
        if isinstance(expr, ast.Subscript):
            return self.items(expr.value, module, scope, depth + 1)
        if isinstance(expr, (ast.Starred, ast.NamedExpr)):
            return self.of(expr.value, module, scope, depth + 1)
        return frozenset({UNKNOWN})

    def items(self, container: ast.AST, module: ModuleInfo, scope: Scope, depth: int) -> frozenset:
        """What an item of `container` may be (containers and items are not told apart),
        UNKNOWN included unless the container is a fresh literal or a name only read."""
        found = self.of(container, module, scope, depth)
        if isinstance(container, (ast.List, ast.Tuple, ast.Set, ast.Dict, *_COMPREHENSIONS)):
            return found
        if isinstance(container, ast.Name) and self._sealed(container.id, module, scope):
            return found
        return found | {UNKNOWN}

    def _sealed(self, name: str, module: ModuleInfo, scope: Scope) -> bool:
        """Is `name` bound once to a literal or comprehension and then only read item by item
        (iterated, indexed, measured), so that nothing else can have been put in it?"""
        home = scope.lookup(name)
        if home is None or len(home.bindings[name]) != 1 or home.bindings[name][0][0] != "value":
            return False
        key = (id(home), name)
        if key not in self._sealed_names:
            self._sealed_names[key] = self._only_read_by_item(name, module, home)
        return self._sealed_names[key]

    def _only_read_by_item(self, name: str, module: ModuleInfo, home: Scope) -> bool:
        if not isinstance(home.bindings[name][0][1], (ast.List, ast.Tuple, ast.Set, ast.Dict, *_COMPREHENSIONS)):
            return False
        if home.parent is None and self.imported(home.module.path):
            return False  # a module-level list another module may fill
        where = view(home.module)
        for node in ast.walk(home.node):
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
                if where.scope_of(node).lookup(name) is not home:
                    continue
                parent = where.parent(node)
                if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is node:
                    continue
                if isinstance(parent, ast.Subscript) and parent.value is node and isinstance(parent.ctx, ast.Load):
                    continue
                if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in ("len", "enumerate"):
                    continue
                return False
        return True

    def name(self, name: str, module: ModuleInfo, scope: Scope, depth: int = 0) -> frozenset:
        home = scope.lookup(name)
        if home is None:
            return self._global(name, module, depth)
        key = (id(home), name)
        if key not in self._names:
            self._names[key] = frozenset({UNKNOWN})  # guards `x = x` cycles
            found: set = set()
            for binding in home.bindings[name]:
                found |= self._binding(name, binding, home, depth + 1)
            self._names[key] = frozenset(found) or frozenset({UNKNOWN})
        return self._names[key]

    def _global(self, name: str, module: ModuleInfo, depth: int) -> frozenset:
        """A name no scope binds: from a star import, or a builtin."""
        found: set = set()
        for source, level in module.scope.star_imports:
            if not level and (source == "ray" or source.startswith("ray.")):
                if name in (*RAY_API, "get_actor"):
                    found.add(Ext(canonical(f"ray.{name}")))
                continue
            path = self.index.find(source, module.path, level)
            if path is None:
                found.add(UNKNOWN)  # an installed module's star import: anything
            else:
                info = self.index.module(path)
                if info is None:
                    found.add(UNKNOWN)
                elif name in info.scope.bindings or info.scope.star_imports:
                    found |= self.name(name, info, info.scope, depth + 1)
                elif os.path.basename(path) == "__init__.py":
                    # a submodule: bound by the star import when the package's `__all__` lists
                    # it, else when something imported it first
                    submodule = self.index.find(name, path, 1)
                    if submodule is not None:
                        found.add(Mod(submodule))
                        if not _listed_in_all(info, name):
                            found.add(UNKNOWN)
        if not found:
            found.add(Ext(f"builtins.{name}") if name in _BUILTINS else UNKNOWN)
        return frozenset(found)

    def _binding(self, name: str, binding: tuple, scope: Scope, depth: int) -> frozenset:
        module = scope.module
        kind = binding[0]
        if kind == "def":
            node = binding[1]
            what = "class" if isinstance(node, ast.ClassDef) else "function"
            remote = self._decorated_remote(node, module, scope)
            made = Def(module.path, node.name, node.lineno, what, remote)
            # a decorator above Ray's is handed the task or actor class, and its result is bound:
            # perhaps the task, perhaps a wrapper whose `.remote` does anything
            return frozenset({made, UNKNOWN}) if remote and self._wrapped_after_remote(node, module, scope) else frozenset({made})
        if kind in ("module", "from"):
            target = import_target(self.index, binding, module.path)
            if kind == "from" and isinstance(target, Mod):
                return self.exported(target.path, binding[2], depth)
            return frozenset({Ext(target) if isinstance(target, str) else target or UNKNOWN})
        if kind == "value":
            return self.of(binding[1], module, scope, depth)
        if kind == "for":
            iterable = binding[1]
            return self.items(iterable, module, view(module).scope_of(iterable), depth)
        return self._parameter(name, scope, depth)

    def _parameter(self, name: str, scope: Scope, depth: int) -> frozenset:
        """A parameter: `self` of a method is an instance of its class; an annotated one is
        what its annotation names; anything else (and any other binding) is unknown."""
        node = scope.node
        if not isinstance(node, _FUNCTIONS):
            return frozenset({UNKNOWN})
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        parent = scope.parent
        if (
            positional and positional[0].arg == name and parent is not None and parent.is_class
            and not any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in node.decorator_list)
        ):
            cls = parent.node
            return frozenset({Instance(Def(scope.module.path, cls.name, cls.lineno, "class", False))})
        for arg in [*positional, *args.kwonlyargs]:
            if arg.arg == name and arg.annotation is not None:
                return self.annotation(arg.annotation, scope.module, parent or scope, depth)
        return frozenset({UNKNOWN})

    def annotation(self, annotation: ast.AST, module: ModuleInfo, scope: Scope, depth: int) -> frozenset:
        """What a value annotated so is taken to be (see `Declared`)."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return frozenset({UNKNOWN})
        if not isinstance(annotation, (ast.Name, ast.Attribute)):
            return frozenset({UNKNOWN})
        found: set = set()
        for value in self.of(annotation, module, scope, depth + 1):
            found.add(Declared(value) if isinstance(value, Def) and value.kind == "class" else UNKNOWN)
        return frozenset(found)

    def exported(self, path: str, name: str, depth: int = 0) -> frozenset:
        """What `name` of the workspace module at `path` may be (a submodule of a package too)."""
        info = self.index.module(path)
        if info is None:
            return frozenset({UNKNOWN})
        if name in info.scope.bindings or info.scope.star_imports:
            found = self.name(name, info, info.scope, depth + 1)
            if found != {UNKNOWN} or name in info.scope.bindings:
                return found
        if os.path.basename(path) == "__init__.py":
            submodule = self.index.find(name, path, 1)
            if submodule is not None:
                return frozenset({Mod(submodule)})
        return frozenset({UNKNOWN})

    # -- attributes and calls --------------------------------------------------------------

    def _attribute(self, expr: ast.Attribute, module: ModuleInfo, scope: Scope, depth: int) -> frozenset:
        found: set = set()
        for base in self.of(expr.value, module, scope, depth + 1):
            if isinstance(base, Mod):
                found |= self.exported(base.path, expr.attr, depth + 1)
            elif isinstance(base, Ext):
                found.add(Ext(canonical(f"{base.dotted}.{expr.attr}")))
            elif isinstance(base, (Instance, Declared)):
                found |= self.instance_attribute(base.cls, expr.attr, depth + 1)
            else:
                found.add(UNKNOWN)
        return frozenset(found)

    def instance_attribute(self, cls: Def, attribute: str, depth: int) -> frozenset:
        """What `obj.attribute` may be for an object of the workspace class `cls`: every
        `self.attribute = value` of its methods, or its annotation in the class body. An
        assignment to that attribute of an object raylint cannot tell makes it unknown."""
        key = (cls.key, attribute)
        if key in self._attributes:
            return self._attributes[key]
        self._attributes[key] = frozenset({UNKNOWN})
        info = self.index.module(cls.path)
        node = _class_node(info, cls) if info is not None else None
        if node is None:
            return self._attributes[key]
        where = view(info)
        found: set = set()
        for statement in node.body:
            # a declared attribute is what its annotation says, as type checkers take it
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.target.id == attribute:
                found |= self.annotation(statement.annotation, info, where.scope_of(statement), depth + 1)
        if found:
            self._attributes[key] = frozenset(found)
            return self._attributes[key]
        for inner, target in where.attribute_stores().get(attribute, ()):
            owner = self.of(target.value, info, where.scope_of(target), depth + 1)
            if owner == {Instance(cls)} and isinstance(inner, (ast.Assign, ast.AnnAssign)) and inner.value is not None:
                found |= self.of(inner.value, info, where.scope_of(inner.value), depth + 1)
            elif Instance(cls) in owner or UNKNOWN in owner or isinstance(inner, ast.AugAssign):
                found.add(UNKNOWN)
        self._attributes[key] = frozenset(found) or frozenset({UNKNOWN})
        return self._attributes[key]

    def _call(self, call: ast.Call, module: ModuleInfo, scope: Scope, depth: int) -> frozenset:
        function = call.func
        found: set = set()
        if isinstance(function, ast.Attribute) and function.attr in ("remote", "options"):
            for base in self.of(function.value, module, scope, depth + 1):
                if isinstance(base, (Def, Options)):
                    found.add(_called(base, function.attr, call))
                elif isinstance(base, (Mod, Ext)):
                    found |= self._call_of(self._attribute(function, module, scope, depth), call, module, scope, depth)
                else:
                    found.add(UNKNOWN)
            return frozenset(found)
        return self._call_of(self.of(function, module, scope, depth + 1), call, module, scope, depth)

    def _call_of(self, functions: frozenset, call: ast.Call, module: ModuleInfo, scope: Scope, depth: int) -> frozenset:
        found: set = set()
        for function in functions:
            if isinstance(function, Ext):
                found |= self._external_call(function.dotted, call, module, scope, depth)
            elif function == FACTORY and len(call.args) == 1 and not call.keywords:
                found |= _made_remote(self.of(call.args[0], module, scope, depth + 1))
            elif isinstance(function, Def) and function.kind == "class":
                found.add(OTHER if function.remote else Instance(function))
            else:
                found.add(UNKNOWN)
        return frozenset(found)

    def _external_call(self, dotted: str, call: ast.Call, module: ModuleInfo, scope: Scope, depth: int) -> set:
        if dotted == "ray.remote":
            if len(call.args) == 1 and not call.keywords:
                return set(_made_remote(self.of(call.args[0], module, scope, depth + 1)))
            return {FACTORY} if not call.args else {UNKNOWN}
        if dotted.startswith("builtins."):
            name = dotted.split(".", 1)[1]
            if name in _KEEPS_ITEMS:
                return set(self.of(call.args[0], module, scope, depth + 1)) if call.args else {OTHER}
            if name in ("super", "type"):
                return {UNKNOWN}  # the object itself, or its class
            return {OTHER} if isinstance(getattr(builtins, name, None), type) else {UNKNOWN}
        last = dotted.rsplit(".", 1)[-1]
        if not dotted.startswith("ray.") and last[:1].isupper():
            return {OTHER}  # an object of an installed class (`queue.Queue()`)
        return {UNKNOWN}

    # -- the Ray API -------------------------------------------------------------------------

    def is_ray(self, expr: ast.AST, module: ModuleInfo, name: str) -> bool:
        """Is `expr` Ray's `name` (`ray.get`)? Asked of the module's own resolver."""
        resolver = self._resolvers.get(id(module))
        if resolver is None:
            resolver = self._resolvers[id(module)] = Resolver(module, self.index, None)
        return resolver.is_(expr, view(module).scope_of(expr), name)

    def submits_to_ray(self, call: ast.Call, module: ModuleInfo, scope: Scope | None = None) -> bool:
        """Is `call` certainly a submission to a Ray task or actor method of the workspace (which
        resolves a top-level ref argument before it runs), not some other `.remote` (a Serve
        handle's, a library's)? `f.remote()` / `f.options(...).remote()` of a task, `h.m.remote()`
        of an actor handle."""
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "remote"):
            return False
        target = call.func.value
        if scope is None:
            scope = view(module).scope_of(call)
        if isinstance(target, ast.Attribute):
            found = self.of(target.value, module, scope)  # `h` of `h.m.remote()`
            return bool(found) and all(isinstance(value, Handle) for value in found)
        found = self.of(target, module, scope)
        return bool(found) and all(
            isinstance(value, Options) or isinstance(value, Def) and value.remote and value.kind == "function" for value in found
        )

    def _wrapped_after_remote(self, node: ast.AST, module: ModuleInfo, scope: Scope) -> bool:
        """Does a decorator other than Ray's apply to the def or class after Ray's `remote` (is
        one listed above it)?"""
        for decorator in node.decorator_list:
            values = self.of(decorator, module, scope)
            if Ext("ray.remote") in values or FACTORY in values:
                return False
            called = self.of(decorator.func, module, scope) if isinstance(decorator, ast.Call) else values
            if called != {Ext("ray.method")}:
                return True
        return False

    def _decorated_remote(self, node: ast.AST, module: ModuleInfo, scope: Scope) -> bool:
        for decorator in getattr(node, "decorator_list", []):
            for value in self.of(decorator, module, scope):
                if value == Ext("ray.remote") or value == FACTORY:
                    return True
        return False


def _called(base: Def | Options, attribute: str, call: ast.Call):
    """`base.remote(...)` or `base.options(...)`."""
    of = base.of if isinstance(base, Options) else base
    if attribute == "options":
        sets = any(k.arg == "num_returns" for k in call.keywords) or any(k.arg is None for k in call.keywords)
        return Options(of, sets or isinstance(base, Options) and base.num_returns)
    if of.kind == "class" and of.remote:
        return Handle(of)
    return OTHER  # an ObjectRef (or an error)


def _made_remote(values: frozenset) -> frozenset:
    return frozenset(v.made_remote() if isinstance(v, Def) else UNKNOWN for v in values)


def _class_node(info: ModuleInfo, cls: Def) -> ast.ClassDef | None:
    for node in ast.walk(info.tree):
        if isinstance(node, ast.ClassDef) and node.lineno == cls.line and node.name == cls.name:
            return node
    return None


def _fetches_by_name(func: ast.AST) -> bool:
    """`getattr(...)`, or a module imported at run time (`imports_at_run_time`)."""
    return isinstance(func, ast.Name) and func.id == "getattr" or imports_at_run_time(func)


# Functions that load or run code chosen by a value at run time, which the caller search cannot
# follow: by a module's name (`import_module(name)`, `pkgutil.resolve_name("tasks:f")`), by a
# file's path (`runpy.run_path(p)`, `spec_from_file_location(m, p)`), or by the code's text
# (the builtins `exec`, `eval` and `compile`, called by name: `re.compile` is another).
LOADS_BY_NAME = frozenset({"__import__", "import_module", "find_spec", "run_module", "resolve_name", "locate"})
LOADS_BY_PATH = frozenset({
    "spec_from_file_location", "spec_from_loader", "SourceFileLoader", "SourcelessFileLoader",
    "load_source", "load_module", "run_path", "execfile",
})
RUNS_TEXT = frozenset({"exec", "eval", "compile"})


def _listed_in_all(module: ModuleInfo, name: str) -> bool:
    """Does the module's `__all__` list `name` (a list or tuple of strings, bound once)?"""
    bindings = module.scope.bindings.get("__all__", [])
    if len(bindings) != 1 or bindings[0][0] != "value" or not isinstance(bindings[0][1], (ast.List, ast.Tuple)):
        return False
    return any(isinstance(e, ast.Constant) and e.value == name for e in bindings[0][1].elts)


def imports_at_run_time(func: ast.AST) -> bool:
    """Is this the function of a call that loads or runs code chosen at run time (see
    `LOADS_BY_NAME`): `importlib.import_module(...)`, `runpy.run_path(...)`, `exec(...)`?"""
    if isinstance(func, ast.Name):
        return func.id in LOADS_BY_NAME or func.id in LOADS_BY_PATH or func.id in RUNS_TEXT
    return isinstance(func, ast.Attribute) and (func.attr in LOADS_BY_NAME or func.attr in LOADS_BY_PATH)
