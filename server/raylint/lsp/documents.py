"""Open documents: their text as the client edits it, and column conversion between the
core's code points and the client's position encoding (UTF-16 unless negotiated)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import unquote, urlparse

from lsprotocol import types

from raylint.core.model import Position, Range
from raylint.core.source import SourceText


def _units(text: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf32 or text.isascii():
        return len(text)
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def _chars(line: str, units: int, encoding: str) -> int:
    """The code point index in `line` that `units` client units reach (clamped)."""
    if encoding == types.PositionEncodingKind.Utf32 or line.isascii():
        return min(units, len(line))
    counted = 0
    for index, char in enumerate(line):
        if counted >= units:
            return index
        if encoding == types.PositionEncodingKind.Utf8:
            counted += len(char.encode("utf-8", errors="surrogatepass"))
        else:
            counted += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def uri_to_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return unquote(parsed.path)


@dataclass
class Document:
    uri: str
    language_id: str
    version: int
    text: str
    _source: SourceText | None = field(default=None, repr=False)

    @property
    def source(self) -> SourceText:
        if self._source is None or self._source.text is not self.text:
            self._source = SourceText(self.text)
        return self._source

    def drop_source(self) -> None:
        """Let go of the line table (~45 bytes a line): made again when next needed."""
        self._source = None

    @cached_property
    def path(self) -> str:
        """A file path for file URIs; the URI itself for untitled documents and notebook cells."""
        return uri_to_path(self.uri) or self.uri

    @property
    def is_python(self) -> bool:
        return self.language_id == "python" or self.path.endswith((".py", ".pyi"))

    def to_client(self, position: Position, encoding: str) -> types.Position:
        return types.Position(**self.position_json(position, encoding))

    def range_to_client(self, range_: Range, encoding: str) -> types.Range:
        return types.Range(self.to_client(range_.start, encoding), self.to_client(range_.end, encoding))

    def position_json(self, position: Position, encoding: str) -> dict:
        """The position as the client counts it, as LSP's JSON (clamped to the text)."""
        source = self.source
        if position.line >= source.line_count:
            last = source.line_count - 1
            return {"line": last, "character": _units(source.line(last), encoding)}
        line = source.line(position.line)
        return {"line": position.line, "character": _units(line[: position.character], encoding)}

    def range_json(self, range_: Range, encoding: str) -> dict:
        return {"start": self.position_json(range_.start, encoding), "end": self.position_json(range_.end, encoding)}

    def from_client(self, position: types.Position, encoding: str) -> Position:
        source = self.source
        if position.line >= source.line_count:
            last = source.line_count - 1
            return Position(last, len(source.line(last)))
        line = max(position.line, 0)
        return Position(line, _chars(source.line(line), max(position.character, 0), encoding))

    def apply(self, change: types.TextDocumentContentChangeEvent, encoding: str) -> None:
        if isinstance(change, types.TextDocumentContentChangePartial):
            start = self.source.offset(self.from_client(change.range.start, encoding))
            end = self.source.offset(self.from_client(change.range.end, encoding))
            start, end = min(start, end), max(start, end)
            old = self.source
            self.text = self.text[:start] + change.text + self.text[end:]
            # the new text's lines from the old ones (moved), not found again in the whole text:
            # a keystroke in a 10,000-line document made every publish pay for it
            self._source = SourceText.edited(old, self.text, start, len(old.text) - end)
        else:
            self.text = change.text
