"""`raylint check` reports RAY002 and RAY005 (asserted on the code and path:line:col only:
the text format is the CLI's business), and `--unsafe-fixes` applies their fixes."""

from __future__ import annotations

import re

PROGRAM = """\
import ray


@ray.remote
def f(x):
    return x


def loop(xs):
    return [ray.get(f.remote(x)) for x in xs]


def in_order(xs):
    refs = [f.remote(x) for x in xs]
    total = 0
    for ref in refs:
        total += ray.get(ref)
    return total
"""


def _places(out: str, code: str) -> list[tuple[str, str, str]]:
    return re.findall(rf"^(\S+?):(\d+):(\d+): {code}\b", out, re.MULTILINE)


def test_check_reports_both_rules(project):
    project.write("driver.py", PROGRAM)
    result = project.run("check", "driver.py")
    assert result.code == 1
    assert _places(result.out, "RAY002") == [("driver.py", "10", "13")]
    assert _places(result.out, "RAY005") == [("driver.py", "17", "18")]


def test_select_one_rule(project):
    project.write("driver.py", PROGRAM)
    result = project.run("check", "--select", "RAY005", "driver.py")
    assert _places(result.out, "RAY005") and not _places(result.out, "RAY002")


def test_unsafe_fixes_apply_both(project):
    path = project.write("driver.py", PROGRAM)
    project.run("check", "--fix", "--unsafe-fixes", "driver.py")
    fixed = path.read_text(encoding="utf-8")
    assert "return ray.get([f.remote(x) for x in xs])" in fixed
    assert "[ref], unfinished = ray.wait(unfinished, num_returns=1)" in fixed
    again = project.run("check", "driver.py")
    assert (again.code, _places(again.out, "RAY002"), _places(again.out, "RAY005")) == (0, [], [])
