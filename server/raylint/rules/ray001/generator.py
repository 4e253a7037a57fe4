"""Rewrite 3 — `generator`: an unknown number of values → a generator task.

Before::

    @ray.remote
    def task(n):
        return [ray.put(i) for i in range(n)]

After::

    @ray.remote
    def task(n):
        for i in range(n):
            yield i

Handles a returned list comprehension, a list built by `.append(ray.put(...))` in a loop,
and tuple or list literals. The task becomes Ray's streaming generator (`num_returns` is
dropped); with `generator-style = "dynamic"` it gets the legacy `num_returns="dynamic"`
for projects on old Ray. A return annotation becomes `Iterator[...]`.

Fix safety: callers change, silently. `ray.get(f.remote())` now passes an
`ObjectRefGenerator` through instead of failing, so `ray.get(ray.get(f.remote(n)))` must
become `ray.get(list(f.remote(n)))`. Comments inside a rewritten comprehension are lost.
"""

from __future__ import annotations

import ast

from raylint.core.model import CallerChange, NoFix, Edit, Fix
from raylint.rules.ray001.edits import (
    Context,
    delete_statement,
    import_edit,
    is_last_statement,
    objectref_free,
    own_lines,
    replace_statement,
    returns_each_alone,
    set_option,
    unused_import_edits,
    unwrapped_text,
    value_text,
)

ID = "generator"


def fix(ctx: Context, style: str = "streaming") -> Fix | NoFix:
    body, node = ctx.body, ctx.fn.node
    if body.has_yield:
        return NoFix("the task is already a generator")
    if isinstance(node, ast.AsyncFunctionDef) and not ctx.fn.is_method:
        return NoFix("async tasks cannot be generators; only actor methods can stream asynchronously")
    edits: dict = {}
    for ret in body.value_returns():
        found = _return_edits(ctx, ret)
        if isinstance(found, str):
            return NoFix(found)
        edits.update((e.range, e) for e in found)
    option = set_option(ctx, "num_returns", '"dynamic"' if style == "dynamic" else None)
    if isinstance(option, str):
        return NoFix(option)
    edits.update((e.range, e) for e in [*option, *_annotation_edits(ctx)])
    edits.update((e.range, e) for e in unused_import_edits(ctx, list(edits.values())))
    title = f"Make `{ctx.fn.display_name}` a generator task that yields each value"
    change = CallerChange.GENERATOR_DYNAMIC if style == "dynamic" else CallerChange.GENERATOR
    return Fix(ID, title, tuple(sorted(edits.values())), callers=change)


def _return_edits(ctx: Context, ret: ast.Return) -> list[Edit] | str:
    if not own_lines(ctx, ret):
        return "a return shares its line with other code"
    value, tail = ret.value, [] if is_last_statement(ctx, ret) else ["return"]
    if isinstance(value, ast.ListComp):
        loop = _loop_lines(ctx, value)
        return loop if isinstance(loop, str) else [replace_statement(ctx, ret, loop + tail)]
    if isinstance(value, (ast.List, ast.Tuple)):
        yields = [_yield_line(ctx, e) for e in value.elts]
        if not yields:
            return [ctx.edit(ret, "return")]
        bad = next((y for y in yields if y is None), "")
        if bad is None:
            return "an element of the returned sequence is not a ray.put(...) of its own (each would reach callers as a ref)"
        return [replace_statement(ctx, ret, yields + tail)]
    if isinstance(value, ast.Name):
        return _built_list_edits(ctx, ret, value.id, tail)
    return "the returned value is not a list the task can yield from"


def _built_list_edits(ctx: Context, ret: ast.Return, name: str, tail: list[str]) -> list[Edit] | str:
    """`refs = []` + `refs.append(ray.put(v))` (or `refs = [...comprehension...]`) + `return refs`."""
    body = ctx.body
    stores = body.stores.get(name, [])
    returns = [r for r in body.returns if isinstance(r.value, ast.Name) and r.value.id == name]
    edits: list[Edit] = []
    assigns = [s for s in stores if s.kind == "assign"]
    appends = [s for s in stores if s.kind == "append"]
    if len(assigns) != 1 or len(assigns) + len(appends) != len(stores):
        return f"`{name}` is built in a way raylint cannot turn into yields"
    init = assigns[0]
    uses = [*returns, *(a.node.func for a in appends)]
    if body.loads_outside(name, uses):
        return f"`{name}` is also used elsewhere in the task"
    if isinstance(init.value, ast.ListComp) and not appends:
        if not own_lines(ctx, init.node):
            return "the list comprehension shares its line with other code"
        loop = _loop_lines(ctx, init.value)
        if isinstance(loop, str):
            return loop
        edits.append(replace_statement(ctx, init.node, loop))
    elif isinstance(init.value, ast.List) and not init.value.elts and appends:
        removed = delete_statement(ctx, init.node)
        if isinstance(removed, str):
            return removed
        edits.extend(removed)
        for append in appends:
            statement = body.parents.get(id(append.node))
            line = _yield_line(ctx, append.value)
            if not isinstance(statement, ast.Expr) or line is None or not own_lines(ctx, statement):
                return f"an append to `{name}` is not a plain statement of a ray.put(...)"
            edits.append(ctx.edit(statement, line))
    else:
        return f"`{name}` is built in a way raylint cannot turn into yields"
    if tail:
        edits.append(ctx.edit(ret, "return"))
    else:
        removed = delete_statement(ctx, ret)
        if isinstance(removed, str):
            return removed
        edits.extend(removed)
    return edits


def _yield_line(ctx: Context, element: ast.AST) -> str | None:
    body = ctx.body
    if isinstance(element, ast.Starred):
        return None
    if body.is_put(element):
        value = unwrapped_text(ctx, element)
        return None if value is None else f"yield {value}"
    if body.contained_puts(element) or not returns_each_alone(ctx):
        # (it wraps a ref; or, not a put, its value would reach callers as a ref of its own
        # where they got the value itself in the list)
        return None
    return f"yield {value_text(ctx, element)}"


def _loop_lines(ctx: Context, comprehension: ast.ListComp) -> list[str] | str:
    """`[ray.put(f(x)) for x in xs if c]` → the lines of `for x in xs: if c: yield f(x)`."""
    line = _yield_line(ctx, comprehension.elt)
    if line is None:
        return "the comprehension's element is not a ray.put(...) of its own"
    unit, depth, lines = ctx.indent_unit(), 0, []
    for generator in comprehension.generators:
        keyword = "async for" if generator.is_async else "for"
        target = ctx.text(generator.target)
        lines.append(f"{unit * depth}{keyword} {target} in {value_text(ctx, generator.iter)}:")
        depth += 1
        for condition in generator.ifs:
            lines.append(f"{unit * depth}if {value_text(ctx, condition)}:")
            depth += 1
    lines.append(f"{unit * depth}{line}")
    return lines


def _annotation_edits(ctx: Context) -> list[Edit]:
    """`-> list[ObjectRef]` no longer fits a generator: it becomes `-> Iterator[...]`."""
    annotation = ctx.fn.node.returns
    if annotation is None:
        return []
    wanted = "AsyncIterator" if isinstance(ctx.fn.node, ast.AsyncFunctionDef) else "Iterator"
    spelled, imports = _spelling(ctx, wanted)
    element = ""
    if isinstance(annotation, ast.Subscript) and ctx.text(annotation.value).split(".")[-1] in ("list", "List"):
        inner = objectref_free(ctx, annotation.slice)  # `list[ObjectRef[int]]` → `Iterator[int]`
        if inner is not None:
            element = f"[{inner}]"
    return [*imports, ctx.edit(annotation, spelled + element)]


def _spelling(ctx: Context, name: str) -> tuple[str, list[Edit]]:
    scope = ctx.body.resolver.module.scope
    for binding in scope.bindings.get(name, []):
        if binding[0] == "from" and binding[1] in ("typing", "collections.abc") and binding[2] == name:
            return name, []
    for bound, bindings in scope.bindings.items():
        if ("module", "typing") in bindings:
            return f"{bound}.{name}", []
    if name in scope.bindings:
        return f"collections.abc.{name}", [import_edit(ctx, "import collections.abc")]
    return name, [import_edit(ctx, f"from collections.abc import {name}")]
