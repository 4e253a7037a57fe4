"""Rewrite 1 — `return-value`: return the value directly.

Before::

    @ray.remote
    def task():
        return ray.put(1)

After::

    @ray.remote
    def task():
        return 1

With a variable (`ref = ray.put(x) ... return ref`), the put is dropped where the ref is
made (at each binding, if it is bound more than once), if the ref has no other use.

Fix safety: callers change. `ray.get(f.remote())` used to give the inner ref and now gives
the value, so `ray.get(ray.get(f.remote()))` must become `ray.get(f.remote())`. A caller
left as it was fails loudly (`ray.get` of a non-ref raises).
"""

from __future__ import annotations

import ast

from raylint.analysis.model import Fix
from raylint.rewrites.edits import Context, unwrap_put

ID = "return-value"
TITLE = "Return the value directly instead of a ray.put() ref"


def fix(ctx: Context, ret: ast.Return) -> Fix | str:
    value = ret.value
    if ctx.body.is_put(value):
        edits = unwrap_put(ctx, value)
    elif isinstance(value, ast.Name):
        assignments = ctx.body.put_assignments(value.id)
        if not assignments:
            return f"`{value.id}` is not bound directly to ray.put()"
        returned_here = [r for r in ctx.body.returns if isinstance(r.value, ast.Name) and r.value.id == value.id]
        if ctx.body.loads_outside(value.id, returned_here):
            return f"the ref `{value.id}` is also used elsewhere in the task"
        # `ref = ray.put(a)` ... `if c: ref = ray.put(b)`: every put that makes it goes
        edits = []
        for assignment in assignments:
            unwrapped = unwrap_put(ctx, assignment.value)
            if isinstance(unwrapped, str):
                return unwrapped
            edits.extend(unwrapped)
    else:
        return "the returned value is not a single ray.put() ref"
    if isinstance(edits, str):
        return edits
    return Fix(ID, TITLE, tuple(sorted(edits)))
