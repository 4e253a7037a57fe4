"""Issue 9, config: `[tool.raylint]` is read as TOML, in every spelling TOML allows.

It was found by the literal text `[tool.raylint]`, so the other spellings were silently
ignored, and `--fix` rewrote the files they exclude.
"""

from __future__ import annotations

import pytest

from cli_support import CLEAN, FLAGGED

SPELLINGS = {
    "spaces in the header": '[ tool.raylint ]\nexclude = ["generated/"]\n',
    "quoted keys": '[tool."raylint"]\nexclude = ["generated/"]\n',
    "dotted keys": '[project]\nname = "demo"\n\n[tool]\nraylint.exclude = ["generated/"]\n',
    "dotted keys at the top": 'tool.raylint.exclude = ["generated/"]\n',
    "an inline table": '[tool]\nraylint = { exclude = ["generated/"] }\n',
}


@pytest.mark.parametrize("spelling", SPELLINGS, ids=list(SPELLINGS))
def test_every_toml_spelling_of_the_table_is_read(project, spelling):
    project.write("pyproject.toml", SPELLINGS[spelling])
    project.write("generated/jobs.py", FLAGGED)
    project.write("jobs.py", FLAGGED)
    result = project.run("check", "--fix", ".")
    assert result.code == 0, result
    assert (project.root / "generated/jobs.py").read_text() == FLAGGED  # excluded: never rewritten
    assert (project.root / "jobs.py").read_text() != FLAGGED


def test_settings_found_from_a_subfolder_in_another_spelling(project):
    project.write("pyproject.toml", '[tool]\nraylint = { exclude = ["skipped.py"] }\n')
    project.write("pkg/skipped.py", FLAGGED)
    project.write("pkg/kept.py", FLAGGED)
    result = project.run("check", "pkg")
    flagged = sorted(line.split(":")[0] for line in result.out.splitlines() if ": RAY001 " in line)
    assert flagged == ["pkg/kept.py"]


@pytest.mark.parametrize("text", ["[tool]\nraylint = 3\n", 'tool.raylint = "strict"\n', "[tool]\nraylint = [1]\n"])
def test_a_raylint_value_that_is_not_a_table_is_an_error(project, text):
    project.write("pyproject.toml", text)
    project.write("jobs.py", CLEAN)
    result = project.run("check", ".")
    assert result.code == 2
    errors = [line for line in result.out.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "`tool.raylint` must be a table of settings" in errors[0], result.out


def test_a_broken_pyproject_about_raylint_is_an_error(project):
    project.write("pyproject.toml", '[tool.raylint]\nexclude = ["generated/"\n')
    project.write("generated/jobs.py", FLAGGED)
    result = project.run("check", "--fix", ".")
    assert result.code == 2 and "not valid TOML" in result.out
    assert (project.root / "generated/jobs.py").read_text() == FLAGGED  # nothing written


def test_a_pyproject_without_raylint_is_passed_over(project):
    # the nearest pyproject.toml is about something else: the one above it holds the settings
    project.write("pyproject.toml", '[tool.raylint]\nexclude = ["pkg/skipped.py"]\n')
    project.write("pkg/pyproject.toml", '[tool.black]\nline-length = 100\n# mentions "[tool.raylint]" in a comment\n')
    project.write("pkg/skipped.py", FLAGGED)
    project.write("pkg/kept.py", FLAGGED)
    result = project.run("check", "pkg")
    assert result.code == 1
    flagged = sorted(line.split(":")[0] for line in result.out.splitlines() if ": RAY001 " in line)
    assert flagged == ["pkg/kept.py"]
