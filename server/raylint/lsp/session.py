"""What the session keeps about each open document: one record, dropped at its close.

The records are the event loop's (the worker keeps its own, `worker.WorkerDocument`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from raylint.core import Analysis
from raylint.lsp.documents import Document
from raylint.settings import Settings


@dataclass
class Cached:
    """An analysis of one version of a document, with some settings."""

    version: int
    settings: Settings
    analysis: Analysis
    callers: Analysis | None = None  # the same findings, their fixes with call sites
    callers_generation: int = -1  # the workspace generation the call sites were found in
    # the rules whose findings are provisional (carried over while typing: see
    # `DocumentAnalyzer.analyze`); empty once the analysis is complete
    pending: frozenset[str] = frozenset()


@dataclass(eq=False)
class Running:
    """An analysis running on the worker: of this text, with these settings."""

    text: str
    settings: Settings
    future: asyncio.Future
    complete: bool = True  # asked for a complete analysis (not a provisional one)
    interruptible: bool = False  # may give up when an edit comes (and stay provisional)

    def serves(self, complete: bool, interruptible: bool) -> bool:
        """Does its result do for a request for (complete, interruptible)?"""
        return (self.complete or not complete) and (not self.interruptible or not complete or interruptible)


@dataclass(eq=False)
class Search:
    """A call-site search in progress for one analysis of a document."""

    record: OpenDocument
    cached: Cached
    generation: int  # the workspace generation it started in
    task: asyncio.Future | None = None
    needed: int = 0  # requests waiting for it: it goes on even if the workspace moves on


@dataclass(eq=False)
class OpenDocument:
    """(loop) One open document and all the session keeps about it."""

    document: Document  # its text as the client edits it (pygls keeps none: see protocol.py)
    own_edits: int = 0  # the part of the workspace generation that is this document's own edits
    result: Cached | None = None  # its last analysis
    analyzing: Running | None = None  # its analysis running, joined by whoever asks meanwhile
    published: tuple | None = None  # (version, settings, a digest of the diagnostics' JSON) last pushed
    # the JSON of each finding last pushed, by id (with the finding, and the encoding and
    # severity it was converted with): see `RaylintServer.diagnostics_json`
    converted: tuple[tuple, dict] = ((), {})
    pulled: tuple | None = None  # (version, diagnostics) last pulled
    pending: asyncio.Task | None = None  # its publish, waiting for the debounce
    search: Search | None = None  # its call-site search running
    searching_later: asyncio.Task | None = None  # its background search, waiting for a pause
    completing: asyncio.Task | None = None  # its provisional analysis, completed at a pause

    @property
    def uri(self) -> str:
        return self.document.uri

    def current(self) -> Analysis | None:
        """The analysis of the document as it is now, if there is one."""
        cached = self.result
        return cached.analysis if cached and cached.version == self.document.version else None

    def cancel(self) -> None:
        """Closed (or the server stops): what waits to run for it does not."""
        for task in (self.pending, self.searching_later, self.completing):
            if task is not None:
                task.cancel()
        self.pending = self.searching_later = self.completing = None
