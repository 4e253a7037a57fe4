"""The shared walk every rule reads: `core.walk.children` and the module's `flow.View`."""

from __future__ import annotations

import ast
import warnings
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


def _loop_statements(module_info: ModuleInfo) -> list[ast.stmt]:
    loops = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    return [s for s in module_info.tree.body if any(isinstance(n, loops) for n in ast.walk(s))]


def test_spelling_keeps_every_statement_with_a_loop():
    """`View.spelling` gates walks on words: each statement holding a loop or comprehension
    spells `for` or `while` on its lines (decorators, odd line ends and `1for` included)."""
    from raylint.core.flow import LOOP_WORDS as _LOOP_WORDS, keywords

    texts = [
        "x = 1\n@dec([a for a in b])\ndef f():\n    pass\ny = 2\n",
        "a = [1for x in y]\r\nb = 2\rc = {k: v for k, v in d}\nd = 3\n",
        "\ufeffwhile x:\n    pass\nformat = before = 1\n",
        "async def f():\n    async for x in y:\n        pass\nplatform = 1\n",
        "@a\nclass\\\n  C: pass\nx = 1\n",
        "s = '''\nfor\n'''\nt = (x\n  for x in y)\n",
    ]
    for path in SOURCES:
        try:
            ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        texts.append(path.read_text(encoding="utf-8"))
    for text in texts:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # (`1for`)
            info = ModuleInfo("m.py", SourceText(text), ast.parse(text.lstrip("\ufeff")))
        gated = view(info).spelling(_LOOP_WORDS)
        assert {id(s) for s in _loop_statements(info)} <= {id(s) for s in gated}, text[:200]
        classes = [s for s in info.tree.body if any(isinstance(n, ast.ClassDef) for n in ast.walk(s))]
        assert {id(s) for s in classes} <= {id(s) for s in view(info).spelling(keywords("class"))}, text[:200]
    # and it does leave out what spells neither word
    info = module("import ray\nformat = 1\nfor x in y:\n    pass\nplatform = 2\n")
    assert [type(s).__name__ for s in view(info).spelling(_LOOP_WORDS)] == ["For"]


def test_ray_get_walk_gated_on_loops_finds_the_same_calls():
    """RAY002/RAY005's Walk resolves only calls inside loops of statements that spell a loop
    word: the `ray.get`/`ray.wait` calls it keeps are those the whole walk finds inside loops."""
    from raylint.core import ModuleIndex
    from raylint.core.names import Resolver
    from raylint.core.rule import Checked
    from raylint.rules._loops import Walk

    found = 0
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        info = ModuleInfo(str(path), SourceText(text), tree)
        resolver = Resolver(info, ModuleIndex([str(path.parent)]), None)
        walk = Walk(Checked(str(path), resolver)).run()
        v = view(info)
        expected = {"ray.get": [], "ray.wait": []}
        if "get" in text and "remote" in text:
            for node in v.of(ast.Call):
                if walk._in_loop(node):
                    meaning = resolver.for_ray().meaning(resolver.for_ray().resolve(node.func, v.scope_of(node)))
                    if meaning in expected:
                        expected[meaning].append(node)
        assert walk.gets == sorted(expected["ray.get"], key=lambda n: (n.lineno, n.col_offset)), path
        assert walk.waits == expected["ray.wait"], path
        found += len(walk.gets) + len(walk.waits)
    assert found > 20  # (the fixtures have loops of gets)
