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
"""

from __future__ import annotations

import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("ray")

from harness import HERE, Story, copy_program, review_marks, story  # noqa: E402

SHAPES_DIR = HERE / "shapes"
SHAPES = sorted(p.name for p in SHAPES_DIR.iterdir() if (p / "shape.toml").is_file())
PARALLEL = 3


def shape(name: str) -> dict:
    return tomllib.loads((SHAPES_DIR / name / "shape.toml").read_text())


@pytest.fixture(scope="module")
def stories(tmp_path_factory, shared_ray) -> dict[str, Story]:
    root = tmp_path_factory.mktemp("shapes")
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = {name: pool.submit(story, copy_program(SHAPES_DIR / name, root), shared_ray) for name in SHAPES}
        return {name: future.result() for name, future in futures.items()}


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
