"""Core findings and fixes → LSP diagnostics, code actions and workspace edits."""

from __future__ import annotations

from bisect import bisect_right

from lsprotocol import types

from raylint.analysis import Edit, Finding, Position, Range
from raylint.analysis.ray001 import DOCS_URL
from raylint.lsp.documents import Document

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def diagnostic(finding: Finding, document: Document, encoding: str, severity: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=document.range_to_client(finding.range, encoding),
        message=finding.message,
        severity=SEVERITY[severity],
        code=finding.code,
        code_description=types.CodeDescription(href=DOCS_URL),
        source="raylint",
        related_information=[
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=document.uri, range=document.range_to_client(r.range, encoding)),
                message=r.message,
            )
            for r in finding.related
        ],
    )


def text_edits(edits: list[Edit], document: Document, encoding: str) -> list[types.TextEdit]:
    return [
        types.TextEdit(range=document.range_to_client(e.range, encoding), new_text=e.new_text)
        for e in sorted(set(edits), key=lambda e: (e.range.start, e.range.end))
    ]


def workspace_edit(
    edits: list[types.TextEdit], document: Document, versioned: bool
) -> types.WorkspaceEdit:
    """One document's edits; with versions where the client supports them, so a client
    whose document has moved on rejects the edit instead of applying it in the wrong place."""
    if versioned:
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=document.version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=identifier, edits=edits)])
    return types.WorkspaceEdit(changes={document.uri: edits})


def whole_text_edit(document: Document, new_text: str, encoding: str) -> list[types.TextEdit]:
    """The smallest single edit that turns the document's text into `new_text`."""
    old = document.text
    if old == new_text:
        return []
    prefix = 0
    limit = min(len(old), len(new_text))
    while prefix < limit and old[prefix] == new_text[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new_text[-1 - suffix]:
        suffix += 1
    # positions cannot point between the \r and \n of a line end: widen the edit instead
    if 0 < prefix < len(old) and old[prefix - 1] == "\r" and old[prefix] == "\n":
        prefix -= 1
    if 0 < suffix < len(old) and old[-1 - suffix] == "\r" and old[-suffix] == "\n":
        suffix -= 1
    source = document.source
    start = _position_at(source, prefix)
    end = _position_at(source, len(old) - suffix)
    return [
        types.TextEdit(
            range=document.range_to_client(Range(start, end), encoding),
            new_text=new_text[prefix : len(new_text) - suffix],
        )
    ]


def _position_at(source, offset: int) -> Position:
    line = bisect_right(source.line_starts, offset) - 1
    return Position(line, offset - source.line_starts[line])
