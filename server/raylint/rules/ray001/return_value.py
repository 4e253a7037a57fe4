"""Rewrite 1 — `return-value`: return the value directly.

Before::

    @ray.remote
    def task():
        return ray.put(1)

After::

    @ray.remote
    def task():
        return 1

With a variable, if the ref has no other use: `ref = ray.put(x)` right before `return ref`
becomes `return x`; otherwise the put is dropped where the ref is made (`ref = x` ...
`return ref`, at each binding if there are several), so that `x` is still evaluated where
it was.

Copy semantics: `ray.put(x)` serializes `x` when it runs, a returned value is serialized when
the task returns. If anything between the two may change `x` (`self.events.clear()`), the
fix would return the changed value: it is then unsafe, and says what and where (see
`rewrites.copies`). The same holds for `finally:` blocks and `with` exits after the return.

Fix safety: callers change. `ray.get(f.remote())` used to give the inner ref and now gives
the value, so `ray.get(ray.get(f.remote()))` must become `ray.get(f.remote())`. A caller
left as it was fails loudly (`ray.get` of a non-ref raises).
"""

from __future__ import annotations

import ast

from raylint.core.model import CallerChange, NoFix, Edit, Fix, Position, Range
from raylint.rules.ray001.copies import copy_reason
from raylint.rules.ray001.edits import (
    Context,
    block_of,
    own_lines,
    return_annotation_edits,
    unused_import_edits,
    unwrap_put,
    unwrapped_text,
)

ID = "return-value"
TITLE = "Return the value directly instead of a ray.put() ref"


def fix(ctx: Context, ret: ast.Return) -> Fix | NoFix:
    """The rewrite of one return (see `fix_all` for a task with several)."""
    return fix_all(ctx, [ret])


def fix_all(ctx: Context, returns: list[ast.Return]) -> Fix | NoFix:
    """One fix rewriting every return of `returns`: a task that returns a put on two paths
    must have both rewritten at once, or its callers, rewritten with the first, would get a
    ref on the other path (and the second fix, left for later, would find its callers
    rewritten already)."""
    edits: list[Edit] = []
    reasons: list[str] = []
    for ret in returns:
        made = _return_edits(ctx, ret)
        if isinstance(made, NoFix):
            return made
        edits.extend(made[0])
        reasons.append(made[1])
    edits = sorted(set(edits))  # (two `return ref` of one name unwrap the same puts)
    if any(a.path == b.path and b.range.start < a.range.end for a, b in zip(edits, edits[1:])):
        return NoFix("the rewrites of the task's returns overlap; rewrite them by hand")
    edits = [*edits, *return_annotation_edits(ctx)]
    edits.extend(unused_import_edits(ctx, edits))
    reason = "; ".join(dict.fromkeys(r for r in reasons if r))
    return Fix(ID, TITLE, tuple(sorted(edits)), unsafe_reason=reason, callers=CallerChange.VALUE)


def _return_edits(ctx: Context, ret: ast.Return) -> tuple[list[Edit], str] | NoFix:
    """The edits that make `ret` return the value, and why they are unsafe ("" if not)."""
    value = ret.value
    if ctx.body.is_put(value):
        edits = unwrap_put(ctx, value)
        if isinstance(edits, str):
            return NoFix(edits)
        reason = copy_reason(ctx, value, None, [ret])
    elif isinstance(value, ast.Name):
        assignments = ctx.body.put_assignments(value.id)
        if not assignments:
            return NoFix(f"`{value.id}` is not bound directly to ray.put()")
        returned_here = [r for r in ctx.body.returns if isinstance(r.value, ast.Name) and r.value.id == value.id]
        if ctx.body.loads_outside(value.id, returned_here):
            return NoFix(f"the ref `{value.id}` is also used elsewhere in the task")
        edits = _moved(ctx, assignments, returned_here)
        if edits is None:
            # `ref = ray.put(a)` ... `if c: ref = ray.put(b)`: every put that makes it goes, in
            # place (the value is still made where it was, in the same order)
            edits = []
            for assignment in assignments:
                unwrapped = unwrap_put(ctx, assignment.value)
                if isinstance(unwrapped, str):
                    return NoFix(unwrapped)
                edits.extend(unwrapped)
        reasons = (copy_reason(ctx, a.value, a, returned_here) for a in assignments)
        reason = next((r for r in reasons if r), "")
    else:
        return NoFix("the returned value is not a single ray.put() ref")
    return edits, reason


def _moved(ctx: Context, assignments: list[ast.Assign], returns: list[ast.Return]) -> list[Edit] | None:
    """`ref = ray.put(x)` right before `return ref` → `return x`, the assignment gone (a
    trailing comment of it stays, on its own line). None when the two are not next to each
    other in one block (or laid out so that moving is not clean)."""
    if len(assignments) != 1 or len(returns) != 1:
        return None
    (assignment,), (ret,) = assignments, returns
    block = block_of(ctx, assignment)
    if ret not in block or block.index(ret) != block.index(assignment) + 1:
        return None
    text = unwrapped_text(ctx, assignment.value)
    if text is None:
        return None
    source = ctx.source
    start = source.range_of(assignment).start
    if assignment.end_lineno == ret.lineno:  # `ref = ray.put(x); return ref`
        return [ctx.edit(Range(start, source.range_of(ret.value).end), f"return {text}")]
    if not own_lines(ctx, assignment):
        return None
    last = assignment.end_lineno - 1
    after = source.line(last)[source.range_of(assignment).end.character :].strip()
    lines = Range(Position(assignment.lineno - 1, 0), source.line_range(last).end)
    line_end = source.text_of(Range(Position(last, len(source.line(last))), lines.end))
    kept = f"{ctx.indent_of(assignment)}{after}{line_end}" if after else ""
    return [ctx.edit(lines, kept), ctx.edit(ret.value, text)]
