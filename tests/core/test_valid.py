"""Code that must stay clean: the issue's "Not flagged" list, and names that only look like Ray's.

Each case is paired with a flagged twin where one exists, so a case cannot pass because the
analysis saw nothing at all.
"""

from __future__ import annotations

import textwrap

import pytest

from raylint.core import analyze


def findings(code: str) -> list:
    return analyze(textwrap.dedent(code), "case.py").findings


CLEAN = {
    "driver function": """
        import ray

        def driver(data):
            ref = ray.put(data)
            return ref
    """,
    "plain helper called by a task": """
        import ray

        def share(data):
            return ray.put(data)

        @ray.remote
        def task(data):
            return len(data)
    """,
    "put whose ref is not returned": """
        import ray

        @ray.remote
        def task(x):
            ref = ray.put(x)
            other.remote(ref)
            return x
    """,
    "Ray Direct Transport": """
        import ray

        @ray.remote
        class Trainer:
            def weights(self, tensor):
                return ray.put(tensor, _tensor_transport="nccl")
    """,
    "ray.get(ray.put(x))": """
        import ray

        @ray.remote
        def task(x):
            return ray.get(ray.put(x))
    """,
    "code in a string": '''
        import ray

        @ray.remote
        def task(x):
            return "return ray.put(x)"
    ''',
    "code in a docstring and a comment": '''
        import ray

        @ray.remote
        def task(x):
            """return ray.put(x)"""
            # return ray.put(x)
            return x
    ''',
    "# noqa: RAY001": """
        import ray

        @ray.remote
        def task(x):
            return ray.put(x)  # noqa: RAY001
    """,
    "bare # noqa": """
        import ray

        @ray.remote
        def task(x):
            return ray.put(x)  # noqa
    """,
    "local put": """
        import ray

        def put(x):
            return x

        @ray.remote
        def task(x):
            return put(x)
    """,
    "put from elsewhere": """
        import ray
        from queue_lib import put

        @ray.remote
        def task(x):
            return put(x)
    """,
    "shadowed ray parameter": """
        import ray

        @ray.remote
        def task(ray, x):
            return ray.put(x)
    """,
    "ray rebound in the task": """
        import ray

        @ray.remote
        def task(x):
            ray = Store()
            return ray.put(x)
    """,
    "no ray import at all": """
        @remote
        def task(x):
            return ray.put(x)
    """,
    "not a task: undecorated function and plain class": """
        import ray

        def task(x):
            return ray.put(x)

        class Holder:
            def get(self, x):
                return ray.put(x)
    """,
    "private actor helper only called internally": """
        import ray

        @ray.remote
        class Actor:
            def _snapshot(self):
                return ray.put(self.state)

            def save(self):
                self.saved = self._snapshot()
                return True
    """,
    "dunder and static methods of an actor": """
        import ray

        @ray.remote
        class Actor:
            def __reduce__(self):
                return ray.put(1)

            @staticmethod
            def make():
                return ray.put(1)
    """,
    "ref passed to another task, its result returned": """
        import ray

        @ray.remote
        def task(x):
            return consumer.remote(ray.put(x))
    """,
    "ref passed to a helper, its result returned": """
        import ray

        def helper(ref):
            return len(ray.get(ref))

        @ray.remote
        def task(x):
            return helper(ray.put(x))
    """,
    "ref submitted to a pool, the future returned": """
        import ray

        @ray.remote
        def task(pool, x):
            ref = ray.put(x)
            return pool.submit(ref)
    """,
    "helper that puts but returns something else": """
        import ray

        def helper(x):
            ray.put(x)
            return x

        @ray.remote
        def task(x):
            return helper(x)
    """,
    "helper shadowed by a parameter": """
        import ray

        def make_ref(x):
            return ray.put(x)

        @ray.remote
        def task(make_ref, x):
            return make_ref(x)
    """,
    "length of a ref": """
        import ray

        @ray.remote
        def task(x):
            ref = ray.put(x)
            return len(str(ref))
    """,
}


@pytest.mark.parametrize("code", CLEAN.values(), ids=CLEAN.keys())
def test_stays_clean(code):
    assert findings(code) == []


# The flagged twins: one change from a clean case above makes it the anti-pattern.
FLAGGED = {
    "helper turned into a task": ("plain helper called by a task", "def share", "@ray.remote\ndef share"),
    "ref returned after all": ("put whose ref is not returned", "return x", "return ref"),
    "no transport": ("Ray Direct Transport", ', _tensor_transport="nccl"', ""),
    "ray.get removed": ("ray.get(ray.put(x))", "ray.get(ray.put(x))", "ray.put(x)"),
    "string unquoted": ("code in a string", '"return ray.put(x)"', "ray.put(x)"),
    "noqa for another code": ("# noqa: RAY001", "# noqa: RAY001", "# noqa: E501"),
    "noqa mentioned in a string": ("bare # noqa", "ray.put(x)  # noqa", 'ray.put("# noqa")'),
    "Ray's put after all": ("local put", "def put(x):\n    return x", "from ray import put"),
    "parameter renamed": ("shadowed ray parameter", "def task(ray, x)", "def task(r, x)"),
    "private helper called remotely": ("private actor helper only called internally", "self._snapshot()", "self._snapshot.remote()"),
    "ref itself returned": ("length of a ref", "len(str(ref))", "ref"),
    "ref kept in a list": ("ref passed to another task, its result returned", "consumer.remote(", "list("),
    "helper returns its put": ("helper that puts but returns something else", "ray.put(x)\n    return x", "return ray.put(x)"),
    "helper not shadowed": ("helper shadowed by a parameter", "def task(make_ref, x)", "def task(x)"),
    "pool keeps it after all": ("ref submitted to a pool, the future returned", "pool.submit(ref)", "[pool, ref]"),
}


@pytest.mark.parametrize(("clean", "old", "new"), FLAGGED.values(), ids=FLAGGED.keys())
def test_flagged_twin(clean, old, new):
    code = textwrap.dedent(CLEAN[clean])
    assert old in code
    assert len(analyze(code.replace(old, new), "case.py").findings) == 1


def test_noqa_on_any_line_of_a_multi_line_return():
    code = """
        import ray

        @ray.remote
        def task(x):
            return ray.put(  # noqa: RAY001
                x,
            )
    """
    assert findings(code) == []
