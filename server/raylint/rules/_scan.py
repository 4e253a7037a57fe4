"""Small helpers shared by RAY003 and RAY004 (generic enough to move to the core one day):
the statement and function a node is in, with the parent links of `flow.View`."""

from __future__ import annotations

import ast

from raylint.core.flow import View
from raylint.core.model import Range
from raylint.core.source import SourceText

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
LOOPS = (ast.For, ast.AsyncFor, ast.While)


def enclosing_statement(view: View, node: ast.AST) -> ast.stmt | None:
    """The innermost statement `node` is part of (itself, if it is one)."""
    while node is not None and not isinstance(node, ast.stmt):
        node = view.parent(node)
    return node


def statement_range(source: SourceText, view: View, node: ast.AST) -> Range:
    """The lines a `# noqa` for `node` may be on: its simple statement, or for a compound
    one (`if ...:`, a decorated def) from the statement's start to the end of `node`."""
    statement = enclosing_statement(view, node)
    if statement is None:
        return source.range_of(node)
    own = source.range_of(statement)
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        own = Range(source.range_of(decorators[0]).start, own.end)
    if hasattr(statement, "body"):  # compound: its header only, up to the node
        return Range(own.start, max(source.range_of(node).end, own.start))
    return own


def task_name(view: View, node: ast.AST) -> str:
    """`f` or `Class.method`: the function `node` is in ("" at module level)."""
    parent = view.parent(node)
    while parent is not None and not isinstance(parent, FUNCTIONS):
        parent = view.parent(parent)
    if parent is None:
        return ""
    owner = view.parent(parent)
    return f"{owner.name}.{parent.name}" if isinstance(owner, ast.ClassDef) else parent.name


def line_indent(source: SourceText, line: int) -> str:
    """The indentation of 0-based `line` (spaces and tabs, form feeds included)."""
    text = source.line(line)
    return text[: len(text) - len(text.lstrip(" \t\x0c"))]
