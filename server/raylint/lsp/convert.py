"""Core findings and fixes → LSP diagnostics, code actions and workspace edits."""

from __future__ import annotations

import os
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lsprotocol import converters, types

from raylint.core import Edit, Finding, Position, Range
from raylint.core.model import Related
from raylint.rules import BY_CODE
from raylint.lsp.documents import Document

_CONVERTER = converters.get_converter()
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def diagnostic(
    finding: Finding,
    document: Document,
    encoding: str,
    severity: str,
    locate: Callable[[str], Document | None] | None = None,
) -> types.Diagnostic:
    """The finding in `document`; `locate(path)` gives the document of a related location in
    another file (a call site to review), whose columns are counted in its own text."""
    return _CONVERTER.structure(diagnostic_json(finding, document, encoding, severity, locate), types.Diagnostic)


def diagnostic_json(
    finding: Finding,
    document: Document,
    encoding: str,
    severity: str,
    locate: Callable[[str], Document | None] | None = None,
) -> dict:
    """`diagnostic` as LSP's JSON, built directly (a publish of hundreds of findings while
    typing: no lsprotocol objects made and taken apart again)."""
    data = {
        "range": document.range_json(finding.range, encoding),
        "message": finding.message + (f" No automatic fix: {finding.no_fix_reason}." if finding.no_fix_reason else ""),
        "severity": SEVERITY[severity].value,
        "code": finding.code,
        "source": "raylint",
        "relatedInformation": [
            {"location": _location(r, document, encoding, locate), "message": r.message} for r in finding.related
        ],
    }
    if finding.code in BY_CODE:
        data["codeDescription"] = {"href": BY_CODE[finding.code].url}
    return data


def _location(related: Related, document: Document, encoding: str, locate) -> dict:
    if related.path == document.path or os.path.abspath(related.path) == os.path.abspath(document.path):
        return {"uri": document.uri, "range": document.range_json(related.range, encoding)}
    other = locate(related.path) if locate is not None else None
    if other is not None:
        return {"uri": other.uri, "range": other.range_json(related.range, encoding)}
    # a file that cannot be read (gone since): its columns as code points, the best guess left
    start, end = related.range.start, related.range.end
    return {
        "uri": Path(os.path.abspath(related.path)).as_uri(),
        "range": {"start": {"line": start.line, "character": start.character}, "end": {"line": end.line, "character": end.character}},
    }


def text_edits(edits: list[Edit], document: Document, encoding: str) -> list[types.TextEdit]:
    return [
        types.TextEdit(range=document.range_to_client(e.range, encoding), new_text=e.new_text)
        for e in sorted(set(edits), key=lambda e: (e.range.start, e.range.end))
    ]


@dataclass(frozen=True)
class EditSupport:
    versioned: bool  # documentChanges with versions
    annotations: bool  # change annotations (asking the user to confirm)


REVIEW_ANNOTATION = "raylint.review"


def workspace_edit(
    by_uri: dict[str, tuple[Document, list[types.TextEdit]]], support: EditSupport, review: str = ""
) -> types.WorkspaceEdit:
    """Edits to one or more documents. With versions where the client supports them, so a
    client whose document has moved on rejects the edit instead of misplacing it; an unsafe
    fix asks for confirmation where the client can."""
    if not support.versioned:
        return types.WorkspaceEdit(changes={uri: edits for uri, (_, edits) in by_uri.items()})
    annotations = None
    if review and support.annotations:
        annotations = {
            REVIEW_ANNOTATION: types.ChangeAnnotation(
                label="raylint: call sites to review", needs_confirmation=True, description=review
            )
        }
    changes = []
    for uri, (document, edits) in by_uri.items():
        if annotations:
            edits = [types.AnnotatedTextEdit(annotation_id=REVIEW_ANNOTATION, range=e.range, new_text=e.new_text) for e in edits]
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=document.version)
        changes.append(types.TextDocumentEdit(text_document=identifier, edits=edits))
    return types.WorkspaceEdit(document_changes=changes, change_annotations=annotations)


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
