"""The call-site shapes that broke a program under a safe fix (issue 8), one program each.

Every folder in `shapes/` is a small multi-file Ray program with a `shape.toml`:

    about = ["Task.or_method"]   # the findings (JSON `task`) the shape is about
    kind = "review" | "keep" | "positive"
    note = "the shape, in words"

and an `expected_output.txt`. The contract, checked on real Ray (see harness.py):

- every kind: the output after `raylint check --fix .` is the output before (a safe fix that
  changes it is the bug);
- `review`: the shape has a place raylint may not be able to follow (marked `# <- review`). If
  the fix of an `about` task is unsafe, its "call site to review" list names a marked line; if
  it is safe, the program's output proves raylint followed the place;
- `keep`: nothing is unfollowable; safe or unsafe, the output must not change;
- `positive`: raylint follows these forms, so the fix must be safe (and applied).

The programs run in batches (batch.py: many programs in one Ray driver and job, on the session's
cluster), each from a copy whose own modules carry the shape's name (`runnable_copy`).
"""

from __future__ import annotations

import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("ray")

from generate import _batches  # noqa: E402
from harness import HERE, Story, copy_program, fix_step, review_marks, runnable_copy  # noqa: E402

SHAPES_DIR = HERE / "shapes"
SHAPES = sorted(p.name for p in SHAPES_DIR.iterdir() if (p / "shape.toml").is_file())
PARALLEL = 3


def shape(name: str) -> dict:
    return tomllib.loads((SHAPES_DIR / name / "shape.toml").read_text())


@pytest.fixture(scope="module")
def stories(tmp_path_factory, shared_ray) -> dict[str, Story]:
    """Each shape's story (harness.story: run, check, --fix, run again if a file changed), the
    runs in batches: every shape's first run in PARALLEL drivers side by side, then the second
    runs of those a fix changed."""
    root = tmp_path_factory.mktemp("shapes")
    folders = {name: copy_program(SHAPES_DIR / name, root / "programs") for name in SHAPES}
    before = _batches([runnable_copy(folders[name], root / "before") for name in SHAPES], shared_ray, PARALLEL)
    stories = {name: Story(folders[name], before[root / "before" / name]) for name in SHAPES}
    ok = [s for s in stories.values() if s.before.code == 0]
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        list(pool.map(fix_step, ok))
    changed = [s for s in ok if s.changed]
    after = _batches([runnable_copy(s.folder, root / "after") for s in changed], shared_ray, PARALLEL)
    for s in ok:
        s.after = after[root / "after" / s.folder.name] if s.changed else s.before
    return stories


def _about(s: Story, name: str):
    wanted = shape(name)["about"]
    found = {f.task: f for f in s.found}
    missing = [task for task in wanted if task not in found]
    assert not missing, f"no finding for {missing}\n{s.describe()}"
    return [found[task] for task in wanted]


@pytest.mark.parametrize("name", SHAPES)
def test_shape_runs_and_is_flagged(stories, name):
    s = stories[name]
    assert s.before.code == 0, s.describe()
    assert s.before.out == (SHAPES_DIR / name / "expected_output.txt").read_text()
    _about(s, name)


@pytest.mark.parametrize("name", SHAPES)
def test_fix_keeps_the_output(stories, name):
    s = stories[name]
    assert s.before.code == 0, s.describe()
    assert s.fix is not None and s.fix.code in (0, 1), s.describe()
    assert not s.broke, f"a safe fix changed the output ({shape(name)['note']})\n{s.describe()}"


@pytest.mark.parametrize("name", [n for n in SHAPES if shape(n)["kind"] == "review"])
def test_unsafe_fix_lists_the_place_to_review(stories, name):
    s = stories[name]
    marks = review_marks(SHAPES_DIR / name)
    assert marks, "a review shape marks its places with `# <- review`"
    for finding in _about(s, name):
        if finding.fix is None or finding.safe:
            continue  # followed: test_fix_keeps_the_output is the proof
        listed = {(path, line) for path, line, _ in finding.reviews}
        assert listed & marks, (
            f"{finding.task}: unsafe, but none of the places marked for review {sorted(marks)} is listed\n"
            + s.describe()
        )


@pytest.mark.parametrize("name", [n for n in SHAPES if shape(n)["kind"] == "positive"])
def test_positive_shape_gets_a_safe_fix(stories, name):
    s = stories[name]
    for finding in _about(s, name):
        assert finding.fix is not None and finding.safe, f"{shape(name)['note']}: not a safe fix\n{s.describe()}"
    left = [f.task for f in s.check_after if f.task in shape(name)["about"]]
    assert not left, f"--fix did not clear {left}\n{s.describe()}"
