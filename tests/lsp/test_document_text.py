"""A document's text and lines after partial edits from the client (positions in UTF-16, as
LSP counts them by default): the line table is moved along with each edit, never found again,
and must be that of the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from raylint.core.source import SourceText
from raylint.lsp.documents import Document

PIECES = ["x = 1", "\n", "\r\n", "\r", "    ", "é", "😀", "def f():", "#", "'''", "\t", ""]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.data())
def test_the_lines_after_each_partial_edit_are_those_of_the_text(parts, data):
    document = Document("file:///t.py", "python", 1, "".join(parts))
    for _ in range(data.draw(st.integers(1, 8))):
        source = document.source
        line = data.draw(st.integers(0, source.line_count))
        end_line = data.draw(st.integers(line, source.line_count))
        start = types.Position(line, data.draw(st.integers(0, 12)))
        end = types.Position(end_line, data.draw(st.integers(0, 12)))
        if end_line == line and end.character < start.character:
            start, end = end, start
        inserted = "".join(data.draw(st.lists(st.sampled_from(PIECES), max_size=4)))
        change = types.TextDocumentContentChangePartial(range=types.Range(start, end), text=inserted)
        document.apply(change, types.PositionEncodingKind.Utf16)
        assert document.source.text is document.text
        assert document.source.line_starts == SourceText(document.text).line_starts
