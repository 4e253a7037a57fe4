"""The analysis worker: one thread (jedi is not thread-safe, and the message loop must never
wait on it) and everything it owns.

The worker owns what analysis reads: the module index, the list of workspace files, jedi's
resolvers, and one `WorkerDocument` per open document (its text as the last job sent it, its
analyzer, whether it is being typed in). The loop keeps these in step with jobs it submits
with each open, change and close (`opened`, `closed`): the worker runs jobs in order, so an
analysis submitted after an edit sees it. Only values cross: the texts the jobs carry are the
loop's own immutable strings (shared, not copied), and results come back as values.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from raylint.core import Analysis, CallerSearch, ExternalResolver, ModuleIndex, fix_workspace
from raylint.core.callers import EXCLUDED
from raylint.core.incremental import DocumentAnalyzer
from raylint.core.names import disk_stamp, read_disk
from raylint.discovery import MAX_PYTHON_FILE, Excludes, python_files, read_regular_file
from raylint.lsp.documents import Document, uri_to_path
from raylint.settings import Settings

TEST_HOOKS = os.environ.get("RAYLINT_TEST_HOOKS") == "1"
THREAD_NAME = "raylint-analysis"

# What is kept of a document's last analysis (its tree, scopes and findings: 3 to 4.5 KB a
# line) lets its next edit re-check just the edited statement (`DocumentAnalyzer`). It is kept
# for the documents opened or edited last, the first keystroke after an open included: at most
# KEPT_DOCUMENTS of them and KEPT_LINES lines in all (the latest one whatever its size).
KEPT_DOCUMENTS = 3
KEPT_LINES = 12_000
# The trees of other modules the index keeps (imports followed, call sites searched), least
# recently used dropped: parsed again when needed.
INDEX_LINES = 5_000
# While a call-site search runs, the trees it reads stay, up to SEARCH_LINES beyond the budget
# (~1.7 KB a line; the other trees go first): it walks the same modules once for each task it
# searches (their importers), and with the trees of those dropped between two tasks each walk
# parsed them again (12 importers of 1,000 lines and 100 tasks: a search of minutes, not a
# second). Past it, the least recently used go as before.
SEARCH_LINES = 20_000
# Trees hold reference cycles (a module and its scopes), and the server runs with the cycle
# collector's thresholds raised (cli.py): the worker frees the trees it lets go itself. A tree
# all in the young generations (no collection has moved survivors to the oldest since it was
# made) goes with a cheap collection of those (it looks at what was made since the last one),
# done before the next full analysis, at a pause, or at once when YOUNG_AT_ONCE lines of them
# wait (call-site searches go through many modules). An old one needs a full collection (~1 us
# per live object): done at a pause once OLD_AT_PAUSE lines of such trees wait, or at once
# when OLD_AT_ONCE do.
YOUNG_AT_ONCE = 2_000
OLD_AT_PAUSE = 5_000
OLD_AT_ONCE = 5_000
# The trees of documents closed wait for a pause (freeing one of 10,000 lines can take most of
# a second: the next open would wait for it) unless DROPPED_AT_ONCE lines of them do.
DROPPED_AT_ONCE = 30_000


def promotions() -> int:
    """How many collections have moved their survivors to the oldest generation so far."""
    stats = gc.get_stats()
    return stats[1]["collections"] + stats[2]["collections"]


@dataclass(eq=False)
class WorkerDocument:
    """(worker) What the analysis keeps of one open document; its close drops it."""

    uri: str
    version: int
    text: str
    analyzer: tuple[Settings, DocumentAnalyzer] | None = None
    touched: int = 0  # when it was last opened or edited (the latest ones keep their trees)
    lines: int = 0
    kept_lines: int = 0  # the size of the tree its analyzer keeps (0: none)
    kept_since: int = 0  # `promotions()` when that tree was made


class WorkspaceIndex(ModuleIndex):
    """The server's module index: parsed modules are kept up to `budget` lines in all, the
    least recently used dropped (parsed again when asked for); their texts stay (a tree costs
    ~50 times its text). `dropped(lines, since)` is told of each tree let go, and when it was
    made (`promotions()`)."""

    def __init__(self, roots: list[str], *, budget: int, dropped: Callable[[int, int], None], **options) -> None:
        super().__init__(roots, **options)
        self.budget = budget
        self.dropped = dropped
        # path: (id of its module, lines, when it was parsed), least recently used first
        self._recent: OrderedDict[str, tuple[int, int, int]] = OrderedDict()
        self.lines = 0  # of the trees kept
        # while a search runs: the modules it read, kept up to `held` lines beyond the budget
        self.reading: set[str] = set()
        self.held = 0
        self.parsed = 0  # trees made (for tests: a search parses each module it reads once)

    def module(self, path: str):
        info = super().module(path)
        key = os.path.abspath(path)
        known = self._recent.pop(key, None)
        if known is not None:
            self.lines -= known[1]
            if info is None or known[0] != id(info):  # parsed again: the file changed
                self.dropped(known[1], known[2])
                known = None
        if info is not None:
            if self.held:
                self.reading.add(key)
            if known is None:
                known = (id(info), info.source.line_count, promotions())
                self.parsed += 1
            self._recent[key] = known
            self.lines += known[1]
            self.trim()
        return info

    def trim(self) -> None:
        """Drop the trees used longest ago while more than `budget` lines are kept (the
        latest one stays whatever its size); those a running search read go last, and only
        past `held` lines more."""
        recent = self._recent
        while self.lines > self.budget and len(recent) > 1:
            older = itertools.islice(recent, len(recent) - 1)
            victim = next((path for path in older if path not in self.reading), None) if self.reading else next(iter(recent))
            if victim is None:
                if self.lines <= self.budget + self.held:
                    return
                victim = next(iter(recent))
            _, size, since = recent.pop(victim)
            self.lines -= size
            self._modules.pop(victim, None)  # (ModuleIndex's cache of trees; its texts stay)
            self.dropped(size, since)

    def hold(self, lines: int) -> None:
        """Keep the trees read from now on up to `lines` beyond the budget (0: stop, and trim)."""
        self.held = lines
        if not lines:
            self.reading = set()
            self.trim()

    def forget(self, path: str) -> None:
        known = self._recent.pop(os.path.abspath(path), None)
        if known is not None:
            self.lines -= known[1]
            self.dropped(known[1], known[2])
        super().forget(path)

    def trees(self) -> list[tuple[int, int]]:
        """(lines, when parsed) of each tree kept."""
        return [(lines, since) for _, lines, since in self._recent.values()]


class WorkerDict(dict):
    """(RAYLINT_TEST_HOOKS) A dict of the worker's that notes any use on another thread."""

    def __init__(self, worker: Worker, name: str) -> None:
        super().__init__()
        self.worker, self.name = worker, name

    def _check(self) -> None:
        self.worker.owned(self.name)

    def __getitem__(self, key):
        self._check()
        return super().__getitem__(key)

    def __setitem__(self, key, value):
        self._check()
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self._check()
        super().__delitem__(key)

    def __contains__(self, key):
        self._check()
        return super().__contains__(key)

    def get(self, *args):
        self._check()
        return super().get(*args)

    def pop(self, *args):
        self._check()
        return super().pop(*args)

    def values(self):
        self._check()
        return super().values()


class Worker:
    def __init__(self, log_error: Callable[[str, BaseException], None]) -> None:
        self.log_error = log_error
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        self.ownership_errors: list[str] = []  # (RAYLINT_TEST_HOOKS) its state used elsewhere
        # -- the worker thread's --
        self.documents: dict[str, WorkerDocument] = WorkerDict(self, "documents") if TEST_HOOKS else {}  # by path
        self.roots: tuple[str, ...] = ()  # the workspace folders, as the loop last sent them
        self._index: ModuleIndex | None = None
        self._searches = 0  # call-site searches running (see SEARCH_LINES)
        self._files: tuple[float, list[str], tuple] = (0.0, [], ())  # when, files, errors
        self._externals: dict[str | None, ExternalResolver] = {}
        self._touches = 0  # counts opens and edits (`WorkerDocument.touched`)
        self._young_garbage = 0  # lines of trees let go, all in the young generations
        self._old_garbage = 0  # ...and of those partly in the oldest
        self._dropped: list[tuple[int, int]] = []  # (lines, since) of documents' trees let go
        self.collections = 0  # (for tests) how many times the worker collected them
        self._raw: dict[str, tuple[object, str | None]] = {}  # files' texts on disk, by stamp (notebook_runners)
        # counts the edits the loop has sent (written by the loop, read by the worker): an
        # analysis completed in the background gives up when one comes
        self.edits = 0

    # -- for the loop: jobs, run in order -----------------------------------------------------

    def submit(self, function: Callable, *args) -> Future:
        return self.executor.submit(function, *args)

    def run(self, function: Callable, *args) -> asyncio.Future:
        """`function(*args)` on the worker, awaitable on the loop."""
        return asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    def opened(self, document: Document) -> None:
        """The document was opened or edited: its text as of now."""
        self.edits += 1
        self.submit(self._set_open, document.path, document.uri, document.version, document.text)

    def closed(self, document: Document) -> None:
        self.submit(self._set_closed, document.path, document.uri)

    def set_roots(self, roots: list[str]) -> None:
        self.submit(self._set_roots, tuple(roots))

    def files_appeared(self) -> None:
        """Files may have appeared or gone: list again, look for modules again."""
        self.submit(self._files_appeared)

    def shutdown(self) -> None:
        # an analysis running on the worker finishes on its own; nothing waits for its result
        logging.getLogger("concurrent.futures").setLevel(logging.CRITICAL)
        self.executor.shutdown(wait=False, cancel_futures=True)

    def join(self, timeout: float) -> bool:
        """Wait up to `timeout` for the thread to end; whether it did."""
        threads = list(getattr(self.executor, "_threads", ()))
        for thread in threads:
            thread.join(timeout=timeout)
        return not any(thread.is_alive() for thread in threads)

    def owned(self, what: str) -> None:
        """With RAYLINT_TEST_HOOKS=1, note a use of the worker's state on another thread."""
        if TEST_HOOKS and not threading.current_thread().name.startswith(THREAD_NAME):
            self.ownership_errors.append(f"{what} on {threading.current_thread().name}")

    # -- the worker thread's ------------------------------------------------------------------

    def _set_open(self, path: str, uri: str, version: int, text: str) -> None:
        known = self.documents.get(path)
        if known is not None and known.uri == uri:  # an edit: the analyzer stays
            known.version, known.text = version, text
        else:
            if known is not None:
                self._drop_tree(known)
            known = self.documents[path] = WorkerDocument(uri, version, text)
        self._touches += 1
        known.touched = self._touches
        known.lines = text.count("\n") + 1

    def _set_closed(self, path: str, uri: str) -> None:
        known = self.documents.get(path)
        if known is not None and known.uri == uri:  # (not another URI open for the same file)
            self._drop_tree(known, closed=True)
            del self.documents[path]

    def _set_roots(self, roots: tuple[str, ...]) -> None:
        """New workspace folders: modules are looked up, and files listed, in these (the index
        and the open documents' analyzers were made for the old ones)."""
        if roots == self.roots:
            return
        self.roots = roots
        if self._index is not None:
            for lines, since in self._index.trees():
                self._let_go(lines, since)
        self._index = None
        self._files = (0.0, [], ())
        for document in self.documents.values():
            self._drop_tree(document)
            document.analyzer = None

    def _files_appeared(self) -> None:
        self._files = (0.0, [], ())
        if self._index is not None:
            self._index.files_appeared()

    @property
    def index(self) -> ModuleIndex:
        """One index for the session: modules are parsed again only when they change."""
        self.owned("index")
        if self._index is None:
            self._index = WorkspaceIndex(
                list(self.roots), budget=INDEX_LINES, dropped=self._let_go, read=self.read, stamp=self._stamp
            )
            if self._searches:
                self._index.hold(SEARCH_LINES)
        return self._index

    def search_started(self) -> None:
        """A call-site search starts: the index keeps the trees it reads until every search ends."""
        self._searches += 1
        self.index.hold(SEARCH_LINES)

    def search_ended(self) -> None:
        self._searches -= 1
        if self._index is not None and not self._searches:
            self._index.hold(0)

    def read(self, path: str) -> str | None:
        """Workspace modules as the user sees them: unsaved text of open documents first."""
        opened = self.documents.get(path)
        return opened.text if opened is not None else read_disk(path)

    def _stamp(self, path: str):
        opened = self.documents.get(path)
        return ("open", opened.version, id(opened.text)) if opened is not None else disk_stamp(path)

    # -- memory: which trees are kept, and collecting those let go ----------------------------

    def _let_go(self, lines: int, since: int) -> None:
        """A tree of `lines` lines made at `since` (`promotions()`) is garbage now."""
        self._count(lines, since)
        if self._young_garbage >= YOUNG_AT_ONCE or self._old_garbage >= OLD_AT_ONCE:
            self.collect()

    def _count(self, lines: int, since: int) -> None:
        if promotions() == since:
            self._young_garbage += lines
        else:
            self._old_garbage += lines

    def _drop_tree(self, document: WorkerDocument, closed: bool = False) -> None:
        """Forget the tree the document's analyzer keeps (its next analysis is a full one)."""
        if document.analyzer is not None and document.kept_lines:
            document.analyzer[1].forget()
            if not closed:
                self._let_go(document.kept_lines, document.kept_since)
            else:
                self._dropped.append((document.kept_lines, document.kept_since))
                if sum(lines for lines, _ in self._dropped) >= DROPPED_AT_ONCE:
                    self.collect(pause=True)
        document.kept_lines = 0

    def _retained(self) -> set[int]:
        """The documents (by id) whose trees are kept: the latest opened or edited, within
        KEPT_DOCUMENTS and KEPT_LINES (the latest one whatever its size)."""
        kept: set[int] = set()
        lines = 0
        for document in sorted(self.documents.values(), key=lambda d: d.touched, reverse=True):
            if len(kept) == KEPT_DOCUMENTS:
                break
            if kept and lines + document.lines > KEPT_LINES:
                continue
            kept.add(id(document))
            lines += document.lines
        return kept

    def retention(self) -> dict[str, Any]:
        """(for tests) What is kept: per open document (by URI) whether its tree is, and how
        many analyses were full or re-checked just an edit; the index's trees; collections."""
        documents = {}
        for document in self.documents.values():
            analyzer = document.analyzer[1] if document.analyzer is not None else None
            documents[document.uri] = {
                "kept": bool(analyzer and analyzer.kept),
                "full": analyzer.full if analyzer else 0,
                "reused": analyzer.reused if analyzer else 0,
            }
        index_lines = self._index.lines if self._index is not None else 0
        index_parsed = self._index.parsed if self._index is not None else 0
        return {"documents": documents, "index_lines": index_lines, "index_parsed": index_parsed, "collections": self.collections}

    def collect(self, pause: bool = False, full_analysis: bool = False) -> None:
        """Free the trees let go (see YOUNG_AT_ONCE): at a pause in the edits (`pause`),
        before a full analysis, or whenever many wait."""
        if pause:
            dropped, self._dropped = self._dropped, []
            for lines, since in dropped:
                self._count(lines, since)
        if self._old_garbage >= (OLD_AT_PAUSE if pause else OLD_AT_ONCE):
            self._old_garbage = self._young_garbage = 0
            self.collections += 1
            gc.collect()
        elif self._young_garbage and (pause or full_analysis or self._young_garbage >= YOUNG_AT_ONCE):
            self._young_garbage = 0
            self.collections += 1
            gc.collect(1)

    def document(self, path: str) -> Document | None:
        """A file as the analysis read it: the open document's text, or the index's."""
        opened = self.documents.get(path)
        if opened is not None:
            return Document(opened.uri, "python", opened.version, opened.text)
        text = self.index.text(path)
        return None if text is None else Document(Path(path).as_uri(), "python", None, text)

    def texts_for(self, analysis: Analysis) -> dict[str, str]:
        """The texts of the closed files an analysis points into (for the loop to convert
        positions in them: the loop never touches the index)."""
        paths = {r.path for f in analysis.findings for r in f.related}
        paths |= {e.path for f in analysis.findings for fix in f.fixes for e in fix.edits}
        texts = {}
        for path in paths - {analysis.path}:
            if path in self.documents:
                continue
            text = self.index.text(path)
            if text is not None:
                texts[path] = text
        return texts

    def workspace_files(self, settings: Settings) -> tuple[list[str], tuple[str, ...]]:
        """The workspace's Python files, where callers are searched (listed every 10 s at
        most), and what kept some from being listed (then a search is incomplete). Excluded
        files are listed too: their call sites are reviewed, not edited."""
        listed_at, files, errors = self._files
        if time.monotonic() - listed_at > 10:
            problems: list[tuple[str, str]] = []
            listed: list[str] = []
            try:
                for path in python_files(list(self.roots), Excludes((), settings.root), problems, scripts=True):
                    listed.append(os.path.abspath(path))
            except Exception as error:  # the listing broke off: what was listed is searched
                problems.append((", ".join(self.roots), f"{type(error).__name__}: {error}"))
            files = sorted(set(listed))
            errors = tuple(f"{path}: {message}" for path, message in problems)
            self._files = (time.monotonic(), files, errors)
            self.index.files_appeared()
        return files, errors

    def caller_search(self, settings: Settings, path: str | None = None) -> tuple[CallerSearch, tuple[str, ...]]:
        """A call-site search over the workspace for the document at `path`, and why it is
        incomplete, if it is (also when the document is outside every workspace folder: its
        callers may be anywhere)."""
        if path and path.endswith(".ipynb") and self.covers(path):
            # a notebook's tasks are called only from its own cells (see `notebook_runners`)
            return CallerSearch([os.path.abspath(path)], self.index, {}, settings.library), self.notebook_runners(path, settings)
        files, errors = self.workspace_files(settings)
        excluded = excluded_files(settings, files)
        if not self.covers(path):
            errors = (*errors, f"{path or 'the document'} is in no workspace folder")
        return CallerSearch(files, self.index, excluded, settings.library), errors

    def notebook_runners(self, path: str, settings: Settings) -> tuple[str, ...]:
        """Why the cells of the notebook at `path` may not be all its tasks' callers: no module
        can import a notebook (`import` finds `.py` files), but `%run nb.ipynb` runs it in another
        notebook's namespace and an import hook (import_ipynb, nbimporter) makes `import nb` load
        it. Each workspace file with a `%run`, `import` or `from` line that names the notebook
        may call its tasks unseen (and a workspace not all listed may hold one)."""
        files, errors = self.workspace_files(settings)
        stem = Path(path).stem
        pattern = re.compile(rf"(?:%run|\bimport|\bfrom)\b[^\n]*(?<![\w]){re.escape(stem)}(?!\w)")
        own = os.path.abspath(path)
        found = []
        for other in files:
            if os.path.abspath(other) == own:
                continue
            # (a notebook's `%run` lines are masked in its module: its JSON has them)
            text = self._raw_text(other) if other.endswith(".ipynb") else self.index.text(other)
            if text is not None and stem in text and pattern.search(text):
                found.append(f"{other} may run or import this notebook")
        return (*errors, *found)

    def _raw_text(self, path: str) -> str | None:
        """A file's text as it is on disk (a notebook's JSON), read again when its stamp changes."""
        stamp = disk_stamp(path)
        cached = self._raw.get(path)
        if cached is None or cached[0] != stamp:
            try:
                text = read_regular_file(path, MAX_PYTHON_FILE).decode("utf-8", errors="replace")
            except (OSError, ValueError):
                text = None
            cached = self._raw[path] = (stamp, text)
        return cached[1]

    def covers(self, path: str | None) -> bool:
        """Is the file at `path` inside a workspace folder (where its callers are searched)?"""
        if not path:
            return False
        real = os.path.realpath(path)
        roots = [os.path.realpath(root) for root in self.roots]
        return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)

    def _options(self, settings: Settings) -> dict[str, Any]:
        if settings.python not in self._externals:
            self._externals[settings.python] = ExternalResolver(settings.python)
        return {"index": self.index, "externals": self._externals[settings.python]}

    def analyze(
        self,
        text: str,
        uri: str,
        path: str,
        settings: Settings,
        context: int,
        complete: bool = True,
        interruptible: bool = False,
    ) -> tuple[Analysis, dict[str, str], frozenset[str]]:
        """The analysis, the texts of the closed files it points into, and the codes of the
        rules whose findings in it are provisional. `context` counts changes to what else it
        reads (same: the analyzer re-checks just the edited part). `complete=False` (typing):
        the analysis may be provisional (see `DocumentAnalyzer.analyze`); `interruptible`:
        completing it gives up as soon as the loop sends an edit."""
        edits = self.edits
        stop = (lambda: self.edits != edits) if interruptible else None
        try:
            opened = self.documents.get(path)
            if opened is not None and opened.uri != uri:
                opened = None  # another URI for the same file holds it: analysed afresh
            known = opened.analyzer if opened is not None else None
            if known is None or known[0] != settings:
                if opened is not None:
                    self._drop_tree(opened)
                known = (settings, DocumentAnalyzer(path, settings.config_for(path), **self._options(settings)))
                if opened is not None:
                    opened.analyzer = known
            # Kept for the documents opened or edited last; the others' trees go.
            retained = self._retained() if opened is not None else set()
            for other in self.documents.values():
                if other.kept_lines and id(other) not in retained:
                    self._drop_tree(other)
            keep = opened is not None and id(opened) in retained
            analyzer = known[1]
            self.collect(full_analysis=opened is None or not opened.kept_lines)
            full, since = analyzer.full, promotions()
            analysis = analyzer.analyze(text, context, keep=keep, complete=complete or not keep, stop=stop)
            fresh = analyzer.full != full  # (parsed whole: a new tree)
            if opened is not None and opened.kept_lines and (fresh or not analyzer.kept):
                self._let_go(opened.kept_lines, opened.kept_since)  # the tree it kept went
                opened.kept_lines = 0
            if fresh and not analyzer.kept:
                self._let_go(text.count("\n") + 1, since)  # the tree just made
            if opened is not None and analyzer.kept:
                if fresh:
                    opened.kept_since = since
                    # (now, not in a job of its own: a keystroke sent as soon as the diagnostics
                    # are out would wait for it; a few ms on a full analysis)
                    analyzer.prepare()
                opened.kept_lines = opened.lines
            pending = analyzer.pending if keep else frozenset()
            return analysis, self.texts_for(analysis), pending
        except Exception as error:  # a bug must cost one analysis, not the server
            self.log_error(f"analysing {path}", error)
            return Analysis(path), {}, frozenset()

    def fix_all(self, document: Document, settings: Settings) -> dict[str, str]:
        """New texts (by path) after every safe fix of the document (a snapshot), callers
        included."""
        path = uri_to_path(document.uri)
        if path is None or not self.covers(path):
            # untitled, a notebook cell, a file outside the workspace folders: its callers may
            # be anywhere, so only the fixes that change no caller are safe (library mode)
            own = os.path.abspath(document.path)

            def read(other: str) -> str | None:
                return document.text if os.path.abspath(other) == own else self.read(other)

            result = fix_workspace(
                [document.path],
                [document.path],
                list(self.roots) or [os.path.dirname(own)],
                read=read,
                config=settings.config_for,
                externals=self._options(settings)["externals"],
                library=True,
            )
            return result.texts
        if path.endswith(".ipynb"):  # its callers are its own cells (see notebook_runners)
            runners = self.notebook_runners(path, settings)
            result = fix_workspace(
                [document.path],
                [document.path],
                list(self.roots),
                read=self.read,
                config=settings.config_for,
                externals=self._options(settings)["externals"],
                library=settings.library or bool(runners),
            )
            return result.texts
        files, unlisted = self.workspace_files(settings)
        result = fix_workspace(
            [document.path],
            files,
            list(self.roots),
            read=self.read,
            config=settings.config_for,
            externals=self._options(settings)["externals"],
            excluded=excluded_files(settings, files),
            # callers in files not listed cannot be updated: only fixes that change no caller
            library=settings.library or bool(unlisted),
        )
        return result.texts


def excluded_files(settings: Settings, files: list[str]) -> dict[str, str]:
    """The files of `files` the settings exclude, each with why a call site there is not edited."""
    return dict.fromkeys(filter(Excludes(settings.exclude, settings.root), files), EXCLUDED)
