"""RAY008 pass-large-arg-by-value: the same large array is passed by value to many Ray calls.

## What it does
Finds a name passed as an argument of `.remote(...)` calls (tasks, actor methods, actor
creation) more than once — in a loop or comprehension that makes the call again and again, or
in two or more such calls of the same function or module — when the name is bound once, outside
that loop, to an array whose size raylint can compute from the code and that is larger than
Ray's inline limit of 100 KiB:
- `numpy.zeros/ones/empty/full(shape, dtype=...)`, `numpy.random.rand/randn/random/
  standard_normal/randint(...)`, `numpy.arange(n)`,
- `torch.zeros/ones/empty/full/rand/randn(...)`,
- `bytes(n)`, `bytearray(n)`,
with a shape made of integer literals (and arithmetic on them). An unknown `dtype` counts one
byte per element, so the size is never overestimated. The finding is on the argument of the
first such call; the other calls are related locations.

## Why is this bad?
Ray puts every argument larger than 100 KiB in the object store, once per call: it does not
notice that the same value was sent before. Passing the array to N tasks stores N copies,
costs N serializations, and fills the object store.

## Example
```python
data = np.zeros(10 * 1024 * 1024)
refs = [process.remote(data) for _ in range(10)]
```

## Use instead
```python
data_ref = ray.put(np.zeros(10 * 1024 * 1024))
refs = [process.remote(data_ref) for _ in range(10)]
```

## Fix safety
No automatic fix: `ray.put` once and pass the ref is the change, but where the put belongs
(and whether the array is also used in the driver) is for a person to choose.

## When it is wrong
- It finds only arrays whose size is written in the code: data read from files, computed
  shapes, lists, dataframes and models are not flagged (their size is unknown statically),
  which is most real code.
- A `.remote` method of something that is not Ray (an RPC library's) would be flagged too.
- Not flagged: a ref (`ray.put(...)`) passed many times, a name bound in the loop, arrays at or
  under 100 KiB, and a name passed to a single call outside loops.
"""

from __future__ import annotations

import ast
import math

from raylint.core.model import Finding, Related
from raylint.core.rule import DOCS_BASE, Checked, InFile, Rule
from raylint.core.flow import view
from raylint.rules._remote_code import FUNCTIONS
from raylint.rules._scan import statement_range

CODE = "RAY008"
DOCS_URL = DOCS_BASE + "pass-large-arg-by-value.html"
INLINE_LIMIT = 100 * 1024  # Ray's max_direct_call_object_size: larger arguments go to the object store
NO_FIX = "where the single `ray.put` belongs, and whether the array is used in the driver too, is a choice"
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

_NUMPY_SHAPED = {"zeros", "ones", "empty", "full"}
_NUMPY_DIMS = {"random.rand", "random.randn"}  # rand(d0, d1, ...)
_NUMPY_SIZED = {"random.random": 0, "random.standard_normal": 0, "random.random_sample": 0, "random.randint": 2, "random.uniform": 2, "random.normal": 2}
_TORCH = {"zeros", "ones", "empty", "full", "rand", "randn"}
# The names of the functions above, one of which a file must reach (spell, or import from a
# workspace module that does) for it to hold an array whose size is known: the last part of
# `numpy.random.rand` is spelled however it is imported or called (`np.random.rand`, `from
# numpy.random import rand as r`).
ARRAY_WORDS = tuple(sorted(
    {*_NUMPY_SHAPED, *(n.rsplit(".", 1)[-1] for n in (*_NUMPY_DIMS, *_NUMPY_SIZED)), "arange", *_TORCH, "bytes", "bytearray"}
))
# ... and where they come from: a file reaches `numpy` or `torch` to call theirs (`import numpy
# as np`, or a workspace module that imports it), and spells the builtins it calls
ARRAY_MODULES = ("numpy", "torch", "bytes", "bytearray")
ITEMSIZE = {
    "float64": 8, "float": 8, "double": 8, "int64": 8, "long": 8, "int": 8, "complex64": 8, "uint64": 8,
    "float32": 4, "int32": 4, "uint32": 4, "float16": 2, "half": 2, "bfloat16": 2, "int16": 2, "uint16": 2,
    "int8": 1, "uint8": 1, "bool": 1, "bool_": 1, "complex128": 16,
}


def check(ctx: Checked) -> list[Finding]:
    v = view(ctx.module)
    sizes: dict[int, int | None] = {}
    # (scope node id, name) -> the `.remote` calls passing it, with the argument nodes
    passed: dict[tuple[int, str], list[tuple[ast.Call, ast.Name]]] = {}
    for node in v.of(ast.Call, ctx.body):
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "remote"):
            continue
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(argument, ast.Name):
                scope = v.scope_of(argument).lookup(argument.id)
                if scope is not None:
                    passed.setdefault((id(scope.node), argument.id), []).append((node, argument))
    findings = []
    for (_, name), calls in passed.items():
        first_call, first_argument = calls[0]
        found = v.scope_of(first_argument).lookup(name)
        bindings = found.bindings.get(name, []) if found is not None else []
        if len(bindings) != 1 or bindings[0][0] != "value":
            continue
        value = bindings[0][1]
        if id(value) not in sizes:
            sizes[id(value)] = array_bytes(ctx, v, value)
        size = sizes[id(value)]
        if size is None or size <= INLINE_LIMIT:
            continue
        repeated = [(c, a) for c, a in calls if _in_loop_without(v, c, value, found.node)]
        if repeated:
            where, argument = repeated[0]
            others = [c for c, _ in calls if c is not where]
        elif len(calls) >= 2:
            where, argument = calls[0]
            others = [c for c, _ in calls[1:]]
        else:
            continue
        findings.append(_finding(ctx, v, where, argument, value, size, others, bool(repeated)))
    findings.sort(key=lambda f: f.range.start)
    return findings


def _in_loop_without(v, call: ast.Call, value: ast.AST, scope_node: ast.AST) -> bool:
    """Is `call` in a loop or comprehension (inside the scope that binds the name) that does
    not also hold the binding?"""
    at = v.parent(call)
    while at is not None and at is not scope_node:
        if isinstance(at, (*_LOOPS, *_COMPREHENSIONS)):
            inner = value
            while inner is not None and inner is not at:
                inner = v.parent(inner)
            if inner is None:
                return True
        if isinstance(at, (*FUNCTIONS, ast.Lambda, ast.ClassDef)):
            return False  # a def runs when called, not once per iteration of an outer loop
        at = v.parent(at)
    return False


def array_bytes(ctx: Checked, v, call: ast.AST) -> int | None:
    """A lower bound of the size in bytes of the array `call` makes, when its shape is literal."""
    if not isinstance(call, ast.Call):
        return None
    name = ctx.qualified(call.func, v.scope_of(call)) or ""
    if not name and isinstance(call.func, ast.Name) and call.func.id in ("bytes", "bytearray"):
        if v.scope_of(call).lookup(call.func.id) is None and len(call.args) == 1:
            count = _integer(call.args[0])
            return count if count is not None and count >= 0 else None
        return None
    module, _, function = name.partition(".")
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if module == "numpy":
        if function in _NUMPY_SHAPED:
            shape = call.args[0] if call.args else keywords.get("shape")
            dtype = call.args[2 if function == "full" else 1] if len(call.args) > (2 if function == "full" else 1) else keywords.get("dtype")
            return _times(_elements(shape), _itemsize(dtype, 8))
        if function in _NUMPY_DIMS:
            return _times(_product(call.args), 8)
        if function in _NUMPY_SIZED:
            at = _NUMPY_SIZED[function]
            size = call.args[at] if len(call.args) > at else keywords.get("size")
            dtype = keywords.get("dtype")
            return _times(_elements(size), _itemsize(dtype, 8))
        if function == "arange" and len(call.args) == 1 and not call.keywords:
            return _times(_integer(call.args[0]), 8)
        return None
    if module == "torch" and function in _TORCH:
        dtype = keywords.get("dtype")
        args = call.args[:1] if function == "full" else call.args
        if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
            count = _elements(args[0])
        else:
            count = _product(args)
        if count is None and "size" in keywords:
            count = _elements(keywords["size"])
        return _times(count, _itemsize(dtype, 4))
    return None


def _itemsize(dtype: ast.AST | None, default: int) -> int:
    if dtype is None:
        return default
    if isinstance(dtype, ast.Constant) and isinstance(dtype.value, str):
        return ITEMSIZE.get(dtype.value, 1)
    if isinstance(dtype, ast.Attribute):
        return ITEMSIZE.get(dtype.attr, 1)
    if isinstance(dtype, ast.Name):
        return ITEMSIZE.get(dtype.id, 1)
    return 1  # unknown: count one byte per element (a lower bound)


def _times(count: int | None, itemsize: int) -> int | None:
    return None if count is None else count * itemsize


def _elements(shape: ast.AST | None) -> int | None:
    if shape is None:
        return None
    if isinstance(shape, (ast.Tuple, ast.List)):
        return _product(shape.elts)
    return _integer(shape)


def _product(items) -> int | None:
    values = [_integer(item) for item in items]
    if not values or any(value is None or value < 0 for value in values):
        return None
    return math.prod(values)


def _integer(node: ast.AST, depth: int = 0) -> int | None:
    """The value of an integer literal expression (`10 * 1024 * 1024`, `2 ** 20`), or None."""
    if depth > 20:
        return None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp):
        left, right = _integer(node.left, depth + 1), _integer(node.right, depth + 1)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Mult):
            return left * right if abs(left) < 10**15 and abs(right) < 10**15 else None
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.FloorDiv) and right:
            return left // right
        if isinstance(node.op, ast.Pow) and 0 <= right <= 64 and abs(left) <= 1024:
            return left**right
        if isinstance(node.op, ast.LShift) and 0 <= right <= 64:
            return left << right
    return None


def _finding(ctx, v, call, argument, value, size, others, in_loop: bool) -> Finding:
    source = ctx.source
    how = "in a loop" if in_loop else f"to {len(others) + 1} calls"
    message = (
        f"`{argument.id}` ({_human(size)}) is passed by value {how}, so Ray stores a copy per call; "
        f"`ray.put` it once and pass the ref"
    )
    related = [Related(ctx.path, source.range_of(value), f"`{argument.id}` is made here ({_human(size)})")]
    related += [Related(ctx.path, source.range_of(other), f"`{argument.id}` is passed by value here too") for other in others]
    return Finding(
        CODE, message, ctx.path, source.range_of(argument), tuple(related), (), _enclosing(v, call),
        no_fix_reason=NO_FIX, statement=statement_range(source, v, call),
    )


def _enclosing(v, node) -> str:
    at = v.parent(node)
    while at is not None:
        if isinstance(at, FUNCTIONS):
            return at.name
        at = v.parent(at)
    return ""


def _human(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.0f} {unit}"
    return f"{size} B"


RULE = Rule(
    code=CODE,
    name="pass-large-arg-by-value",
    summary="The same large array (of a size written in the code) is passed by value to many Ray calls",
    docs=__doc__,
    url=DOCS_URL,
    check=check,
    needs=(InFile("remote"), ARRAY_WORDS, ARRAY_MODULES),  # (the submissions it looks at are in the file)
    local=False,
)

__all__ = ["ARRAY_MODULES", "ARRAY_WORDS", "CODE", "DOCS_URL", "RULE", "array_bytes", "check"]
