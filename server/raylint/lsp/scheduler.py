"""What runs when: the debounce of each document's publish, its analysis on the worker, and
the background search of its fixes' call sites.

While a document is typed in, a keystroke publishes a provisional analysis (the rules that
read the whole module are not run again: their findings are carried over, without those the
edit touched) and the analysis is completed once the edits pause (`complete_later`, giving up
when an edit comes), then published again: a quiet document always shows a complete analysis.

Analysis runs on the one worker thread (worker.py); its results are cached in the document's
record per version and settings, and an analysis running is joined by whoever asks for the
same text and settings meanwhile (a publish, a pull and code actions asking at once).

The call sites of a document's fixes are searched across the workspace after its
diagnostics are out, once the edits pause, in slices of a few milliseconds on the same
worker: an edit, an analysis or a code action never waits for more than one slice, and a
search whose document or workspace has moved on is dropped between slices.

(the event loop's: the worker is only ever given values)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Coroutine, Iterator

from raylint.core import Analysis, CallerChange, CallerSearch
from raylint.discovery import Excludes
from raylint.lsp.documents import Document, uri_to_path
from raylint.lsp.session import Cached, OpenDocument, Running, Search
from raylint.lsp.worker import Worker
from raylint.settings import Settings

if TYPE_CHECKING:
    from raylint.lsp.server import RaylintServer

SEARCH_DELAY = 0.25  # seconds without edits before call sites are searched in the background
# seconds without edits before a provisional analysis (typing) is completed in the background
COMPLETE_DELAY = 0.15
SEARCH_SLICE = 0.004  # seconds of search per turn on the worker
COLLECT_DELAY = 2.0  # seconds without edits before the worker frees the trees it let go


class Scheduler:
    def __init__(self, session: RaylintServer) -> None:
        self.session = session
        self.worker = Worker(session.log_error)
        self.generation = 0  # counts edits anywhere in the workspace: call sites may have moved
        self.configured: asyncio.Event | None = None  # set once the editor's settings are in
        self.collecting: asyncio.Task | None = None  # waits for a pause to free memory
        self.background_search = asyncio.Semaphore(1)  # (see _search_later)
        # call-site searches: how many run now, the most that ever ran at once, how many ran
        # (told to the tests, which cannot poll fast enough to see a short search run)
        self.searches = {"running": 0, "most": 0, "run": 0}

    # -- events -------------------------------------------------------------------------------

    def opened(self, record: OpenDocument) -> None:
        self.generation += 1
        self.worker.opened(record.document)
        self.worker.files_appeared()  # the editor may just have created it
        self.publish_later(record, 0)

    def changed(self, record: OpenDocument) -> None:
        self.worker.opened(record.document)
        self.generation += 1
        record.own_edits += 1
        self.publish_later(record)

    def closed(self, record: OpenDocument) -> None:
        self.worker.closed(record.document)
        self.generation += 1
        record.cancel()
        self.collect_later()

    def files_may_have_appeared(self) -> None:
        """A file was saved or changed on disk: call sites may have moved, and a module not
        found before may exist now."""
        self.generation += 1
        self.worker.files_appeared()  # (the worker owns the index and the file list)

    async def stop(self) -> None:
        for record in self.session.records.values():
            record.cancel()
        self.worker.shutdown()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    # -- analysis -----------------------------------------------------------------------------

    async def wait_for_settings(self) -> None:
        """Hold the first analyses until the editor's settings arrive (2 s at most)."""
        if self.configured is not None and not self.configured.is_set():
            try:
                await asyncio.wait_for(self.configured.wait(), timeout=2)
            except asyncio.TimeoutError:
                self.configured.set()

    async def analysis(
        self, record: OpenDocument, complete: bool = True, interruptible: bool = False
    ) -> tuple[Analysis, Settings]:
        """The analysis of the document as it is now (cached per version and settings).

        While the document is typed in, `complete=False` may give a provisional analysis
        (`Cached.pending`: the findings of the rules that read the whole module carried over
        from the last complete one, without those the edits touched): what a keystroke
        publishes. `interruptible`: completing it gives up when an edit comes (then the
        result is still provisional)."""
        await self.wait_for_settings()
        document = record.document
        settings = self.session.settings_for(document)
        cached = record.result
        if cached and cached.version == document.version and cached.settings == settings:
            if not (complete and cached.pending):
                return cached.analysis, settings
        pending: frozenset[str] = frozenset()
        if not wanted(document, settings):
            result = Analysis(document.path)
        else:
            text, version = document.text, document.version
            # one analysis per text and settings: a publish, a pull and code actions asking at
            # once (or a run cancelled and started again) wait for the same one
            running = record.analyzing
            if (
                running is None
                or running.text is not text
                or running.settings != settings
                or not running.serves(complete, interruptible)
            ):
                # what else the analysis reads (other documents, files): unchanged while only
                # this document is edited, which lets its analyzer re-check just the edited part
                context = self.generation - record.own_edits
                worker = self.worker
                future = worker.run(
                    worker.analyze, text, document.uri, document.path, settings, context, complete, interruptible
                )
                running = record.analyzing = Running(text, settings, future, complete, interruptible)
                future.add_done_callback(lambda _, mine=running: _analyzed(record, mine))
            result, texts, pending = await asyncio.shield(running.future)
            self.session.texts.update(texts)
            if version != document.version or text is not document.text:  # edited meanwhile: stale
                return result, settings
        cached = record.result
        if not (
            cached
            and cached.analysis is result
            and cached.version == document.version
            and cached.settings == settings
            and cached.pending == pending
        ):
            record.result = Cached(document.version, settings, result, pending=pending)
        return result, settings

    def collect_later(self) -> None:
        """Have the worker free the trees it let go once the edits pause (see worker.py)."""
        if self.collecting is None:
            in_background(self, "collecting", self._collect_later(), "freeing memory", self.session.log_error)

    async def _collect_later(self) -> None:
        while True:
            edits = self.worker.edits
            await asyncio.sleep(COLLECT_DELAY)
            if self.worker.edits == edits:
                await self.worker.run(self.worker.collect, True)
                return

    # -- call sites ---------------------------------------------------------------------------

    async def with_callers(self, record: OpenDocument) -> Analysis | None:
        """The document's findings with the call sites of each fix (None if it moved on)."""
        analysis, settings = await self.analysis(record)
        cached = record.result
        if cached is None or cached.analysis is not analysis:
            return None
        if cached.callers is not None and cached.callers_generation == self.generation:
            return cached.callers
        search = self._search_for(record, cached)
        search.needed += 1
        try:
            return await asyncio.shield(search.task)
        finally:
            search.needed -= 1

    def _search_for(self, record: OpenDocument, cached: Cached) -> Search:
        """The search of this analysis in this workspace generation: joined if it runs."""
        search = record.search
        if search is None or search.cached is not cached or search.generation != self.generation or search.task.done():
            search = Search(record, cached, self.generation)
            record.search = search  # an older one stops at its next slice
            search.task = asyncio.ensure_future(self._search(search))
        return search

    def _search_stale(self, search: Search) -> bool:
        record, cached = search.record, search.cached
        if self.session.records.get(record.uri) is not record or record.result is not cached:
            return True  # closed, edited or re-analysed: these findings are gone
        if record.document.version != cached.version:
            return True
        # A moved workspace makes the result stale, not wrong: finish it for a request waiting
        return not search.needed and (search.generation != self.generation or record.search is not search)

    async def _search(self, search: Search) -> Analysis | None:
        """Search call sites a slice at a time; None if dropped because things moved on."""
        cached, worker = search.cached, self.worker
        analysis, settings = cached.analysis, cached.settings
        counts = self.searches
        counts["running"] += 1
        counts["run"] += 1
        counts["most"] = max(counts["most"], counts["running"])
        worker.submit(worker.search_started)
        try:
            path = uri_to_path(search.record.document.uri)
            search_in, unlisted = await worker.run(worker.caller_search, settings, path)
            found: list = []
            steps = _search_steps(search_in, analysis, found)
            while not self._search_stale(search):
                if await worker.run(_run_slice, steps, SEARCH_SLICE):
                    break
            else:
                return None
            callers = Analysis(analysis.path, found, analysis.problems)
            if unlisted:
                more = f" and {len(unlisted) - 1} more" if len(unlisted) > 1 else ""
                callers = unsearched(callers, f"the workspace could not all be listed ({unlisted[0]}{more})")
            self.session.texts.update(await worker.run(worker.texts_for, callers))
        except Exception as error:  # a bug must cost the call sites, not the findings
            self.session.log_error("finding call sites", error)
            callers = unsearched(
                Analysis(analysis.path, analysis.findings, analysis.problems),
                f"the search for call sites failed ({type(error).__name__})",
            )
        finally:
            counts["running"] -= 1
            with contextlib.suppress(RuntimeError):  # (the worker is shut down: nothing to trim)
                worker.submit(worker.search_ended)  # (queued behind the search's last slice)
            if search.record.search is search:
                search.record.search = None
        cached.callers, cached.callers_generation = callers, search.generation
        self.session.show_callers(search.record, cached)
        self.collect_later()  # (the trees it read may be garbage now)
        return callers

    def search_later(self, record: OpenDocument, cached: Cached) -> None:
        """Search the call sites of the document's fixes once the edits pause, then show them
        (replaces an earlier background search of the document)."""
        if record.searching_later is not None:
            record.searching_later.cancel()
            record.searching_later = None
        if any(f.fixes for f in cached.analysis.findings):
            work, what = self._search_later(record, cached), f"finding call sites for {record.uri}"
            in_background(record, "searching_later", work, what, self.session.log_error)

    async def _search_later(self, record: OpenDocument, cached: Cached) -> None:
        while True:
            generation = self.generation
            await asyncio.sleep(SEARCH_DELAY)
            # One background search at a time: each holds the trees of the modules it goes
            # through until it ends (100 documents opened at once: 100 searches, every
            # tree of theirs held at once if they took turns).
            async with self.background_search:
                if record.result is not cached or record.document.version != cached.version:
                    return  # edited: the next analysis searches again
                if self.generation != generation:
                    continue  # typing in another document: a search now would be dropped at its next key
                if cached.callers is not None and cached.callers_generation == self.generation:
                    return  # found already (and shown)
                if await asyncio.shield(self._search_for(record, cached).task) is not None:
                    return
            # dropped because the workspace moved on: try again at the next pause

    # -- publishing ---------------------------------------------------------------------------

    def publish_later(self, record: OpenDocument, delay_ms: int | None = None) -> None:
        """Publish diagnostics for the document after `delay_ms` (the debounce), replacing any
        earlier pending run for it."""
        if self.session.pull_diagnostics:
            return
        if delay_ms is None:
            delay_ms = self.session.settings_for(record.document).debounce
        in_background(record, "pending", self._publish_later(record, delay_ms), f"checking {record.uri}", self.session.log_error)

    async def _publish_later(self, record: OpenDocument, delay_ms: int) -> None:
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        analysis, settings = await self.analysis(record, complete=False)
        if self.session.records.get(record.uri) is not record or analysis is not record.current():
            return  # closed, or changed while we worked: a newer run will publish
        cached = record.result
        self.session.publish_new(record, cached.callers or analysis, settings)
        self.collect_later()
        if cached.pending:  # typing: the rest of the analysis once the edits pause
            self.complete_later(record)
        else:  # call sites take longer: the diagnostics go out first, the review list after
            self.search_later(record, cached)


    def complete_later(self, record: OpenDocument) -> None:
        """Complete the document's provisional analysis once the edits pause (on the worker,
        giving up when an edit comes), then show it and search its call sites."""
        in_background(record, "completing", self._complete_later(record), f"checking {record.uri}", self.session.log_error)

    async def _complete_later(self, record: OpenDocument) -> None:
        while True:
            edits = self.worker.edits
            await asyncio.sleep(COMPLETE_DELAY)
            cached = record.result
            if self.session.records.get(record.uri) is not record or cached is None:
                return  # closed
            if cached.version != record.document.version:
                return  # edited: its publish completes it later
            if cached.pending:  # (a code action may have completed it meanwhile)
                if self.worker.edits != edits:
                    continue  # typing in another document: wait for the pause
                await self.analysis(record, complete=True, interruptible=True)
                cached = record.result
                if self.session.records.get(record.uri) is not record or cached is None:
                    return
                if cached.version != record.document.version:
                    return  # changed while we worked: a newer run completes it
                if cached.pending:
                    continue  # given up for an edit elsewhere: at the next pause
            analysis, settings = cached.analysis, cached.settings
            if not self.session.pull_diagnostics:
                self.session.publish_new(record, cached.callers or analysis, settings)
            elif self.session.supports("workspace.diagnostics.refresh_support"):
                self.session.workspace_diagnostic_refresh(None)
            self.search_later(record, cached)
            return


def in_background(owner: object, slot: str, work: Coroutine, what: str, log_error) -> asyncio.Task:
    """Run `work` as `owner.<slot>`, cancelling the task there: cancelled, it ends quietly; an
    error is logged as `what` (the server goes on); the slot is emptied when it ends."""
    previous = getattr(owner, slot)
    if previous is not None:
        previous.cancel()
    task = asyncio.ensure_future(work)

    def ended(task: asyncio.Task) -> None:
        if getattr(owner, slot) is task:
            setattr(owner, slot, None)
        if not task.cancelled() and task.exception() is not None:
            log_error(what, task.exception())

    task.add_done_callback(ended)
    setattr(owner, slot, task)
    return task


def _analyzed(record: OpenDocument, running: Running) -> None:
    if record.analyzing is running:
        record.analyzing = None


def wanted(document: Document, settings: Settings) -> bool:
    if not settings.enable or not document.is_python:
        return False
    path = uri_to_path(document.uri)
    return not (path and Excludes(settings.exclude, settings.root)(path))


def _search_steps(search: CallerSearch, analysis: Analysis, found: list) -> Iterator[None]:
    yield from search.steps(analysis.findings)
    for finding in analysis.findings:
        found.append(search.with_callers(finding))
        yield


def _run_slice(steps: Iterator[None], budget: float) -> bool:
    """Advance a search for about `budget` seconds (on the worker); True once it is done."""
    deadline = time.perf_counter() + budget
    for _ in steps:
        if time.perf_counter() >= deadline:
            return False
    return True


def unsearched(analysis: Analysis, why: str) -> Analysis:
    """The analysis with every fix that changes what callers get unsafe: its call sites were
    not all searched (`why`), so a caller may be left expecting what the task returned before.
    Fixes that change no caller (a hoisted definition) stay as they are."""
    reason = f"{why}: call sites there cannot be updated"
    findings = [
        replace(
            finding,
            fixes=tuple(
                fix
                if fix.callers is CallerChange.NONE
                else replace(
                    fix,
                    title=f"{fix.title} (call sites not all searched)",
                    unsafe_reason=f"{fix.unsafe_reason}; {reason}" if fix.unsafe_reason else reason,
                )
                for fix in finding.fixes
            ),
        )
        for finding in analysis.findings
    ]
    return Analysis(analysis.path, findings, analysis.problems)
