"""Copy-on-put on a real local Ray: `ray.put(x)` serializes `x` when it is called. The fixes
raylint calls safe give the caller the same values; the one it calls unsafe (the value
changes between the put and the return) would not, which is why it is unsafe."""

from __future__ import annotations

import re
import textwrap

import pytest

from raylint.core import analyze, apply_edits

ray = pytest.importorskip("ray")

BEFORE = textwrap.dedent(
    """
    import ray


    @ray.remote
    def squares(n):
        rows = [i * i for i in range(n)]
        ref = ray.put(rows)
        print("made", len(rows))
        return ref


    @ray.remote
    def adjacent(x):
        ref = ray.put(x + [0])
        return ref


    @ray.remote
    class Batcher:
        def __init__(self):
            self.events = []

        def add(self, event):
            self.events.append(event)

        def flush(self):
            batch = ray.put(self.events)
            self.events.clear()
            return batch
    """
)


def load(code: str, name: str) -> dict:
    namespace = {"__name__": name}  # not in sys.modules: cloudpickle ships the functions by value
    exec(compile(code, f"<{name}>", "exec"), namespace)
    return namespace


def fixes() -> dict:
    return {f.task: f.fixes[0] for f in analyze(BEFORE, "copies.py").findings}


def test_safe_fixes_give_the_same_values(local_ray):
    found = fixes()
    assert found["squares"].safe and found["adjacent"].safe
    edits = [e for task in ("squares", "adjacent") for e in found[task].edits]
    after = apply_edits(BEFORE, edits)
    assert "    return x + [0]\n" in after and "    ref = rows\n" in after
    old, new = load(BEFORE, "raylint_copies_before"), load(after, "raylint_copies_after")
    assert ray.get(ray.get(old["squares"].remote(4))) == ray.get(new["squares"].remote(4)) == [0, 1, 4, 9]
    assert ray.get(ray.get(old["adjacent"].remote([1]))) == ray.get(new["adjacent"].remote([1])) == [1, 0]


def test_the_unsafe_fix_would_change_what_the_caller_gets(local_ray):
    fix = fixes()["Batcher.flush"]
    assert "`self.events` may change" in fix.unsafe_reason
    old = load(BEFORE, "raylint_batcher_before")["Batcher"].remote()
    new = load(apply_edits(BEFORE, list(fix.edits)), "raylint_batcher_after")["Batcher"].remote()
    for actor in (old, new):
        ray.get([actor.add.remote(1), actor.add.remote(2)])
    assert ray.get(ray.get(old.flush.remote())) == [1, 2]  # the put copied the events
    assert ray.get(new.flush.remote()) == []  # the returned list was cleared first
    for actor in (old, new):
        ray.kill(actor)


CAUGHT = textwrap.dedent(
    """
    import threading

    import ray


    @ray.remote
    def guarded(kind):
        value = threading.Lock() if kind else 5
        try:
            return ray.put(value)
        except TypeError:
            return ray.put("cannot pickle")


    @ray.remote
    def listed(n):
        out = []
        for i in range(n):
            try:
                out.append(ray.put(threading.Lock() if i == 1 else i))
            except TypeError:
                out.append(ray.put(None))
        return out
    """
)


def test_a_put_inside_a_try_that_catches_its_error_makes_every_fix_unsafe(local_ray):
    """`ray.put` serializes where it is called, inside the `try`; a value returned or
    yielded instead is serialized by Ray after the task's code hands it over, where the
    `except` no longer runs: the task fails instead of taking its fallback (seen on Ray)."""
    findings = analyze(CAUGHT, "caught.py").findings
    by_task: dict = {}
    for finding in findings:
        by_task.setdefault(finding.task, []).append(finding)
    assert len(by_task["guarded"]) == 2 and len(by_task["listed"]) == 1
    for finding in findings:
        assert finding.fixes and all(re.search(r"inside a `try` whose `except` \(line \d+\) catches", fix.unsafe_reason) for fix in finding.fixes)
    (guarded,) = {fix for finding in by_task["guarded"] for fix in finding.fixes}  # one fix for both returns
    (listed,) = by_task["listed"][0].fixes
    after = apply_edits(CAUGHT, [*guarded.edits, *listed.edits])
    old, new = load(CAUGHT, "raylint_caught_before"), load(after, "raylint_caught_after")
    assert ray.get(ray.get(old["guarded"].remote(1))) == "cannot pickle"
    assert ray.get(new["guarded"].remote(0)) == 5
    with pytest.raises(Exception, match="pickle"):
        ray.get(new["guarded"].remote(1))
    assert [ray.get(ref) for ref in ray.get(old["listed"].remote(3))] == [0, None, 2]
    with pytest.raises(Exception, match="pickle"):
        [ray.get(ref) for ref in new["listed"].remote(3)]
