"""Code actions: the quick fixes of a finding (its fixes, and a `# noqa` to suppress it) and
*Fix all*, as LSP actions and workspace edits; resolved lazily where the client can."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from lsprotocol import types

from raylint.core import Position, Range
from raylint.core.noqa import noqa_comment
from raylint.lsp import convert
from raylint.lsp.documents import Document
from raylint.lsp.session import OpenDocument
from raylint.lsp.worker import Worker
from raylint.settings import Settings

if TYPE_CHECKING:
    from raylint.lsp.server import RaylintServer

FIX_ALL_KIND = "source.fixAll.raylint"
FIX_ALL_TITLE = "Fix all raylint problems"


async def code_actions(ls: RaylintServer, record: OpenDocument, params: types.CodeActionParams):
    document, scheduler = record.document, ls.scheduler
    first = document.from_client(params.range.start, ls.encoding).line
    last = document.from_client(params.range.end, ls.encoding).line
    # While typing, the findings of the rules that read the whole module may be provisional
    # (carried over from an earlier text, without those the edits touched): a request the user
    # made, or one that touches such a finding, waits for the complete analysis. Only the
    # editor's own requests (the light bulb as the cursor moves) are answered at once.
    analysis, settings = await scheduler.analysis(record, complete=False)
    cached = record.result
    if analysis is record.current() and cached.pending:
        automatic = params.context.trigger_kind == types.CodeActionTriggerKind.Automatic
        if not automatic or any(f.code in cached.pending and _touches(f, first, last) for f in analysis.findings):
            analysis, settings = await scheduler.analysis(record)
    if analysis is not record.current():
        return None  # the document moved on while we looked: offer nothing rather than wrong edits
    lazy = ls.supports("text_document.code_action.resolve_support")
    if not lazy:  # the edits must be complete now, callers included
        analysis = await scheduler.with_callers(record)
        if analysis is None:
            return None  # moved on during the search
    else:  # the menu must be instant: call sites found in the background show in the titles
        cached = record.result
        analysis = cached.callers if cached and cached.callers is not None else analysis
    only = params.context.only
    actions: list[types.CodeAction] = []
    if _wants(only, types.CodeActionKind.QuickFix):
        for number, finding in enumerate(analysis.findings):
            if _touches(finding, first, last):
                actions.extend(_quick_fixes(ls, document, number, finding, settings, lazy))
    if _wants(only, FIX_ALL_KIND) and any(f.fixes for f in analysis.findings) and (only or not actions):
        action = _fix_all_action(document)
        if not lazy:  # on the worker: fixing analyses again, with jedi
            worker = scheduler.worker
            action.edit = await worker.run(
                _fix_all_edit, worker, _snapshot(document), settings, ls.edit_support(), ls.encoding
            )
        actions.append(action)
    return actions


async def resolve(ls: RaylintServer, record: OpenDocument, action: types.CodeAction, data: dict) -> types.CodeAction:
    """The edit of an action offered without one (the client resolves them lazily)."""
    document, scheduler = record.document, ls.scheduler
    settings = ls.settings_for(document)
    if data.get("all"):
        worker = scheduler.worker
        edit = await worker.run(_fix_all_edit, worker, _snapshot(document), settings, ls.edit_support(), ls.encoding)
    else:
        analysis = await scheduler.with_callers(record)
        try:
            finding = analysis.findings[data["finding"]]
            if "key" in data and _key(finding) != data["key"]:  # the analysis was completed since
                finding = next(f for f in analysis.findings if _key(f) == data["key"])
            fix = finding.fixes[data["fix"]]
        except (AttributeError, IndexError, KeyError, TypeError, StopIteration):
            return action
        edit = _fix_edit(ls, document, fix)
    if document.version == data.get("version"):
        action.edit = edit
    return action


def _touches(finding, first: int, last: int) -> bool:
    return finding.range.start.line <= last and first <= finding.range.end.line


def _key(finding) -> list:
    """What identifies a finding among an analysis' findings (the index may change when a
    provisional analysis is completed)."""
    start = finding.range.start
    return [finding.code, start.line, start.character, finding.message]


def _wants(only: list[str] | None, kind: str) -> bool:
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def _quick_fixes(ls: RaylintServer, document: Document, number: int, finding, settings: Settings, lazy: bool):
    diagnostic = convert.diagnostic(finding, document, ls.encoding, settings.severity, ls.locator(document))
    actions = []
    for index, fix in enumerate(finding.fixes):
        action = types.CodeAction(
            title=fix.title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=index == 0,
            data={
                "uri": document.uri,
                "version": document.version,
                "finding": number,
                "fix": index,
                "key": _key(finding),
            },
        )
        if not lazy:
            action.edit = _fix_edit(ls, document, fix)
        actions.append(action)
    line = finding.range.start.line
    text = document.source.line(line)
    suppressed = noqa_comment(text, finding.code)
    if suppressed != text:
        edit = types.TextEdit(
            range=document.range_to_client(Range(Position(line, 0), Position(line, len(text))), ls.encoding),
            new_text=suppressed,
        )
        actions.append(
            types.CodeAction(
                title=f"Suppress {finding.code} on this line",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=convert.workspace_edit({document.uri: (document, [edit])}, ls.edit_support()),
            )
        )
    return actions


def _fix_edit(ls: RaylintServer, document: Document, fix) -> types.WorkspaceEdit:
    """A fix's edits, across every file it touches (its callers), in the client's terms."""
    by_uri: dict[str, tuple[Document, list[types.TextEdit]]] = {}
    for path in sorted({e.path for e in fix.edits}):
        target = document if path == document.path else ls.document_at(path)
        if target is None:
            continue
        edits = [e for e in fix.edits if e.path == path]
        by_uri[target.uri] = (target, convert.text_edits(edits, target, ls.encoding))
    return convert.workspace_edit(by_uri, ls.edit_support(), review=fix.unsafe_reason)


def _fix_all_action(document: Document) -> types.CodeAction:
    return types.CodeAction(
        title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, data={"uri": document.uri, "version": document.version, "all": True}
    )


def _fix_all_edit(
    worker: Worker, document: Document, settings: Settings, support: convert.EditSupport, encoding: str
) -> types.WorkspaceEdit:
    """(worker) The edit of *Fix all* for a snapshot of the document (see `_snapshot`)."""
    by_uri = {}
    for path, text in worker.fix_all(document, settings).items():
        same = path in (document.path, os.path.abspath(document.path))
        target = document if same else worker.document(path)
        if target is not None:
            by_uri[target.uri] = (target, convert.whole_text_edit(target, text, encoding))
    return convert.workspace_edit(by_uri, support)


def _snapshot(document: Document) -> Document:
    """A copy of the document for the worker: the loop goes on editing the original."""
    return Document(document.uri, document.language_id, document.version, document.text)
