"""Small helpers shared by RAY006, RAY007 and RAY010 (walking code with its scopes).

Generic enough to move to `raylint.core` later: the statement around a node, the nodes
lexically inside a function, the scope a node's names are looked up in, and what a name is
bound to when it is bound once.
"""

from __future__ import annotations

import ast
from typing import Iterator

from raylint.core.names import SCOPE_NODES, Scope
from raylint.core.walk import children

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def inside(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under `node` (a def: its body, nested defs, lambdas and comprehensions
    included; not its decorators, defaults or annotations, which run where it is defined)."""
    if isinstance(node, FUNCTIONS):
        stack: list[ast.AST] = list(reversed(node.body))
    else:
        stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def own_nodes(fn: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's own scope: its body without nested defs, lambdas, classes
    and comprehensions (a comprehension's first iterable is read in the function's scope)."""
    stack: list[ast.AST] = list(reversed(fn.body))
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (*FUNCTIONS, ast.ClassDef)):
            # the name is bound here; decorators, defaults and bases run here
            outside = list(current.decorator_list)
            if isinstance(current, ast.ClassDef):
                outside += [*current.bases, *current.keywords]
            else:
                outside += [d for d in (*current.args.defaults, *current.args.kw_defaults) if d is not None]
            stack.extend(reversed(outside))
            continue
        if isinstance(current, ast.Lambda):
            stack.extend(reversed([d for d in (*current.args.defaults, *current.args.kw_defaults) if d is not None]))
            continue
        if isinstance(current, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            stack.append(current.generators[0].iter)
            continue
        stack.extend(reversed(children(current)))


def single_value(name: str, scope: Scope) -> tuple[ast.AST, Scope] | None:
    """What `name` means in `scope` when its scope binds it exactly once, by `name = value`:
    (value, the scope the value is read in). None when bound otherwise or more than once."""
    found = scope.lookup(name)
    if found is None:
        return None
    bindings = found.bindings.get(name, [])
    if len(bindings) != 1 or bindings[0][0] != "value":
        return None
    return bindings[0][1], found


def is_scope_node(node: ast.AST) -> bool:
    return isinstance(node, SCOPE_NODES)


def string_constant(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def top_level_nodes(tree: ast.Module):
    """The nodes the module runs when it is imported: its top level, outside defs, classes
    and `if __name__ == "__main__":` blocks."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (*FUNCTIONS, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.If) and is_main_guard(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(children(node))


def is_main_guard(test: ast.AST) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and string_constant(test.comparators[0]) == "__main__"
    )


def may_be(func: ast.AST, scope: Scope, names: set[str]) -> bool:
    """Can `func` be one of the imported things whose last dotted part is in `names`? A cheap
    test before resolving it (resolving follows imports into other files): `x.dumps`,
    `dumps` or `d` from `from pickle import dumps as d`, or a name bound by assignment."""
    if isinstance(func, ast.Attribute):
        return func.attr in names
    if not isinstance(func, ast.Name):
        return False
    if func.id in names:
        return True
    found = scope.lookup(func.id)
    if found is None:
        return False
    for binding in found.bindings.get(func.id, []):
        if binding[0] == "value" or binding[0] == "from" and binding[2] in names:
            return True
    return False
