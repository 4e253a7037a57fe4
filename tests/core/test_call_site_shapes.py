"""Every place that can observe a rewritten task's return value, across the workspace.

A fix is safe only when every such place was found and rewritten with certainty. Each case
is a small workspace (`tasks.py`, where the flagged task or actor lives, and its callers) and
what must come of it: REVIEW cases list a place raylint cannot follow, so the fix must be
unsafe and name that line; SAFE cases must be rewritten, and the callers' new text is given.
The shapes are those that broke programs under a "safe" fix before (issue 8), and their kin.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from raylint.core import fix_workspace

ACTORS = textwrap.dedent("""\
    import ray


    @ray.remote
    class Library:
        def inventory(self):
            return ray.put({"a": 1})

        def score(self, b):
            return ray.put(b)


    class Counter:
        def snapshot(self):
            return ray.put(1)


    CounterActor = ray.remote(Counter)


    class Other:
        def score(self, b):
            return b
    """)

TASKS = textwrap.dedent("""\
    import ray


    @ray.remote
    def normalize(x):
        return ray.put(x * 2)
    """)

MULTI = textwrap.dedent("""\
    import ray


    @ray.remote(num_returns=2)
    def pair(x):
        return ray.put(x), ray.put(x + 1)
    """)

# an async actor that gathers two calls of Library.score, then does `then` with them
FRONT = textwrap.dedent("""\
    import asyncio

    import ray
    from tasks import Library


    @ray.remote
    class Front:
        def __init__(self):
            self.lib = Library.remote()

        async def both(self):
            inner = {inner}
            return {then}
    """)
GATHERED = "await asyncio.gather(self.lib.score.remote(1), self.lib.score.remote(2))"

# name → (files, the task, the line of main.py to review); the fix must be unsafe
REVIEW = {
    "outer refs fetched as a tuple (Ray raises; the fix removed the fetch and the error)": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            refs = ray.get((normalize.remote(1), normalize.remote(2)))
            print(ray.get(list(refs)))
            """},
        "normalize", 4,
    ),
    "handle as an un-annotated parameter": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray


            def total(lib):
                return ray.get(ray.get(lib.inventory.remote()))
            """},
        "Library.inventory", 5,
    ),
    "handles passed to ActorPool, then a lambda parameter": (
        {"tasks.py": ACTORS, "main.py": """\
            from ray.util import ActorPool
            from tasks import Library

            workers = [Library.remote() for _ in range(2)]
            pool = ActorPool(workers)
            results = list(pool.map(lambda a, v: a.score.remote(v), [1, 2]))
            """},
        "Library.score", 6,
    ),
    "the task fetched from the importer's globals()": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            print(ray.get(ray.get(globals()["normalize"].remote(1))))
            """},
        "normalize", 4,
    ),
    "the task fetched from a function's locals()": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize


            def run():
                task = normalize
                return ray.get(ray.get(locals()["task"].remote(1)))
            """},
        "normalize", 7,
    ),
    "the task fetched from vars() at the top level": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            import tasks

            print(ray.get(ray.get(vars()["tasks"].normalize.remote(1))))
            """},
        "normalize", 4,
    ),
    "the task fetched from a frame's globals": (
        {"tasks.py": TASKS, "main.py": """\
            import sys

            import ray
            from tasks import normalize


            def run():
                return ray.get(ray.get(sys._getframe().f_globals["normalize"].remote(1)))
            """},
        "normalize", 8,
    ),
    "the task fetched from a function's __globals__": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize


            def helper():
                pass


            print(ray.get(ray.get(helper.__globals__["normalize"].remote(1))))
            """},
        "normalize", 9,
    ),
    "a handle from ray.get_actor": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray


            def config():
                cfg = ray.get_actor("config")
                return ray.get(ray.get(cfg.inventory.remote()))
            """},
        "Library.inventory", 6,
    ),
    "a handle in a dataclass field of a loose type": (
        {"tasks.py": ACTORS, "main.py": """\
            from dataclasses import dataclass

            import ray


            @dataclass
            class Context:
                store: object


            def read(ctx: Context):
                return ray.get(ray.get(ctx.store.inventory.remote()))
            """},
        "Library.inventory", 12,
    ),
    "a handle stored from a parameter": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray


            class Reader:
                def __init__(self, store):
                    self.store = store

                def read(self):
                    return ray.get(ray.get(self.store.inventory.remote()))
            """},
        "Library.inventory", 9,
    ),
    "the method called in-process by its own class": (
        {"tasks.py": ACTORS.replace("        return ray.put(1)\n", "        return ray.put(1)\n\n    def twice(self):\n        return self.snapshot()\n"), "main.py": "import tasks\n"},
        "Counter.snapshot", None,
    ),
    "an overriding subclass calls the method through super()": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray
            from tasks import Counter


            class Window(Counter):
                def snapshot(self):
                    base = super().snapshot()
                    return base
            """},
        "Counter.snapshot", 7,
    ),
    "the method given another name in its class": (
        {"tasks.py": ACTORS.replace("        return ray.put(b)\n", "        return ray.put(b)\n\n    rate = score\n"), "main.py": """\
            import ray
            from tasks import Library

            handle = Library.remote()
            print(ray.get(ray.get(handle.rate.remote(1))))
            """},
        "Library.score", None,
    ),
    "a handle's method kept in a variable": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray
            from tasks import Library

            handle = Library.remote()
            method = handle.score
            print(ray.get(ray.get(method.remote(1))))
            """},
        "Library.score", 5,
    ),
    "the method fetched by name": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray
            from tasks import Library

            handle = Library.remote()
            method = getattr(handle, "inventory")
            """},
        "Library.inventory", 5,
    ),
    "a registry of tasks": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            STEPS = {"norm": normalize}


            def run(name, x):
                return ray.get(ray.get(STEPS[name].remote(x)))
            """},
        "normalize", 4,
    ),
    "a task passed as an argument": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            import tasks


            def apply(task, v):
                return ray.get(ray.get(task.remote(v)))


            print(apply(tasks.normalize, 3))
            """},
        "normalize", 9,
    ),
    "functools.partial of .remote": (
        {"tasks.py": TASKS, "main.py": """\
            import functools

            from tasks import normalize

            call = functools.partial(normalize.remote)
            """},
        "normalize", 5,
    ),
    "the function of ray.remote(fn) called in-process": (
        {"tasks.py": """\
            import ray


            def _encode(items):
                return ray.put(list(items))


            encode = ray.remote(_encode)
            """, "main.py": """\
            import ray
            from tasks import _encode, encode

            local = _encode([1])
            remote = ray.get(ray.get(encode.remote([2])))
            """},
        "_encode", 4,
    ),
    "a task kept as a class attribute": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize


            class Pipeline:
                step = normalize

                def run(self, x):
                    return ray.get(ray.get(self.step.remote(x)))
            """},
        "normalize", 6,
    ),
    "a name bound to the task or to something else": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize


            def run(fast, x):
                step = normalize if fast else None
                return ray.get(ray.get(step.remote(x)))
            """},
        "normalize", 7,
    ),
    "a ref of the task read in a nested function": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize


            def run(x):
                ref = normalize.remote(x)
                return lambda: ray.get(ray.get(ref))
            """},
        "normalize", 6,
    ),
    "a module-level ref another module imports": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            REF = normalize.remote(1)
            """, "user.py": "import ray\nfrom main import REF\nprint(ray.get(ray.get(REF)))\n"},
        "normalize", 4,
    ),
    "the refs of a tuple-returning task kept as a tuple": (
        {"tasks.py": TASKS.replace("return ray.put(x * 2)", "return ray.put(x), ray.put(x * 2)"), "main.py": """\
            import ray
            from tasks import normalize

            pair = ray.get(normalize.remote(1))
            seen = {pair: "first"}
            """},
        "normalize", 4,
    ),
    "a list of refs that also holds another task's": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize


            @ray.remote
            def plain(x):
                return x


            def run(n):
                refs = [normalize.remote(i) for i in range(n)]
                refs.append(plain.remote(n))
                return ray.get(refs)
            """},
        "normalize", 11,
    ),
    "a timeout on a get whose ref is fetched later": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            try:
                inner = ray.get(normalize.remote(4), timeout=0.1)
            except ray.exceptions.GetTimeoutError:
                inner = None
            print(inner and ray.get(inner, timeout=60))
            """},
        "normalize", 5,
    ),
    "a two-step get inside a try that handles the task's failure": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            try:
                inner = ray.get(normalize.remote(4))
            except ray.exceptions.RayTaskError:
                inner = None
            print(inner and ray.get(inner))
            """},
        "normalize", 5,
    ),
    # `inner = ray.get(X)` becomes `inner = X`: the wait for the task is gone, so what runs
    # before the value is waited for may see the task unfinished (its files not written yet)
    "a statement between the removed wait and the fetch of the value": (
        {"tasks.py": TASKS, "main.py": """\
            import os
            import ray
            from tasks import normalize

            inner = ray.get(normalize.remote(4))
            print(os.listdir("."))
            print(ray.get(inner))
            """},
        "normalize", 5,
    ),
    "refs fetched, then never waited for": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            refs = ray.get([normalize.remote(i) for i in range(3)])
            """},
        "normalize", 4,
    ),
    "a two-step get in a try whose finally runs before the value is fetched": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            try:
                inner = ray.get(normalize.remote(2))
            finally:
                print("done")
            print(ray.get(inner))
            """},
        "normalize", 5,
    ),
    "a fetched ref passed to a call": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            def keep(ref):
                return [ref]

            print(ray.get(keep(ray.get(normalize.remote(1)))[0]))
            """},
        "normalize", 7,
    ),
    "fetches in a loop, which ran the tasks one at a time": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            refs = []
            for i in range(3):
                refs.append(ray.get(normalize.remote(i)))
            print(ray.get(refs))
            """},
        "normalize", 6,
    ),
    "the next statement runs a call before it waits": (
        {"tasks.py": TASKS, "main.py": """\
            import os
            import ray
            from tasks import normalize

            inner = ray.get(normalize.remote(1))
            print(len(os.listdir(".")), ray.get(inner))
            """},
        "normalize", 5,
    ),
    "the next statement may not wait (a branch, `and`, a comprehension)": (
        {"tasks.py": TASKS, "main.py": """\
            import sys
            import ray
            from tasks import normalize

            a = ray.get(normalize.remote(1))
            value = ray.get(a) if sys.argv[1:] else None
            b = ray.get(normalize.remote(2))
            value = sys.argv[1:] and ray.get(b)
            c = ray.get(normalize.remote(3))
            values = [ray.get(c) for _ in sys.argv]
            print(value, values)
            """},
        "normalize", 5,
    ),
    "asyncio.gather of outer refs, then each awaited (several failures: another error first)": (
        {"tasks.py": ACTORS, "main.py": FRONT.format(inner=GATHERED, then="[await ref for ref in inner]")},
        "Library.score", 13,
    ),
    # (ray.get of the list raised the first failure in time, at once; one by one, the first in
    # the list, once the ones before it are done: verified on Ray 2.60)
    "the refs of several calls waited for one by one": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            refs = ray.get([normalize.remote(i) for i in range(3)])
            print([ray.get(ref) for ref in refs])
            """},
        "normalize", 4,
    ),
    "the ref passed to a Ray task next: the first task's failure raised as that task's": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            @ray.remote
            def length(x):
                return len(str(x))

            inner = ray.get(normalize.remote(1))
            print("passed on:", ray.get(length.remote(inner)))
            """},
        "normalize", 8,
    ),
    "the ref passed to a `.remote` that raylint cannot tell is Ray's": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            def run(service):
                inner = ray.get(normalize.remote(1))
                return ray.get(service.remote(inner))
            """},
        "normalize", 5,
    ),
    "one inner ref of several calls fetched: the others no longer waited for": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            print(ray.get(ray.get([normalize.remote(1), normalize.remote(2)])[0]))
            """},
        "normalize", 4,
    ),
    "an index of several calls' refs waited for next: the others no longer waited for": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            refs = ray.get([normalize.remote(1), normalize.remote(2)])
            print(ray.get(refs[0]))
            """},
        "normalize", 4,
    ),
    # a task that becomes a generator: `list(f.remote())` waits for it, but keeps its failure
    # in the last ref; and a list of such calls would run them one at a time
    "a list of calls of a task that becomes a generator (read one at a time)": (
        {"tasks.py": TASKS.replace("return ray.put(x * 2)", "return [ray.put(v) for v in range(x)]"), "main.py": """\
            import ray
            from tasks import normalize

            inner = ray.get([normalize.remote(n) for n in (1, 2)])
            print([ray.get(refs) for refs in inner])
            """},
        "normalize", 4,
    ),
    "a task that becomes a generator, fetched in a try that handles its failure": (
        {"tasks.py": TASKS.replace("return ray.put(x * 2)", "return [ray.put(v) for v in range(x)]"), "main.py": """\
            import ray
            from tasks import normalize

            try:
                inner = ray.get(normalize.remote(2))
            except ray.exceptions.RayTaskError:
                inner = []
            print(ray.get(inner))
            """},
        "normalize", 5,
    ),
    "a task that becomes a generator, one of its refs waited for next (its failure is in the last)": (
        {"tasks.py": TASKS.replace("return ray.put(x * 2)", "return [ray.put(v) for v in range(x)]"), "main.py": """\
            import ray
            from tasks import normalize

            refs = ray.get(normalize.remote(3))
            print(ray.get(refs[0]))
            """},
        "normalize", 4,
    ),
    "a task that becomes a generator, its refs read one by one": (
        {"tasks.py": TASKS.replace("return ray.put(x * 2)", "return [ray.put(v) for v in range(x)]"), "main.py": """\
            import ray
            from tasks import normalize

            for ref in ray.get(normalize.remote(3)):
                print(ray.get(ref))
            """},
        "normalize", 4,
    ),
    # code loaded or run at run time, by a path, a name or a text that need not spell `tasks`
    "a module loaded from a file's path (importlib.util)": (
        {"tasks.py": TASKS, "main.py": """\
            import importlib.util
            import sys

            import ray

            spec = importlib.util.spec_from_file_location("loaded", sys.argv[1])
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            print(ray.get(ray.get(mod.normalize.remote(1))))
            """},
        "normalize", 6,
    ),
    "a file run by runpy": (
        {"tasks.py": TASKS, "main.py": """\
            import runpy
            import sys

            import ray

            names = runpy.run_path(sys.argv[1])
            print(ray.get(ray.get(names["normalize"].remote(1))))
            """},
        "normalize", 6,
    ),
    "a file's text run by exec": (
        {"tasks.py": TASKS, "main.py": """\
            import sys

            import ray

            found = {}
            exec(open(sys.argv[1]).read(), found)
            print(ray.get(ray.get(found["normalize"].remote(1))))
            """},
        "normalize", 6,
    ),
    "a computed text run by eval": (
        {"tasks.py": TASKS, "main.py": """\
            import sys

            import ray

            task = eval(sys.argv[1])
            print(ray.get(ray.get(task.remote(1))))
            """},
        "normalize", 5,
    ),
    "a module fetched from sys.modules.get by a computed name": (
        {"tasks.py": TASKS, "main.py": """\
            import sys

            import ray


            def run(name):
                return ray.get(ray.get(sys.modules.get(name).normalize.remote(1)))
            """},
        "normalize", 7,
    ),
    "the task resolved from its written name (pkgutil.resolve_name)": (
        {"tasks.py": TASKS, "main.py": """\
            import pkgutil

            import ray

            normalize = pkgutil.resolve_name("tasks:normalize")
            print(ray.get(ray.get(normalize.remote(1))))
            """},
        "normalize", 5,
    ),
}

# name → (files, the task, main.py as the fix leaves it)
SAFE = {
    "a re-export under another name, called by that name only": (
        {"tasks.py": TASKS, "stats/__init__.py": "from tasks import normalize as extent\n", "main.py": """\
            import ray
            from stats import extent

            print(ray.get(ray.get(extent.remote(1))))
            """},
        "normalize", """\
            import ray
            from stats import extent

            print(ray.get(extent.remote(1)))
            """,
    ),
    "a module-level alias reached as a module attribute": (
        {"tasks.py": TASKS + "\n\nscale = normalize\n", "main.py": """\
            import ray
            import tasks

            print(ray.get(ray.get(tasks.scale.remote(1))))
            """},
        "normalize", """\
            import ray
            import tasks

            print(ray.get(tasks.scale.remote(1)))
            """,
    ),
    "options kept in a variable": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize


            def run(x):
                light = normalize.options(num_cpus=0.5)
                return ray.get(ray.get(light.remote(x)))
            """},
        "normalize", """\
            import ray
            from tasks import normalize


            def run(x):
                light = normalize.options(num_cpus=0.5)
                return ray.get(light.remote(x))
            """,
    ),
    "a discarded ray.get is a barrier and stays": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            ray.get([normalize.remote(i) for i in range(3)])
            """},
        "normalize", None,
    ),
    "module-level refs of a script no module imports": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            refs = [normalize.remote(i) for i in range(3)]
            if __name__ == "__main__":
                print(ray.get(ray.get(refs)))
            """},
        "normalize", """\
            import ray
            from tasks import normalize

            refs = [normalize.remote(i) for i in range(3)]
            if __name__ == "__main__":
                print(ray.get(refs))
            """,
    ),
    "a comprehension variable is not the ref of the same name": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize


            def run(x, other_refs):
                ref = normalize.remote(x)
                value = ray.get(ray.get(ref))
                others = [ray.get(ref) for ref in other_refs]
                return value, others
            """},
        "normalize", """\
            import ray
            from tasks import normalize


            def run(x, other_refs):
                ref = normalize.remote(x)
                value = ray.get(ref)
                others = [ray.get(ref) for ref in other_refs]
                return value, others
            """,
    ),
    "handles of another class in a comprehension": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray
            from tasks import Library, Other


            def run():
                h = Library.remote()
                others = [Other() for _ in range(2)]
                mine = ray.get(ray.get(h.score.remote(1)))
                theirs = [h.score(2) for h in others]
                return mine, theirs
            """},
        "Library.score", """\
            import ray
            from tasks import Library, Other


            def run():
                h = Library.remote()
                others = [Other() for _ in range(2)]
                mine = ray.get(h.score.remote(1))
                theirs = [h.score(2) for h in others]
                return mine, theirs
            """,
    ),
    "handles in a list only iterated": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray
            from tasks import Library

            workers = [Library.remote() for _ in range(2)]
            refs = ray.get([w.score.remote(b) for w in workers for b in (1, 2)])
            print(ray.get(refs))
            """},
        "Library.score", """\
            import ray
            from tasks import Library

            workers = [Library.remote() for _ in range(2)]
            refs = [w.score.remote(b) for w in workers for b in (1, 2)]
            print(ray.get(refs))
            """,
    ),
    "an actor made with get_if_exists": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray
            from tasks import Library

            h = Library.options(name="lib", get_if_exists=True).remote()
            print(ray.get(ray.get(h.inventory.remote())))
            """},
        "Library.inventory", """\
            import ray
            from tasks import Library

            h = Library.options(name="lib", get_if_exists=True).remote()
            print(ray.get(h.inventory.remote()))
            """,
    ),
    "a subclass made an actor calls the inherited method": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray
            from tasks import Counter


            class Window(Counter):
                pass


            WindowActor = ray.remote(Window)
            w = WindowActor.remote()
            print(ray.get(ray.get(w.snapshot.remote())))
            """},
        "Counter.snapshot", """\
            import ray
            from tasks import Counter


            class Window(Counter):
                pass


            WindowActor = ray.remote(Window)
            w = WindowActor.remote()
            print(ray.get(w.snapshot.remote()))
            """,
    ),
    "await of an await in an async actor": (
        {"tasks.py": ACTORS, "main.py": """\
            import ray
            from tasks import Library


            @ray.remote
            class Front:
                def __init__(self):
                    self.lib = Library.remote()

                async def read(self):
                    return await (await self.lib.inventory.remote())
            """},
        "Library.inventory", """\
            import ray
            from tasks import Library


            @ray.remote
            class Front:
                def __init__(self):
                    self.lib = Library.remote()

                async def read(self):
                    return await (self.lib.inventory.remote())
            """,
    ),
    "gets inside a try: nested, or without handlers (the wait stays, or nothing is caught before it)": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            try:
                print(ray.get(ray.get(normalize.remote(1))))
            except ray.exceptions.RayTaskError:
                print("failed")
            try:
                inner = ray.get(normalize.remote(2))
                print(ray.get(inner))
            finally:
                print("done")
            """},
        "normalize", """\
            import ray
            from tasks import normalize

            try:
                print(ray.get(normalize.remote(1)))
            except ray.exceptions.RayTaskError:
                print("failed")
            try:
                inner = normalize.remote(2)
                print(ray.get(inner))
            finally:
                print("done")
            """,
    ),
    "timeouts on both gets: the wait for the task keeps its own": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            print(ray.get(ray.get(normalize.remote(1), timeout=30), timeout=5))
            """},
        "normalize", """\
            import ray
            from tasks import normalize

            print(ray.get(normalize.remote(1), timeout=30))
            """,
    ),
    "a timeout on the outer get only: the wait for the task keeps none": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            print(ray.get(ray.get(normalize.remote(1)), timeout=5))
            """},
        "normalize", """\
            import ray
            from tasks import normalize

            print(ray.get(normalize.remote(1)))
            """,
    ),
    "a timeout on the first get moves to the only one": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            print(ray.get(ray.get(normalize.remote(1), timeout=30)))
            """},
        "normalize", """\
            import ray
            from tasks import normalize

            print(ray.get(normalize.remote(1), timeout=30))
            """,
    ),
    "refs appended to a list, fetched, then fetched again": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize


            def run(n):
                refs = []
                for i in range(n):
                    refs.append(normalize.remote(i))
                inner = ray.get(refs)
                return ray.get(inner)
            """},
        "normalize", """\
            import ray
            from tasks import normalize


            def run(n):
                refs = []
                for i in range(n):
                    refs.append(normalize.remote(i))
                inner = refs
                return ray.get(inner)
            """,
    ),
    "a ray.wait loop fetching each ready ref": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize


            def run(n):
                pending = [normalize.remote(i) for i in range(n)]
                out = []
                while pending:
                    ready, pending = ray.wait(pending, num_returns=1)
                    out.append(ray.get(ray.get(ready[0])))
                return sorted(out), len(pending)
            """},
        "normalize", """\
            import ray
            from tasks import normalize


            def run(n):
                pending = [normalize.remote(i) for i in range(n)]
                out = []
                while pending:
                    ready, pending = ray.wait(pending, num_returns=1)
                    out.append(ray.get(ready[0]))
                return sorted(out), len(pending)
            """,
    ),
    "asyncio.gather of outer refs, then gathered again": (
        {"tasks.py": ACTORS, "main.py": FRONT.format(inner=GATHERED, then="await asyncio.gather(*inner)")},
        "Library.score", FRONT.format(inner="[self.lib.score.remote(1), self.lib.score.remote(2)]", then="await asyncio.gather(*inner)"),
    ),
    "the refs of a tuple-returning task unpacked and indexed": (
        {"tasks.py": TASKS.replace("return ray.put(x * 2)", "return ray.put(x), ray.put(x * 2)"), "main.py": """\
            import ray
            from tasks import normalize

            a, b = ray.get(normalize.remote(1))
            print(ray.get(a), ray.get(b))
            pair = ray.get(normalize.remote(2))
            print(ray.get(pair[0]), len(pair))
            """},
        "normalize", """\
            import ray
            from tasks import normalize

            a, b = normalize.remote(1)
            print(ray.get(a), ray.get(b))
            pair = normalize.remote(2)
            print(ray.get(pair[0]), len(pair))
            """,
    ),
    "one call of a task that becomes a generator, fetched, then waited for": (
        {"tasks.py": TASKS.replace("return ray.put(x * 2)", "return [ray.put(v) for v in range(x)]"), "main.py": """\
            import ray
            from tasks import normalize

            inner = ray.get(normalize.remote(2))
            print(ray.get(inner))
            ray.get([normalize.remote(3)])
            """},
        "normalize", """\
            import ray
            from tasks import normalize

            inner = list(normalize.remote(2))
            print(ray.get(inner))
            [ray.get(list(normalize.remote(3)))]
            """,
    ),
    "one ref of a multi-return task, and unpacked refs": (
        {"tasks.py": MULTI, "main.py": """\
            import ray
            from tasks import pair


            def run():
                first = ray.get(ray.get(pair.remote(1)[0]))
                a, b = pair.remote(2)
                return first, ray.get(ray.get(a)), ray.get(ray.get(b))
            """},
        "pair", """\
            import ray
            from tasks import pair


            def run():
                first = ray.get(pair.remote(1)[0])
                a, b = pair.remote(2)
                return first, ray.get(a), ray.get(b)
            """,
    ),
    "loaders and sys.modules that cannot reach the task": (
        {"tasks.py": TASKS, "main.py": """\
            import importlib
            import re
            import sys

            import ray
            from tasks import normalize

            PATTERN = re.compile("x")
            codec = importlib.import_module("json")
            print(eval("1 + 2"), "json" in sys.modules, len(sys.modules.keys()))
            print(ray.get(ray.get(normalize.remote(1))))
            """},
        "normalize", """\
            import importlib
            import re
            import sys

            import ray
            from tasks import normalize

            PATTERN = re.compile("x")
            codec = importlib.import_module("json")
            print(eval("1 + 2"), "json" in sys.modules, len(sys.modules.keys()))
            print(ray.get(normalize.remote(1)))
            """,
    ),
    # the wait a two-step get drops is kept when what runs next is a wait for the value
    "the value waited for first thing in the next statement": (
        {"tasks.py": TASKS, "main.py": """\
            import ray
            from tasks import normalize

            inner = ray.get(normalize.remote(1))
            print("value:", ray.get(inner))
            refs = ray.get([normalize.remote(i) for i in range(3)])
            print("".join(str(v) for v in ray.get(refs)))
            """},
        "normalize", """\
            import ray
            from tasks import normalize

            inner = normalize.remote(1)
            print("value:", ray.get(inner))
            refs = [normalize.remote(i) for i in range(3)]
            print("".join(str(v) for v in ray.get(refs)))
            """,
    ),
    "the refs of one call waited for one by one (all ready when the task ends)": (
        {"tasks.py": TASKS.replace("return ray.put(x * 2)", "return ray.put(x), ray.put(x * 2)"), "main.py": """\
            import ray
            from tasks import normalize

            pair = ray.get(normalize.remote(1))
            print([str(ray.get(ref)) for ref in pair], len(pair))
            other = ray.get(normalize.remote(2))
            print(ray.get(list(other)))
            print([ray.get(ref) for ref in ray.get(normalize.remote(3))])
            """},
        "normalize", """\
            import ray
            from tasks import normalize

            pair = normalize.remote(1)
            print([str(ray.get(ref)) for ref in pair], len(pair))
            other = normalize.remote(2)
            print(ray.get(list(other)))
            print([ray.get(ref) for ref in normalize.remote(3)])
            """,
    ),
}


def fixed(tmp_path: Path, files: dict[str, str], task: str, unsafe: bool = False):
    for name, code in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(code))
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))
    result = fix_workspace([str(tmp_path / "tasks.py")], paths, [str(tmp_path)], unsafe=unsafe)
    (finding,) = [f for f in result.before[str(tmp_path / "tasks.py")].findings if f.task == task]
    return finding, result


@pytest.mark.parametrize("name", REVIEW)
def test_a_place_raylint_cannot_follow_makes_the_fix_unsafe_and_is_listed(tmp_path: Path, name: str):
    files, task, line = REVIEW[name]
    finding, result = fixed(tmp_path, files, task)
    fix = finding.fixes[0]
    assert not fix.safe, fix
    reviews = [s for s in fix.call_sites if s.review]
    if line is not None:
        assert (str(tmp_path / "main.py"), line) in {(s.path, s.range.start.line + 1) for s in reviews}, reviews
    else:
        assert reviews
    assert all(s.review.strip() for s in reviews)
    left = result.after[str(tmp_path / "tasks.py")].findings
    assert task in {f.task for f in left}  # --fix leaves it alone


@pytest.mark.parametrize("name", SAFE)
def test_a_caller_raylint_can_follow_is_rewritten_and_the_fix_stays_safe(tmp_path: Path, name: str):
    files, task, expected = SAFE[name]
    finding, result = fixed(tmp_path, files, task)
    assert finding.fixes[0].safe, [s.review for s in finding.fixes[0].call_sites]
    main = os.path.abspath(tmp_path / "main.py")
    if expected is None:
        assert main not in result.texts
    else:
        assert result.texts[main] == textwrap.dedent(expected)
    assert os.path.abspath(tmp_path / "tasks.py") in result.texts


def test_a_caller_raylint_cannot_read_makes_the_fix_unsafe(tmp_path: Path):
    """A file that is not UTF-8 cannot be searched; if its bytes spell the task, it may call it."""
    (tmp_path / "tasks.py").write_text(TASKS)
    (tmp_path / "legacy.py").write_bytes(b"# caf\xe9\nfrom tasks import normalize\nprint(normalize.remote(1))\n")
    (tmp_path / "other.py").write_bytes(b"# caf\xe9\nprint(1)\n")
    paths = sorted(str(p) for p in tmp_path.glob("*.py"))
    result = fix_workspace([str(tmp_path / "tasks.py")], paths, [str(tmp_path)])
    (finding,) = result.before[str(tmp_path / "tasks.py")].findings
    assert not finding.fixes[0].safe
    assert [s.path for s in finding.fixes[0].call_sites] == [str(tmp_path / "legacy.py")]


def test_every_review_case_has_a_safe_twin_shape():
    """The REVIEW cases must not pass because nothing is ever safe: the SAFE ones use the same
    task and actor definitions."""
    assert {task for _, task, _ in REVIEW.values()} & {task for _, task, _ in SAFE.values()}


@pytest.mark.parametrize(
    ("text", "loads"),
    [
        ("exec(code)", True), ("y = eval (s)", True), ("\neval(\n x)", True), ("runpy.run_path(p)", True),
        ("import sys\nsys.modules[n]", True), ("x = re.compile('a')", False), ("my_exec(x)", False),
        ("x.exec(y)", False), ("compiled(x)", False), ("relocate(x)", False),
    ],
)
def test_a_file_that_may_load_code_at_run_time_is_told_by_its_text(text, loads):
    """Such a file is read by every caller search (see `_FileFacts.loads_code`)."""
    from raylint.core.callers import _loads_code

    assert _loads_code(text) is loads


WAIT_SETUP = """\
import ray
from tasks import normalize


class Box:
    total = 0


box, d, xs, total, other = Box(), {}, [1], 0, ray.put(0)
inner = ray.get(normalize.remote(1))
"""


@pytest.mark.parametrize(
    ("following", "safe"),
    [
        ("value = ray.get(inner)", True),
        ("print(ray.get(inner))", True),
        ("total += ray.get(inner)", True),
        ("for v in ray.get([inner, other]):\n    print(v)", True),
        ("if ray.get(inner):\n    print(1)", True),
        ("value = ray.get(inner) + len(xs)", True),
        ("values = sorted(str(v) for v in ray.get([inner]))", True),
        ("print(ray.get(inner), file=open('out.txt', 'w'))", True),
        ("value = len(xs) + ray.get(inner)", False),
        ("box.total += ray.get(inner)", False),
        ("value = ray.get(inner) if xs else 0", False),
        ("value = xs and ray.get(inner)", False),
        ("d[len(xs)] = ray.get(inner)", False),
        ("print(f'{len(xs)} {ray.get(inner)}')", False),
        ("assert ray.get(inner)", False),
        ("value = ray.get(inner, timeout=5)", False),
        ("values = [ray.get(inner) for _ in xs]", False),
        ("print(ray.get(other))\nprint(ray.get(inner))", False),
        ("", False),
    ],
)
def test_a_two_step_get_keeps_its_wait_only_when_the_next_statement_waits_first_thing(tmp_path: Path, following: str, safe: bool):
    """`inner = ray.get(f.remote())` becomes `inner = f.remote()`, which no longer waits for the
    task: only a next statement whose first act is to wait for `inner` keeps the program the
    same (nothing runs code before it, nothing can skip it)."""
    files = {"tasks.py": TASKS, "main.py": WAIT_SETUP + following + "\n"}
    finding, _ = fixed(tmp_path, files, "normalize")
    reviews = [s.review for s in finding.fixes[0].call_sites if s.review]
    assert finding.fixes[0].safe == safe, reviews
    if not safe:
        assert any("removes this wait" in r for r in reviews), reviews


# A decorator other than Ray's around a task or actor method: tasks.py's text, the task, and
# what the fix's reason must say (None: Ray's own decorators, the fix stays safe)
DECORATED = {
    "a registry above @ray.remote is handed the task": ("""\
        import ray

        REGISTRY = []


        def register(task):
            REGISTRY.append(task)
            return task


        @register
        @ray.remote
        def normalize(x):
            return ray.put(x * 2)
        """, "normalize", "the task is handed to decorator `@register` (line 11)"),
    "a wrapper under @ray.remote receives the return": ("""\
        import functools

        import ray


        def unwrap(fn):
            @functools.wraps(fn)
            def wrapper(*args):
                return ray.get(fn(*args))
            return wrapper


        @ray.remote(num_cpus=1)
        @unwrap
        def normalize(x):
            return ray.put(x * 2)
        """, "normalize", "decorator `@unwrap` (line 14) may wrap the function"),
    "a decorated def given to ray.remote(fn)": ("""\
        import ray
        from timing import timed


        @timed(label="n")
        def plain(x):
            return ray.put(x * 2)


        normalize = ray.remote(plain)
        """, "plain", "decorator `@timed(label=\"n\")` (line 5) may wrap the function"),
    "a wrapped actor method, in a class handed to a registry": ("""\
        import ray
        from registry import register, timed


        @register
        @ray.remote
        class Library:
            @timed
            def inventory(self):
                return ray.put({"a": 1})
        """, "Library.inventory", "the actor class is handed to decorator `@register` (line 5), which may keep or replace it, "
        "so not all its calls can be found; decorator `@timed` (line 8) may wrap the function"),
    "Ray's own decorators only": ("""\
        import ray


        @ray.remote(num_cpus=1)
        class Library:
            @ray.method(num_returns=1)
            def inventory(self):
                return ray.put({"a": 1})


        @ray.remote
        def normalize(x):
            return ray.put(x * 2)
        """, "Library.inventory", None),
}


@pytest.mark.parametrize("name", DECORATED)
def test_a_decorator_other_than_rays_makes_the_fix_unsafe_and_says_which(tmp_path: Path, name: str):
    """Above the decorator that makes the task, a decorator is handed the task (it may keep it
    where raylint cannot follow its calls, or replace it); under it, or on an actor method, it
    wraps the function and receives the return value that the fix changes."""
    text, task, reason = DECORATED[name]
    finding, result = fixed(tmp_path, {"tasks.py": text}, task)
    fix = finding.fixes[0]
    if reason is None:
        assert fix.safe, fix.unsafe_reason
        assert os.path.abspath(tmp_path / "tasks.py") in result.texts
    else:
        assert not fix.safe
        assert reason in fix.unsafe_reason, fix.unsafe_reason
        assert task in {f.task for f in result.after[str(tmp_path / "tasks.py")].findings}  # --fix leaves it alone


def test_a_use_raylint_cannot_follow_is_told_in_words(tmp_path: Path):
    """A review reason names what is done with the ref (`.future()` is read for its attribute),
    never an AST class ("used in Attribute")."""
    main = "import ray\nfrom tasks import normalize\n\nfuture = normalize.remote(1).future()\nprint(ray.get(future.result()))\n"
    finding, _ = fixed(tmp_path, {"tasks.py": TASKS, "main.py": main}, "normalize")
    (site,) = [s for s in finding.fixes[0].call_sites if s.review]
    assert "read for its attribute `future`" in site.review
    assert not any(name in site.review for name in ("Attribute", "Call", "Name"))
