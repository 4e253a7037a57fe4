"""Whole multi-file Ray programs, run on real Ray before and after `raylint check --fix`.

Each folder here is a small program (`main.py` and the modules it imports) whose tasks and
actor methods return `ray.put()` refs, and whose callers read them the way that forces
(`ray.get(ray.get(...))` and friends). A fix that rewrote a task but not its callers would
break the program (loudly for return-value and num-returns, silently for generators), so the
proof is the program's own output: the same before and after the fix, and the one recorded
in `expected_output.txt`.

`refused` has call sites raylint must not guess at: its fix for that task is unsafe, `--fix`
leaves it alone, and `--unsafe-fixes` applies it (and the program then does change).

The programs run against the session's one Ray cluster (harness.py), the runs before and after
`--fix` in batches (many programs in one driver, harness.run_batch); the run after
`--unsafe-fixes` as a subprocess (its own `ray.init` connects to the cluster;
RAYLINT_PROGRAMS_PRIVATE_RAY=1 gives each run a local Ray of its own instead).
"""

from __future__ import annotations

import ast
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("ray")

from generate import _batches  # noqa: E402
from harness import Run, SharedRay, raylint, run_program, runnable_copy, snapshot  # noqa: E402  (shared with test_shapes)

HERE = Path(__file__).parent
SAFE = ["return_value", "num_returns", "generator", "actors", "aliases", "dynamic"]
REFUSED = "refused"
TIMEOUT = 300  # seconds, per run of a program


def copy_program(name: str, into: Path) -> Path:
    folder = into / name
    shutil.copytree(HERE / name, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


@dataclass
class Story:
    """What happened to one program, step by step."""

    folder: Path
    original: dict[str, bytes]
    before: Run
    steps: dict[str, Run] = field(default_factory=dict)
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # snapshots after each step
    after: Run | None = None
    after_unsafe: Run | None = None


def _fix(story: Story) -> None:
    story.steps["check"] = raylint(story.folder)
    story.steps["fix"] = raylint(story.folder, "--fix")
    story.files["fix"] = snapshot(story.folder)


def _safe_rest(story: Story) -> None:
    story.steps["check again"] = raylint(story.folder)
    story.steps["fix again"] = raylint(story.folder, "--fix")
    story.files["fix again"] = snapshot(story.folder)


def _refused_rest(story: Story, ray: SharedRay) -> None:
    folder = story.folder
    story.steps["fix again"] = raylint(folder, "--fix")
    story.files["fix again"] = snapshot(folder)
    story.steps["unsafe"] = raylint(folder, "--fix", "--unsafe-fixes")
    story.files["unsafe"] = snapshot(folder)
    story.after_unsafe = run_program(folder, ray, TIMEOUT)
    story.steps["unsafe again"] = raylint(folder, "--fix", "--unsafe-fixes")
    story.files["unsafe again"] = snapshot(folder)


@pytest.fixture(scope="module")
def stories(tmp_path_factory, shared_ray) -> dict[str, Story]:
    """Every program's story: run (`before`), check, --fix, run again (`after`), then check and
    --fix again (and for `refused`: --unsafe-fixes, run, --unsafe-fixes again). The `before` and
    `after` runs are batches (harness.run_batch, two drivers side by side; each run of a copy
    with its own module names, harness.runnable_copy); the rest two programs at a time."""
    root = tmp_path_factory.mktemp("programs")
    names = [*SAFE, REFUSED]
    folders = {name: copy_program(name, root / "programs") for name in names}
    before = _batches([runnable_copy(folders[name], root / "before") for name in names], shared_ray, 2)
    stories = {name: Story(folders[name], snapshot(folders[name]), before[root / "before" / name]) for name in names}
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(_fix, stories.values()))
        after = _batches([runnable_copy(folders[name], root / "after") for name in names], shared_ray, 2)
        for name in names:
            stories[name].after = after[root / "after" / name]
        rest = [pool.submit(_safe_rest, stories[name]) for name in SAFE]
        rest.append(pool.submit(_refused_rest, stories[REFUSED], shared_ray))
        for future in rest:
            future.result()
    return stories


def expected_output(name: str) -> str:
    return (HERE / name / "expected_output.txt").read_text()


def _describe(run: Run) -> str:
    return f"exit {run.code}\n--- stdout\n{run.out}\n--- stderr\n{run.err[-3000:]}"


@pytest.mark.parametrize("name", SAFE)
def test_program_prints_the_same_after_fix(stories, name):
    story = stories[name]
    assert story.before.code == 0, _describe(story.before)
    assert story.before.out == expected_output(name)
    check = story.steps["check"]
    assert check.code == 1 and "RAY001" in check.out, _describe(check)
    # (the RAY001 fixes these programs are about are safe; other rules may find other things,
    # such as RAY003's unsafe pass-the-ref, which --fix leaves alone)
    for block in _finding_blocks(check.out, "RAY001"):
        assert "review call site" not in block and "[unsafe" not in block, check.out
    fix = story.steps["fix"]
    assert fix.code == 0, _describe(fix)
    assert story.after.code == 0, _describe(story.after)
    assert story.after.out == story.before.out


@pytest.mark.parametrize("name", SAFE)
def test_fix_rewrites_every_module_that_calls(stories, name):
    """The task modules and every caller module changed; no nested get of a task is left."""
    story = stories[name]
    fixed = story.files["fix"]
    assert fixed.keys() == story.original.keys()
    modules = [path for path in story.original if path.endswith(".py") and not path.endswith("__init__.py")]
    unchanged = [path for path in modules if fixed[path] == story.original[path]]
    assert unchanged == []
    assert any(_nested_gets(story.original[path]) for path in modules)
    for path in modules:
        assert _ray_calls(fixed[path], "put") == [], path
        if name != "dynamic":  # there `ray.get(list(ray.get(f.remote())))` is the rewrite
            assert _nested_gets(fixed[path]) == [], path


def _finding_blocks(out: str, code: str) -> list[str]:
    """The text output's findings of `code`, each with its indented lines (fixes, call sites)."""
    blocks, current = [], None
    for line in out.splitlines():
        if line.startswith("  ") and current is not None:
            current.append(line)
            continue
        current = [line] if f": {code} " in line else None
        if current is not None:
            blocks.append(current)
    return ["\n".join(block) for block in blocks]


def _ray_calls(source: bytes, name: str) -> list[ast.Call]:
    """The `ray.<name>(...)` calls in a module."""
    return [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == name
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "ray"
    ]


def _nested_gets(source: bytes) -> list[ast.Call]:
    """`ray.get(...ray.get(...)...)`: what a caller of an unfixed task writes."""
    gets = _ray_calls(source, "get")
    return [call for call in gets if any(node in gets for arg in call.args for node in ast.walk(arg))]


@pytest.mark.parametrize("name", SAFE)
def test_second_fix_changes_nothing(stories, name):
    story = stories[name]
    assert story.steps["check again"].code == 0, _describe(story.steps["check again"])
    assert "All checks passed." in story.steps["check again"].out
    assert story.steps["fix again"].code == 0, _describe(story.steps["fix again"])
    assert story.files["fix again"] == story.files["fix"]


def _where(folder: Path, path: str, needle: str) -> str:
    """`path:line:col` (1-based) of the first `needle` in the program's file."""
    lines = (folder / path).read_text().splitlines()
    for number, line in enumerate(lines, 1):
        if needle in line:
            return f"{path}:{number}:{line.index(needle) + 1}"
    raise AssertionError(f"{needle!r} not in {path}")


def test_refused_call_sites_are_listed_for_review(stories):
    story = stories[REFUSED]
    assert story.before.code == 0, _describe(story.before)
    assert story.before.out == expected_output(REFUSED)
    check = story.steps["check"]
    assert check.code == 1, _describe(check)
    passed = _where(HERE / REFUSED, "main.py", "label.remote(2)")
    stored = _where(HERE / REFUSED, "main.py", "label.remote(3)")
    assert f"  review call site {passed}: the ref is passed to a call, which raylint cannot follow" in check.out
    assert f"  review call site {stored}: the ref is stored in a collection, which raylint cannot follow" in check.out
    label_fix = next(line for line in check.out.splitlines() if "(2 call sites to review)" in line)
    assert label_fix.startswith("  fix (return-value):") and "[unsafe: 2 call sites must be updated by hand]" in label_fix
    # the other task's fix stays safe: its only caller is rewritten
    assert "Found 2 problems: 1 fixable with --fix, 1 needs review" in check.out


def test_fix_leaves_the_refused_task_and_fixes_the_rest(stories):
    story = stories[REFUSED]
    fix = story.steps["fix"]
    assert fix.code == 1, _describe(fix)
    assert "Found 2 problems: 1 fixed, 1 needs review" in fix.out and "Task `label`" in fix.out and "Task `load`" not in fix.out
    assert "review call site main.py:" in fix.out
    tasks = story.files["fix"]["tasks.py"].decode()
    main = story.files["fix"]["main.py"].decode()
    assert "    return i * 10\n" in tasks
    assert '    return ray.put(f"label-{i}")\n' in tasks
    assert 'print("load:", ray.get(load.remote(1)))' in main
    original_main = story.original["main.py"].decode()
    assert [line for line in main.splitlines() if "label" in line] == [
        line for line in original_main.splitlines() if "label" in line
    ]
    assert story.after.code == 0, _describe(story.after)
    assert story.after.out == story.before.out
    # a second --fix: nothing more it may do
    assert story.steps["fix again"].code == 1
    assert story.files["fix again"] == story.files["fix"]


def test_unsafe_fixes_apply_the_refused_fix_and_the_program_changes(stories):
    """The call sites raylint refused are exactly the ones the rewrite breaks."""
    story = stories[REFUSED]
    unsafe = story.steps["unsafe"]
    assert unsafe.code == 0, _describe(unsafe)
    tasks = story.files["unsafe"]["tasks.py"].decode()
    assert '    return f"label-{i}"\n' in tasks and _ray_calls(tasks.encode(), "put") == []
    # the refused call sites themselves are left as they were: they are the user's to fix
    assert story.files["unsafe"]["main.py"] == story.files["fix"]["main.py"]
    after = story.after_unsafe
    # the task that received the outer ref now gets the value instead of the inner ref ...
    assert after.out.splitlines()[:2] == ["load: 10", "kind: str"]
    assert "kind: ObjectRef" in story.before.out
    # ... and the double get on the stored ref now fails loudly
    assert after.code != 0
    assert "ValueError" in after.err and "ray.get(ray.get(pending" in after.err
    assert story.steps["unsafe again"].code == 0
    assert story.files["unsafe again"] == story.files["unsafe"]
