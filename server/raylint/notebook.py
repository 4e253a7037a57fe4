"""Jupyter notebooks as raylint sees them: the code cells form one module.

Cells are joined in order, each after a marker line (`# %% [raylint cell N]`) that keeps cell
boundaries in the module's text; IPython syntax that is not Python (`%time`, `%%bash`,
`!pip install`, `x = !ls`) is masked by a placeholder of the same line that names it, and
restored when the module is turned back into cells (`%run script.py` by a call that loads code
from a path: the script's names become the notebook's). Positions map from the module to
(cell, line, column). Writing back changes the `source` of the cells whose text changed and
nothing else: outputs, execution counts, metadata, ids and the file's JSON layout (indent,
key order, escapes, final newline) stay byte-for-byte as they were.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring

from raylint.core.model import Position, Range

_MARKER = "# %% [raylint cell {}]"
_MARKER_LINE = re.compile(r"^# %% \[raylint cell (\d+)\]$")
# `%run script.py` runs a file in the notebook's namespace (its names, a task among them, are
# the cells' after it): it stands as a call that loads code from a path, which the search of
# a task's callers cannot follow (so the fix is one to review)
_RUN_MAGIC = re.compile(r"^%run(?:\s|$)")
_RUNS_A_FILE = '__import__("runpy").run_path("%run")'
_PLACEHOLDER = re.compile(r"^([ \t]*)(?:pass|(\w+) = None|%s)  # raylint: ipython (\d+)$" % re.escape(_RUNS_A_FILE))

_HELP = re.compile(r"^\??[\w.]+\?{1,2}$")  # `obj?`, `obj??`, `?obj`
_SHELL_ASSIGNMENT = re.compile(r"^([ \t]*)(\w+)[ \t]*=[ \t]*[!%]")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


# (strict as the scanner below: NaN and Infinity are not JSON)
_DECODER = json.JSONDecoder(parse_constant=_not_json)


class NotebookError(ValueError):
    """A file that is not a notebook raylint can read."""


@dataclass
class Cell:
    index: int  # among all cells (as Jupyter numbers them from 0)
    source: str
    start: int  # where its `source` value sits in the file's text
    end: int
    as_list: bool  # stored as a list of lines (nbformat's way) or one string


@dataclass
class Notebook:
    raw: str
    cells: list[Cell]  # the code cells
    indent: str  # before a list element of a `source` (from the file)
    ascii: bool  # are non-ASCII characters escaped in the file?

    @staticmethod
    def parse(raw: str) -> Notebook:
        root, spans = _Scanner(raw).document()
        if not isinstance(root, dict) or not isinstance(root.get("cells"), list):
            raise NotebookError("not a Jupyter notebook (no `cells` list)")
        language = ((root.get("metadata") or {}).get("kernelspec") or {}).get("language", "python")
        if isinstance(language, str) and language.lower() not in ("python", "python3", ""):
            raise NotebookError(f"a {language} notebook, not Python")
        cells = []
        for number, cell in enumerate(root["cells"]):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code" or (number, "source") not in spans:
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else source
            if not isinstance(text, str):
                raise NotebookError(f"cell {number}: `source` is not text")
            start, end = spans[(number, "source")]
            cells.append(Cell(number, text, start, end, isinstance(source, list)))
        indent = next((m.group(1) for c in cells if c.as_list for m in [re.match(r'\[[ \t]*\r?\n([ \t]*)"', raw[c.start : c.end])] if m), "  ")
        return Notebook(raw, cells, indent, raw.isascii() and "\\u" in raw)

    @staticmethod
    def of_cells(sources: list[tuple[int, str]]) -> Notebook:
        """The code cells (index among all cells, text) of a notebook held elsewhere (an
        editor's: the language server's), without a file: `module`, `locate` and `sources`
        work on it, `rewritten` does not."""
        return Notebook("", [Cell(index, source, 0, 0, False) for index, source in sources], "  ", False)

    # -- the module -----------------------------------------------------------------------

    def module(self) -> tuple[str, dict[int, str]]:
        """The code cells as one module, and the IPython lines masked in it (by number)."""
        lines: list[str] = []
        masked: dict[int, str] = {}
        for cell in self.cells:
            lines.append(_MARKER.format(cell.index))
            cell_lines = _lines(cell.source)
            magic_cell = bool(cell_lines) and cell_lines[0].lstrip().startswith("%%")
            for line in cell_lines:
                lines.append(_mask(line, masked, whole=magic_cell))
        return "\n".join(lines) + "\n", masked

    def locate(self, position: Position) -> tuple[int, Position] | None:
        """(cell index, position in the cell) of a module position; None on a marker line."""
        line = position.line
        for cell in self.cells:
            count = len(_lines(cell.source))
            if line == 0:
                return None  # the marker
            if line <= count:
                return cell.index, Position(line - 1, position.character)
            line -= count + 1
        return None

    def first_line(self, index: int) -> int | None:
        """The module line of the first line of cell `index` (None: not a code cell here)."""
        line = 0
        for cell in self.cells:
            if cell.index == index:
                return line + 1
            line += len(_lines(cell.source)) + 1
        return None

    def locate_range(self, range_: Range) -> tuple[int, Range] | None:
        start, end = self.locate(range_.start), self.locate(range_.end)
        if start is None:
            return None
        if end is None or end[0] != start[0]:  # (an end past its cell's last line)
            return start[0], Range(start[1], start[1])
        return start[0], Range(start[1], end[1])

    def sources(self, module: str, masked: dict[int, str]) -> dict[int, str]:
        """The cells' texts (by index) in `module` (this notebook's module, edited). Raises
        NotebookError when the edits went across cells or removed IPython lines."""
        sources: dict[int, list[str]] = {}
        current: list[str] | None = None
        restored = 0
        for line in module.split("\n")[:-1] if module.endswith("\n") else module.split("\n"):
            marker = _MARKER_LINE.match(line)
            if marker:
                current = sources.setdefault(int(marker.group(1)), [])
                continue
            if current is None:
                raise NotebookError("a fix wrote code before the first cell")
            placeholder = _PLACEHOLDER.match(line)
            if placeholder and int(placeholder.group(3)) in masked:
                line = masked[int(placeholder.group(3))]
                restored += 1
            current.append(line)
        if sorted(sources) != [cell.index for cell in self.cells] or restored != len(masked):
            raise NotebookError("a fix would move code across cells or remove IPython lines")
        texts = {}
        for cell in self.cells:
            lines = sources[cell.index]
            text = "\n".join(lines)
            if cell.source.endswith("\n") or (lines and not cell.source and text):
                text += "\n"
            texts[cell.index] = text
        return texts

    def rewritten(self, module: str, masked: dict[int, str]) -> str:
        """The file's text with the cells' sources taken from `module` (this notebook's module,
        edited). Raises NotebookError when the edits went across cells or removed IPython lines."""
        texts = self.sources(module, masked)
        pieces, cursor = [], 0
        for cell in self.cells:
            text = texts[cell.index]
            if text == cell.source:
                continue
            pieces.append(self.raw[cursor : cell.start])
            pieces.append(self._encoded(cell, text))
            cursor = cell.end
        pieces.append(self.raw[cursor:])
        return "".join(pieces)

    def _encoded(self, cell: Cell, text: str) -> str:
        """A cell's new source in the file's own JSON style."""
        def string(value: str) -> str:
            return json.dumps(value, ensure_ascii=self.ascii)

        if not cell.as_list:
            return string(text)
        lines = text.splitlines(keepends=True)
        old = self.raw[cell.start : cell.end]
        if not lines:
            return "[]"
        if "\n" not in old:  # a list on one line
            return "[" + ", ".join(string(line) for line in lines) + "]"
        newline = "\r\n" if "\r\n" in old else "\n"
        closing = old[old.rstrip().rfind("\n") + 1 : len(old.rstrip()) - 1] if old.rstrip().endswith("]") else ""
        indent = re.match(r"\[[ \t]*\r?\n([ \t]*)", old)
        element = indent.group(1) if indent else self.indent
        return "[" + newline + ("," + newline).join(element + string(line) for line in lines) + newline + closing + "]"


def _lines(source: str) -> list[str]:
    lines = source.split("\n")
    return lines[:-1] if source.endswith("\n") else lines


def _mask(line: str, masked: dict[int, str], whole: bool) -> str:
    """`line` as Python may read it: IPython's own syntax becomes a placeholder."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if _MARKER_LINE.match(line):
        number = len(masked)
        masked[number] = line
        return f"{indent}pass  # raylint: ipython {number}"
    if not whole and _RUN_MAGIC.match(stripped):
        number = len(masked)
        masked[number] = line
        return f"{indent}{_RUNS_A_FILE}  # raylint: ipython {number}"
    if whole or stripped.startswith(("%", "!")) or _HELP.match(stripped):
        number = len(masked)
        masked[number] = line
        return f"{indent if not whole else ''}pass  # raylint: ipython {number}"
    assignment = _SHELL_ASSIGNMENT.match(line)
    if assignment:
        number = len(masked)
        masked[number] = line
        return f"{assignment.group(1)}{assignment.group(2)} = None  # raylint: ipython {number}"
    return line


class _Scanner:
    """A JSON reader that also says where each code cell's `source` value is in the text."""

    def __init__(self, text: str):
        self.text = text
        self.spans: dict[tuple[int, str], tuple[int, int]] = {}

    def document(self):
        try:
            value, at = self.value(self._skip(0), ())
        except IndexError:  # (read past the end: a file cut short)
            raise NotebookError("not valid JSON: the text ends inside a value (cut short?)") from None
        except (ValueError, RecursionError) as error:
            raise NotebookError(f"not valid JSON: {error}") from None
        if self.text[self._skip(at) :].strip():
            raise NotebookError("not valid JSON: text after the notebook")
        return value, self.spans

    def _skip(self, at: int) -> int:
        return _WHITESPACE.match(self.text, at).end()

    def value(self, at: int, path: tuple):
        if path and path != ("cells",) and not (len(path) == 2 and path[0] == "cells"):
            # (no code cell's source is inside: read by the C decoder, outputs and all)
            return _DECODER.raw_decode(self.text, at)
        char = self.text[at]
        if char == "{":
            result, at = {}, self._skip(at + 1)
            if self.text[at] == "}":
                return result, at + 1
            while True:
                if self.text[at] != '"':
                    raise ValueError(f"a key expected at {at}")
                key, at = scanstring(self.text, at + 1)
                at = self._skip(at)
                if self.text[at] != ":":
                    raise ValueError(f"':' expected at {at}")
                start = self._skip(at + 1)
                result[key], end = self.value(start, (*path, key))
                if len(path) == 2 and path[0] == "cells" and key == "source":
                    self.spans[(path[1], "source")] = (start, end)
                at = self._skip(end)
                if self.text[at] == ",":
                    at = self._skip(at + 1)
                elif self.text[at] == "}":
                    return result, at + 1
                else:
                    raise ValueError(f"',' or '}}' expected at {at}")
        if char == "[":
            result, at = [], self._skip(at + 1)
            if self.text[at] == "]":
                return result, at + 1
            while True:
                item, at = self.value(at, (*path, len(result)))
                result.append(item)
                at = self._skip(at)
                if self.text[at] == ",":
                    at = self._skip(at + 1)
                elif self.text[at] == "]":
                    return result, at + 1
                else:
                    raise ValueError(f"',' or ']' expected at {at}")
        if char == '"':
            return scanstring(self.text, at + 1)
        for word, meaning in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, at):
                return meaning, at + len(word)
        number = _NUMBER.match(self.text, at)
        if number is None:
            raise ValueError(f"unexpected {char!r} at {at}")
        return json.loads(number.group()), number.end()


__all__ = ["Cell", "Notebook", "NotebookError"]
