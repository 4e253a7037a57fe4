"""What the server keeps of each open document between analyses (worker.py): the tree of the
documents opened or edited last, so that even the first keystroke after an open re-checks
just the edited statement; no more than a few of them; and the index's trees within a bound.
Whatever is kept or dropped, the diagnostics must be those of the same text opened fresh."""

from __future__ import annotations

import sys
from pathlib import Path

from lsp_support import RawServer

from raylint.lsp.worker import INDEX_LINES, KEPT_DOCUMENTS, WorkspaceIndex

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from lsp_latency import generate  # noqa: E402  (the benchmark's modules)

CAPABILITIES = {"textDocument": {"publishDiagnostics": {"versionSupport": True}}}


class Session:
    """A server with the test hooks on, spoken to as an editor would (pushed diagnostics)."""

    def __init__(self, root: Path):
        self.root = root
        self.raw = RawServer(env={"RAYLINT_TEST_HOOKS": "1"})
        self.raw.initialize(capabilities=CAPABILITIES, root_uri=root.as_uri())
        self.versions: dict[str, int] = {}
        self.published: dict[tuple[str, int], list] = {}

    def open(self, name: str, text: str) -> str:
        path = self.root / name
        path.write_text(text)
        uri = path.as_uri()
        self.versions[uri] = 1
        item = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        self.raw.send("textDocument/didOpen", {"textDocument": item}, request=False)
        return uri

    def change(self, uri: str, line: int, character: int, old: str, new: str) -> None:
        self.versions[uri] += 1
        at = {"line": line, "character": character}
        end = {"line": line, "character": character + len(old)}
        params = {
            "textDocument": {"uri": uri, "version": self.versions[uri]},
            "contentChanges": [{"range": {"start": at, "end": end}, "text": new}],
        }
        self.raw.send("textDocument/didChange", params, request=False)

    def close(self, uri: str) -> None:
        self.raw.send("textDocument/didClose", {"textDocument": {"uri": uri}}, request=False)

    def diagnostics(self, uri: str) -> set:
        """The first diagnostics published for the document's current version."""
        version = self.versions[uri]
        while (uri, version) not in self.published:
            message = self.raw.read(timeout=60)
            if message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self.published.setdefault((params["uri"], params.get("version")), params["diagnostics"])
            elif "id" in message and "method" in message:  # the server asks: answered as an editor would
                self.raw.send_bytes(b'{"jsonrpc": "2.0", "id": %s, "result": null}' % str(message["id"]).encode())
        return {
            (d["range"]["start"]["line"], d["range"]["start"]["character"], d["code"], d["message"])
            for d in self.published[(uri, version)]
        }

    def retention(self) -> dict:
        return self.raw.response(self.raw.send("raylint/debugState"), timeout=60)["result"]["retention"]

    def stop(self) -> None:
        if self.raw.process.poll() is None:
            self.raw.send("shutdown")
            self.raw.send("exit", request=False)
        self.raw.close()


def toggle(text: str) -> tuple[str, tuple[int, int, str, str]]:
    """The benchmark's keystroke: the last digit of `MIDDLE = SCALE * 10` toggled."""
    lines = text.split("\n")
    line = next(n for n, spelled in enumerate(lines) if spelled.startswith("MIDDLE = SCALE * 1"))
    column = len("MIDDLE = SCALE * 1")
    old = lines[line][column]
    new = "1" if old == "0" else "0"
    lines[line] = lines[line][:column] + new + lines[line][column + 1 :]
    return "\n".join(lines), (line, column, old, new)


def test_the_first_keystroke_after_an_open_rechecks_just_the_edit(tmp_path):
    session = Session(tmp_path)
    try:
        text = generate(1000, 3)
        uri = session.open("typed.py", text)
        assert session.diagnostics(uri)
        state = session.retention()["documents"][uri]
        assert state == {"kept": True, "full": 1, "reused": 0}, state
        typed = []
        for _ in range(2):
            text, (line, column, old, new) = toggle(text)
            session.change(uri, line, column, old, new)
            typed.append((text, session.diagnostics(uri)))
        state = session.retention()["documents"][uri]
        assert state["full"] == 1 and state["reused"] == 2, state  # no keystroke was analysed afresh
        for number, (text, diagnostics) in enumerate(typed):
            assert diagnostics == session.diagnostics(session.open(f"fresh_{number}.py", text))
    finally:
        session.stop()


def test_only_the_documents_opened_or_edited_last_keep_their_trees(tmp_path):
    session = Session(tmp_path)
    try:
        texts = {}
        for number in range(KEPT_DOCUMENTS + 2):
            text = generate(300, 10 + number)
            uri = session.open(f"doc_{number}.py", text)
            texts[uri] = text
            session.diagnostics(uri)
        uris = list(texts)
        documents = session.retention()["documents"]
        assert [documents[uri]["kept"] for uri in uris] == [False] * 2 + [True] * KEPT_DOCUMENTS
        # typing in the first document: analysed afresh once (its tree was dropped), right
        # again, then kept (the one opened longest ago loses its tree instead)
        first = uris[0]
        typed = []
        for _ in range(2):
            texts[first], (line, column, old, new) = toggle(texts[first])
            session.change(first, line, column, old, new)
            typed.append((texts[first], session.diagnostics(first)))
        documents = session.retention()["documents"]
        assert documents[first]["full"] == 2 and documents[first]["reused"] == 1, documents[first]
        assert documents[first]["kept"] and not documents[uris[2]]["kept"]
        assert sum(d["kept"] for d in documents.values()) == KEPT_DOCUMENTS
        for number, (text, diagnostics) in enumerate(typed):
            assert diagnostics == session.diagnostics(session.open(f"fresh_{number}.py", text))
        # a closed document leaves nothing behind
        session.close(first)
        assert first not in session.retention()["documents"]
    finally:
        session.stop()


def small_index(folder: Path, modules: int) -> tuple[WorkspaceIndex, list[str], list[int]]:
    """An index of 2,500 lines over `modules` modules of 1,003 lines: it, their paths, and the
    sizes of the trees it drops (appended as they go)."""
    files = []
    for number in range(modules):
        path = folder / f"m{number}.py"
        path.write_text(generate(1000, number))
        files.append(str(path))
    dropped: list[int] = []
    index = WorkspaceIndex([str(folder)], budget=2_500, dropped=lambda lines, since: dropped.append(lines))
    return index, files, dropped


def test_the_index_keeps_its_trees_within_its_budget(tmp_path):
    index, files, dropped = small_index(tmp_path, 5)
    first = index.module(files[0])
    for path in files[1:]:
        assert index.module(path) is not None
        assert index.lines <= 2_500
    assert len(dropped) == 3  # the three used longest ago; the index keeps two of 1,000 lines
    again = index.module(files[0])  # parsed again: the same module
    assert again is not first and ast_dump(again) == ast_dump(first)
    assert index.module(files[0]) is again  # and kept while it is among the latest used
    assert index.text(files[1]) is not None  # (texts are kept: only trees go)


def test_a_search_keeps_the_trees_it_reads_and_the_others_go_first(tmp_path):
    index, files, dropped = small_index(tmp_path, 6)
    before = [index.module(path) for path in files[:2]]  # (kept before the search)
    index.hold(3_000)  # a search starts
    read = [index.module(path) for path in files[2:6]]  # 4,000 lines: 1,500 beyond the budget
    assert len(dropped) == 2  # the trees kept before it went first
    assert all(index.module(path) is tree for path, tree in zip(files[2:6], read))  # none parsed again
    assert index.module(files[0]) is not before[0]  # (dropped: parsed again, read by the search now)
    assert len(dropped) == 2 and index.lines == 5 * 1003  # within 2,500 + 3,000: nothing goes
    index.hold(0)  # it ends: back within the budget, the latest two kept
    assert len(dropped) == 5 and index.lines <= 2_500


def ast_dump(info) -> str:
    import ast

    return ast.dump(info.tree, include_attributes=True)


def test_call_sites_are_searched_for_one_document_at_a_time(tmp_path):
    """Each search holds the trees of the modules it reads until it ends: documents opened
    together have their call sites searched one after another, not all at once."""
    import time

    # modules that import every document: each search reads them all, long enough for the
    # searches to overlap if they were not taken one at a time
    imports = "import " + ", ".join(f"doc_{number}" for number in range(6)) + "\n"
    for number in range(3):
        (tmp_path / f"module_{number}.py").write_text(imports + generate(300, 60 + number))
    session = Session(tmp_path)
    try:
        uris = [session.open(f"doc_{number}.py", generate(1000, 40 + number)) for number in range(6)]
        for uri in uris:
            assert session.diagnostics(uri)
        # (the server counts the searches: a short one ends between two polls, under load all
        # six may end before the first poll, as they did on 3 workers)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = session.raw.response(session.raw.send("raylint/debugState"), timeout=60)["result"]
            counts = state["search_counts"]
            if counts["run"] and not state["searches"] and not state["searching_later"]:
                break
            time.sleep(0.02)
        assert counts["run"], "no call-site search was seen"
        assert counts["most"] == 1, counts
    finally:
        session.stop()


def test_a_search_parses_each_module_it_reads_once_beyond_the_index_budget(tmp_path):
    """A search walks the importers of the document once for each task it searches: their
    trees stay for the search, even when they hold more lines than the index keeps between
    searches (dropped between two tasks, each was parsed again: a search of minutes)."""
    import time

    importers = 12  # of 1,000 lines each: more than INDEX_LINES
    assert importers * 1000 > INDEX_LINES
    for number in range(importers):
        (tmp_path / f"module_{number}.py").write_text("import doc\n" + generate(1000, 60 + number))
    session = Session(tmp_path)
    try:
        uri = session.open("doc.py", generate(1000, 40))
        assert len(session.diagnostics(uri)) > 20  # (a search of as many tasks)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            state = session.raw.response(session.raw.send("raylint/debugState"), timeout=60)["result"]
            if state["search_counts"]["run"] and not state["searches"] and not state["searching_later"]:
                break
            time.sleep(0.05)
        runs, parsed = state["search_counts"]["run"], state["retention"]["index_parsed"]
        assert runs >= 1
        assert parsed <= (importers + 1) * runs, parsed  # each module once a search (the document's own tree aside)
        assert state["retention"]["index_lines"] <= INDEX_LINES + 1_100  # trimmed back after it
    finally:
        session.stop()


def test_diagnostics_the_client_has_are_not_pushed_again(tmp_path):
    """The server remembers a digest of what it last pushed for each document, not the JSON:
    the same diagnostics for the same version are not pushed twice (the call-site search of a
    task nobody else names ends with what was pushed), and those a search changes (a call site
    to review) are."""
    import time

    (tmp_path / "main.py").write_text("from jobs import load\n\nhandlers = [load]\n")  # a use to review
    session = Session(tmp_path)
    try:
        task = "import ray\n\n\n@ray.remote\ndef {}(x):\n    return ray.put(x)\n"
        jobs = session.open("jobs.py", task.format("load"))
        lone = session.open("lone.py", task.format("alone"))
        pushed: dict[str, list] = {jobs: [], lone: []}
        quiet, deadline = 0, time.monotonic() + 60
        while quiet < 3 and time.monotonic() < deadline:
            request = session.raw.send("raylint/debugState")
            while True:
                message = session.raw.read(timeout=60)
                if message.get("method") == "textDocument/publishDiagnostics":
                    params = message["params"]
                    assert params.get("version") == 1
                    pushed[params["uri"]].append(params["diagnostics"])
                elif message.get("id") == request:
                    state = message["result"]
                    break
            done = all(pushed.values()) and not (state["pending"] or state["searches"] or state["searching_later"])
            quiet = quiet + 1 if done else 0
            time.sleep(0.1)
        assert quiet == 3, "the server did not settle"
        assert len(pushed[lone]) == 1 and [d["code"] for d in pushed[lone][0]] == ["RAY001"]
        assert len(pushed[jobs]) == 2  # the analysis, then the call site found to review
        first, searched = pushed[jobs]
        assert first != searched
        assert any(r["location"]["uri"].endswith("/main.py") for d in searched for r in d.get("relatedInformation", []))
    finally:
        session.stop()
