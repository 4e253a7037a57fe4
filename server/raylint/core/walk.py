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
_FIELD = re.compile(r"\b(\w+)([*?]?) (\w+)")  # (\b: a search is not tried again inside each word)

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
    return (CHILDREN_OF.get(type(node)) or children_of(type(node)))(node)


def children_of(kind: type):
    """The function `children` calls for a node of class `kind` (a walk over millions of nodes
    calls it from `CHILDREN_OF` itself, one call less per node)."""
    of = CHILDREN_OF.get(kind)
    if of is None:
        of = CHILDREN_OF[kind] = _compiled(_plans.get(kind) or _plan(kind))
    return of


# class → a function made for it from its plan: the plan's loop, unrolled (children() is
# called for every node of every walk)
CHILDREN_OF: dict[type, object] = {}


def _compiled(plan: tuple[tuple[str, str], ...]):
    if not plan:
        return lambda node: []
    lines = ["def of(node):", "    found = []"]
    for name, how in plan:
        lines.append(f"    value = getattr(node, {name!r}, None)")
        if how == "one":
            lines.append("    if value is not None:")
            lines.append("        found.append(value)")
        elif how == "many":  # (`Dict.keys` holds None for `**d`)
            lines.append("    if value is not None:")
            lines.append("        found.extend([v for v in value if v is not None] if None in value else value)")
        else:
            lines.append("    if value is not None:")
            lines.append("        _any(found, value)")
    lines.append("    return found")
    namespace = {"_any": _any}
    exec("\n".join(lines), namespace)  # (the names come from the ast module's classes)
    return namespace["of"]


def _any(found: list, value) -> None:
    """A field the grammar does not declare: its nodes, but the singletons."""
    if isinstance(value, list):
        found.extend([v for v in value if isinstance(v, ast.AST) and type(v) not in _SINGLETONS])
    elif isinstance(value, ast.AST) and type(value) not in _SINGLETONS:
        found.append(value)


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
    of = CHILDREN_OF.get
    while stack:
        current = stack.pop()
        found.append(current)
        kids = (of(type(current)) or children_of(type(current)))(current)
        if kids:
            kids.reverse()
            stack.extend(kids)
    return found
