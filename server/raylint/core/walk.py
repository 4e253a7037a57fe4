"""The children of a syntax tree node, fast: every rule and search walks trees.

`ast.iter_child_nodes` looks at every field of every node through two generators, and
yields the `Load`/`Store` and operator singletons too. Here each node class's child fields
are worked out once, from the grammar its docstring spells (`BinOp(expr left, operator op,
expr right)`): fields of names, strings and constants are never looked at, and the
context and operator singletons (no rule asks for them) are skipped. Same order as
`ast.iter_child_nodes`.
"""

from __future__ import annotations

import ast
import re

# field types that never hold a node, or hold only a context/operator singleton
_NOT_CHILDREN = {"identifier", "string", "int", "constant", "expr_context", "boolop", "operator", "unaryop", "cmpop"}
_FIELD = re.compile(r"(\w+)([*?]?) (\w+)")

# class → its child fields, as (name, how): "one" node, "many" (a list), "any" (not declared)
_plans: dict[type, tuple[tuple[str, str], ...]] = {}


def _plan(cls: type) -> tuple[tuple[str, str], ...]:
    doc = cls.__doc__ or ""
    declared = {name: (kind, many) for kind, many, name in _FIELD.findall(doc.partition("(")[2])}
    plan = []
    for name in cls._fields:
        if name not in declared:
            plan.append((name, "any"))
        elif declared[name][0] not in _NOT_CHILDREN:
            plan.append((name, "many" if declared[name][1] == "*" else "one"))
    _plans[cls] = found = tuple(plan)
    return found


def children(node: ast.AST) -> list[ast.AST]:
    """The child nodes of `node`, in field order (no context or operator singletons)."""
    plan = _plans.get(type(node))
    if plan is None:
        plan = _plan(type(node))
    found: list[ast.AST] = []
    for name, how in plan:
        value = getattr(node, name, None)
        if value is None:
            continue
        if how == "one":
            found.append(value)
        elif how == "many":
            found.extend([v for v in value if v is not None])  # (`Dict.keys` holds None for `**d`)
        elif isinstance(value, list):
            found.extend([v for v in value if isinstance(v, ast.AST) and type(v) not in _SINGLETONS])
        elif isinstance(value, ast.AST) and type(value) not in _SINGLETONS:
            found.append(value)
    return found


_SINGLETONS = {
    cls
    for base in (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)
    for cls in base.__subclasses__()
}


def walk(node: ast.AST) -> list[ast.AST]:
    """`node` and everything under it, in source order (preorder: a node before its children,
    a child's whole subtree before its next sibling)."""
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(children(current)))
    return found
