"""Settings and file selection: [tool.raylint], --config, --exclude, .gitignore, bad config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cli_support import CLEAN, FLAGGED

ROOT = Path(__file__).parents[2]
GENERATOR_TASK = "import ray\n\n\n@ray.remote\ndef many(n):\n    return [ray.put(i) for i in range(n)]\n"


def flagged_paths(result) -> list[str]:
    return sorted(line.split(":")[0] for line in result.out.splitlines() if ": RAY001 " in line)


def test_pyproject_settings_are_found_and_used(project):
    project.write(
        "pyproject.toml",
        """\
        [project]
        name = "demo"

        [tool.raylint]
        exclude = ["generated/", "legacy_*.py"]
        severity = "error"
        generator-style = "dynamic"
        """,
    )
    project.write("src/jobs.py", GENERATOR_TASK)
    project.write("generated/jobs.py", FLAGGED)
    project.write("src/legacy_jobs.py", FLAGGED)
    result = project.run("check", "--format", "github", "src", "generated")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error file=src/jobs.py,")  # severity = "error"

    sarif = json.loads(project.run("check", "--format", "sarif").out)
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["error"]

    project.run("check", "--fix", "src/jobs.py")
    assert '@ray.remote(num_returns="dynamic")' in (project.root / "src/jobs.py").read_text()


def test_settings_are_found_from_a_subfolder(project):
    project.write("pyproject.toml", '[tool.raylint]\nexclude = ["skipped.py"]\n')
    project.write("pkg/skipped.py", FLAGGED)
    project.write("pkg/kept.py", FLAGGED)
    result = project.run("check", "pkg")
    assert flagged_paths(result) == ["pkg/kept.py"]


def test_config_option_takes_a_raylint_toml(project):
    project.write("settings/raylint.toml", 'generator-style = "dynamic"\nexclude = ["old/"]\n')
    project.write("old/jobs.py", FLAGGED)
    path = project.write("jobs.py", GENERATOR_TASK)
    result = project.run("check", "--config", "settings/raylint.toml", "--diff", ".")
    assert flagged_paths(result) == ["jobs.py"]
    assert '+@ray.remote(num_returns="dynamic")' in result.out
    assert path.read_text() == GENERATOR_TASK


def test_config_option_takes_a_pyproject(project):
    project.write("other/pyproject.toml", '[tool.raylint]\nseverity = "information"\n')
    project.write("jobs.py", FLAGGED)
    result = project.run("check", "--config", "other/pyproject.toml", "--format", "github", "jobs.py")
    assert result.out.startswith("::notice file=jobs.py,")


def test_generator_style_flag_overrides_the_config(project):
    project.write("pyproject.toml", '[tool.raylint]\ngenerator-style = "dynamic"\n')
    project.write("jobs.py", GENERATOR_TASK)
    result = project.run("check", "--diff", "--generator-style", "streaming", "jobs.py")
    assert "num_returns" not in result.out and "+        yield i" in result.out


def test_exclude_option_adds_to_the_config(project):
    project.write("pyproject.toml", '[tool.raylint]\nexclude = ["a.py"]\n')
    for name in ("a.py", "b.py", "tests/c.py", "d.py"):
        project.write(name, FLAGGED)
    result = project.run("check", "--exclude", "b.py", "--exclude", "tests/", ".")
    assert flagged_paths(result) == ["d.py"]


def test_gitignored_and_tool_folders_are_skipped(project):
    project.write(".gitignore", "build/\n*_pb2.py\n")
    project.write("pkg/.gitignore", "scratch.py\n")
    for name in ("build/jobs.py", "api_pb2.py", "pkg/scratch.py", ".venv/lib/jobs.py", "node_modules/x.py"):
        project.write(name, FLAGGED)
    project.write("pkg/jobs.py", FLAGGED)
    project.write("pkg/sub/jobs.py", FLAGGED)
    result = project.run("check")
    assert flagged_paths(result) == ["pkg/jobs.py", "pkg/sub/jobs.py"]


def test_a_file_named_on_the_command_line_is_checked_even_if_not_walked(project):
    project.write(".gitignore", "scratch.py\n")
    project.write("scratch.py", FLAGGED)
    assert flagged_paths(project.run("check", "scratch.py")) == ["scratch.py"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[tool.raylint]\nexclude = ["a.py",\n', "not valid TOML"),
        ('[tool.raylint]\nseverity = "loud"\n', '`severity` must be "error" or "warning" or "information" or "hint"'),
        ('[tool.raylint]\ngenerator-style = "eager"\n', '`generator-style` must be "streaming" or "dynamic"'),
        ("[tool.raylint]\nexclude = 3\n", "`exclude` must be a list of glob strings"),
        ("[tool.raylint]\nfix-everything = true\n", "unknown setting `fix-everything`"),
    ],
    ids=["toml", "severity", "generator-style", "exclude", "unknown key"],
)
def test_broken_config_is_a_clear_error(project, config, message):
    project.write("pyproject.toml", config)
    project.write("jobs.py", FLAGGED)
    result = project.run("check", "jobs.py")
    assert result.code == 2
    (line,) = [line for line in result.out.splitlines() if line.startswith("config: error: ")]
    assert "pyproject.toml" in line and message in line
    assert line.endswith("(checked with the default settings)")
    assert "jobs.py:6:12: RAY001" in result.out  # the run went on


def test_missing_config_file(project):
    project.write("jobs.py", CLEAN)
    result = project.run("check", "--config", "nope.toml", "jobs.py")
    assert result.code == 2
    assert result.out.startswith("config: error: nope.toml: cannot read: No such file or directory")
    assert result.out.rstrip().endswith("1 error.") and "All checks passed" not in result.out


def test_broken_config_fixes_nothing(project):
    # The broken file may hold the excludes that keep generated code from being rewritten.
    project.write("pyproject.toml", '[tool.raylint]\nexclude = ["generated/"]\nseverity = "loud"\n')
    path = project.write("generated/jobs.py", FLAGGED)
    result = project.run("check", "--fix", ".")
    assert result.code == 2
    assert "fixed nothing" in result.out
    assert path.read_text() == FLAGGED


def test_broken_config_in_json_output(project):
    project.write("pyproject.toml", "[tool.raylint]\nseverity = 2\n")
    result = project.run("check", "--format", "json")
    assert result.code == 2
    assert json.loads(result.out)["errors"][0]["path"] == "config"


def test_pre_commit_hook_definition():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "raylint"
    assert hook["entry"] == "raylint check"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["python", "jupyter"]  # notebooks are checked too (issue 12)
    assert set(hook) <= {
        "id", "name", "entry", "language", "files", "exclude", "types", "types_or", "exclude_types", "args",
        "stages", "additional_dependencies", "always_run", "fail_fast", "verbose", "pass_filenames",
        "require_serial", "description", "language_version", "minimum_pre_commit_version", "log_file",
    }


def test_pre_commit_style_invocation(project):
    """pre-commit runs the entry with the staged file names appended."""
    project.write("a.py", FLAGGED)
    project.write("b.py", CLEAN)
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    args = hook["entry"].split()[1:]
    assert project.run(*args, "a.py", "b.py").code == 1
    assert project.run(*args, "b.py").code == 0


def test_the_unknown_key_error_lists_each_file_setting_once(project):
    project.write("pyproject.toml", "[tool.raylint]\nfoo = 1\n")
    project.write("jobs.py", CLEAN)
    (line,) = [l for l in project.run("check", "jobs.py").out.splitlines() if l.startswith("config: error: ")]
    known = line.split("(known: ", 1)[1].split(")", 1)[0].split(", ")
    assert len(known) == len(set(known)) and "generator-style" in known and "select" in known
    assert "python" not in known  # never read from a file
