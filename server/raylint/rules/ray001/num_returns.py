"""Rewrite 2 — `num-returns`: a fixed number of values → `num_returns=N`.

Before::

    @ray.remote
    def task():
        return ray.put(1), ray.put(2)

After::

    @ray.remote(num_returns=2)
    def task():
        return 1, 2

`num_returns=N` is added to or changed on `@ray.remote(...)`, `@ray.method(...)` (actor
methods; one is added if missing) or `ray.remote(...)(fn)`. If a call site in the module
already passes `.options(num_returns=N)`, only the puts go.

Fix safety: callers change. `a, b = ray.get(f.remote())` becomes `a, b = f.remote()`, and
`ray.get(ray.get(f.remote())[0])` becomes `ray.get(f.remote()[0])`.
"""

from __future__ import annotations

import ast

from raylint.core.model import CallerChange, NoFix, Fix
from raylint.rules.ray001.copies import copy_reason
from raylint.rules.ray001.edits import Context, return_annotation_edits, returns_each_alone, set_option, unused_import_edits, unwrap_put

ID = "num-returns"


def fix(ctx: Context) -> Fix | NoFix:
    body = ctx.body
    if body.has_yield:
        return NoFix("the task is a generator")
    returns = body.value_returns()
    sizes = {len(r.value.elts) if isinstance(r.value, (ast.Tuple, ast.List)) else -1 for r in returns}
    if len(sizes) != 1 or -1 in sizes:
        return NoFix("not every return of the task is a tuple or list of the same length")
    (count,) = sizes
    if count < 2:
        return NoFix("a one-element sequence is better returned as its value")
    edits: dict = {}
    reasons: list[str] = []
    for ret in returns:
        for element in ret.value.elts:
            found = _element_edits(ctx, element, ret, returns, reasons)
            if isinstance(found, str):
                return NoFix(found)
            edits.update((e.range, e) for e in found)
    if not _num_returns_already(ctx, count):
        option = set_option(ctx, "num_returns", str(count))
        if isinstance(option, str):
            return NoFix(option)
        edits.update((e.range, e) for e in option)
    edits.update((e.range, e) for e in return_annotation_edits(ctx))
    edits.update((e.range, e) for e in unused_import_edits(ctx, list(edits.values())))
    title = f"Use num_returns={count} and return the values directly"
    return Fix(ID, title, tuple(sorted(edits.values())), unsafe_reason="; ".join(dict.fromkeys(r for r in reasons if r)), callers=CallerChange.TUPLE)


def _element_edits(ctx: Context, element: ast.AST, ret: ast.Return, returns: list[ast.Return], reasons: list[str]):
    """The edits for one element of a returned tuple; why its value cannot move, to `reasons`."""
    body = ctx.body
    if isinstance(element, ast.Starred):
        return "a starred element has no fixed count"
    if not body.contained_puts(element):
        # (with num_returns each element is an ObjectRef of its own: a caller that got this
        # value in the tuple gets a ref to it, and what it does with it is not rewritten)
        if not returns_each_alone(ctx):
            reasons.append(
                f"`{' '.join(ctx.text(element).split())[:40]}` is not a ray.put ref, yet with num_returns it reaches callers as a ref of its own: fetch it where they use it"
            )
        return []
    if body.is_put(element):
        reasons.append(copy_reason(ctx, element, None, [ret]))
        return unwrap_put(ctx, element)
    if isinstance(element, ast.Name):
        assignment = body.single_put_name(element.id)
        if assignment is not None and not body.loads_outside(element.id, returns):
            reasons.append(copy_reason(ctx, assignment.value, assignment, [ret]))
            return unwrap_put(ctx, assignment.value)
        return f"the ref `{element.id}` is bound more than once or used elsewhere"
    return f"`{ctx.text(element)}` wraps a ref in another value"


def _num_returns_already(ctx: Context, count: int) -> bool:
    """The task already asks for `count` returns: on its decorator or at a call site."""
    site = ctx.fn.options
    if site.kind == "call" and _keyword_is(site.node, count):
        return True
    names = {ctx.fn.node.name} if ctx.fn.is_method else set(ctx.fn.call_names)
    return any(name in names and _keyword_is(call, count) for name, call in _options_calls(ctx.body.resolver.module))


def _options_calls(module) -> list[tuple[str | None, ast.Call]]:
    """The module's `X.options(...)` calls with the name of X, walked for once per module
    (kept on it): a module with many multi-value tasks asks for each of them."""
    calls = getattr(module, "_options_calls", None)
    if calls is None:
        calls = []
        if ".options" in module.source.text:  # the common case: no walk at all
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "options":
                    target = node.func.value
                    calls.append((target.id if isinstance(target, ast.Name) else getattr(target, "attr", None), node))
        module._options_calls = calls
    return calls


def _keyword_is(call: ast.Call, count: int) -> bool:
    return any(
        k.arg == "num_returns" and isinstance(k.value, ast.Constant) and k.value.value == count for k in call.keywords
    )
