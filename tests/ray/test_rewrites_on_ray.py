"""Each rewrite on a real local Ray: the caller sees the same values before and after.

The "after" code is raylint's own fix of the "before" code. Callers follow ray-semantics.md:
before, one extra `ray.get` fetches the ref the task put; after, the task's own ref(s) hold
the values (and a generator task is consumed with `list(...)` or `next(...)`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from raylint.core import Config, ModuleIndex, analyze, apply_edits, fix_text

ray = pytest.importorskip("ray")
ROOT = Path(__file__).parents[2]

BEFORE = textwrap.dedent(
    '''
    import ray
    import ray as r
    from ray import put as store


    @ray.remote
    def single(x):
        return ray.put(x * 2)


    @ray.remote
    def named(x):
        ref = store([x, x])
        return ref


    @ray.remote
    def multi_line(rows):
        return ray.put(
            sorted(rows),  # sorted
        )


    @r.remote
    def pair(a, b):
        return r.put(a), r.put(b)


    @ray.remote(num_returns=1)
    def triple(a):
        return [ray.put(a), a + 1, ray.put(a + 2)]


    def _halves(a):
        return ray.put(a // 2), ray.put(a - a // 2)


    halves = ray.remote(_halves)


    @ray.remote
    def with_options(a):
        return ray.put(a), ray.put(a * 10)


    def call_with_options(a):
        return with_options.options(num_returns=2).remote(a)


    @ray.remote
    def squares(n):
        return [ray.put(i * i) for i in range(n)]


    @ray.remote(num_returns=1)
    def evens(n) -> list:
        refs = []
        for i in range(n):
            if i % 2 == 0:
                refs.append(ray.put(i))
        return refs


    @ray.remote
    class Store:
        def __init__(self):
            self.items = {"a": 1, "b": 2}

        def get(self, key):
            return ray.put(self.items[key])

        def both(self):
            return ray.put(self.items["a"]), ray.put(self.items["b"])

        @ray.method(num_returns=1)
        def declared(self):
            return ray.put("x"), ray.put("y")

        def keys(self):
            return [ray.put(key) for key in sorted(self.items)]


    @ray.remote
    class AsyncStore:
        async def get(self, key):
            return ray.put(key.upper())

        async def keys(self, n):
            return [ray.put(i) for i in range(n)]
    '''
)


def load(code: str, name: str) -> dict:
    # A module missing from sys.modules makes cloudpickle ship the functions by value.
    namespace = {"__name__": name}
    exec(compile(code, f"<{name}>", "exec"), namespace)
    return namespace


def fix_ids(code: str, **options) -> dict[str, str]:
    """The preferred fix of each task, by task name."""
    return {f.task: f.fixes[0].id for f in analyze(code, "before.py", **options).findings if f.fixes}


@pytest.fixture(scope="module")
def modules(local_ray):
    after, remaining = fix_text(BEFORE, "before.py")
    assert remaining.findings == []
    return load(BEFORE, "raylint_before"), load(after, "raylint_after"), fix_ids(BEFORE)


def get_twice(ref):
    return ray.get(ray.get(ref))


def read_mixed(ref):
    """Before: a list of inner refs and plain values, as `[ray.put(a), a + 1, ...]` returned it."""
    return [ray.get(v) if isinstance(v, ray.ObjectRef) else v for v in ray.get(ref)]


# (task, fix raylint prefers, how a caller calls it, the caller's read before, and after)
CALLS = [
    ("single", "return-value", lambda m, a: m["single"].remote(21), get_twice, ray.get),
    ("named", "return-value", lambda m, a: m["named"].remote("v"), get_twice, ray.get),
    ("multi_line", "return-value", lambda m, a: m["multi_line"].remote(["b", "a"]), get_twice, ray.get),
    ("pair", "num-returns", lambda m, a: m["pair"].remote("a", "b"), lambda ref: ray.get(list(ray.get(ref))), ray.get),
    ("triple", "num-returns", lambda m, a: m["triple"].remote(1), read_mixed, ray.get),
    ("_halves", "num-returns", lambda m, a: m["halves"].remote(7), lambda ref: ray.get(list(ray.get(ref))), ray.get),
    # The call site already asks for 2 returns: before, each of them holds an inner ref.
    ("with_options", "num-returns", lambda m, a: m["call_with_options"](5), lambda refs: [get_twice(r) for r in refs], ray.get),
    ("squares", "generator", lambda m, a: m["squares"].remote(4), get_twice, lambda gen: ray.get(list(gen))),
    ("evens", "generator", lambda m, a: m["evens"].remote(7), get_twice, lambda gen: ray.get(list(gen))),
    ("Store.get", "return-value", lambda m, a: a.get.remote("b"), get_twice, ray.get),
    ("Store.both", "num-returns", lambda m, a: a.both.remote(), lambda ref: ray.get(list(ray.get(ref))), ray.get),
    ("Store.declared", "num-returns", lambda m, a: a.declared.remote(), lambda ref: ray.get(list(ray.get(ref))), ray.get),
    ("Store.keys", "generator", lambda m, a: a.keys.remote(), get_twice, lambda gen: ray.get(list(gen))),
]
ASYNC_CALLS = [
    ("AsyncStore.get", "return-value", lambda m, a: a.get.remote("k"), get_twice, ray.get),
    ("AsyncStore.keys", "generator", lambda m, a: a.keys.remote(3), get_twice, lambda gen: ray.get(list(gen))),
]


def actor_for(namespace: dict, task: str):
    if "." not in task:
        return None
    return namespace[task.split(".")[0]].remote()


@pytest.mark.parametrize(
    ("task", "fix_id", "call", "read_before", "read_after"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}") for case in CALLS + ASYNC_CALLS],
)
def test_callers_see_the_same_values(modules, task, fix_id, call, read_before, read_after):
    before, after, preferred = modules
    assert preferred[task] == fix_id
    old_actor, new_actor = actor_for(before, task), actor_for(after, task)
    old = read_before(call(before, old_actor))
    new = read_after(call(after, new_actor))
    assert list(old) == list(new) if isinstance(old, (list, tuple)) else old == new
    assert old is not None


def test_the_generator_rewrite_of_a_fixed_count_task(local_ray):
    # The non-preferred fix of a tuple return: a generator that yields each value.
    (finding,) = [f for f in analyze(BEFORE, "before.py").findings if f.task == "pair"]
    fix = next(fix for fix in finding.fixes if fix.id == "generator")
    after = load(apply_edits(BEFORE, list(fix.edits)), "raylint_pair_generator")
    before = load(BEFORE, "raylint_pair_before")
    assert ray.get(list(ray.get(before["pair"].remote(1, 2)))) == [1, 2]
    assert ray.get(list(after["pair"].remote(1, 2))) == [1, 2]
    # `next` reads the first value, as `ray.get(...)[0]` read the first inner ref before.
    assert ray.get(ray.get(before["pair"].remote(1, 2))[0]) == ray.get(next(after["pair"].remote(1, 2)))


def test_a_caller_left_unchanged_fails_loudly_after_return_value(modules):
    before, after, _ = modules
    assert get_twice(before["single"].remote(1)) == 2
    with pytest.raises(Exception):
        get_twice(after["single"].remote(1))  # ray.get of a plain value raises


def test_dynamic_generator_style(local_ray):
    code = textwrap.dedent(
        """
        import ray

        @ray.remote
        def squares(n):
            return [ray.put(i * i) for i in range(n)]
        """
    )
    fixed, remaining = fix_text(code, "dynamic.py", Config.make(options={"generator-style": "dynamic"}))
    assert remaining.findings == [] and 'num_returns="dynamic"' in fixed
    before = load(code, "raylint_dynamic_before")
    with pytest.warns(Warning, match="dynamic"):  # deprecated by Ray, still supported
        after = load(fixed, "raylint_dynamic_after")
    # Legacy dynamic generator: the task's ref holds a DynamicObjectRefGenerator of refs.
    generator = ray.get(after["squares"].remote(4))
    assert len(generator) == 4
    assert ray.get(list(generator)) == get_twice(before["squares"].remote(4)) == [0, 1, 4, 9]


EXAMPLES = ROOT / "examples"


def test_the_examples_tasks_give_the_same_values_after_raylint_fix(local_ray, monkeypatch):
    """`raylint check examples --fix` on the shipped pipeline: each task, before and after."""
    monkeypatch.syspath_prepend(str(EXAMPLES))  # `from compat import ...`
    index = ModuleIndex([str(EXAMPLES)])
    results = {}
    for name in ("tasks.py", "actors.py"):
        path = EXAMPLES / name
        code = path.read_text()
        fixed, remaining = fix_text(code, str(path), index=index)
        assert remaining.findings == []
        results[name] = (load(code, f"raylint_ex_{path.stem}_before"), load(fixed, f"raylint_ex_{path.stem}_after"))
    (tasks_before, tasks_after), (actors_before, actors_after) = results["tasks.py"], results["actors.py"]

    def both(read_before, read_after, make):
        return read_before(make(tasks_before)), read_after(make(tasks_after))

    stream = lambda gen: ray.get(list(gen))  # noqa: E731
    pairs = lambda ref: ray.get(list(ray.get(ref)))  # noqa: E731
    text = "ray tasks and python actors"
    words = text.split()
    checks = [
        both(get_twice, ray.get, lambda m: m["load"].remote(1)),
        both(get_twice, ray.get, lambda m: m["clean"].remote("A,  b.")),
        both(pairs, ray.get, lambda m: m["split"].remote(text)),
        both(get_twice, stream, lambda m: m["tokenize"].remote(words, {"and"})),
        both(get_twice, stream, lambda m: m["shards"].remote(words, 2)),
        both(pairs, ray.get, lambda m: m["stats"].remote(words + ["ray"])),
    ]
    for old, new in checks:
        assert list(old) == list(new) if isinstance(old, (list, tuple)) else old == new

    old_counter, new_counter = actors_before["WordCounter"].remote(), actors_after["WordCounter"].remote()
    for counter in (old_counter, new_counter):
        ray.get([counter.add.remote(words), counter.add.remote(words[:2])])
    assert get_twice(old_counter.top.remote(2)) == ray.get(new_counter.top.remote(2)) == [("ray", 2), ("tasks", 2)]
    assert ray.get(list(ray.get(old_counter.totals.remote()))) == ray.get(new_counter.totals.remote()) == [5, 7]
    for actor in (old_counter, new_counter):
        ray.kill(actor)


def test_the_example_program_runs():
    """`python examples/main.py`, the newcomer's first Ray run, works as shipped."""
    ray_tmp = tempfile.mkdtemp(prefix="raylint-example-")
    env = {**os.environ, "RAY_TMPDIR": ray_tmp, "RAY_AUTH_MODE": "disabled"}
    try:
        done = subprocess.run(
            [sys.executable, str(EXAMPLES / "main.py")], env=env, capture_output=True, text=True, timeout=300
        )
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "document 0: 11 words, 9 distinct" in done.stdout
    assert "top words: [('python', 2), ('tasks', 2), ('values', 2)]" in done.stdout
