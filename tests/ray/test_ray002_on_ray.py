"""RAY002 and RAY005 fixes on a real local Ray: the program computes the same results before
and after raylint's own fix (RAY005: the same set of results, processed as they finish)."""

from __future__ import annotations

import ast
import io
import textwrap

import pytest

from raylint.core import Config, analyze, fix_text
from raylint.rules import ray002, ray005

ray = pytest.importorskip("ray")

RAY002_PROGRAMS = {
    "docs-loop": """
        import ray

        @ray.remote
        def f(i):
            return i * 10

        sequential_returns = []
        for i in range(8):
            sequential_returns.append(ray.get(f.remote(i)))
        RESULT = sequential_returns
    """,
    "named-ref-in-function": """
        import ray

        @ray.remote
        def f(i, scale=1):
            return {"i": i, "value": i * scale}

        def run(xs):
            results = []
            for x in xs:
                ref = f.options(num_cpus=0).remote(x, scale=3)
                results.append(ray.get(ref))
            return results

        RESULT = run(range(6))
    """,
    "comprehension": """
        import ray as r

        @r.remote
        def square(x):
            return x * x

        RESULT = [r.get(square.remote(i)) for i in range(7) if i % 2]
    """,
    "comprehension-alias": """
        import ray
        from ray import get as fetch

        @ray.remote
        def pair(x):
            return (x, str(x))

        def run():
            return [fetch(pair.remote(x)) for x in "abc"]

        RESULT = run()
    """,
}

RAY005_PROGRAMS = {
    "docs-sum": """
        import time
        import ray

        @ray.remote(num_cpus=0)
        def f(i):
            time.sleep(0.05 * (5 - i))
            return i

        sum_in_submission_order = 0
        refs = [f.remote(i) for i in range(5)]
        for ref in refs:
            result = ray.get(ref)
            sum_in_submission_order = sum_in_submission_order + result
            print(result, file=OUT)
        RESULT = sum_in_submission_order
    """,
    "appended-refs-set": """
        import time
        import ray

        @ray.remote(num_cpus=0)
        def f(i):
            time.sleep(0.05 * (4 - i))
            return i * i

        def run():
            pending = []
            for i in range(4):
                pending.append(f.remote(i))
            seen = set()
            for ref in pending:
                value = ray.get(ref)
                if value < 0:
                    continue
                seen.add(value)
                print(value, file=OUT)
            return seen

        RESULT = run()
    """,
}


def _run(text: str) -> tuple[object, list[str]]:
    out = io.StringIO()
    namespace = {"OUT": out, "__name__": "raylint_program"}
    exec(compile(text, "<program>", "exec"), namespace)
    return namespace["RESULT"], out.getvalue().split()


def _fixed(text: str, rule) -> str:
    config = Config.make([rule])
    assert analyze(text, "/tmp/raylint_program.py", config).findings, "the program has no finding to fix"
    fixed, _ = fix_text(text, "/tmp/raylint_program.py", config)
    assert fixed != text
    ast.parse(fixed)
    assert analyze(fixed, "/tmp/raylint_program.py", config).findings == []
    return fixed


@pytest.mark.parametrize("name", sorted(RAY002_PROGRAMS))
def test_ray002_fix_gives_the_same_results(local_ray, name):
    before = textwrap.dedent(RAY002_PROGRAMS[name])
    after = _fixed(before, ray002.RULE)
    assert _run(before)[0] == _run(after)[0]


@pytest.mark.parametrize("name", sorted(RAY005_PROGRAMS))
def test_ray005_fix_processes_the_same_results(local_ray, name):
    before = textwrap.dedent(RAY005_PROGRAMS[name])
    after = _fixed(before, ray005.RULE)
    assert "ray.wait(" in after
    result_before, processed_before = _run(before)
    result_after, processed_after = _run(after)
    assert result_before == result_after
    assert sorted(processed_before) == sorted(processed_after)
    # the tasks that sleep least finish first: before, submission order; after, not
    assert processed_before == sorted(processed_before, key=int)
    print(name, "processed before:", processed_before, "after:", processed_after)
