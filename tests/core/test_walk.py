"""The shared walk every rule reads: `core.walk.children` and the module's `flow.View`."""

from __future__ import annotations

import ast
from pathlib import Path

from raylint.core.flow import view
from raylint.core.names import ModuleInfo
from raylint.core.source import SourceText
from raylint.core.walk import _SINGLETONS, children, walk

ROOT = Path(__file__).parents[2]
SOURCES = sorted([*(ROOT / "tests" / "rules" / "fixtures").glob("RAY*/*.py"), *(ROOT / "server" / "raylint").rglob("*.py")])


def test_children_are_ast_s_but_the_context_and_operator_singletons():
    for path in SOURCES:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue  # (the fixtures of broken code)
        for node in ast.walk(tree):
            expected = [c for c in ast.iter_child_nodes(node) if type(c) not in _SINGLETONS]
            assert children(node) == expected, (path, ast.dump(node)[:200])
        assert {id(n) for n in walk(tree)} == {id(n) for n in ast.walk(tree) if type(n) not in _SINGLETONS}


def module(text: str) -> ModuleInfo:
    source = SourceText(text)
    return ModuleInfo("m.py", source, ast.parse(text))


TEXT = """\
import ray

def a(x):
    return [ray.get(r) for r in x]

class B:
    def m(self):
        return lambda y: ray.put(y)

c = a(1)
"""


def test_the_view_walks_only_the_statements_asked_about():
    info = module(TEXT)
    v = view(info)
    body = info.tree.body
    calls = v.of(ast.Call, [body[1]])
    assert [ast.unparse(c) for c in calls] == ["ray.get(r)"]
    assert [part is not None for part in v._parts] == [False, True, False, False]
    # a node of a statement not walked yet: its statement is walked then
    put = next(n for n in ast.walk(body[2]) if isinstance(n, ast.Call))
    assert isinstance(v.scope_of(put).node, ast.Lambda)
    assert v._parts[2] is not None and v._parts[3] is None


def test_the_view_s_nodes_by_kind_are_in_source_order_with_their_scopes():
    info = module(TEXT)
    v = view(info)
    assert [ast.unparse(c) for c in v.of(ast.Call)] == ["ray.get(r)", "ray.put(y)", "a(1)"]
    assert [f.name for f in v.of((ast.FunctionDef, ast.ClassDef))] == ["a", "B", "m"]
    get = v.of(ast.Call)[0]
    assert isinstance(v.scope_of(get).node, ast.ListComp)
    method = v.of(ast.FunctionDef)[1]
    # a method's scope sits in its class's, for the View as for the Resolver (they share it)
    assert v.scope_of(method.body[0]).parent.node is v.of(ast.ClassDef)[0]
    assert v.scope_of(method.body[0]) is info.scopes[id(method)]
