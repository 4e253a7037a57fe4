"""Source text: line table, AST offset → position conversion, and error-tolerant parsing."""

from __future__ import annotations

import ast
import bisect
from array import array
import itertools
import re
import warnings
from functools import cached_property
from typing import Callable

from raylint.core.model import Position, Range

# Python and LSP agree that \r\n, \r and \n end a line; str.splitlines() would also split
# on \x0b, \x0c, \x1c.. and \u2028, which are not line ends for either.
_LINE_END = re.compile(r"\r\n|\r|\n")
# what str.splitlines splits on besides "\n"
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_BOM = "\ufeff"
_MAX_RECOVERY_ATTEMPTS = 25


class SourceText:
    """A document's text, with what it takes to turn AST offsets into positions."""

    def __init__(self, text: str):
        self.text = text
        # A BOM is a character to the editor but invalid to the parser: parse without it
        # and shift columns on the first line back by one.
        self.has_bom = text.startswith(_BOM)
        # (an array of machine integers, not a list of int objects: 8 bytes a line, not 36;
        # the server keeps one for every open document)
        if _OTHER_BREAKS.search(text) is None:
            # only "\n" ends lines: str.splitlines agrees, and its lengths add up in C
            starts = array("q", itertools.accumulate(map(len, text.splitlines(True)), initial=0))
            if text and not text.endswith("\n"):
                starts.pop()  # (the end of the text, which ends no line)
        else:
            starts = array("q", [0])
            starts.extend(m.end() for m in _LINE_END.finditer(text))
        self.line_starts = starts
        self._encoded: dict[int, bytes] = {}  # 1-based line → its UTF-8 bytes (b"": ASCII)

    @classmethod
    def edited(cls, old: SourceText, text: str, prefix: int, suffix: int) -> SourceText:
        """The SourceText of `text`, `old`'s text with all but its first `prefix` and last
        `suffix` characters replaced: the line starts outside the replaced part are taken
        from `old` (moved), not found again in the whole text."""
        starts = old.line_starts
        # a line start is decided by the two characters before it and the one at it: the
        # starts up to one inside the common prefix stay, those past the first character
        # of the common suffix move
        low = starts[bisect.bisect_right(starts, max(prefix - 1, 0)) - 1]
        tail = bisect.bisect_left(starts, len(old.text) - suffix + 2)
        high = starts[tail] + len(text) - len(old.text) if tail < len(starts) else len(text) + 1
        shift = len(text) - len(old.text)
        new = starts[: bisect.bisect_right(starts, low)]
        new.extend(m.end() for m in _LINE_END.finditer(text, low, min(high, len(text))) if m.end() < high)
        new.extend([s + shift for s in starts[tail:]] if shift else starts[tail:])
        source = cls.__new__(cls)
        source.text = text
        source.has_bom = text.startswith(_BOM)
        source.line_starts = new
        source._encoded = {}
        return source

    @cached_property
    def newline(self) -> str:
        match = _LINE_END.search(self.text)
        return match.group() if match else "\n"

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line(self, index: int) -> str:
        """Line `index` (0-based) without its line end."""
        start = self.line_starts[index]
        end = self.line_starts[index + 1] if index + 1 < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def position(self, lineno: int, byte_col: int) -> Position:
        """Position of an AST location (1-based line, UTF-8 byte column)."""
        bom = 1 if self.has_bom and lineno == 1 else 0
        encoded = self._encoded.get(lineno)
        if encoded is None:
            # once per line: a long line holds many positions (100k puts in one tuple)
            line = self.line(lineno - 1)[bom:]
            encoded = self._encoded[lineno] = b"" if line.isascii() else line.encode("utf-8")
        if not encoded:
            return Position(lineno - 1, byte_col + bom)
        prefix = encoded[:byte_col].decode("utf-8", errors="ignore")
        return Position(lineno - 1, len(prefix) + bom)

    def range_of(self, node: ast.AST) -> Range:
        return Range(
            self.position(node.lineno, node.col_offset),
            self.position(node.end_lineno, node.end_col_offset),
        )

    def offset(self, position: Position) -> int:
        return self.line_starts[position.line] + position.character

    def text_of(self, range_: Range) -> str:
        return self.text[self.offset(range_.start) : self.offset(range_.end)]

    def segment(self, node: ast.AST) -> str:
        return self.text_of(self.range_of(node))

    def line_range(self, line: int) -> Range:
        """The whole of line `line`, its line end included (for deleting a line)."""
        start = Position(line, 0)
        if line + 1 < len(self.line_starts):
            return Range(start, Position(line + 1, 0))
        return Range(start, Position(line, len(self.line(line))))

    @property
    def code(self) -> str:
        return self.text[1:] if self.has_bom else self.text


def dedent_form_feeds(line: str) -> str:
    """`line` without the part of its indentation before the last form feed: Python's
    tokenizer counts indentation from there (`\\x0c    x` is indented by four)."""
    indent = len(line) - len(line.lstrip(" \t\x0c"))
    return line[line.rfind("\x0c", 0, indent) + 1 :]


def first_line(statement: ast.stmt) -> int:
    """The 1-based line a statement starts on, its decorators included."""
    decorators = getattr(statement, "decorator_list", None)
    return decorators[0].lineno if decorators else statement.lineno


# The parser warns about the code it reads (`1if x`, `"\d"`): the user's code, not raylint's,
# and printed on raylint's stderr between its findings. (Its filename is "<unknown>".)
warnings.filterwarnings("ignore", category=SyntaxWarning, module="<unknown>")
warnings.filterwarnings("ignore", category=DeprecationWarning, module="<unknown>")


def parse(source: SourceText) -> tuple[ast.Module | None, list[tuple[int, str]]]:
    """Parse, recovering from syntax errors so the intact parts of a file are still seen.

    Returns the tree (None if nothing could be parsed) and the syntax errors as
    (0-based line, message). Recovery keeps every line in place, so positions stay exact:
    first the offending line becomes `pass`, then, if that does not help, the whole
    top-level block around it is blanked out.
    """
    code = source.code
    try:
        return ast.parse(code), []
    except SyntaxError as error:
        first = error
    except (ValueError, RecursionError, MemoryError) as error:
        # (CPython's parser gives up on deep nesting with a MemoryError that says nothing)
        return None, [(0, f"cannot parse: {str(error) or 'the code is nested too deeply for the parser'}")]

    lines = _LINE_END.split(code)
    # Every line end becomes "\n" in the patched text: a blanked line whose end was a lone
    # "\r" followed by a blanked line ending "\n" would otherwise join into one "\r\n" end,
    # and every later line would be one off. Python counts lines alike either way.
    ends = ["\n"] * (len(lines) - 1) + [""]
    errors = [(_error_line(first, len(lines)), first.msg)]
    patched: set[int] = set()
    error: SyntaxError | None = first
    for _ in range(_MAX_RECOVERY_ATTEMPTS):
        line = _error_line(error, len(lines))
        if line in patched or not lines[line].strip():
            for index in _block_around(lines, line):
                lines[index] = ""
        else:
            indent = lines[line][: len(lines[line]) - len(lines[line].lstrip())]
            last = min((error.end_lineno or error.lineno or 1) - 1, len(lines) - 1)
            for index in range(line, max(line, last) + 1):
                lines[index] = f"{indent}pass" if index == line and indent else ""
                patched.add(index)
        try:
            return ast.parse("".join(a + b for a, b in zip(lines, ends))), errors
        except SyntaxError as again:
            error = again
        except (ValueError, RecursionError, MemoryError):
            break
    return None, errors


def _error_line(error: SyntaxError, line_count: int) -> int:
    return min(max((error.lineno or 1) - 1, 0), line_count - 1)


def _starts_block(line: str) -> bool:
    """A line at column 0 that begins a new top-level statement."""
    line = dedent_form_feeds(line)
    if not line or line[0] in " \t#)]}" or not line.strip():
        return False
    return not line.startswith(("else", "elif", "except", "finally", "case "))


def _block_around(lines: list[str], line: int) -> range:
    start = line
    while start > 0 and not _starts_block(lines[start]):
        start -= 1
    while start > 0 and lines[start - 1].startswith("@"):
        start -= 1
    end = line + 1
    while end < len(lines) and not _starts_block(lines[end]):
        end += 1
    return range(start, end)


def common_ends(a: str, b: str) -> tuple[int, int]:
    """The lengths of the common prefix of two different texts and of their common suffix
    in the rest."""
    limit = min(len(a), len(b))
    prefix = _common_length(lambda start, stop: a[start:stop] == b[start:stop], limit)
    size_a, size_b = len(a), len(b)
    suffix = _common_length(lambda start, stop: a[size_a - stop : size_a - start] == b[size_b - stop : size_b - start], limit - prefix)
    return prefix, suffix


_CHUNK = 4096


def _common_length(same: Callable[[int, int], bool], limit: int) -> int:
    """How many leading characters (up to `limit`) two texts share, where `same(start, stop)`
    compares their characters start..stop: chunk by chunk, then by bisection inside the first
    chunk that differs (bisecting the whole text compared slices of half of it, then a
    quarter...: 2 ms a keystroke in a 160 kB module, where the chunks take a tenth of that)."""
    low = 0
    while low < limit:
        stop = min(low + _CHUNK, limit)
        if not same(low, stop):
            break
        low = stop
    else:
        return limit
    high = min(low + _CHUNK, limit) - 1  # (the length is in low..high)
    while low < high:
        middle = (low + high + 1) // 2
        if same(low, middle):
            low = middle
        else:
            high = middle - 1
    return low


def shortened(text: str) -> str:
    """Code quoted in a message: on one line, at most 60 characters."""
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
