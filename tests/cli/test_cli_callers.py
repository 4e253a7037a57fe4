"""`raylint check` and the callers of rewritten tasks: --diff, --fix, --unsafe-fixes, JSON, text.

(The name is not `test_callers.py`: tests/lsp has a module of that subject, and pytest's
default import mode wants test module basenames unique across folders without __init__.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_support import Project

TASKS = """\
import ray


@ray.remote
def load(i):
    return ray.put(i * 10)


@ray.remote
def label(i):
    return ray.put(f"label-{i}")


@ray.remote
def split(i):
    return ray.put(i), ray.put(-i)
"""
MAIN = """\
import ray

from tasks import label, load, split


def main():
    print(ray.get(ray.get(load.remote(1))))
    ref = ray.get(load.remote(2))
    print(ray.get(ref))
    a, b = ray.get(split.remote(3))
    print(ray.get(a), ray.get(b))
    print(ray.get(ray.get(label.remote(4))))
"""
# `label`'s outer refs passed on and stored: raylint does not follow them
OTHER = """\
import ray

from tasks import label as name_of


@ray.remote
def kind(value):
    return type(value).__name__


def use():
    print(ray.get(kind.remote(name_of.remote(5))))
    pending = {"a": name_of.remote(6)}
    return pending
"""
MAIN_FIXED = MAIN.replace("ray.get(ray.get(load.remote(1)))", "ray.get(load.remote(1))").replace(
    "ref = ray.get(load.remote(2))", "ref = load.remote(2)"
).replace("a, b = ray.get(split.remote(3))", "a, b = split.remote(3)")


def where(project: Project, path: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of `needle` in the project's file."""
    for number, line in enumerate((project.root / path).read_text().splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in {path}")


def files(project: Project) -> dict[str, str]:
    return {
        str(p.relative_to(project.root)): p.read_text()
        for p in sorted(project.root.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


@pytest.fixture
def app(project: Project) -> Project:
    project.write("tasks.py", TASKS)
    project.write("main.py", MAIN)
    project.write("other.py", OTHER)
    return project


def test_diff_includes_the_callers_and_changes_nothing(app):
    before = files(app)
    result = app.run("check", ".", "--diff")
    assert result.code == 1
    assert "--- a/main.py\n+++ b/main.py\n" in result.out
    for old, new in [
        ("print(ray.get(ray.get(load.remote(1))))", "print(ray.get(load.remote(1)))"),
        ("ref = ray.get(load.remote(2))", "ref = load.remote(2)"),
        ("a, b = ray.get(split.remote(3))", "a, b = split.remote(3)"),
    ]:
        assert f"\n-    {old}\n" in result.out and f"\n+    {new}\n" in result.out
    assert "--- a/tasks.py\n+++ b/tasks.py\n" in result.out
    # the unsafe fix (label) is not in the diff, and its callers are untouched
    assert "--- a/other.py" not in result.out and "-    print(ray.get(ray.get(label.remote(4))))" not in result.out
    assert 'return ray.put(f"label-{i}")\n+' not in result.out
    assert files(app) == before


def test_diff_with_unsafe_fixes_shows_the_unsafe_fix_too(app):
    result = app.run("check", ".", "--diff", "--unsafe-fixes")
    assert result.code == 1
    assert '-    return ray.put(f"label-{i}")\n+    return f"label-{i}"\n' in result.out
    # the call site it could rewrite is rewritten; the ones to review are left as they were
    assert "\n-    print(ray.get(ray.get(label.remote(4))))\n+    print(ray.get(label.remote(4)))\n" in result.out
    assert "--- a/other.py" not in result.out


def test_json_lists_call_sites_per_fix_with_status_and_applicability(app):
    result = app.run("check", ".", "--format", "json")
    assert result.code == 1
    findings = {f["task"]: f for f in json.loads(result.out)["findings"]}
    assert set(findings) == {"load", "label", "split"}

    def resolve(path: str) -> Path:
        return (app.root / path).resolve()

    load = findings["load"]["fixes"][0]
    assert (load["id"], load["applicability"], load["unsafe_reason"]) == ("return-value", "safe", "")
    sites = sorted((resolve(s["path"]).name, s["range"]["start"]["line"], s["status"]) for s in load["call_sites"])
    assert sites == [("main.py", where(app, "main.py", "load.remote(1)")[0], "rewritten"),
                     ("main.py", where(app, "main.py", "load.remote(2)")[0], "rewritten")]
    site = next(s for s in load["call_sites"] if s["range"]["start"]["line"] == where(app, "main.py", "load.remote(1)")[0])
    assert site["range"]["start"]["column"] == where(app, "main.py", "load.remote(1)")[1] and site["review"] == ""
    # the fix's edits include the caller's
    assert {resolve(e["path"]).name for e in load["edits"]} == {"tasks.py", "main.py"}
    # every path is written the same way: relative to the folder raylint runs in
    assert sorted({e["path"] for e in load["edits"]} | {s["path"] for s in load["call_sites"]}) == ["main.py", "tasks.py"]
    assert {"new_text": "load.remote(2)"}.items() <= next(
        e for e in load["edits"] if e["new_text"] == "load.remote(2)"
    ).items()

    split = findings["split"]["fixes"]
    assert [f["id"] for f in split] == ["num-returns", "generator"]
    assert all(f["applicability"] == "safe" for f in split)
    assert [s["status"] for s in split[0]["call_sites"]] == ["rewritten"]
    assert any(e["new_text"] == "split.remote(3)" for e in split[0]["edits"])
    assert any(e["new_text"] == "list(split.remote(3))" for e in split[1]["edits"])

    label = findings["label"]["fixes"][0]
    assert label["applicability"] == "unsafe"
    assert label["unsafe_reason"] == "2 call sites must be updated by hand"
    assert label["title"].endswith("(2 call sites to review)")
    by_status = {}
    for s in label["call_sites"]:
        by_status.setdefault(s["status"], []).append(s)
    assert [resolve(s["path"]).name for s in by_status["rewritten"]] == ["main.py"]
    reviews = sorted(
        (resolve(s["path"]).name, s["range"]["start"]["line"], s["range"]["start"]["column"], s["review"])
        for s in by_status["review"]
    )
    assert reviews == [
        ("other.py", *where(app, "other.py", "name_of.remote(5)"), "the ref is passed to a call, which raylint cannot follow"),
        ("other.py", *where(app, "other.py", "name_of.remote(6)"), "the ref is stored in a collection, which raylint cannot follow"),
    ]
    # the call sites to review are among the finding's related locations too
    related = [r for r in findings["label"]["related"] if r["message"].startswith("call site to review: ")]
    assert sorted((resolve(r["path"]).name, r["range"]["start"]["line"]) for r in related) == [
        ("other.py", where(app, "other.py", "name_of.remote(5)")[0]),
        ("other.py", where(app, "other.py", "name_of.remote(6)")[0]),
    ]


def test_text_lists_the_call_sites_to_review(app):
    result = app.run("check", ".")
    assert result.code == 1
    passed, stored = where(app, "other.py", "name_of.remote(5)"), where(app, "other.py", "name_of.remote(6)")
    lines = result.out.splitlines()
    label = lines.index(next(line for line in lines if "Task `label`" in line))
    assert lines[label + 1] == (
        "  fix (return-value): Return the value directly instead of a ray.put() ref (2 call sites to review)"
        " [unsafe: 2 call sites must be updated by hand]"
    )
    assert lines[label + 2 : label + 4] == [
        f"  review call site other.py:{passed[0]}:{passed[1]}: the ref is passed to a call, which raylint cannot follow",
        f"  review call site other.py:{stored[0]}:{stored[1]}: the ref is stored in a collection, which raylint cannot follow",
    ]
    assert result.out.count("review call site") == 2  # only under the task they belong to
    assert result.out.rstrip().endswith(
        "Found 3 problems: 2 fixable with --fix,"
        " 1 needs review (the reasons and call sites are listed above; apply with --unsafe-fixes)."
    )


def test_review_paths_are_relative_to_the_current_folder(app):
    app.write("jobs/run.py", "import ray\nfrom tasks import label\nHOLD = {7: label.remote(7)}\n")
    result = app.run("check", ".")
    line, column = where(app, "jobs/run.py", "label.remote(7)")
    assert f"  review call site jobs/run.py:{line}:{column}: the ref is stored in a collection" in result.out


ESCAPES = """\
import ray
from tasks import load

REF = load.remote(1)


def show():
    return ray.get(ray.get(REF))


def later():
    ref = load.remote(2)
    return lambda: ray.get(ray.get(ref))


def fine():
    ref = load.remote(3)
    return ray.get(ray.get(ref))
"""


def test_outer_refs_that_escape_their_function_are_refused(project):
    """A module-level name (other modules may import it) and a name read in a closure."""
    project.write("tasks.py", LIB_TASKS)
    project.write("main.py", ESCAPES)
    project.write("user.py", "import ray\nfrom main import REF\nprint(ray.get(ray.get(REF)))\n")
    result = project.run("check", ".", "--fix")
    assert result.code == 1
    module_level, closure = where(project, "main.py", "load.remote(1)"), where(project, "main.py", "load.remote(2)")
    assert (
        f"  review call site main.py:{module_level[0]}:{module_level[1]}: "
        "`REF` is a module-level name, which other modules may import"
    ) in result.out
    assert (
        f"  review call site main.py:{closure[0]}:{closure[1]}: "
        "`ref` is read in a nested function, which raylint cannot follow"
    ) in result.out
    assert (project.root / "main.py").read_text() == ESCAPES
    result = project.run("check", ".", "--diff", "--unsafe-fixes")
    assert "\n-    return ray.get(ray.get(ref))\n+    return ray.get(ref)\n" in result.out  # `fine` only
    assert result.out.count("+    return ray.get(") == 1


def test_fix_applies_safe_fixes_with_their_callers_and_leaves_unsafe_ones(app):
    result = app.run("check", ".", "--fix")
    assert result.code == 1  # label is still there
    assert "Found 3 problems: 2 fixed, 1 needs review" in result.out  # problems, not edits (4 with the callers)
    fixed = files(app)
    assert fixed["main.py"] == MAIN_FIXED
    assert fixed["other.py"] == OTHER
    assert 'return ray.put(f"label-{i}")' in fixed["tasks.py"]
    assert "    return i * 10\n" in fixed["tasks.py"] and "@ray.remote(num_returns=2)\ndef split" in fixed["tasks.py"]
    assert "review call site other.py:" in result.out
    again = app.run("check", ".", "--fix")
    assert again.code == 1 and files(app) == fixed


def test_unsafe_fixes_apply_the_rest_and_leave_the_call_sites_to_review_alone(app):
    result = app.run("check", ".", "--fix", "--unsafe-fixes")
    assert result.code == 0, result.out
    fixed = files(app)
    assert "ray.put" not in fixed["tasks.py"]
    assert fixed["main.py"] == MAIN_FIXED.replace("ray.get(ray.get(label.remote(4)))", "ray.get(label.remote(4))")
    assert fixed["other.py"] == OTHER
    again = app.run("check", ".", "--fix", "--unsafe-fixes")
    assert (again.code, files(app)) == (0, fixed)


def test_unsafe_fixes_without_fix_writes_nothing(app):
    before = files(app)
    result = app.run("check", ".", "--unsafe-fixes")
    assert result.code == 1 and files(app) == before


def test_list_of_call_sites_is_rewritten_once(project):
    """`ray.get(ray.get([f.remote(0), f.remote(1)]))`: two call sites, one edit."""
    project.write("tasks.py", LIB_TASKS)
    project.write("main.py", "import ray\nfrom tasks import load\nA, B = ray.get(ray.get([load.remote(0), load.remote(1)]))\n")
    result = project.run("check", ".", "--fix")
    assert result.code == 0, result.out
    assert (project.root / "main.py").read_text() == (
        "import ray\nfrom tasks import load\nA, B = ray.get([load.remote(0), load.remote(1)])\n"
    )


def test_a_caller_with_a_syntax_error_makes_the_fix_unsafe(project):
    """Recovery drops the broken lines and any call site on them: the fix is not called safe."""
    project.write("tasks.py", "import ray\n\n\n@ray.remote\ndef load(i):\n    return ray.put(i)\n")
    project.write("broken.py", "import ray\nfrom tasks import load\nprint(ray.get(ray.get(load.remote(2))))\ndef oops(:\n    pass\n")
    result = project.run("check", ".", "--fix")
    assert result.code == 1
    assert "  review call site broken.py:4:1: a syntax error hides part of its file" in result.out
    assert "return ray.put(i)" in (project.root / "tasks.py").read_text()


def run_in(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "raylint", "check", *args], cwd=folder, capture_output=True, text=True, env=env, timeout=120
    )


CALLER = "import ray\nfrom lib.tasks import load\nprint(ray.get(ray.get(load.remote(1))))\n"
CALLER_FIXED = "import ray\nfrom lib.tasks import load\nprint(ray.get(load.remote(1)))\n"
LIB_TASKS = "import ray\n\n\n@ray.remote\ndef load(i):\n    return ray.put(i)\n"


@pytest.mark.parametrize("checked", ["lib", "lib/tasks.py"])
def test_caller_outside_the_checked_path_in_the_current_folder_is_updated(project, checked):
    project.write("lib/__init__.py", "")
    project.write("lib/tasks.py", LIB_TASKS)
    project.write("app/main.py", CALLER)
    result = run_in(project.root, checked, "--fix")
    assert result.returncode == 0, result.stdout
    assert (project.root / "app/main.py").read_text() == CALLER_FIXED
    assert "return i\n" in (project.root / "lib/tasks.py").read_text()


def test_caller_outside_the_checked_path_in_the_config_root_is_updated(project):
    """Run from a subfolder: the project is the folder of pyproject.toml, not the current one."""
    project.write("pyproject.toml", "[tool.raylint]\n")
    project.write("lib/__init__.py", "")
    project.write("lib/tasks.py", LIB_TASKS)
    project.write("app/main.py", CALLER)
    diff = run_in(project.root / "lib", ".", "--diff")
    assert diff.returncode == 1
    assert "+print(ray.get(load.remote(1)))" in diff.stdout
    result = run_in(project.root / "lib", ".", "--fix")
    assert result.returncode == 0, result.stdout
    assert (project.root / "app/main.py").read_text() == CALLER_FIXED


def test_caller_outside_the_checked_path_to_review_is_reported_from_the_config_root(project):
    project.write("pyproject.toml", "[tool.raylint]\n")
    project.write("lib/__init__.py", "")
    project.write("lib/tasks.py", LIB_TASKS)
    project.write("app/main.py", "import ray\nfrom lib.tasks import load\nHELD = {'x': load.remote(1)}\n")
    result = run_in(project.root / "lib", ".", "--fix")
    assert result.returncode == 1
    assert "  review call site ../app/main.py:3:14: the ref is stored in a collection" in result.stdout
    assert "return ray.put(i)" in (project.root / "lib/tasks.py").read_text()


def test_a_caller_in_an_excluded_file_is_not_silently_broken(project):
    # Decided: excluded files are searched for callers but never edited; their call sites are
    # to review, so the fix is unsafe (applied only with --unsafe-fixes, the caller left as is).
    project.write("pyproject.toml", '[tool.raylint]\nexclude = ["generated/**"]\n')
    project.write("tasks.py", "import ray\n\n\n@ray.remote\ndef load(i):\n    return ray.put(i)\n")
    project.write("generated/client.py", "import ray\nfrom tasks import load\nX = ray.get(ray.get(load.remote(1)))\n")
    client = "import ray\nfrom tasks import load\nX = ray.get(ray.get(load.remote(1)))\n"
    result = run_in(project.root, ".", "--fix")
    caller = (project.root / "generated/client.py").read_text()
    task_fixed = "return ray.put(i)" not in (project.root / "tasks.py").read_text()
    assert not task_fixed or "ray.get(ray.get(" not in caller
    assert not task_fixed and caller == client
    assert "review call site generated/client.py:3:21: it is in a file excluded from raylint" in result.stdout
    # with --unsafe-fixes the task is fixed and the excluded caller is still not edited
    run_in(project.root, ".", "--fix", "--unsafe-fixes")
    assert "return ray.put(i)" not in (project.root / "tasks.py").read_text()
    assert (project.root / "generated/client.py").read_text() == client


def test_edit_only_given_leaves_callers_in_other_files_to_review(project):
    """pre-commit gives the staged files: with --edit-only-given, a fix that must edit a
    caller elsewhere is unsafe, and nothing outside the given files changes."""
    project.write("tasks.py", "import ray\n\n\n@ray.remote\ndef load(x):\n    return ray.put(x)\n")
    caller = "import ray\nfrom tasks import load\n\nprint(ray.get(ray.get(load.remote(1))))\n"
    project.write("main.py", caller)
    result = project.run("check", "--fix", "--edit-only-given", "tasks.py")
    assert result.code == 1 and "review call site main.py:4:23: it is in a file not given to this run, and --edit-only-given edits only those" in result.out
    assert (project.root / "main.py").read_text() == caller
    assert "ray.put" in (project.root / "tasks.py").read_text()
    assert project.run("check", "--fix", "tasks.py").code == 0  # without it, both are fixed
    assert (project.root / "main.py").read_text().endswith("print(ray.get(load.remote(1)))\n")


def test_an_actor_method_handed_to_another_module_makes_the_fix_unsafe(project):
    """`run(h.report)` in a module that never spells `remote` hands the method to one that calls
    `.remote()` on it and `ray.get`s the ref twice. Returning the value would break that second
    `ray.get`: the fix is unsafe and names the place. (Modules without `remote` were skipped
    as if a handle's method could only be called there, and the fix was safe.)"""
    project.write("counter.py", "import ray\n\n\n@ray.remote\nclass Hits:\n    def report(self):\n        return ray.put('hits')\n")
    project.write("factory.py", "from counter import Hits\n\n\ndef make():\n    return Hits.remote()\n")
    project.write("runner.py", "import ray\n\n\ndef run(method):\n    return ray.get(ray.get(method.remote()))\n")
    main = "import ray\nfrom factory import make\nfrom runner import run\n\n\ndef main():\n    h = make()\n    print(run(h.report))\n    h.report()  # (a plain call: not the method)\n"
    project.write("main.py", main)
    result = project.run("check", ".", "--fix")
    assert result.code == 1
    assert "review call site main.py:8:15: `h.report` may be `Hits.report`" in result.out
    assert "return ray.put('hits')" in (project.root / "counter.py").read_text()


LOAD_TASK = "import ray\n\n\n@ray.remote\ndef load(i):\n    return ray.put(i * 10)\n"


@pytest.mark.parametrize(
    "main, review",
    [
        (
            "import importlib\nimport ray\n\n\ndef main():\n    mod = importlib.import_module('tasks')\n    print(ray.get(ray.get(mod.load.remote(1))))\n",
            "main.py:6:11: `importlib.import_module('tasks')` imports the task's module at run time",
        ),
        (
            "import ray\n\n\ndef main():\n    mod = __import__('tasks')\n    print(ray.get(ray.get(mod.load.remote(1))))\n",
            "main.py:5:11: `__import__('tasks')` imports the task's module at run time",
        ),
        (
            "from importlib import import_module\nimport ray\n\nNAME = 'tasks'\n\n\ndef main():\n    mod = import_module(\n        NAME\n    )\n    print(ray.get(ray.get(mod.load.remote(1))))\n",
            "main.py:8:11: `import_module( NAME )` imports a module named at run time, which may be the task's",
        ),
        (
            "import ray\nimport tasks\n\n\ndef main():\n    f = getattr(tasks, 'lo' + 'ad')\n    print(ray.get(ray.get(f.remote(1))))\n",
            "main.py:6:9: `getattr(tasks, 'lo' + 'ad')` fetches a name of the task's module computed at run time",
        ),
        (
            "import ray\nimport tasks\n\n\ndef run(mod):\n    return ray.get(ray.get(mod.load.remote(1)))\n\n\ndef main():\n    print(run(tasks))\n",
            "main.py:10:11: `run(tasks)` uses the task's module as a value",
        ),
        (
            "import ray\nimport tasks\n\n\ndef main():\n    print(ray.get(ray.get(vars(tasks)['load'].remote(1))))\n",
            "main.py:6:27: `vars(tasks)` uses the task's module as a value",
        ),
        (
            "import ray\nimport tasks\n\n\ndef main():\n    print(ray.get(ray.get(tasks.__dict__['load'].remote(1))))\n",
            "main.py:6:27: `tasks.__dict__` uses the task's module as a value",
        ),
        (
            "import sys\nimport ray\nimport tasks\n\n\ndef main():\n    print(ray.get(ray.get(sys.modules['tasks'].load.remote(1))))\n",
            "main.py:7:27: `sys.modules['tasks']` may fetch the task's module by name",
        ),
    ],
    ids=["import_module", "__import__", "computed name", "computed getattr", "passed", "vars", "__dict__", "sys.modules"],
)
def test_the_tasks_module_reached_at_run_time_or_used_as_a_value_makes_the_fix_unsafe(project, main, review):
    """`mod.load.remote(1)` where `mod` comes from `import_module`/`__import__`; the task from
    `getattr(tasks, <computed>)`; the module object passed on, its namespace read, or fetched
    from `sys.modules`: raylint cannot see the call site, so the fix is not safe. (Such a
    module was skipped, having no import statement of `tasks`, or only `tasks.load` was looked
    for: the fix was safe.)"""
    project.write("tasks.py", LOAD_TASK)
    project.write("main.py", main)
    result = project.run("check", ".", "--fix")
    assert result.code == 1
    assert f"  review call site {review}" in result.out
    assert "return ray.put(i * 10)" in (project.root / "tasks.py").read_text()


@pytest.mark.parametrize(
    "main, rewritten",
    [
        (
            "import importlib\nimport ray\nfrom tasks import load\n\n\ndef main(kind):\n"
            "    j = importlib.import_module('json')\n    t = importlib.import_module(f'transformers.{kind}')\n"
            "    u = importlib.import_module('torch.' + kind)\n    print(ray.get(ray.get(load.remote(1))))\n",
            "print(ray.get(load.remote(1)))",
        ),
        (
            "import sys\nimport ray\nimport tasks\n\n\ndef main():\n    m = tasks\n    print(sys.modules['json'], tasks is None)\n"
            "    print(ray.get(ray.get(m.load.remote(1))))\n",
            "print(ray.get(m.load.remote(1)))",
        ),
    ],
    ids=["modules that cannot be the task's", "alias and comparison"],
)
def test_what_cannot_reach_the_task_unseen_keeps_the_fix_safe(project, main, rewritten):
    """`import_module("json")`, `f"transformers.{kind}"`, `"torch." + kind` (not workspace
    modules); `m = tasks` (an alias, followed), `tasks is None`, `sys.modules['json']`: the fix
    stays safe and is applied with its caller."""
    project.write("tasks.py", LOAD_TASK)
    project.write("main.py", main)
    result = project.run("check", ".", "--fix")
    assert "return i * 10" in (project.root / "tasks.py").read_text(), result.out
    assert rewritten in (project.root / "main.py").read_text()


def test_the_tasks_module_reached_through_its_package_as_a_value_makes_the_fix_unsafe(project):
    """`run(pkg.tasks)`: the module named through its package is passed on (only the name `pkg`
    was looked at, and its attribute read counted as harmless). `pkg.tasks.load.remote()` is
    still followed and rewritten."""
    project.write("pkg/__init__.py", "")
    project.write("pkg/tasks.py", LOAD_TASK)
    project.write(
        "main.py",
        "import ray\nimport pkg.tasks\n\n\ndef run(mod):\n    return ray.get(ray.get(mod.load.remote(1)))\n\n\n"
        "def main():\n    print(run(pkg.tasks))\n    print(ray.get(ray.get(pkg.tasks.load.remote(2))))\n",
    )
    result = project.run("check", ".", "--fix")
    assert result.code == 1
    assert "  review call site main.py:10:11: `run(pkg.tasks)` uses the task's module as a value" in result.out
    assert "review call site main.py:11" not in result.out
    assert "return ray.put(i * 10)" in (project.root / "pkg" / "tasks.py").read_text()


# Callers that import the task's module where the import-line reader does not look; the
# module has several tasks, so that each one's search looks the files up, not reads them again
ODD_IMPORTERS = {
    "semicolon.py": "import os; import tasks\nimport ray\n\n\ndef main():\n    return ray.get(ray.get(tasks.load.remote(1)))\n",
    "in_if.py": "import ray\nif True: import tasks\n\n\ndef main():\n    return ray.get(ray.get(tasks.load.remote(2)))\n",
    "continued.py": "import ray\nfrom tasks import \\\n    load\n\n\ndef main():\n    return ray.get(ray.get(load.remote(3)))\n",
    "in_try.py": "import ray\ntry: from tasks import load\nexcept ImportError: raise\n\n\ndef main():\n    return ray.get(ray.get(load.remote(4)))\n",
    "star.py": "import ray\nfrom tasks import *\n\n\ndef main():\n    return ray.get(ray.get(load.remote(5)))\n",
    "plain.py": "import ray\nimport tasks\n\n\ndef main():\n    return ray.get(ray.get(tasks.load.remote(6)))\n",
}


def test_callers_importing_the_module_in_odd_ways_are_updated(project):
    """`import os; import tasks`, `if True: import tasks`, a backslash, `try: from tasks import
    load`, a star import: each caller is found and rewritten with the task (a caller missed
    would be left fetching twice: a wrong safe fix)."""
    project.write("tasks.py", LOAD_TASK + "".join(f"\n\n@ray.remote\ndef other_{n}(i):\n    return ray.put(i)\n" for n in range(5)))
    for name, text in ODD_IMPORTERS.items():
        project.write(name, text)
    project.write("unrelated.py", "import ray\nimport os; import json\n\n\ndef main():\n    return ray.get(ray.get(load.remote(7)))\n")
    result = project.run("check", ".", "--fix")
    assert "return i * 10" in (project.root / "tasks.py").read_text(), result.out
    for n, name in enumerate(ODD_IMPORTERS, 1):
        assert f"ray.get(ray.get(" not in (project.root / name).read_text(), (name, result.out)
        assert f".remote({n}))\n" in (project.root / name).read_text()
    assert "ray.get(ray.get(load.remote(7)))" in (project.root / "unrelated.py").read_text()  # (`load` is not the task there)


def test_a_broken_caller_importing_the_module_after_a_semicolon_makes_the_fix_unsafe(project):
    """The import reader cannot read a file whose string never closes; its odd import line
    (`import os; import tasks`) still says it may call the task, hidden by the syntax error."""
    project.write("tasks.py", LOAD_TASK + "\n\n@ray.remote\ndef other(i):\n    return ray.put(i)\n")
    project.write("main.py", 'import os; import tasks\nimport ray\n\n\ndef main():\n    return ray.get(ray.get(tasks.load.remote(1)))\n\ns = """never closed\n')
    result = project.run("check", ".")
    assert "review call site main.py:8:1: a syntax error hides part of its file" in result.out


def test_a_module_imported_at_run_time_makes_every_task_of_it_unsafe(project):
    """`import_module('tasks')` in a caller: the search of each task of the module (three
    here: the file is asked again and again, from its words after the first) lists it."""
    project.write("tasks.py", "import ray\n" + "".join(f"\n\n@ray.remote\ndef load_{n}(i):\n    return ray.put(i)\n" for n in range(3)))
    project.write("main.py", "import importlib\nimport ray\n\n\ndef main():\n    mod = importlib.import_module('tasks')\n    print(ray.get(ray.get(mod.load_2.remote(1))))\n")
    result = project.run("check", ".")
    review = "review call site main.py:6:11: `importlib.import_module('tasks')` imports the task's module at run time"
    assert result.out.count(review) == 3, result.out


def test_a_caller_in_a_python_script_without_a_suffix_is_updated(project):
    """`bin/run_job` (a `#!/usr/bin/env python3` script) is not checked, but it may call the
    project's tasks: it is searched and rewritten with them. Files that are not Python scripts
    (a shell script, a FIFO, a link to a device) are passed over without a word."""
    project.write("tasks.py", LOAD_TASK)
    project.write("bin/run_job", "#!/usr/bin/env python3\nimport ray\nfrom tasks import load\nprint(ray.get(ray.get(load.remote(1))))\n")
    project.write("bin/deploy", "#!/bin/sh\nexec python -c 'from tasks import load'\n")
    os.mkfifo(project.root / "bin" / "queue")
    os.symlink("/dev/zero", project.root / "bin" / "zeros")
    result = run_in(project.root, ".", "--fix")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project.root / "bin/run_job").read_text().endswith("print(ray.get(load.remote(1)))\n")
    assert "return i * 10" in (project.root / "tasks.py").read_text()
    assert (project.root / "bin/deploy").read_text() == "#!/bin/sh\nexec python -c 'from tasks import load'\n"
    assert result.stderr == ""


@pytest.mark.parametrize(
    "main, review",
    [
        (
            "import os\nimport sys\nimport ray\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))\n"
            "from tasks import load\nprint(ray.get(ray.get(load.remote(1))))\n",
            "main.py:5:1: its import of `tasks` finds no workspace module from here, yet may be lib/tasks.py",
        ),
        (
            "import ray\nimport tasks as t\nprint(ray.get(ray.get(getattr(t, 'lo' + 'ad').remote(1))))\n",
            "main.py:2:1: its import of `tasks` finds no workspace module from here, yet may be lib/tasks.py",
        ),
    ],
    ids=["sys.path", "computed getattr"],
)
def test_an_import_that_may_reach_the_tasks_module_on_an_unknown_search_path_makes_the_fix_unsafe(project, main, review):
    """`from tasks import load` for lib/tasks.py, with lib put on `sys.path` at run time (or
    PYTHONPATH): raylint finds no `tasks` from main.py, and took the import for an installed
    package's. The safe fix rewrote the task and left main.py fetching twice (`ray.get` of an
    int, on Ray). Now such an import, in a file that spells the task's name (or fetches names
    at run time), is a call site to review."""
    project.write("lib/tasks.py", LOAD_TASK)
    project.write("main.py", main)
    result = project.run("check", ".", "--fix")
    assert result.code == 1
    assert f"  review call site {review}" in result.out
    assert "return ray.put(i * 10)" in (project.root / "lib" / "tasks.py").read_text()


def test_an_unfound_import_of_another_name_keeps_the_fix_safe(project):
    """An installed package's import (`import datasets`, `from tasks_lib import load`: no
    workspace module ends so), or one that ends like the task's module in a file that never
    names the task: the fix stays safe."""
    project.write("lib/tasks.py", LOAD_TASK)
    project.write("main.py", "import ray\nfrom lib.tasks import load\nprint(ray.get(ray.get(load.remote(1))))\n")
    project.write("other.py", "import datasets\nfrom tasks_lib import load\nprint(load)\n")
    project.write("quiet.py", "import tasks\nprint(tasks.VERSION)\n")
    result = project.run("check", ".", "--fix")
    assert result.code == 0, result.out
    assert "return i * 10" in (project.root / "lib" / "tasks.py").read_text()
    assert (project.root / "main.py").read_text().endswith("print(ray.get(load.remote(1)))\n")


def test_a_tasks_module_imported_into_a_global_by_a_function_makes_the_fix_unsafe(project):
    """`global tasks; import tasks` in `setup()`, `tasks.load.remote(1)` in `run()`: the module
    scope held only `tasks = None`, so `tasks` was no module and the call was not seen (the safe
    fix left run() fetching twice, on Ray). Now `tasks` may be the module or None: to review."""
    project.write("tasks.py", LOAD_TASK)
    project.write(
        "main.py",
        "import ray\ntasks = None\n\n\ndef setup():\n    global tasks\n    import tasks\n\n\n"
        "def run():\n    return ray.get(ray.get(tasks.load.remote(1)))\n",
    )
    result = project.run("check", ".", "--fix")
    assert result.code == 1
    assert "  review call site main.py:11:28: `tasks.load` may be the task `load` or something else" in result.out
    assert "return ray.put(i * 10)" in (project.root / "tasks.py").read_text()


# Callers the import system finds by other paths than the importer's package root: each is
# followed and rewritten with the task (each was taken for an installed module's user, and
# the safe fix left it fetching twice, on Ray). (where the task is, the caller, the module it
# imports, other files)
FOUND_BY_OTHER_PATHS = {
    # src/ is searched for absolute imports, as by ruff and pyright (the package installed, or
    # src on the path)
    "src layout": ("src/pkg/tasks.py", "tests/test_tasks.py", "pkg.tasks", {"src/pkg/__init__.py": "", "pyproject.toml": '[project]\nname = "pkg"\n'}),
    # `python src/pkg/run.py` puts src/pkg on the path: its own folder is looked in last
    "a package's script, by a sibling's own name": ("src/pkg/tasks.py", "src/pkg/run.py", "tasks", {"src/pkg/__init__.py": ""}),
    # `lib -> src/lib`: the import leads to the file in its real folder, the task's path
    "a symlinked folder": ("src/lib/tasks.py", "main.py", "lib.tasks", {"src/lib/__init__.py": "", "lib": "-> src/lib"}),
    # `tasks.py -> impl/tasks.py`: both paths are checked; the import leads to the real file
    "a symlinked file": ("impl/tasks.py", "main.py", "tasks", {"tasks.py": "-> impl/tasks.py"}),
}


@pytest.mark.parametrize("name", FOUND_BY_OTHER_PATHS)
def test_a_caller_the_import_system_finds_by_another_path_is_updated(project, name):
    tasks, caller, module, files = FOUND_BY_OTHER_PATHS[name]
    for path, text in files.items():
        if text.startswith("-> "):
            os.symlink(text[3:], project.root / path)
        else:
            project.write(path, text)
    project.write(tasks, LOAD_TASK)
    project.write(caller, f"import ray\nfrom {module} import load\nprint(ray.get(ray.get(load.remote(1))))\n")
    result = project.run("check", ".", "--fix")
    assert result.code == 0, result.out
    assert "return i * 10" in (project.root / tasks).read_text()
    assert (project.root / caller).read_text().endswith("print(ray.get(load.remote(1)))\n")


@pytest.mark.parametrize(
    "load, review",
    [
        ('importlib.import_module(".tasks", "pkg")', "imports the task's module at run time"),
        ('importlib.import_module(".tasks", package=PACKAGE)', "imports a module named at run time relative to a package raylint cannot tell"),
        ('importlib.import_module("..pkg.tasks", "pkg.sub")', "imports the task's module at run time"),
        ('__import__("tasks", globals(), None, ["load"], LEVEL)', "imports a module named at run time relative to a package raylint cannot tell"),
    ],
    ids=["written package", "computed package", "two dots", "__import__ at a computed level"],
)
def test_a_relative_name_given_to_import_module_is_read_from_its_package(project, load, review):
    """`import_module(".tasks", "pkg")` imports pkg.tasks: the name was read from beside the
    caller (main.py at the root, where no tasks.py is), so the module was not the task's and
    the safe fix left `mod.load.remote(1)` fetching twice (on Ray). `__import__` at a level
    raylint cannot read is reviewed too."""
    project.write("pkg/__init__.py", "")
    project.write("pkg/sub/__init__.py", "")
    project.write("pkg/tasks.py", LOAD_TASK)
    project.write("main.py", f"import importlib\nimport ray\n\nPACKAGE, LEVEL = 'pkg', 0\nmod = {load}\nprint(ray.get(ray.get(mod.load.remote(1))))\n")
    result = project.run("check", ".", "--fix")
    assert result.code == 1
    assert f"  review call site main.py:5:7: `{load}` {review}" in result.out
    assert "return ray.put(i * 10)" in (project.root / "pkg" / "tasks.py").read_text()


@pytest.mark.parametrize(
    "init, main, expected",
    [
        ('__all__ = ["tasks"]\n', "from pkg import *\n", "rewritten"),
        ("", "import pkg.tasks\nfrom pkg import *\n", "main.py:4:23: `tasks.load` may be the task `load` or something else"),
    ],
    ids=["listed in __all__", "imported first"],
)
def test_a_submodule_bound_by_a_star_import_of_its_package_is_followed(project, init, main, expected):
    """`from pkg import *` binds the submodule `tasks` when pkg's `__all__` lists it (then the
    call is the task's, and rewritten), or when something imported it first (then it may be:
    to review). `tasks` was taken for nothing, and the safe fix left the call fetching twice."""
    project.write("pkg/__init__.py", init)
    project.write("pkg/tasks.py", LOAD_TASK)
    project.write("main.py", f"import ray\n{main}print(ray.get(ray.get(tasks.load.remote(1))))\n")
    result = project.run("check", ".", "--fix")
    if expected == "rewritten":
        assert result.code == 0, result.out
        assert (project.root / "main.py").read_text().endswith("print(ray.get(tasks.load.remote(1)))\n")
    else:
        assert f"  review call site {expected}" in result.out
        assert "return ray.put(i * 10)" in (project.root / "pkg" / "tasks.py").read_text()


DOCTEST = "a doctest example names it here, which doctest runs and raylint does not rewrite"
CODE_STRING = "a string names it with `remote`, and may be run as code"


@pytest.mark.parametrize(
    "files, review",
    [
        (
            {"tasks.py": 'import ray\n\n\n@ray.remote\ndef load(i):\n    """\n    >>> ray.get(ray.get(load.remote(1)))\n    10\n    """\n    return ray.put(i * 10)\n'},
            f"tasks.py:7:1: {DOCTEST}",
        ),
        (
            {
                "tasks.py": LOAD_TASK,
                "docs_examples.py": '"""Examples.\n\n>>> import ray\n>>> from tasks import load\n>>> ray.get(ray.get(load.remote(1)))\n10\n"""\n',
            },
            f"docs_examples.py:4:1: {DOCTEST}",
        ),
        (
            {
                "actors.py": "import ray\n\n\n@ray.remote\nclass Store:\n    def load(self, i):\n        return ray.put(i * 10)\n",
                "main.py": 'def example():\n    """\n    >>> s = Store.remote()\n    >>> ray.get(ray.get(s.load.remote(1)))\n    10\n    """\n',
            },
            f"main.py:4:1: {DOCTEST}",
        ),
        (
            {
                "tasks.py": LOAD_TASK,
                "main.py": 'import subprocess, sys\nCODE = "import ray; ray.init(); from tasks import load; print(ray.get(ray.get(load.remote(2))))"\n'
                'subprocess.run([sys.executable, "-c", CODE])\n',
            },
            f"main.py:2:8: {CODE_STRING}",
        ),
        (
            {
                "tasks.py": LOAD_TASK,
                "main.py": 'import subprocess, sys\nsubprocess.run([sys.executable, "-c", """\nimport ray, tasks\nf = tasks.load\nprint(ray.get(ray.get(f.remote(2))))\n"""])\n',
            },
            f"main.py:2:39: {CODE_STRING}",
        ),
    ],
    ids=["own docstring", "module that imports it only in an example", "actor method", "python -c", "a script in a triple-quoted string"],
)
def test_code_in_a_string_that_may_call_the_task_makes_the_fix_unsafe(project, files, review):
    """A docstring's `>>> ray.get(ray.get(load.remote(1)))` is code that doctest and pytest's
    `--doctest-modules` run, and `python -c "...load.remote(2)..."` code run in another process:
    the safe fix rewrote the task and left them fetching twice (`python -m doctest` and the
    `-c` script failed after it, on Ray: `ray.get` of an int). raylint does not rewrite code in
    strings: each that may reach the task is a call site to review."""
    for path, text in files.items():
        project.write(path, text)
    result = project.run("check", ".", "--fix")
    assert result.code == 1
    assert f"  review call site {review}" in result.out
    assert all((project.root / path).read_text() == text for path, text in files.items())


def test_a_doctest_example_of_other_names_or_prose_keeps_the_fix_safe(project):
    """A docstring is text, never run (but for its examples): one that explains `load.remote(i)`
    in prose, an example of other names, a log message naming the task: the fix stays safe. So
    do code in a string and a doctest elsewhere that cannot reach the task (they name no
    module exposing it, and the file does not import one): another `load` of theirs."""
    project.write(
        "tasks.py",
        LOAD_TASK + '\n\ndef helper():\n    """Submit with `load.remote(i)`.\n\n    >>> loader = 1\n    >>> helper()\n    """\n'
        '    print("load is ready")\n',
    )
    project.write(
        "scripts.py",
        'CODE = "import data; ray.get(data.load.remote())"\n\n\ndef read():\n    """\n    >>> from data import load\n    >>> load()\n    """\n',
    )
    project.write("main.py", "import ray\nfrom tasks import load\nprint(ray.get(ray.get(load.remote(1))))\n")
    result = project.run("check", ".", "--fix")
    assert result.code == 0, result.out
    assert "return i * 10" in (project.root / "tasks.py").read_text()


def test_a_caller_spelling_names_in_compatibility_characters_is_found_and_rewritten(project):
    """Python reads `ｔａｓｋｓ.ｌｏａｄ` as `tasks.load` (names are NFKC-normalized): the text never
    spells `tasks` nor `load`, so the search passed the file over, and the safe fix left it
    fetching twice (`ray.get` of an int, on Ray). Words are now searched as the parser reads them."""
    project.write("tasks.py", LOAD_TASK)
    project.write("main.py", "import ray\nimport ｔａｓｋｓ\nprint(ray.get(ray.get(ｔａｓｋｓ.ｌｏａｄ.remote(2))))\n")
    project.write("other.py", "import ray\nfrom ｔａｓｋｓ import ｌｏａｄ as ｆｅｔｃｈ  # ﬁle，好²\nvalue = ray.get(ray.get(ｆｅｔｃｈ.remote(3)))\n")
    result = project.run("check", ".", "--fix")
    assert result.code == 0, result.out
    assert "return i * 10" in (project.root / "tasks.py").read_text()
    assert (project.root / "main.py").read_text().endswith("print(ray.get(ｔａｓｋｓ.ｌｏａｄ.remote(2)))\n")
    assert (project.root / "other.py").read_text().endswith("value = ray.get(ｆｅｔｃｈ.remote(3))\n")


def test_bare_doctest_prompts_are_read_without_error(project):
    """`>>>` and `...` alone on their lines (an example's blank line) hold no code: reading them
    raised a TypeError in the search, reported as an internal error."""
    project.write("tasks.py", LOAD_TASK + '\n\ndef helper():\n    """\n    >>>\n    ...\n    >>> load\n    """\n')
    project.write("main.py", "import ray\nfrom tasks import load\nprint(ray.get(ray.get(load.remote(1))))\n")
    result = project.run("check", ".")
    assert "internal error" not in result.out + result.err
    assert "  review call site tasks.py:13:1: a doctest example names it here" in result.out
