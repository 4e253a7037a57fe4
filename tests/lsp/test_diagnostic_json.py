"""The push path publishes diagnostics built as JSON directly (`convert.diagnostic_json`),
not through lsprotocol's objects: what it sends must be what lsprotocol would send for the
same Diagnostic, for every finding of every rule fixture, in each position encoding (the
fixtures hold emoji and other characters outside the BMP before columns)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import converters, types

from raylint.core import analyze
from raylint.lsp import convert
from raylint.lsp.documents import Document

FIXTURES = sorted((Path(__file__).parents[1] / "rules" / "fixtures").glob("RAY*/*.py"))
ENCODINGS = [types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf32]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_json_of_each_finding_is_lsprotocols_json_of_its_diagnostic(encoding):
    converter = converters.get_converter()
    compared = 0
    for path in FIXTURES:
        text = path.read_text(encoding="utf-8")
        document = Document(path.as_uri(), "python", 1, text)
        for finding in analyze(text, str(path)).findings:
            data = convert.diagnostic_json(finding, document, encoding, "warning")
            diagnostic = convert.diagnostic(finding, document, encoding, "warning")
            assert converter.unstructure(diagnostic) == data, (path.name, finding.code)
            assert diagnostic.code_description is not None
            compared += 1
    assert compared > 100
    assert any(not text.isascii() for text in (p.read_text(encoding="utf-8") for p in FIXTURES))
