"""`raylint rule RAY001` is the rule's one documentation (the docstring of ray001.py); the
README points to it and agrees with it on what a safe fix is."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
SAFE = (
    "A fix is **safe** only when every place in the workspace that can observe the changed return value "
    "was found and rewritten with certainty"
)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_rule_says_what_a_safe_fix_is_and_what_makes_one_unsafe(project):
    result = project.run("rule", "RAY001")
    assert result.code == 0
    safety = flat(section(result.out, "Fix safety"))
    assert SAFE in safety
    assert "never applied unasked" not in safety  # the old text: --fix does apply safe fixes
    assert "`raylint check --fix` and the editors' \"Fix all\" apply safe fixes only" in safety
    for unprovable in [
        "passed to another call or task, returned, stored in an object",
        "the task itself stored, passed to a function, or wrapped (`functools.partial(f)`)",
        "an in-process call of a function also given to `ray.remote(fn)`",
        "actor handles whose class raylint cannot tell",
        "callers in files excluded from raylint",
        "`library = true` (`--library`)",
    ]:
        assert unprovable in safety, unprovable
    assert "applied only with `--unsafe-fixes`" in safety


def test_the_readme_points_to_the_rule_and_agrees_on_safety(project):
    readme = flat((ROOT / "README.md").read_text(encoding="utf-8"))
    assert SAFE.replace("A fix", "a fix", 1) in readme or SAFE in readme
    assert "`raylint rule RAY001` prints the full rule" in readme
    assert "never applied unasked" not in readme
