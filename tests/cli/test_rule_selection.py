"""Which rules run: `select` / `ignore` / `per-file-ignores` in [tool.raylint], `--select` /
`--ignore`, and `raylint rule` (the list, one rule, an unknown code)."""

from __future__ import annotations

import json

import pytest

from cli_support import FLAGGED
from raylint import rules


def codes_by_path(result) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in json.loads(result.out)["findings"]:
        found.setdefault(finding["path"], []).append(finding["code"])
    return found


def test_every_rule_runs_by_default_and_ignore_leaves_one_out(project):
    project.write("jobs.py", FLAGGED)
    assert codes_by_path(project.run("check", "--format", "json", "jobs.py")) == {"jobs.py": ["RAY001"]}
    result = project.run("check", "--format", "json", "--ignore", "RAY001", "jobs.py")
    assert result.code == 0 and codes_by_path(result) == {}


def test_select_on_the_command_line_overrides_the_config(project):
    project.write("pyproject.toml", '[tool.raylint]\nselect = []\n')
    project.write("jobs.py", FLAGGED)
    assert project.run("check", "jobs.py").code == 0  # RAY001 not selected by the config
    assert project.run("check", "--select", "RAY00", "jobs.py").code == 1


def test_per_file_ignores_by_glob_and_by_file_name(project):
    project.write(
        "pyproject.toml",
        '[tool.raylint.per-file-ignores]\n"tests/**" = ["RAY001"]\n"legacy.py" = ["RAY"]\n',
    )
    for path in ("src/jobs.py", "tests/unit/test_jobs.py", "src/old/legacy.py"):
        project.write(path, FLAGGED)
    result = project.run("check", "--format", "json", ".")
    assert codes_by_path(result) == {"src/jobs.py": ["RAY001"]}


def test_per_file_ignores_also_keep_fixes_away(project):
    project.write("pyproject.toml", '[tool.raylint.per-file-ignores]\n"keep.py" = ["RAY001"]\n')
    project.write("keep.py", FLAGGED)
    result = project.run("check", "--fix", "keep.py")
    assert result.code == 0 and (project.root / "keep.py").read_text() == FLAGGED


@pytest.mark.parametrize(
    "config",
    [
        '[tool.raylint]\nselect = ["RAY999"]\n',
        '[tool.raylint]\nignore = ["E501"]\n',
        '[tool.raylint.per-file-ignores]\n"tests/**" = ["RAY9"]\n',
        '[tool.raylint]\nselect = "RAY001, 3"\n',
    ],
    ids=["select", "ignore", "per-file-ignores", "not a list of codes"],
)
def test_an_unknown_code_in_the_config_is_an_error(project, config):
    project.write("pyproject.toml", config)
    project.write("jobs.py", FLAGGED)
    result = project.run("check", "jobs.py")
    assert result.code == 2
    (line,) = [line for line in result.out.splitlines() if line.startswith("config: error: ")]
    assert "unknown rule code" in line or "must be a list of rule codes" in line


def test_an_unknown_code_on_the_command_line_is_an_error(project):
    project.write("jobs.py", FLAGGED)
    result = project.run("check", "--select", "RAY999", "jobs.py")
    assert result.code == 2 and "unknown rule code 'RAY999'" in result.err


def test_rule_lists_every_rule(project):
    result = project.run("rule")
    assert result.code == 0
    for rule in rules.RULES:
        assert any(line.startswith(f"{rule.code}  {rule.name}") for line in result.out.splitlines()), rule.code


def test_rule_explains_one_by_code_or_name(project):
    for rule in rules.RULES:
        for asked in (rule.code, rule.code.lower(), rule.name):
            result = project.run("rule", asked)
            assert result.code == 0 and result.out.startswith(f"{rule.code} {rule.name}: ")
            assert rule.url in result.out


def test_an_unknown_rule_is_an_error(project):
    result = project.run("rule", "RAY999")
    assert result.code == 2 and result.out == "" and "unknown rule 'RAY999'" in result.err


def test_rule_into_a_closed_pipe_is_quiet(project):
    import subprocess
    import sys

    run = subprocess.run(
        f"{sys.executable} -m raylint rule RAY001 | head -2", shell=True, capture_output=True, text=True, cwd=project.root
    )
    assert len(run.stdout.splitlines()) == 2 and "Traceback" not in run.stderr and "BrokenPipe" not in run.stderr


def test_sarif_rules_table_is_the_registry(project):
    project.write("jobs.py", FLAGGED)
    sarif = json.loads(project.run("check", "--format", "sarif", "jobs.py").out)
    table = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in table] == [r.code for r in rules.RULES]
    for entry, rule in zip(table, rules.RULES):
        assert entry["helpUri"] == rule.url and entry["help"]["text"] == rule.docs.strip()
    (result,) = sarif["runs"][0]["results"]
    assert table[result["ruleIndex"]]["id"] == result["ruleId"] == "RAY001"
