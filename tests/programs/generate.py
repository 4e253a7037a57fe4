"""Generated whole programs: definitions × call-site shapes × module layouts.

Each program has one flagged definition (a task or an actor method returning `ray.put()` refs),
two unflagged helper tasks, and a few call sites, each a function whose result `main.py`
prints. The harness (harness.py) runs it on real Ray, runs `raylint check --fix .`, and runs it
again: the output must be the same, or the fix was left unapplied (unsafe). A safe fix that
changes the output is a broken program.

    python tests/programs/generate.py --count 200 --seed 1 [--jobs 3] [--keep DIR] [--write DIR]

prints how many programs ran, how many got safe fixes, how many were left unsafe and how many
broke (and, for each broken one, its folder and what changed). `--write DIR` only writes the
programs. The raylint under test is the one on PYTHONPATH (else this checkout's server/).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# ---------------------------------------------------------------- the dimensions

# how the flagged thing is defined
DEFS = ["task", "task_options", "task_call", "actor", "actor_call"]
# what it returns: one put (return-value fix), a tuple of puts (num-returns), a list of puts (generator)
RETURNS = ["value", "tuple", "list"]
# where it is defined and how the callers name it
LAYOUTS = ["same", "module", "package", "alias", "module_attr", "package_alias"]
# how a call site reaches an actor
HANDLES = ["local", "annotated", "unannotated", "attribute"]

# call-site shapes: name -> (returns it applies to, tasks/actors/both)
SITES = {
    "nested": (RETURNS, "both"),
    "two_step": (RETURNS, "both"),
    "three_step": (RETURNS, "both"),
    "listcomp": (RETURNS, "both"),
    "barrier": (RETURNS, "both"),
    "wait": (RETURNS, "both"),
    "timeout": (RETURNS, "both"),
    "passed": (RETURNS, "both"),
    "stored": (RETURNS, "both"),
    "scope_comp": (RETURNS, "both"),
    "lambda": (["value"], "both"),
    "helper_param": (RETURNS, "both"),
    "type_of": (RETURNS, "both"),
    "registry": (RETURNS, "task"),
    "options": (RETURNS, "task"),
    "partial": (RETURNS, "task"),
    "handle_list": (RETURNS, "actor"),
    "bound": (RETURNS, "both"),
    "unpack": (["tuple"], "both"),
    "index": (["tuple", "list"], "both"),
    "loop": (["list"], "both"),
    "length": (["list"], "both"),
}
# the shapes a fix may have to leave for review (the ref or the task escapes into a call,
# a collection, a partial, an un-annotated parameter...)
UNFOLLOWABLE = {"passed", "stored", "helper_param", "type_of", "registry", "partial", "length", "bound"}


@dataclass
class Spec:
    index: int
    define: str
    returns: str
    layout: str
    sites: list[tuple[str, str]]  # (site shape, actor handle shape or "")
    paths: int = 1  # how many returns hand back refs (two: an `if` returns early)
    name: str = field(init=False)

    def __post_init__(self) -> None:
        handles = "-".join(f"{s}{'.' + h if h else ''}" for s, h in self.sites)
        paths = "_2paths" if self.paths == 2 else ""
        self.name = f"g{self.index:03d}_{self.define}_{self.returns}{paths}_{self.layout}_{handles}"

    @property
    def actor(self) -> bool:
        return self.define.startswith("actor")


def sample(count: int, seed: int) -> list[Spec]:
    """`count` program specs, deterministic for a seed; definitions and layouts taken in turn."""
    rng = random.Random(seed)
    specs = []
    for i in range(count):
        define = DEFS[i % len(DEFS)]
        layout = LAYOUTS[(i // len(DEFS) + seed) % len(LAYOUTS)]
        returns = rng.choice(RETURNS)
        kind = "actor" if define.startswith("actor") else "task"
        fitting = [s for s, (rets, who) in SITES.items() if returns in rets and who in ("both", kind)]
        followable = [s for s in fitting if s not in UNFOLLOWABLE]
        # most programs only have call sites raylint says it follows (so their fixes should be
        # safe, and the run after the fix is the proof); the rest add one it may refuse
        chosen = rng.sample(followable, k=rng.choice([1, 2]))
        unannotated = False
        if rng.random() < 0.35:
            if kind == "actor" and rng.random() < 0.5:
                unannotated = True  # a handle raylint cannot type instead of one more site
            else:
                chosen.append(rng.choice([s for s in fitting if s in UNFOLLOWABLE]))
        rng.shuffle(chosen)
        sites = [
            (s, rng.choice(["local", "annotated", "attribute"]) if kind == "actor" and s != "handle_list" else "")
            for s in chosen
        ]
        if unannotated:
            at = next((n for n, (s, h) in enumerate(sites) if h), None)
            if at is not None:
                sites[at] = (sites[at][0], "unannotated")
        # (every third program returns on two paths: taken in turn, the random draws stay those
        # of the programs generated before this dimension was added)
        specs.append(Spec(i, define, returns, layout, sites, paths=2 if i % 3 == 2 else 1))
    return specs


# ---------------------------------------------------------------- code

def _definition(spec: Spec) -> str:
    body = {
        "value": "return ray.put({v})",
        "tuple": "return ray.put({v}), ray.put({v} + 1)",
        "list": "return [ray.put({v} + i) for i in range(3)]",
    }[spec.returns]
    if spec.paths == 2:  # an early return on another path ({i}: the body's indentation)
        early = {
            "value": "if x % 2:\n{i}    return ray.put(-({v}))\n{i}ref = ray.put({v})\n{i}return ref",
            "tuple": "if x % 2:\n{i}    return ray.put(-({v})), ray.put({v})\n{i}",
            "list": "if x < 0:\n{i}    return []\n{i}",
        }[spec.returns]
        body = early if spec.returns == "value" else early + body
    indent = "        " if spec.actor else "    "
    body = body.replace("{i}", indent)
    helpers = (
        "@ray.remote\ndef plain(x):\n    return x + 100\n\n\n"
        "@ray.remote\ndef kind(value):\n    return type(value).__name__\n"
    )
    if spec.define == "task":
        flagged = f"@ray.remote\ndef load(x):\n    {body.format(v='x * 3 + 1')}\n"
    elif spec.define == "task_options":
        flagged = f"@ray.remote(num_cpus=1)\ndef load(x):\n    {body.format(v='x * 3 + 1')}\n"
    elif spec.define == "task_call":
        flagged = f"def _load(x):\n    {body.format(v='x * 3 + 1')}\n\n\nload = ray.remote(_load)\n"
    else:
        cls = "Acc" if spec.define == "actor" else "_Acc"
        flagged = (
            f"class {cls}:\n    def __init__(self, base):\n        self.base = base\n\n"
            f"    def value(self, x):\n        {body.format(v='self.base + x')}\n"
        )
        flagged = "@ray.remote\n" + flagged if spec.define == "actor" else flagged + "\n\nAcc = ray.remote(_Acc)\n"
    return f"{flagged}\n\n{helpers}"


def _imports(spec: Spec) -> tuple[str, str, str, dict[str, str]]:
    """(definitions file, its package __init__ or "", the callers' import lines, names).

    Module names carry the program's number: batch.py runs many programs in one driver."""
    thing = "Acc" if spec.actor else "load"
    names = {"F": thing, "plain": "plain", "kind": "kind"}
    tasks, lib = f"tasks_{spec.index:03d}", f"lib_{spec.index:03d}"
    if spec.layout == "same":
        return "main.py", "", "", names
    if spec.layout == "module":
        return f"{tasks}.py", "", f"from {tasks} import {thing}, kind, plain\n", names
    if spec.layout == "alias":
        names["F"] = "Other" if spec.actor else "fetch_it"
        return f"{tasks}.py", "", f"from {tasks} import {thing} as {names['F']}\nfrom {tasks} import kind, plain\n", names
    if spec.layout == "module_attr":
        names["F"] = f"{tasks}.{thing}"
        return f"{tasks}.py", "", f"import {tasks}\nfrom {tasks} import kind, plain\n", names
    if spec.layout == "package":
        init = f"from {lib}.impl import {thing}, kind, plain\n\n__all__ = [{thing!r}, 'kind', 'plain']\n"
        return f"{lib}/impl.py", init, f"from {lib} import {thing}, kind, plain\n", names
    # package_alias: re-exported under another name
    names["F"] = "Other" if spec.actor else "fetch_it"
    init = (
        f"from {lib}.impl import {thing} as {names['F']}\nfrom {lib}.impl import kind, plain\n\n"
        f"__all__ = [{names['F']!r}, 'kind', 'plain']\n"
    )
    return f"{lib}/impl.py", init, f"from {lib} import {names['F']}, kind, plain\n", names


def _finish(returns: str, inner: str) -> str:
    """The value from what `ray.get(outer)` gives before the fix (the inner ref(s))."""
    return f"ray.get(list({inner}))" if returns == "tuple" else f"ray.get({inner})"


def _site(spec: Spec, k: int, shape: str, handle: str, names: dict[str, str]) -> tuple[str, str]:
    """(module-level code for the call site, the expression main prints)."""
    F, plain, kind = names["F"], names["plain"], names["kind"]
    if spec.actor:
        ref = "self.h" if handle == "attribute" else "h"
        suffix = ".value.remote"
    else:
        ref, suffix = F, ".remote"

    def C(arg: str) -> str:
        return f"{ref}{suffix}({arg})"

    def fin(inner: str) -> str:
        return _finish(spec.returns, inner)

    top = ""  # module-level helpers for this site
    if shape == "nested":
        body = [f"return {fin(f'ray.get({C(1)})')}"]
    elif shape == "two_step":
        body = [f"inner = ray.get({C(2)})", f"return {fin('inner')}"]
    elif shape == "three_step":
        body = [f"ref = {C(3)}", "inner = ray.get(ref)", f"return {fin('inner')}"]
    elif shape == "listcomp":
        body = [f"inners = ray.get([{C('i')} for i in range(3)])", f"return [{fin('x')} for x in inners]"]
    elif shape == "barrier":
        body = [f"ray.get([{C('i')} for i in range(2)])", f"return {fin(f'ray.get({C(4)})')}"]
    elif shape == "wait":
        body = [
            f"pending = [{C('i')} for i in range(3)]",
            "out = []",
            "while pending:",
            "    ready, pending = ray.wait(pending, num_returns=1)",
            f"    out.append({fin('ray.get(ready[0])')})",
            "return sorted(out)",
        ]
    elif shape == "timeout":
        body = [f"return {fin(f'ray.get({C(5)}, timeout=60)')}"]
    elif shape == "passed":
        body = [f"return ray.get({kind}.remote({C(6)}))"]
    elif shape == "stored":
        stored = "ray.get(pending['k'])"
        body = [f"pending = {{'k': {C(7)}}}", f"return {fin(stored)}"]
    elif shape == "scope_comp":
        body = [
            f"ref = {C(8)}",
            f"first = {fin('ray.get(ref)')}",
            f"others = [ray.get(ref) for ref in [{plain}.remote(i) for i in range(2)]]",
            "return first, others",
        ]
    elif shape == "lambda":
        body = [
            "fetch_one = lambda ref: ray.get(ref)  # noqa: E731",
            f"return fetch_one(fetch_one({C(9)})), fetch_one({plain}.remote(1))",
        ]
    elif shape == "helper_param":
        top = f"def _apply_{k}(target, v):\n    return {fin(f'ray.get(target{suffix}(v))')}\n\n\n"
        body = [f"return _apply_{k}({ref}, 3)"]
    elif shape == "type_of":
        body = [f"return type(ray.get({C(2)})).__name__"]
    elif shape == "registry":
        top = f"REGISTRY_{k} = {{'main': {F}, 'other': {plain}}}\n\n\n"
        first = f"ray.get(REGISTRY_{k}['main'].remote(2))"
        body = [f"first = {fin(first)}", f"return first, ray.get(REGISTRY_{k}['other'].remote(2))"]
    elif shape == "options":
        body = [f"light = {F}.options(num_cpus=0.5)", f"return {fin('ray.get(light.remote(2))')}"]
    elif shape == "partial":
        body = [f"run = functools.partial({F}.remote)", f"return {fin('ray.get(run(2))')}"]
    elif shape == "handle_list":
        body = [
            f"hs = [{F}.remote(b) for b in (10, 20)]",
            "inners = ray.get([h.value.remote(1) for h in hs])",
            f"return [{fin('x')} for x in inners]",
        ]
    elif shape == "bound":  # the method (or the task's .remote) kept in a variable
        bound = f"{ref}.value" if spec.actor else f"{F}.remote"
        call = "method.remote(5)" if spec.actor else "method(5)"
        body = [f"method = {bound}", f"return {fin(f'ray.get({call})')}"]
    elif shape == "unpack":
        body = [f"a, b = ray.get({C(1)})", "return ray.get(a), ray.get(b)"]
    elif shape == "index":
        body = [f"return ray.get(ray.get({C(2)})[0])"]
    elif shape == "loop":
        body = [f"refs = ray.get({C(4)})", "return [ray.get(r) for r in refs]"]
    elif shape == "length":
        body = [f"return len(ray.get({C(2)}))"]
    else:
        raise ValueError(shape)

    fn = f"site_{k}"
    if not spec.actor or shape == "handle_list":
        code = f"def {fn}():\n" + "".join(f"    {line}\n" for line in body)
        return top + code, f"{fn}()"
    if handle == "local":
        code = f"def {fn}():\n    h = {F}.remote(10)\n" + "".join(f"    {line}\n" for line in body)
        return top + code, f"{fn}()"
    if handle == "annotated":
        code = f"def {fn}(h: {F}):\n" + "".join(f"    {line}\n" for line in body)
        return top + code, f"{fn}({F}.remote(10))"
    if handle == "unannotated":
        code = f"def {fn}(h):\n" + "".join(f"    {line}\n" for line in body)
        return top + code, f"{fn}({F}.remote(10))"
    # attribute
    code = (
        f"class Site{k}:\n    def __init__(self):\n        self.h = {F}.remote(10)\n\n    def run(self):\n"
        + "".join(f"        {line}\n" for line in body)
    )
    return top + code, f"Site{k}().run()"


MAIN = '''"""Generated: {name}."""

import ray

{imports}

{callers}def main():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    run_all()
    ray.shutdown()


if __name__ == "__main__":
    main()
'''


def write_program(spec: Spec, into: Path) -> Path:
    folder = into / spec.name
    folder.mkdir(parents=True)
    defs_path, init, imports, names = _imports(spec)
    tops, prints = [], []
    for k, (shape, handle) in enumerate(spec.sites):
        code, call = _site(spec, k, shape, handle, names)
        tops.append(code)
        prints.append(f"    print({f'{shape}:'!r}, {call})\n")
    uses_functools = any(s == "partial" for s, _ in spec.sites)
    callers = "\n\n".join(tops) + "\n\ndef run_all():\n" + "".join(prints)
    header = "import functools\n\n" if uses_functools else ""
    if spec.layout == "same":
        main = MAIN.format(
            name=spec.name, imports="\n" + header + _definition(spec).rstrip() + "\n", callers=callers + "\n\n"
        )
        (folder / "main.py").write_text(main.replace("\n\n\n\n", "\n\n\n"))
        return folder
    (folder / defs_path).parent.mkdir(parents=True, exist_ok=True)
    (folder / defs_path).write_text("import ray\n\n\n" + _definition(spec))
    if init:
        (folder / defs_path).parent.joinpath("__init__.py").write_text(init)
    callers_module = f"callers_{spec.index:03d}"
    (folder / f"{callers_module}.py").write_text(f"import ray\n{header}\n{imports}\n\n{callers}")
    (folder / "main.py").write_text(
        f'"""Generated: {spec.name}."""\n\nimport ray\n\nfrom {callers_module} import run_all\n\n\n'
        + MAIN.split("{callers}", 1)[1]
    )
    return folder


# ---------------------------------------------------------------- running

@dataclass
class Outcome:
    spec: Spec
    verdict: str  # "safe" (fixed, same output), "unsafe" (left alone), "broke", "unflagged", "error"
    detail: str


def judge(spec: Spec, s) -> Outcome:
    if s.before.code != 0:
        return Outcome(spec, "error", "the program fails before any fix\n" + s.describe())
    if s.broke:
        return Outcome(spec, "broke", "a safe fix changed the output\n" + s.describe())
    if not s.found:
        return Outcome(spec, "unflagged", s.describe())
    target = s.found[0]
    if target.fix is not None and target.safe and s.changed:
        return Outcome(spec, "safe", s.describe())
    return Outcome(spec, "unsafe", s.describe())


def run_many(specs: list[Spec], root: Path, jobs: int = 3, ray=None) -> list[Outcome]:
    """Write and judge the programs, `jobs` at a time, on `ray` (a SharedRay) or a new one."""
    from harness import SharedRay

    folders = [write_program(spec, root) for spec in specs]
    if ray is None:
        with SharedRay() as ray:
            return _judge_all(specs, folders, jobs, ray)
    return _judge_all(specs, folders, jobs, ray)


def _batches(folders: list[Path], ray, jobs: int) -> dict:
    """Run the programs in `jobs` drivers side by side (batch.py)."""
    from concurrent.futures import ThreadPoolExecutor

    from harness import run_batch

    chunks = [folders[i::jobs] for i in range(jobs)]
    runs = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for part in pool.map(lambda chunk: run_batch(chunk, ray), chunks):
            runs.update(part)
    return runs


def _judge_all(specs, folders, jobs, ray) -> list[Outcome]:
    """Run every program, fix each with raylint, run again those a fix changed."""
    from concurrent.futures import ThreadPoolExecutor

    from harness import Story, fix_step

    before = _batches(folders, ray, jobs)
    stories = [Story(folder, before[folder]) for folder in folders]
    ok = [s for s in stories if s.before.code == 0]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(fix_step, ok))
    after = _batches([s.folder for s in ok if s.changed], ray, jobs)
    for s in ok:
        s.after = after.get(s.folder, s.before)
    return [judge(spec, s) for spec, s in zip(specs, stories)]


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the programs here (kept) instead of a temp dir")
    parser.add_argument("--write", type=Path, help="only write the programs into this folder")
    parser.add_argument("--verbose", action="store_true", help="print every program's story")
    args = parser.parse_args(argv)
    specs = sample(args.count, args.seed)
    if args.write:
        for spec in specs:
            write_program(spec, args.write)
        print(f"wrote {len(specs)} programs into {args.write}")
        return 0
    root = args.keep or Path(tempfile.mkdtemp(prefix="raylint-generated-"))
    root.mkdir(parents=True, exist_ok=True)
    outcomes = run_many(specs, root, args.jobs)
    counts = {v: sum(o.verdict == v for o in outcomes) for v in ("safe", "unsafe", "broke", "unflagged", "error")}
    for o in outcomes:
        if o.verdict in ("broke", "error", "unflagged") or args.verbose:
            print(f"--- {o.verdict}: {o.spec.name}\n{o.detail}\n")
    print(
        f"programs: {len(outcomes)}  safe fixes: {counts['safe']}  left unsafe: {counts['unsafe']}  "
        f"broke: {counts['broke']}  unflagged: {counts['unflagged']}  failed before fixing: {counts['error']}"
    )
    print(f"programs in {root}")
    return 1 if counts["broke"] or counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
