"""The call-site search as the language server runs it: a piece at a time, stopped midway,
and again after files change, in one long-lived index.

(The name is not `test_callers.py`: tests/cli and tests/lsp have modules of that subject, and
pytest's default import mode wants test module basenames unique across folders.)
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from raylint.core import CallerSearch, ModuleIndex, analyze
from raylint.core.names import disk_stamp, read_disk

TASKS = """\
import ray


@ray.remote
def load(i):
    return ray.put(i)


@ray.remote
class Store:
    def get(self, key):
        return ray.put(key)
"""
FILES = {
    "tasks.py": TASKS,
    # aliases, a module attribute, .options, a list, a handle, and two refs to review
    "main.py": """\
        import ray

        import tasks
        from tasks import Store, load as fetch


        def main(store: Store):
            a = ray.get(ray.get(fetch.remote(1)))
            b = ray.get(ray.get(tasks.load.options(num_cpus=1).remote(2)))
            c = ray.get(ray.get([fetch.remote(i) for i in range(3)]))
            handle = Store.remote()
            d = ray.get(ray.get(handle.get.remote("k")))
            e = ray.get(ray.get(store.get.remote("j")))
            other(fetch.remote(4))
            return a, b, c, d, e
        """,
    "broken.py": """\
        import ray
        from tasks import load


        def run(:
            return ray.get(ray.get(load.remote(5)))
        """,
    "unrelated.py": """\
        import ray


        @ray.remote
        def step(x):
            return x
        """,
}


def workspace(root: Path) -> tuple[list[str], ModuleIndex]:
    for name, code in FILES.items():
        (root / name).write_text(textwrap.dedent(code))
    files = sorted(os.path.abspath(root / name) for name in FILES)
    return files, ModuleIndex([str(root)])


def findings(root: Path, index: ModuleIndex):
    return analyze(TASKS, str(root / "tasks.py"), index=index).findings


def test_search_in_steps_finds_what_one_call_finds(tmp_path: Path):
    files, index = workspace(tmp_path)
    found = findings(tmp_path, index)
    assert {f.task for f in found} == {"load", "Store.get"}
    at_once = [CallerSearch(files, ModuleIndex([str(tmp_path)])).with_callers(f) for f in found]
    search = CallerSearch(files, index)
    steps = sum(1 for _ in search.steps(found))
    assert steps > len(files)  # pieces smaller than a file, for a caller that must stop between them
    assert [search.with_callers(f) for f in found] == at_once
    sites = {f.task: [s for fix in f.fixes[:1] for s in fix.call_sites] for f in at_once}
    # main.py: 4 calls (one passed on: to review); broken.py: a syntax error hides its calls
    assert [(Path(s.path).name, bool(s.review)) for s in sites["load"]] == [
        ("main.py", False), ("main.py", False), ("main.py", False), ("broken.py", True), ("main.py", True)
    ]
    assert [(Path(s.path).name, bool(s.review)) for s in sites["Store.get"]] == [
        ("main.py", False), ("main.py", False), ("broken.py", True)
    ]


def test_a_search_stopped_midway_leaves_nothing_behind(tmp_path: Path):
    files, index = workspace(tmp_path)
    found = findings(tmp_path, index)
    expected = [CallerSearch(files, ModuleIndex([str(tmp_path)])).with_callers(f) for f in found]
    stopped = CallerSearch(files, index)
    steps = stopped.steps(found)
    for _ in range(len(files)):
        next(steps)
    steps.close()
    assert [stopped.with_callers(f) for f in found] == expected  # searched again, not half-known
    assert [CallerSearch(files, index).with_callers(f) for f in found] == expected


def test_a_changed_caller_is_searched_in_its_new_text(tmp_path: Path):
    """What a search keeps of a parsed module lives with that module: a new text is new."""
    files, _ = workspace(tmp_path)
    unsaved: dict[str, str] = {}
    path = os.path.abspath(tmp_path / "main.py")

    def read(name: str) -> str | None:
        return unsaved.get(name) or read_disk(name)

    def stamp(name: str):
        return ("unsaved", id(unsaved[name])) if name in unsaved else disk_stamp(name)

    index = ModuleIndex([str(tmp_path)], read=read, stamp=stamp)
    (load,) = [f for f in findings(tmp_path, index) if f.task == "load"]
    before = CallerSearch(files, index).with_callers(load).fixes[0]
    assert sum(1 for s in before.call_sites if s.path == path) == 4
    unsaved[path] = "\n\n" + textwrap.dedent(FILES["main.py"]).replace("other(fetch.remote(4))", "pass")
    after = CallerSearch(files, index).with_callers(load).fixes[0]
    mine = sorted((s.range.start.line, s.review) for s in after.call_sites if s.path == path)
    assert mine == [(9, ""), (10, ""), (11, "")]  # two lines down, the one to review gone
    edits = sorted(e.range.start.line for e in after.edits if e.path == path)
    assert edits == [9, 10, 11]


def test_the_search_for_many_tasks_reads_each_unrelated_file_once(tmp_path: Path):
    """A module of many tasks in a workspace of many files: each task's search looks the files
    up, not reads (stats) every file again (250 tasks in 6,000 files: 53 s, then 3.7 s)."""
    tasks = "import ray\n" + "".join(f"\n\n@ray.remote\ndef load_{n}(i):\n    return ray.put(i)\n" for n in range(20))
    (tmp_path / "tasks.py").write_text(tasks)
    (tmp_path / "main.py").write_text("import ray\nimport tasks\n\nprint(ray.get(ray.get(tasks.load_3.remote(1))))\n")
    for n in range(30):
        (tmp_path / f"other_{n}.py").write_text(f"import os; import json\n\n\ndef f_{n}():\n    return os.sep\n")
    files = sorted(str(p) for p in tmp_path.glob("*.py"))
    asked: dict[str, int] = {}

    def stamp(name: str):
        asked[os.path.basename(name)] = asked.get(os.path.basename(name), 0) + 1
        return disk_stamp(name)

    index = ModuleIndex([str(tmp_path)], stamp=stamp)
    found = analyze(tasks, str(tmp_path / "tasks.py"), index=index).findings
    assert len(found) == 20
    asked.clear()
    search = CallerSearch(files, index)
    done = [search.with_callers(f) for f in found]
    load_3 = next(f for f in done if f.task == "load_3")
    assert [Path(s.path).name for s in load_3.fixes[0].call_sites] == ["main.py"]
    assert max(asked[f"other_{n}.py"] for n in range(30)) <= 3, asked


def test_a_files_facts_are_kept_for_the_next_search_while_its_text_holds(tmp_path: Path):
    """The index keeps a file's facts for the next search (the server's, after an edit). A text
    whose names Python normalizes (`ｌｏａｄ`, `²`) is searched as a normalized copy: the facts
    were compared by that copy with the file's text, never the same object, and made again."""
    for name, text in {"plain.py": "import tasks\n", "wide.py": "import tasks  # x²\nｌｏａｄ = 1\n"}.items():
        (tmp_path / name).write_text(text)
        index = ModuleIndex([str(tmp_path)])
        path = str(tmp_path / name)
        first = CallerSearch([path], index).facts(path)
        assert CallerSearch([path], index).facts(path) is first


def test_a_spelling_of_many_words_answers_as_each_word_would():
    """Past 8 words (the modules exposing a task) a spelling reads the text's words once."""
    from raylint.core.callers import _Spelling
    from raylint.core.prefilter import spells

    words = [f"mod_{n}" for n in range(12)] + ["load"]
    texts = ["", "loader = 1", "x.load()", "mod_1x", "mod_11", "é_load", "load_é", "(load)", "mod_3\n", "xmod_3", "ｌｏａｄ"]
    for text in texts:
        expected = any(spells(text, word) for word in words)
        assert _Spelling(words).search(text) is expected, text
        assert _Spelling(words[-3:]).search(text) is any(spells(text, word) for word in words[-3:]), text
