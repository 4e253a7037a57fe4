"""RAY010 fork-in-remote, Fixit style: code that must pass, and code that must be flagged at
the given 1-based line:column (counted in the case's own text)."""

from __future__ import annotations

import textwrap

import pytest

from raylint.core import Config, analyze
from raylint.rules.ray010 import RULE

HEAD = "import multiprocessing\nimport multiprocessing as mp\nimport os\nimport ray\n\n"
LINES = HEAD.count("\n")


def task(body: str) -> str:
    return "@ray.remote\ndef work(x):\n" + textwrap.indent(textwrap.dedent(body), "    ")


VALID = [
    task("return multiprocessing.get_context('spawn').Pool(2)"),
    task("return mp.get_context(method='forkserver').Process(target=print)"),
    task("ctx = mp.get_context('spawn')\nreturn ctx.Pool(2)"),
    task("from concurrent.futures import ProcessPoolExecutor\nreturn ProcessPoolExecutor(2, mp_context=mp.get_context('spawn'))"),
    task("from concurrent.futures import ProcessPoolExecutor\nreturn ProcessPoolExecutor(mp_context=ctx)"),
    task("from concurrent.futures import ProcessPoolExecutor\nreturn ProcessPoolExecutor(2, ctx)"),
    task("from multiprocessing.pool import ThreadPool\nreturn ThreadPool(2)"),
    task("from multiprocessing.dummy import Pool\nreturn Pool(2)"),
    task("import subprocess\nreturn subprocess.Popen(['ls'])"),
    task("return os.getpid(), multiprocessing.cpu_count(), multiprocessing.Queue()"),
    task("multiprocessing.set_start_method('spawn', force=True)\nreturn multiprocessing.Pool(2)"),
    task("import torch.multiprocessing as tmp\nreturn tmp.spawn(print, nprocs=2)"),
    "def driver():\n    return multiprocessing.Pool(2)",  # driver code
    "multiprocessing.set_start_method('spawn')\n" + task("return multiprocessing.Pool(2)"),
    task("def fork():\n    return 1\nreturn fork()"),  # a local function named fork
    "@ray.remote\ndef work(os):\n    return os.fork()",  # a parameter named os
    "@ray.remote\nclass A:\n    @staticmethod\n    def helper():\n        return os.fork()",  # not a remote method
    "@ray.remote\nclass A:\n    def _private(self):\n        return os.fork()",  # never called remotely
]

INVALID = [
    (task("return os.fork()"), "3:12"),
    (task("return os.forkpty()"), "3:12"),
    (task("import pty\nreturn pty.fork()"), "4:12"),
    (task("return multiprocessing.Pool(2)"), "3:12"),
    (task("with mp.Pool() as pool:\n    return pool.map(abs, x)"), "3:10"),
    (task("p = mp.Process(target=print)\np.start()"), "3:9"),
    (task("from multiprocessing import Process as P\nreturn P(target=print)"), "4:12"),
    (task("return multiprocessing.Manager()"), "3:12"),
    (task("import multiprocessing.pool\nreturn multiprocessing.pool.Pool(2)"), "4:12"),
    (task("from concurrent.futures import ProcessPoolExecutor\nreturn ProcessPoolExecutor(max_workers=2)"), "4:12"),
    (task("import concurrent.futures\nreturn concurrent.futures.ProcessPoolExecutor()"), "4:12"),
    (task("return mp.get_context('fork').Pool(2)"), "3:12"),
    (task("return mp.get_context().Process(target=print)"), "3:12"),
    (task("ctx = mp.get_context('fork')\nreturn ctx.Process(target=print)"), "4:12"),
    (task("import torch.multiprocessing as tmp\nreturn tmp.Process(target=print)"), "4:12"),
    (task("multiprocessing.set_start_method('fork')\nreturn multiprocessing.Pool(2)"), "4:12"),
    (task("def helper():\n    return os.fork()\nreturn helper()"), "4:16"),
    (task("return (lambda: os.fork())()"), "3:21"),
    ("@ray.remote\nclass A:\n    def start(self):\n        self.p = mp.Process(target=print)", "4:18"),
    ("@ray.remote(num_cpus=1)\nasync def work():\n    os.fork()", "3:5"),
    ("def work():\n    os.fork()\nremote_work = ray.remote(work)", "2:5"),
    ("if __name__ == '__main__':\n    multiprocessing.set_start_method('spawn')\n" + task("return multiprocessing.Pool(2)"), "5:12"),
]


def findings(code: str):
    text = HEAD + code + "\n"
    return [f for f in analyze(text, "example.py", Config.make([RULE])).findings if f.code == "RAY010"]


@pytest.mark.parametrize("code", VALID)
def test_valid(code):
    assert findings(code) == []


@pytest.mark.parametrize("code, where", INVALID)
def test_invalid(code, where):
    found = findings(code)
    assert [f"{f.range.start.line + 1 - LINES}:{f.range.start.character + 1}" for f in found] == [where]
    assert found[0].fixes == () and found[0].no_fix_reason
    assert "spawn" in found[0].message and found[0].task


def test_an_actor_methods_related_location_names_the_class_made_an_actor():
    """(issue 12: it said the method was made an actor) One wording for every rule."""
    from raylint.core import Config, analyze
    from raylint.rules import BY_CODE

    code = "import os\nimport ray\n\n@ray.remote\nclass Server:\n    def start(self):\n        os.fork()\n"
    (finding,) = analyze(code, "t.py", Config.make([BY_CODE["RAY010"]])).findings
    assert finding.related[-1].message == "`Server` is made a Ray actor here"


def test_a_noqa_in_the_body_of_an_if_does_not_silence_its_header():
    """The lines a `# noqa` may be on are the statement's header up to the call (the range
    every rule takes from `_scan.statement_range`), not the whole `if` block."""
    from raylint.core import Config, analyze
    from raylint.rules import BY_CODE

    config = Config.make([BY_CODE["RAY010"]])
    code = "import os\nimport ray\n\n@ray.remote\ndef f(n):\n    if os.fork():\n        pass  # noqa\n"
    assert [f.code for f in analyze(code, "t.py", config).findings] == ["RAY010"]
    assert analyze(code.replace("if os.fork():", "if os.fork():  # noqa: RAY010"), "t.py", config).findings == []
