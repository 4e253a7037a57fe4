"""`ray.put(x)` copies `x` when it is called; a returned value is copied when the task
returns. A fix that moves `x` to the return is safe only if nothing in between can change it."""

from __future__ import annotations

import ast
import textwrap

import pytest

from raylint.core import analyze, apply_edits, fix_text


def only_fix(code: str, fix_id: str = "return-value"):
    text = "import ray\n\n\n" + textwrap.dedent(code).lstrip("\n")
    fixes = [fix for finding in analyze(text, "t.py").findings for fix in finding.fixes if fix.id == fix_id]
    assert len(fixes) == 1, fixes
    fixed = apply_edits(text, list(fixes[0].edits))
    ast.parse(fixed)
    assert analyze(fixed, "t.py").findings == []
    return fixes[0], fixed.split("\n", 3)[3]


def test_a_value_cleared_after_the_put_makes_the_fix_unsafe():
    fix, fixed = only_fix(
        """
        @ray.remote
        class Batcher:
            def __init__(self):
                self.events = []

            def flush(self):
                batch = ray.put(self.events)
                self.events.clear()
                return batch
        """
    )
    assert fix.unsafe_reason == "`self.events` may change between the ray.put and the return, by `self.events.clear()`"
    assert "        batch = self.events\n        self.events.clear()\n        return batch\n" in fixed


def test_put_right_before_the_return_becomes_the_return():
    fix, fixed = only_fix(
        """
        @ray.remote
        def f(x):
            ref = ray.put(x)
            return ref
        """
    )
    assert fix.safe
    assert fixed == "@ray.remote\ndef f(x):\n    return x\n"


def test_put_and_return_on_one_line():
    fix, fixed = only_fix("@ray.remote\ndef f(x):\n    ref = ray.put(x); return ref\n")
    assert fix.safe
    assert fixed == "@ray.remote\ndef f(x):\n    return x\n"


def test_a_comment_of_the_removed_put_stays():
    fix, fixed = only_fix("@ray.remote\ndef f(x):\n    ref = ray.put(x)  # the result\n    return ref\n")
    assert fixed == "@ray.remote\ndef f(x):\n    # the result\n    return x\n"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_the_removed_put_keeps_the_line_ends(newline):
    text = "import ray\n\n\n@ray.remote\ndef f(x):\n    ref = ray.put(x)  # c\n    return ref\n".replace("\n", newline)
    fixed, _ = fix_text(text, "t.py")
    assert fixed == "import ray\n\n\n@ray.remote\ndef f(x):\n    # c\n    return x\n".replace("\n", newline)


def test_a_computed_value_stays_where_it_is_evaluated():
    # Moving `compute(x)` below `log()` would change the order of the calls: it stays in place.
    # What `compute` returns may be an object `log()` changes: unsafe.
    fix, fixed = only_fix(
        """
        @ray.remote
        def f(x):
            ref = ray.put(compute(x))
            log()
            return ref
        """
    )
    assert "    ref = compute(x)\n    log()\n    return ref\n" in fixed
    assert fix.unsafe_reason == "`compute(x)` may change between the ray.put and the return, by `log()`"


@pytest.mark.parametrize(
    ("code", "culprit"),
    [
        # changed in place, directly or through an alias
        ("rows = [1]\n    ref = ray.put(rows)\n    rows.append(0)\n    return ref", "by `rows.append(0)`"),
        ("rows = [1]\n    alias = rows\n    ref = ray.put(rows)\n    alias.append(0)\n    return ref", "`alias.append(0)`"),
        ("rows = [1]\n    ref = ray.put(rows)\n    rows[0] = 2\n    return ref", "`rows[0] = 2`"),
        ("rows = [1]\n    ref = ray.put(rows)\n    rows += [2]\n    return ref", "`rows += [2]`"),
        ("rows = [1]\n    ref = ray.put(rows)\n    del rows[0]\n    return ref", "`del rows[0]`"),
        ("rows = {'a': [1]}\n    ref = ray.put(rows)\n    inner = rows['a']\n    inner.append(2)\n    return ref", "`inner.append(2)`"),
        # handed to something that may keep it, then any call
        ("rows = [1]\n    register(rows)\n    ref = ray.put(rows)\n    other()\n    return ref", "`other()`"),
        ("rows = [1]\n    keep = lambda: rows.append(1)\n    ref = ray.put(rows)\n    keep()\n    return ref", "`keep()`"),
        # in a loop: the next round runs before the return after the loop
        ("for i in x:\n        ref = ray.put(x)\n        x.append(i)\n    return ref", "`x.append(i)`"),
        ("rows = []\n    for i in x:\n        rows.append(i)\n        if i:\n            ref = ray.put(rows)\n    return ref", ""),
        # after the return: a finally block, a with exit
        ("rows = [1]\n    try:\n        return ray.put(rows)\n    finally:\n        rows.clear()", "after the return, before Ray copies it, by `rows.clear()`"),
        ("with lock:\n        return ray.put(CACHE)", "leaving `with lock`"),
        ("with lock:\n        ref = ray.put(CACHE)\n    return ref", "leaving `with lock`"),
        # a builtin that calls code of the task's with the value's elements
        ("rows = [[1]]\n    ref = ray.put(rows)\n    sorted(rows, key=touch)\n    return ref", "`sorted(rows, key=touch)`"),
        # a value reached from globals: any call may change it
        ("ref = ray.put(CACHE)\n    refresh()\n    return ref", "`refresh()`"),
        ("ref = ray.put(CACHE)\n    await asyncio.sleep(0)\n    return ref", "`await asyncio.sleep(0)` (other code runs meanwhile)"),
    ],
)
def test_what_may_change_the_value_makes_the_fix_unsafe(code, culprit):
    keyword = "async def" if "await" in code else "def"
    fix, _ = only_fix(f"@ray.remote\n{keyword} f(x):\n    {code}\n")
    assert "may change" in fix.unsafe_reason and culprit in fix.unsafe_reason


@pytest.mark.parametrize(
    "code",
    [
        "rows = [i * 2 for i in range(x)]\n    ref = ray.put(rows)\n    print('done', len(rows))\n    return ref",
        "rows = sorted(x)\n    ref = ray.put(rows)\n    total = len(rows) + 1\n    return ref",
        "ref = ray.put(x)\n    log('made it')\n    return ref",  # a task's arguments are its own copies
        "ref = ray.put('constant')\n    refresh()\n    return ref",
        "ref = ray.put(f'{x}!')\n    x.clear()\n    return ref",
        "ref = ray.put(len(x))\n    x.clear()\n    return ref",
        "ref = ray.put(x)\n    if x:\n        ref = ray.put(x + 1)\n    return ref",
        "rows = [1]\n    ref = ray.put(rows)\n    rows = []\n    return ref",  # rebinding is not changing
        "return ray.put(x)",
        "with lock:\n        return ray.put(x)",  # nothing else can reach the task's own argument
    ],
)
def test_what_cannot_change_the_value_keeps_the_fix_safe(code):
    fix, _ = only_fix(f"@ray.remote\ndef f(x):\n    {code}\n")
    assert fix.safe, fix.unsafe_reason


def test_an_actor_method_argument_may_be_shared():
    fix, _ = only_fix("@ray.remote\nclass A:\n    def m(self, x):\n        ref = ray.put(x)\n        self.log()\n        return ref\n")
    assert "`self.log()`" in fix.unsafe_reason


def test_num_returns_elements_are_checked_too():
    fix, fixed = only_fix(
        """
        @ray.remote
        class A:
            def pair(self):
                first = ray.put(self.items)
                self.items.append(1)
                return first, ray.put(2)
        """,
        "num-returns",
    )
    assert "`self.items` may change" in fix.unsafe_reason and "by `self.items.append(1)`" in fix.unsafe_reason
    assert "first = self.items" in fixed


def test_num_returns_safe_when_nothing_is_in_between():
    fix, _ = only_fix("@ray.remote\nclass A:\n    def pair(self):\n        return ray.put(self.a), ray.put(self.b)\n", "num-returns")
    assert fix.safe


def test_an_unsafe_fix_is_not_applied_without_unsafe_fixes(tmp_path):
    from raylint.core import fix_workspace

    path = tmp_path / "batch.py"
    code = (
        "import ray\n\n\n@ray.remote\nclass B:\n    def flush(self):\n        batch = ray.put(self.events)\n"
        "        self.events.clear()\n        return batch\n"
    )
    path.write_text(code)
    result = fix_workspace([str(path)], [str(path)], [str(tmp_path)])
    assert result.texts == {}
    (finding,) = result.before[str(path)].findings
    assert "`self.events` may change" in finding.fixes[0].unsafe_reason
    result = fix_workspace([str(path)], [str(path)], [str(tmp_path)], unsafe=True)
    assert "batch = self.events" in result.texts[str(path)]


def test_an_unsafe_task_rewrite_still_rewrites_its_callers(tmp_path):
    from raylint.core import fix_workspace

    task = tmp_path / "batch.py"
    task.write_text(
        "import ray\n\n\n@ray.remote\ndef flush(events):\n    batch = ray.put(events)\n"
        "    events.append(0)\n    return batch\n"
    )
    caller = tmp_path / "main.py"
    caller.write_text("import ray\nfrom batch import flush\n\nprint(ray.get(ray.get(flush.remote([1]))))\n")
    files = [str(task), str(caller)]
    result = fix_workspace([str(task)], files, [str(tmp_path)])
    (finding,) = result.before[str(task)].findings
    fix = finding.fixes[0]
    assert "`events` may change" in fix.unsafe_reason
    assert [site.path for site in fix.call_sites] == [str(caller)]  # the callers are known
    assert result.texts == {}  # unsafe: not applied without --unsafe-fixes
    result = fix_workspace([str(task)], files, [str(tmp_path)], unsafe=True)
    assert "print(ray.get(flush.remote([1])))" in result.texts[str(caller)]
