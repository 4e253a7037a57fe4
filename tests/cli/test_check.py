"""`raylint check`: text output, exit codes, --fix, --diff, --quiet, --version, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cli_support import CLEAN, FLAGGED, without_root_powers
from raylint import __version__

FINDING_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): RAY001 (?P<message>.+)$", re.MULTILINE)


def test_version(project):
    result = project.run("--version")
    assert result.code == 0
    assert result.out.strip() == f"raylint {__version__}"


def test_text_output_and_exit_code_for_findings(project):
    project.write("jobs.py", FLAGGED)
    result = project.run("check", "jobs.py")
    assert result.code == 1
    (match,) = FINDING_LINE.finditer(result.out)
    assert (match["path"], match["line"], match["col"]) == ("jobs.py", "6", "12")
    assert match["message"].startswith("Task `load` returns an ObjectRef made by ray.put()")
    # (the docs link is the rule's: `raylint rule RAY001`, JSON's `url`, the editors' code link)
    assert "https://docs.ray.io/en/latest/ray-core/patterns/return-ray-put.html" in project.run("rule", "RAY001").out
    assert "  fix (return-value): Return the value directly" in result.out
    assert result.out.rstrip().endswith("Found 1 problem: 1 fixable with --fix.")


def test_clean_exit_code(project):
    project.write("driver.py", CLEAN)
    result = project.run("check", "driver.py")
    assert (result.code, result.out.strip()) == (0, "All checks passed.")


def test_default_path_is_the_current_folder(project):
    project.write("pkg/jobs.py", FLAGGED)
    project.write("pkg/driver.py", CLEAN)
    result = project.run("check")
    assert result.code == 1
    assert [m["path"] for m in FINDING_LINE.finditer(result.out)] == ["pkg/jobs.py"]


def test_quiet_prints_findings_only(project):
    project.write("jobs.py", FLAGGED)
    result = project.run("check", "--quiet", "jobs.py")
    assert result.code == 1
    assert len(result.out.splitlines()) == 1 and FINDING_LINE.match(result.out)
    assert project.run("check", "-q", "jobs.py").out == result.out


def test_quiet_and_clean_prints_nothing(project):
    project.write("driver.py", CLEAN)
    result = project.run("check", "-q", ".")
    assert (result.code, result.out) == (0, "")


def test_fix_rewrites_the_file_and_a_second_run_changes_nothing(project):
    path = project.write("jobs.py", FLAGGED + "\n\n@ray.remote\ndef pair(x):\n    return ray.put(x), ray.put(x)  # two\n")
    result = project.run("check", "--fix", "jobs.py")
    assert result.code == 0
    assert result.out.rstrip().endswith("Found 2 problems: 2 fixed.")
    fixed = path.read_text()
    assert "return x\n" in fixed and "@ray.remote(num_returns=2)" in fixed and "return x, x  # two" in fixed

    again = project.run("check", "--fix", "jobs.py")
    assert (again.code, again.out.strip()) == (0, "All checks passed.")
    assert path.read_text() == fixed


def test_fix_leaves_unfixable_findings_and_exits_1(project):
    path = project.write(
        "jobs.py",
        "import ray\n\n\n@ray.remote\ndef boxed(x):\n    return {'x': ray.put(x)}\n",
    )
    before = path.read_text()
    result = project.run("check", "--fix", "jobs.py")
    assert result.code == 1
    assert "no automatic fix: the refs are wrapped in a dict" in result.out
    assert result.out.rstrip().endswith("Found 1 problem: 1 has no automatic fix.")
    assert path.read_text() == before


@pytest.mark.parametrize(
    "text, finding, why",
    [
        (  # a generator task
            "import ray\n\n\n@ray.remote\ndef shards(n):\n    for i in range(n):\n        yield ray.put(i)\n\n\n"
            "print([ray.get(ray.get(ref)) for ref in shards.remote(3)])\n",
            "jobs.py:7:15: RAY001 Generator task `shards` yields an ObjectRef made by ray.put()",
            "raylint does not rewrite the callers' extra ray.get of each item",
        ),
        (  # the file's only task is a lambda (no decorator, no def): the prefilter lets it through
            "import ray\n\nsquare = ray.remote(num_cpus=1)(lambda x: ray.put(x * x))\n\n"
            "print(ray.get(ray.get(square.remote(3))))\n",
            "jobs.py:3:43: RAY001 Task `square` (a lambda) returns an ObjectRef made by ray.put()",
            "raylint does not rewrite a task made from a lambda",
        ),
    ],
    ids=["generator-yields-puts", "lambda-task"],
)
def test_a_task_raylint_does_not_rewrite_is_flagged_and_left_to_fix_by_hand(project, text, finding, why):
    path = project.write("jobs.py", text)
    result = project.run("check", "--fix", "jobs.py")
    assert result.code == 1
    assert finding in result.out
    assert f"no automatic fix: {why}" in result.out
    assert path.read_text() == text


def test_diff_shows_the_fixes_and_changes_nothing(project):
    path = project.write("jobs.py", FLAGGED)
    result = project.run("check", "--diff", "jobs.py")
    assert result.code == 1  # the findings are still on disk
    assert "--- a/jobs.py\n+++ b/jobs.py\n" in result.out
    assert "-    return ray.put(x)\n+    return x\n" in result.out
    assert FINDING_LINE.search(result.out)  # the findings are listed with their diff
    assert result.out.rstrip().endswith("Found 1 problem: 1 fixed in the diff above (apply with --fix).")
    assert path.read_text() == FLAGGED


def test_fix_keeps_crlf_bom_and_a_coding_cookie(project):
    crlf = project.write("crlf.py", FLAGGED.replace("\n", "\r\n").encode())
    bom = project.write("bom.py", b"\xef\xbb\xbf" + FLAGGED.encode())
    latin = project.write(
        "latin.py", ("# -*- coding: latin-1 -*-\n" + FLAGGED.replace("ray.put(x)", "ray.put('café')")).encode("latin-1")
    )
    result = project.run("check", "--fix", ".")
    assert result.code == 0, result.out
    assert crlf.read_bytes() == FLAGGED.replace("ray.put(x)", "x").replace("\n", "\r\n").encode()
    assert bom.read_bytes() == b"\xef\xbb\xbf" + FLAGGED.replace("ray.put(x)", "x").encode()
    assert latin.read_bytes().endswith("    return 'café'\n".encode("latin-1"))


# -- bad input: a clear error line, the run goes on, exit 2 -----------------------------------


def assert_error(result, path: str, text: str) -> None:
    errors = [line for line in result.out.splitlines() if line.startswith(f"{path}: error: ")]
    assert errors, result.out
    assert text in errors[0]


def test_missing_path(project):
    project.write("jobs.py", FLAGGED)
    result = project.run("check", "nowhere.py", "jobs.py")
    assert result.code == 2
    assert_error(result, "nowhere.py", "no such file or directory")
    assert FINDING_LINE.search(result.out)  # jobs.py was still checked


def test_binary_file(project):
    project.write("blob.py", b"\x7fELF\x00\x00\x01ray.put")
    project.write("jobs.py", FLAGGED)
    result = project.run("check", ".")
    assert result.code == 2
    assert_error(result, "blob.py", "binary file")
    assert [m["path"] for m in FINDING_LINE.finditer(result.out)] == ["jobs.py"]


def test_non_utf8_file_without_a_coding_cookie(project):
    project.write("latin.py", FLAGGED.replace("ray.put(x)", "ray.put('café')").encode("latin-1"))
    project.write("jobs.py", FLAGGED)
    result = project.run("check", ".")
    assert result.code == 2
    assert_error(result, "latin.py", "cannot decode: not valid utf-8")
    assert [m["path"] for m in FINDING_LINE.finditer(result.out)] == ["jobs.py"]


def test_latin1_with_a_coding_cookie_is_valid_python_and_is_checked(project):
    # PEP 263: the cookie makes it a legal source file, so it is read, not refused.
    text = "# -*- coding: latin-1 -*-\n" + FLAGGED.replace("return ray.put(x)", "s = 'é'; return ray.put(x)")
    project.write("latin.py", text.encode("latin-1"))
    result = project.run("check", "latin.py")
    assert result.code == 1
    (match,) = FINDING_LINE.finditer(result.out)
    assert (match["line"], match["col"]) == ("7", "21")  # characters: in UTF-8 bytes it would be 22


def test_wrong_coding_cookie(project):
    project.write("bad.py", b"# -*- coding: no-such-codec -*-\nimport ray\n")
    project.write("jobs.py", FLAGGED)
    result = project.run("check", ".")
    assert result.code == 2
    assert_error(result, "bad.py", "no-such-codec")
    assert FINDING_LINE.search(result.out)


def test_unreadable_file(project):
    wrapper = without_root_powers()
    if wrapper is None:
        pytest.skip("running as root without setpriv: file permissions cannot be made to bind")
    secret = project.write("secret.py", FLAGGED)
    project.write("jobs.py", FLAGGED)
    secret.chmod(0)
    try:
        result = project.run("check", ".", wrapper=wrapper)
    finally:
        secret.chmod(0o644)
    assert result.code == 2
    assert_error(result, "secret.py", "cannot read: Permission denied")
    assert [m["path"] for m in FINDING_LINE.finditer(result.out)] == ["jobs.py"]


def test_unreadable_folder(project):
    wrapper = without_root_powers()
    if wrapper is None:
        pytest.skip("running as root without setpriv: file permissions cannot be made to bind")
    project.write("locked/jobs.py", FLAGGED)
    project.write("jobs.py", FLAGGED)
    (project.root / "locked").chmod(0)
    try:
        result = project.run("check", ".", wrapper=wrapper)
    finally:
        (project.root / "locked").chmod(0o755)
    assert result.code == 2
    assert_error(result, "locked", "cannot read folder: Permission denied")
    assert [m["path"] for m in FINDING_LINE.finditer(result.out)] == ["jobs.py"]


def test_syntax_error_is_a_note_not_an_error(project):
    project.write("half.py", FLAGGED + "\n\ndef unfinished(:\n")
    result = project.run("check", "half.py")
    assert result.code == 1  # the intact task is flagged; a half-typed file is not a failure
    assert re.search(r"^half\.py:9: note: syntax error", result.out, re.MULTILINE)
    assert FINDING_LINE.search(result.out)


def test_code_too_deep_to_parse_is_a_note_that_says_why(project):
    """CPython's parser gives up on 100,000 unary minuses with an empty MemoryError, and on
    deep attribute chains with a RecursionError: nothing of the file can be read."""
    task = "import ray\n\n\n@ray.remote\ndef f(x):\n    return ray.put(x)\n\n\n"  # (a file raylint reads)
    project.write("deep.py", task + "y = " + "-" * 100_000 + "x\n")
    project.write("chain.py", task + "y = x" + ".a" * 50_000 + "\n")
    result = project.run("check", "deep.py", "chain.py")
    assert result.code == 0
    assert "deep.py:1: note: syntax error: cannot parse: the code is nested too deeply for the parser (line 1); nothing else checked" in result.out
    assert re.search(r"^chain\.py:1: note: syntax error: cannot parse: maximum recursion depth .*; nothing else checked$", result.out, re.MULTILINE)


def test_python_option_points_jedi_at_an_environment(project, raytools_python, no_ray_python):
    # `raytools` (installed only in raytools_python's site-packages) re-exports ray.put as `stash`
    # and ray.remote as `task`.
    project.write(
        "jobs.py",
        """\
        import ray
        from raytools import stash, task


        @task
        def f(x):
            return stash(x)


        @ray.remote
        def g(x):
            return ray.put(x)
        """,
    )
    flagged = lambda result: [m["line"] for m in FINDING_LINE.finditer(result.out)]  # noqa: E731
    assert flagged(project.run("check", "jobs.py", "--python", raytools_python)) == ["7", "12"]
    # Without Ray in that environment, raylint's own import tracking still finds `ray.put`.
    assert flagged(project.run("check", "jobs.py", "--python", no_ray_python)) == ["12"]


def test_the_active_virtualenv_is_searched_without_python_option(project, raytools_python):
    # (The comment spells `put`: the next test has a file that never does.)
    project.write("jobs.py", "import ray\nfrom raytools import stash  # ray.put\n\n\n@ray.remote\ndef f(x):\n    return stash(x)\n")
    venv = str(Path(raytools_python).parents[1])
    assert project.run("check", "jobs.py", env={"VIRTUAL_ENV": venv}).code == 1
    assert project.run("check", "jobs.py").code == 0  # the test interpreter's own env has no raytools


def test_installed_reexport_in_a_file_that_never_spells_put(project, raytools_python):
    project.write("jobs.py", "from raytools import stash, task\n\n\n@task\ndef f(x):\n    return stash(x)\n")
    assert project.run("check", "jobs.py", "--python", raytools_python).code == 1


def test_installed_reexport_used_to_wrap_in_a_file_that_spells_neither_word(project, raytools_python):
    # `task(f)`: the prefilter must see a name from a package that imports Ray wrapping a def
    project.write("jobs.py", "import raytools\n\n\ndef f(x):\n    return raytools.stash(x)\n\n\ng = raytools.task(f)\n")
    result = project.run("check", "jobs.py", "--python", raytools_python)
    assert (result.code, [m["line"] for m in FINDING_LINE.finditer(result.out)]) == (1, ["5"])


def test_rule_explains_ray001(project):
    result = project.run("rule", "RAY001")
    assert result.code == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert section in result.out


def test_the_readme_first_command_on_the_examples(project):
    """`raylint check examples/ --diff`: every shape of the issue, three kinds of fix, no change."""
    examples = Path(__file__).parents[2] / "examples"
    before = {p.name: p.read_text() for p in examples.glob("*.py")}
    result = project.run("check", str(examples), "--diff")
    assert result.code == 1
    found = {(Path(m["path"]).name, m["message"].split(" returns ")[0]) for m in FINDING_LINE.finditer(result.out)}
    assert found == {
        ("tasks.py", "Task `load`"),
        ("tasks.py", "Task `clean`"),
        ("tasks.py", "Task `split`"),
        ("tasks.py", "Task `tokenize`"),
        ("tasks.py", "Task `shards`"),
        ("tasks.py", "Task `_stats`"),
        ("actors.py", "Actor method `WordCounter.top`"),
        ("actors.py", "Actor method `WordCounter.totals`"),
    }  # not main.py's driver-side put, not the actor's private `_snapshot`
    for fix_id in ("return-value", "num-returns", "generator"):
        assert f"fix ({fix_id})" in result.out
    assert "+stats = ray.remote(num_returns=2)(_stats)" in result.out
    assert "+    @ray.method(num_returns=2)" in result.out
    assert {p.name: p.read_text() for p in examples.glob("*.py")} == before


SUMMARY_TASKS = """\
import ray


@ray.remote
def load(i):
    return ray.put(i * 10)


@ray.remote
def label(i):
    return ray.put(f"label-{i}")


@ray.remote
def boxed(x):
    return {"x": ray.put(x)}
"""
SUMMARY_CALLER = "import ray\nfrom tasks import label, load\n\nprint(ray.get(ray.get(load.remote(1))))\nHOLD = {6: label.remote(6)}\n"
REVIEW = "need{} review (the reasons and call sites are listed above; apply with --unsafe-fixes)"


@pytest.mark.parametrize(
    ("args", "summary"),
    [
        ((), f"Found 3 problems: 1 fixable with --fix, 1 {REVIEW.format('s')}, 1 has no automatic fix."),
        (("--fix",), f"Found 3 problems: 1 fixed, 1 {REVIEW.format('s')}, 1 has no automatic fix."),
        (("--fix", "--unsafe-fixes"), "Found 3 problems: 2 fixed, 1 has no automatic fix."),
        (
            ("--diff",),
            f"Found 3 problems: 1 fixed in the diff above (apply with --fix), 1 {REVIEW.format('s')}, 1 has no automatic fix.",
        ),
        (
            ("--diff", "--unsafe-fixes"),
            "Found 3 problems: 2 fixed in the diff above (apply with --fix --unsafe-fixes), 1 has no automatic fix.",
        ),
        (("--library",), f"Found 3 problems: 2 {REVIEW.format('')}, 1 has no automatic fix."),
    ],
    ids=["check", "fix", "unsafe-fixes", "diff", "diff-unsafe", "library"],
)
def test_summary_says_fixed_to_review_and_without_a_fix(project, args, summary):
    project.write("tasks.py", SUMMARY_TASKS)
    project.write("main.py", SUMMARY_CALLER)
    result = project.run("check", ".", *args)
    assert result.code == 1
    assert result.out.rstrip().splitlines()[-1] == summary


LOOP_GET = """\
import ray


@ray.remote
def square(x):
    return x * x


def driver():
    out = []
    for i in range(4):
        out.append(ray.get(square.remote(i)))
    return out
"""


def test_statistics_count_the_findings_per_rule(project):
    project.write("a.py", FLAGGED)
    project.write("b.py", FLAGGED)
    project.write("c.py", LOOP_GET)
    result = project.run("check", "--statistics", ".")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[:2] == ["2  RAY001  return-ray-put  (2 fixable with --fix)", "1  RAY002  ray-get-loop"]  # (its fix needs review)
    assert not FINDING_LINE.search(result.out)  # (counts instead of each finding)
    assert lines[2] == "Found 3 problems: 2 fixable with --fix, 1 needs review."
    as_json = project.run("check", "--statistics", "--format", "json", ".", "missing.py")
    assert json.loads(as_json.out)["statistics"] == [
        {"code": "RAY001", "name": "return-ray-put", "count": 2, "fixable": 2},
        {"code": "RAY002", "name": "ray-get-loop", "count": 1, "fixable": 0},
    ]
    assert as_json.code == 2 and json.loads(as_json.out)["errors"] == [{"path": "missing.py", "message": "no such file or directory"}]
    assert project.run("check", "--statistics", "-q", ".").out.splitlines() == lines[:2]
    refused = project.run("check", "--statistics", "--format", "sarif", ".")
    assert refused.code == 2 and "--statistics is printed as text or json, not sarif" in refused.err


def test_exit_zero_keeps_findings_from_failing_the_run_but_not_errors(project):
    project.write("jobs.py", FLAGGED)
    result = project.run("check", "--exit-zero", "jobs.py")
    assert result.code == 0 and FINDING_LINE.search(result.out)
    assert project.run("check", "--exit-zero", "jobs.py", "missing.py").code == 2


def test_the_parsers_warnings_about_the_code_are_not_printed(project):
    """`1if x else 2` and `"\\d"` make Python's parser warn (SyntaxWarning, DeprecationWarning):
    about the user's code, not raylint's, and printed between its findings on stderr."""
    project.write("main.py", 'import ray\nx = 1if True else 2\ny = "\\d"\n\n\n@ray.remote\ndef f():\n    return ray.put(1)\n')
    result = project.run("check", "main.py")
    assert result.code == 1 and "RAY001" in result.out
    assert result.err == ""
