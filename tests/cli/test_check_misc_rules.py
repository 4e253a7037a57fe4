"""`raylint check` on files with RAY006, RAY007 and RAY010 findings (only the code and the
`path:line:col` are asserted: the output's wording belongs to the CLI)."""

from __future__ import annotations

import re

FINDING = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>RAY\d{3}) ", re.MULTILINE)

FILE = """\
import multiprocessing
import pickle

import ray

counter = 0


@ray.remote
def work(x):
    global counter
    counter += 1
    with multiprocessing.Pool(2) as pool:
        return pool.map(abs, [x])


def driver():
    ref = ray.put(1)
    return pickle.dumps(ref)
"""


def places(output: str) -> list[tuple[str, str, str, str]]:
    return [(m["path"], m["line"], m["col"], m["code"]) for m in FINDING.finditer(output)]


def test_check_reports_the_three_rules(project):
    project.write("jobs.py", FILE)
    result = project.run("check", "jobs.py")
    assert result.code == 1, result.err
    assert places(result.out) == [
        ("jobs.py", "11", "5", "RAY007"),
        ("jobs.py", "13", "10", "RAY010"),
        ("jobs.py", "19", "12", "RAY006"),
    ]


def test_select_one_of_them(project):
    project.write("jobs.py", FILE)
    result = project.run("check", "--select", "RAY010", "jobs.py")
    assert places(result.out) == [("jobs.py", "13", "10", "RAY010")]


def test_noqa_silences_one(project):
    project.write("jobs.py", FILE.replace("    global counter\n", "    global counter  # noqa: RAY007\n"))
    result = project.run("check", "jobs.py")
    assert [p[3] for p in places(result.out)] == ["RAY010", "RAY006"]


def test_rule_docs(project):
    for code, name in (("RAY006", "out-of-band-ref-serialization"), ("RAY007", "global-state-in-remote"), ("RAY010", "fork-in-remote")):
        result = project.run("rule", code)
        assert result.code == 0, result.err
        assert name in result.out and "## When it is wrong" in result.out
