"""Edit helpers shared by the rewrites: unwrapping a put, options keywords, statements,
imports. Each returns text edits, or a str saying why it cannot be done."""

from __future__ import annotations

import ast
import bisect
import io
import os
import re
import tokenize
from dataclasses import dataclass

from raylint.rules.ray001.body import Body
from raylint.core.flow import LOADS_BY_NAME, LOADS_BY_PATH, RUNS_TEXT
from raylint.core.model import Edit, Position, Range
from raylint.core.source import SourceText, dedent_form_feeds, first_line
from raylint.core.tasks import RemoteFunction
from raylint.discovery import Excludes, python_files


@dataclass
class Context:
    """Everything a rewrite needs to know about one remote function."""

    path: str
    source: SourceText
    body: Body

    @property
    def fn(self) -> RemoteFunction:
        return self.body.fn

    def edit(self, node_or_range, new_text: str) -> Edit:
        range_ = node_or_range if isinstance(node_or_range, Range) else self.source.range_of(node_or_range)
        return Edit(self.path, range_, new_text)

    def insert(self, position: Position, text: str) -> Edit:
        return Edit(self.path, Range(position, position), text)

    def text(self, node: ast.AST) -> str:
        return self.source.segment(node)

    def indent_of(self, node: ast.AST) -> str:
        """The indentation of `node`'s first line as Python counts it: from the last form feed
        (`\\x0c    return` is indented by four spaces; a new line gets just those)."""
        line = dedent_form_feeds(self.source.line(node.lineno - 1))
        return line[: len(line) - len(line.lstrip(" \t"))]

    def indent_unit(self) -> str:
        """One level of indentation, as the function itself uses it."""
        outer, inner = self.indent_of(self.fn.node), self.indent_of(self.fn.node.body[0])
        return inner[len(outer) :] if inner.startswith(outer) and len(inner) > len(outer) else "    "


def put_value(ctx: Context, put: ast.Call) -> ast.AST | None:
    """The value a `ray.put(...)` call stores."""
    if len(put.args) == 1 and not isinstance(put.args[0], ast.Starred):
        return put.args[0]
    if not put.args:
        for keyword in put.keywords:
            if keyword.arg == "value":
                return keyword.value
    return None


def value_text(ctx: Context, node: ast.AST) -> str:
    """Source of an expression, parenthesized where it would not stand alone on a line."""
    text = ctx.text(node)
    if "\n" in text or "\r" in text or isinstance(node, (ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Starred)):
        if not _is_parenthesized(ctx, node):
            return f"({text})"
    return text


def _is_parenthesized(ctx: Context, node: ast.AST) -> bool:
    text = ctx.text(node)
    return isinstance(node, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp)) or (
        isinstance(node, (ast.Tuple, ast.GeneratorExp)) and text.startswith("(")
    )


def unwrap_put(ctx: Context, put: ast.Call) -> list[Edit] | str:
    """`ray.put(x)` → `x`, keeping comments inside a multi-line call."""
    text = unwrapped_text(ctx, put)
    if text is None:
        return "the ray.put() call has no single value argument"
    return [ctx.edit(put, text)]


def unwrapped_text(ctx: Context, put: ast.Call) -> str | None:
    """The text that replaces a whole `ray.put(...)` call: its value.

    On one line, the value itself. Over several lines, the call's own parentheses stay
    around it (a multi-line expression needs them) with the comments inside; everything else
    in them goes: `ray.put`, a `value=` keyword, other arguments, a trailing comma (which
    would make a tuple). None if the call has no single value.
    """
    value = put_value(ctx, put)
    if value is None:
        return None
    if put.lineno == put.end_lineno:
        return value_text(ctx, value)
    if ctx.source.range_of(value).start <= ctx.source.range_of(put.func).end:
        return value_text(ctx, value)  # a lone generator expression: it spans the call's parentheses
    found = _deletions(ctx, put, value)
    if found is None:
        return value_text(ctx, value)
    (open_row, open_col), deletions = found
    call_text = ctx.source.text_of(ctx.source.range_of(put))
    ends = [*_LINE_END.findall(call_text), ""]
    text = []
    for row, line in enumerate(_LINE_END.split(call_text)):
        if row < open_row:
            continue  # `ray.put \\` continued onto the `(` line
        cuts = sorted((start, end) for r, start, end in deletions if r == row)
        pieces, cursor = [], open_col if row == open_row else 0
        for start, end in cuts:
            pieces.append(line[cursor:start])
            cursor = max(cursor, end)
        pieces.append(line[cursor:])
        new = "".join(pieces)
        if cuts and not new.strip() and row != open_row:
            continue  # the line held only what goes (another argument, a lone comma)
        text.append(new + ends[row])
    return "".join(text)


_LINE_END = re.compile(r"\r\n|\r|\n")


def _deletions(ctx: Context, put: ast.Call, value: ast.AST):
    """Where the call's `(` is, and the (row, start, end) spans of the tokens to delete
    inside it, rows and columns relative to the call's text. None if it cannot be read."""
    call_text = ctx.source.text_of(ctx.source.range_of(put))
    normalized = "\n".join(_LINE_END.split(call_text))
    try:
        tokens = [
            t for t in tokenize.generate_tokens(io.StringIO(normalized).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT)
        ]
    except (tokenize.TokenError, SyntaxError):
        return None
    start = ctx.source.range_of(put).start

    def relative(position: Position) -> tuple[int, int]:
        row = position.line - start.line
        return row, position.character - (start.character if row == 0 else 0)

    func_end = relative(ctx.source.range_of(put.func).end)
    value_start = relative(ctx.source.range_of(value).start)
    opening = next((i for i, t in enumerate(tokens) if t.string == "(" and _rc(t.start) >= func_end), None)
    if opening is None:
        return None
    # the call's arguments: spans of tokens between depth-1 commas
    depth, arguments, current = 0, [], []
    for token in tokens[opening + 1 :]:
        if token.type in (tokenize.COMMENT, tokenize.NL):
            continue
        if token.type == tokenize.OP and token.string in ("(", "[", "{"):
            depth += 1
        elif token.type == tokenize.OP and token.string in (")", "]", "}"):
            if depth == 0:
                break
            depth -= 1
        if depth == 0 and token.string == ",":
            arguments.extend([current, [token]])  # the comma goes too
            current = []
            continue
        current.append(token)
    if current:
        arguments.append(current)
    keep: list = []
    for argument in arguments:
        if argument and argument[0].string != "," and _rc(argument[0].start) <= value_start <= _rc(argument[-1].end):
            keep = argument
    if not keep:
        return None
    if len(keep) > 2 and keep[0].type == tokenize.NAME and keep[1].string == "=":
        keep = keep[2:]  # `value=x`: the keyword goes
    kept_ids = {id(t) for t in keep}
    deletions = []
    for argument in arguments:
        for token in argument:
            if id(token) not in kept_ids:
                (r1, c1), (r2, c2) = _rc(token.start), _rc(token.end)
                if r1 != r2:
                    return None  # a multi-line token (a string) in an argument that goes
                deletions.append((r1, c1, c2))
    opening_row, opening_col = _rc(tokens[opening].start)
    return (opening_row, opening_col), deletions


def _rc(position: tuple[int, int]) -> tuple[int, int]:
    """A tokenize (1-based row, col) as (0-based row, col)."""
    return position[0] - 1, position[1]


def keyword_edits(ctx: Context, call: ast.Call, name: str, value: str | None) -> list[Edit] | str:
    """Set keyword `name` of `call` to `value` (None: remove it)."""
    if any(k.arg is None for k in call.keywords):
        return f"`{ctx.text(call.func)}` takes options through `**`; set {name} by hand"
    arguments = sorted([*call.args, *call.keywords], key=lambda n: (n.lineno, n.col_offset))
    for index, keyword in enumerate(arguments):
        if isinstance(keyword, ast.keyword) and keyword.arg == name:
            if value is not None:
                return [ctx.edit(keyword.value, value)]
            if index > 0:
                start = ctx.source.range_of(arguments[index - 1]).end
                return [ctx.edit(Range(start, ctx.source.range_of(keyword).end), "")]
            end = ctx.source.range_of(arguments[1]).start if len(arguments) > 1 else ctx.source.range_of(keyword).end
            return [ctx.edit(Range(ctx.source.range_of(keyword).start, end), "")]
    if value is None:
        return []
    if arguments:
        return [ctx.insert(ctx.source.range_of(arguments[-1]).end, f", {name}={value}")]
    call_end = ctx.source.range_of(call).end
    return [ctx.insert(Position(call_end.line, call_end.character - 1), f"{name}={value}")]


def returns_each_alone(ctx: Context) -> bool:
    """Does the task already give callers each element of what it returns as a ref of its own
    (`num_returns=N`, N > 1, where it declares its options)? Then an element that is not a put
    reaches them as a ref before the rewrite too."""
    site = ctx.fn.options
    return site.kind == "call" and any(
        k.arg == "num_returns" and isinstance(k.value, ast.Constant) and type(k.value.value) is int and k.value.value > 1
        for k in site.node.keywords
    )


def set_option(ctx: Context, name: str, value: str | None) -> list[Edit] | str:
    """Set (or, with None, remove) a task option where the task declares its options."""
    site, fn = ctx.fn.options, ctx.fn
    if site.kind == "call":
        call = site.node
        only_this = not call.args and [k.arg for k in call.keywords] == [name]
        if value is None and only_this and not fn.is_method:
            # Ray rejects `@ray.remote()` without arguments: back to `@ray.remote` / `ray.remote(fn)`
            return [ctx.edit(call, ctx.text(call.func))]
        return keyword_edits(ctx, call, name, value)
    if value is None:
        return []
    if site.kind == "bare":
        return [ctx.insert(ctx.source.range_of(site.node).end, f"({name}={value})")]
    if site.kind == "wrap":
        return [ctx.insert(ctx.source.range_of(site.node.func).end, f"({name}={value})")]
    if site.kind == "method":
        method, import_edits = ray_name(ctx, "method")
        first = fn.node.decorator_list[0] if fn.node.decorator_list else fn.node
        line = Position(first.lineno - 1, 0)
        text = f"{ctx.indent_of(fn.node)}@{method}({name}={value}){ctx.source.newline}"
        return [*import_edits, ctx.insert(line, text)]
    return (
        f"`{ctx.text(site.node)}` is a decorator made once (`{ctx.text(site.node)} = ray.remote(...)`), which any "
        f"task may use; set {name} on this task by hand"
    )


def ray_name(ctx: Context, api: str) -> tuple[str, list[Edit]]:
    """How this module can spell `ray.<api>`, with an `import ray` edit if it cannot yet."""
    resolver = ctx.body.resolver
    module_scope = resolver.module.scope
    for name in module_scope.bindings:
        if resolver.resolve_name(name, module_scope) == f"ray.{api}":
            return name, []
    for name in module_scope.bindings:
        if resolver.resolve_name(name, module_scope) == "ray":
            return f"{name}.{api}", []
    return f"ray.{api}", [import_edit(ctx, "import ray")]


def import_edit(ctx: Context, statement: str) -> Edit:
    """Add an import with the module's others: after the last top-level import (or the
    docstring and `__future__` imports) before the first definition; with none, just before
    the first statement (below a shebang, an encoding line, a header comment)."""
    body = ctx.body.resolver.module.tree.body
    anchor = None
    for index, stmt in enumerate(body):
        is_docstring = index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or is_docstring or _holds_imports(stmt):
            anchor = stmt
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            break
    if anchor is None:
        first = body[0] if body else None
        line = first_line(first) - 1 if first is not None else 0
        return ctx.insert(Position(line, 0), statement + ctx.source.newline)
    line = anchor.end_lineno
    if line >= ctx.source.line_count:
        end = Position(line - 1, len(ctx.source.line(line - 1)))
        return ctx.insert(end, ctx.source.newline + statement)
    return ctx.insert(Position(line, 0), statement + ctx.source.newline)


def _holds_imports(stmt: ast.stmt) -> bool:
    """`try: import x / except ImportError: ...`, `if TYPE_CHECKING: import x`."""
    if not isinstance(stmt, (ast.Try, ast.If)):
        return False
    return any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in stmt.body)


# -- what a fix leaves behind: ObjectRef annotations, unused imports ----------------------------


def is_objectref(node: ast.AST) -> bool:
    """`ObjectRef`, `ray.ObjectRef`, `ray.types.ObjectRef`, or a string annotation naming it."""
    if isinstance(node, ast.Name):
        return node.id == "ObjectRef"
    if isinstance(node, ast.Attribute):
        return node.attr == "ObjectRef"
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and "ObjectRef" in node.value


def objectref_free(ctx: Context, annotation: ast.AST) -> str | None:
    """The text of `annotation` with each `ObjectRef[T]` as `T`; None if a bare ObjectRef
    (or one in a string) would remain: the annotation then says nothing true any more."""
    subscripts = [n for n in ast.walk(annotation) if isinstance(n, ast.Subscript) and is_objectref(n.value)]
    if any(is_objectref(m) for n in subscripts for m in ast.walk(n.slice)):
        return None
    replaced = {id(n.value) for n in subscripts}
    if any(is_objectref(n) and id(n) not in replaced for n in ast.walk(annotation)):
        return None
    text, base = ctx.text(annotation), ctx.source.offset(ctx.source.range_of(annotation).start)
    for node in sorted(subscripts, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        place = ctx.source.range_of(node)
        start, end = ctx.source.offset(place.start) - base, ctx.source.offset(place.end) - base
        text = text[:start] + ctx.text(node.slice) + text[end:]
    return text


def return_annotation_edits(ctx: Context) -> list[Edit]:
    """A return annotation naming ObjectRef (`-> ray.ObjectRef`, `-> tuple[ObjectRef, ObjectRef]`)
    once the task returns its values: `ObjectRef[T]` becomes `T`, else the annotation goes."""
    annotation = ctx.fn.node.returns
    if annotation is None or not any(is_objectref(n) for n in ast.walk(annotation)):
        return []
    text = objectref_free(ctx, annotation)
    if text is not None:
        return [ctx.edit(annotation, text)]
    return [ctx.edit(Range(_arrow_start(ctx, annotation), ctx.source.range_of(annotation).end), "")]


def _arrow_start(ctx: Context, annotation: ast.AST) -> Position:
    """Where ` -> ` before a return annotation starts (its whitespace included)."""
    source = ctx.source
    start = source.range_of(annotation).start
    head = source.text[source.line_starts[ctx.fn.node.lineno - 1] : source.offset(start)]
    arrow = head.rfind("->")
    before = head[:arrow].rstrip(" \t\x0c")
    at = source.line_starts[ctx.fn.node.lineno - 1] + len(before)
    line = bisect.bisect_right(source.line_starts, at) - 1
    return Position(line, at - source.line_starts[line])


def unused_import_edits(ctx: Context, edits: list[Edit]) -> list[Edit]:
    """Remove a `from ... import x as name` that `edits` leave without any use.

    By the text, conservatively: every other occurrence of the word (in code, strings,
    `__all__`, comments) keeps the import. Never in an `__init__.py` (a package re-exports).
    """
    module = ctx.body.resolver.module
    if ctx.path.endswith("__init__.py"):
        return []
    source, text = ctx.source, ctx.source.text
    old = [(e, source.text_of(e.range)) for e in edits if e.path == ctx.path]
    removed: list[Edit] = []
    # (once per module, not once per fix: a module with thousands of tasks was quadratic)
    known = module.facts.get(_FROM_IMPORTS)
    if known is None or known[0] is not module.tree:
        imports = [s for s in module.tree.body if isinstance(s, ast.ImportFrom) and s.module != "__future__"]
        known = module.facts[_FROM_IMPORTS] = (module.tree, imports, {})
    _, imports, counts = known
    for stmt in imports:
        for alias in stmt.names:
            name = alias.asname or alias.name
            if name == "*" or not any(_word(name).search(t) for _, t in old):
                continue
            if name not in counts:
                counts[name] = len(_word(name).findall(text))
            everywhere = counts[name] - len(_word(name).findall(ctx.text(stmt)))
            covered = sum(len(_word(name).findall(t)) for _, t in old)
            added = sum(len(_word(name).findall(e.new_text)) for e, _ in old)
            if everywhere - covered + added == 0 and not _imported_elsewhere(ctx, name):
                removed.extend(_remove_alias(ctx, stmt, alias))
    return removed


_FROM_IMPORTS = "RAY001.from_imports"  # (module.facts) (tree, its top-level `from` imports, word counts)
_MAX_FILES_SEARCHED = 5000


def _imported_elsewhere(ctx: Context, name: str) -> bool:
    """May another module of the workspace import `name` from this one, or read it as an
    attribute of it (`tasks.put`, `getattr(tasks, "put")`)? (By the text: a file that spells
    both the module's name and `name`, after a dot too; True too when there are too many to
    read.)"""
    index = ctx.body.resolver.index
    here = os.path.abspath(ctx.path)
    stem = os.path.splitext(os.path.basename(here))[0]
    module, word = re.compile(r"\b" + re.escape(stem) + r"\b"), re.compile(r"\b" + re.escape(name) + r"\b")

    def spells_both(path: str) -> bool:
        text = index.text(path)
        if text is None:
            return True  # (it cannot be read: it may import it)
        # (a module loaded by a computed name or path need not be spelled: `getattr(m, "put")`)
        return bool((module.search(text) or _LOADS_CODE.search(text)) and word.search(text))

    for root in index.roots:
        files = index.memo(root, "python files", lambda root=root: _python_files(root))
        if files is None:
            return True  # too many to read
        for path in files:
            if path != here and index.memo(path, f"spells {stem} and {name}", lambda path=path: spells_both(path)):
                return True
    return False


# what loads a module by a computed name or path, or runs code from a text (flow.LOADS_BY_NAME,
# LOADS_BY_PATH, RUNS_TEXT), and `sys.modules`
_LOADS_CODE = re.compile(r"\b(?:%s)\b|\bsys\s*\.\s*modules\b" % "|".join(sorted(LOADS_BY_NAME | LOADS_BY_PATH | RUNS_TEXT)))


def _python_files(root: str) -> list[str] | None:
    """The files the caller search reads under `root` (modules, notebooks, Python scripts);
    None past `_MAX_FILES_SEARCHED`."""
    found: list[str] = []
    for path in python_files([root], Excludes((), None), [], scripts=True):
        found.append(path)
        if len(found) > _MAX_FILES_SEARCHED:
            return None
    return found


def _word(name: str):
    return re.compile(r"(?<![\w.])" + re.escape(name) + r"\b")


def _remove_alias(ctx: Context, stmt: ast.ImportFrom, alias: ast.alias) -> list[Edit]:
    if len(stmt.names) == 1:
        if not own_lines(ctx, stmt):
            return []
        start = Position(stmt.lineno - 1, 0)
        return [ctx.edit(Range(start, ctx.source.line_range(stmt.end_lineno - 1).end), "")]
    index = stmt.names.index(alias)
    here = ctx.source.range_of(alias)
    if index + 1 < len(stmt.names):
        return [ctx.edit(Range(here.start, ctx.source.range_of(stmt.names[index + 1]).start), "")]
    return [ctx.edit(Range(ctx.source.range_of(stmt.names[index - 1]).end, here.end), "")]


def own_lines(ctx: Context, stmt: ast.stmt) -> bool:
    """The statement has its lines to itself (no `a; b`, no `if x: return y`)."""
    start = ctx.source.line(stmt.lineno - 1)
    end = ctx.source.line(stmt.end_lineno - 1)
    before = start[: ctx.source.position(stmt.lineno, stmt.col_offset).character]
    after = end[ctx.source.position(stmt.end_lineno, stmt.end_col_offset).character :].strip()
    return not before.strip() and (not after or after.startswith("#"))


def block_of(ctx: Context, stmt: ast.stmt) -> list[ast.stmt]:
    """The statement list `stmt` sits in."""
    parent = ctx.body.parents.get(id(stmt))
    for field in ("body", "orelse", "finalbody", "handlers"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and stmt in block:
            return block
    return [stmt]


def delete_statement(ctx: Context, stmt: ast.stmt) -> list[Edit] | str:
    if not own_lines(ctx, stmt):
        return "a statement shares its line with others"
    if len(block_of(ctx, stmt)) == 1:
        return [ctx.edit(stmt, "pass")]
    start = Position(stmt.lineno - 1, 0)
    end = ctx.source.line_range(stmt.end_lineno - 1).end
    return [ctx.edit(Range(start, end), "")]


def replace_statement(ctx: Context, stmt: ast.stmt, lines: list[str]) -> Edit:
    """Replace a statement by lines of code at its indentation (the first is not indented)."""
    indent = ctx.indent_of(stmt)
    return ctx.edit(stmt, (ctx.source.newline + indent).join(lines))


def is_last_statement(ctx: Context, stmt: ast.stmt) -> bool:
    return ctx.fn.node.body[-1] is stmt
