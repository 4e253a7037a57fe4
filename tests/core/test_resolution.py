"""Ray's names as Python resolves them: aliases, workspace re-exports, installed packages.

Our own import tracking must work without Ray installed; jedi, searching the user's
environment (`--python`), follows what only an installed package knows.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from raylint.core import ExternalResolver, ModuleIndex, analyze


def write(root: Path, files: dict[str, str]) -> None:
    for name, code in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))


def flagged(root: Path, name: str, externals: ExternalResolver | None = None) -> list[str]:
    path = root / name
    index = ModuleIndex([str(root)])
    return [f.task for f in analyze(path.read_text(), str(path), index=index, externals=externals).findings]


WORKSPACES = {
    "re-export through a module": (
        {
            "compat.py": "from ray import put\n",
            "tasks.py": """
                import ray
                from compat import put

                @ray.remote
                def f(x):
                    return put(x)
            """,
        },
        ["f"],
    ),
    "module attribute of a workspace module": (
        {
            "compat.py": "import ray as _ray\nstore = _ray.put\n",
            "tasks.py": """
                import ray
                import compat

                @ray.remote
                def f(x):
                    return compat.store(x)
            """,
        },
        ["f"],
    ),
    "two hops and a relative import in a package": (
        {
            "pkg/__init__.py": "from .base import put as keep\n",
            "pkg/base.py": "from ray import put\n",
            "pkg/jobs.py": """
                import ray
                from . import keep

                @ray.remote
                def f(x):
                    return keep(x)
            """,
        },
        ["f"],
    ),
    "decorator bound to ray.remote(...) in another module": (
        {
            "presets.py": "import ray\n\ngpu_task = ray.remote(num_gpus=0, num_cpus=1)\n",
            "tasks.py": """
                import ray
                from presets import gpu_task

                @gpu_task
                def f(x):
                    return ray.put(x)
            """,
        },
        ["f"],
    ),
    "star import of a workspace module that imports from ray": (
        {
            "everything.py": "from ray import put, remote\n",
            "tasks.py": """
                from everything import *

                @remote
                def f(x):
                    return put(x)
            """,
        },
        ["f"],
    ),
    "from ray import *": (
        {
            "tasks.py": """
                from ray import *

                @remote
                def f(x):
                    return put(x)
            """,
        },
        ["f"],
    ),
    "a workspace module named like Ray's API but not Ray's": (
        {
            "storage.py": "def put(x):\n    return x\n",
            "tasks.py": """
                import ray
                from storage import put

                @ray.remote
                def f(x):
                    return put(x)
            """,
        },
        [],
    ),
    "import cycle": (
        {
            "a.py": "from b import put\n",
            "b.py": "from a import put\n",
            "tasks.py": """
                import ray
                from a import put

                @ray.remote
                def f(x):
                    return put(x)
            """,
        },
        [],
    ),
    "ray's defining module": (
        {
            "tasks.py": """
                import ray
                from ray._private.worker import put

                @ray.remote
                def f(x):
                    return put(x)
            """,
        },
        ["f"],
    ),
    # The file itself spells neither `put` nor `remote`: the prefilter must follow its imports.
    "neither word in the file: both through imports": (
        {
            "lib/__init__.py": "",
            "lib/compat.py": "import ray\nstore = ray.put\ntask = ray.remote\n",
            "tasks.py": """
                from lib.compat import store, task

                @task
                def f(x):
                    return store(x)
            """,
        },
        ["f"],
    ),
    "neither word: a wrap call with an alias of ray.remote from another module": (
        {
            "compat.py": "import ray\nstore = ray.put\ntask = ray.remote\n",
            "tasks.py": """
                from compat import store, task

                def f(x):
                    return store(x)

                g = task(f)
            """,
        },
        ["f"],
    ),
    # `remote` through imports counts only for the names the file makes tasks with: these
    # reach it through an assignment, a star import and a re-export chain.
    "neither word: a decorator assigned from a workspace module's name": (
        {
            "cluster.py": "import ray\nstore = ray.put\ngpu_task = ray.remote(num_gpus=1)\n",
            "tasks.py": """
                import cluster

                gpu = cluster.gpu_task

                @gpu
                def f(x):
                    return cluster.store(x)
            """,
        },
        ["f"],
    ),
    "neither word: a decorator from a star import": (
        {
            "cluster.py": "import ray\nstore = ray.put\ntask = ray.remote\n",
            "tasks.py": """
                from cluster import *

                @task
                def f(x):
                    return store(x)
            """,
        },
        ["f"],
    ),
    "neither word: a re-export chain of the decorator": (
        {
            "lib/__init__.py": "from .deco import task\nfrom .store import store\n",
            "lib/deco.py": "import ray\ntask = ray.remote\n",
            "lib/store.py": "import ray\nstore = ray.put\n",
            "tasks.py": """
                from lib import store, task

                @task
                def f(x):
                    return store(x)
            """,
        },
        ["f"],
    ),
    "neither word: the second module of an import list, a submodule named by from": (
        {
            "helpers.py": "import ray\nstore = ray.put\n",
            "lib/__init__.py": "",
            "lib/deco.py": "import ray\ntask = ray.remote\n",
            "tasks.py": """
                import os, helpers
                from lib import deco

                @deco.task
                def f(x):
                    return helpers.store(x)
            """,
        },
        ["f"],
    ),
    # Python binds a name a function declares `global` in the module: `put` in `f` is Ray's
    # once `setup()` ran (the module scope held only `put = None`)
    "a global bound by an import in a function": (
        {
            "tasks.py": """
                import ray
                put = None

                def setup():
                    global put
                    from ray import put

                @ray.remote
                def f(x):
                    return put(x)
            """,
        },
        ["f"],
    ),
    "a global bound by an import in a function nested in a class and a handler": (
        {
            "tasks.py": """
                import ray

                class Setup:
                    def run(self):
                        try:
                            pass
                        except Exception:
                            def late():
                                global store
                                from ray import put as store

                @ray.remote
                def f(x):
                    return store(x)
            """,
        },
        ["f"],
    ),
    "src layout: a package under src/ imported from outside it": (
        {
            "src/pkg/__init__.py": "",
            "src/pkg/helpers.py": "import ray\nstore = ray.put\n",
            "scripts/jobs.py": """
                import ray
                from pkg.helpers import store

                @ray.remote
                def f(x):
                    return store(x)
            """,
        },
        ["f"],
    ),
}


@pytest.mark.parametrize(("files", "expected"), WORKSPACES.values(), ids=WORKSPACES.keys())
@pytest.mark.parametrize("environment", ["no jedi", "env without Ray", "env with Ray"])
def test_workspace_resolution_needs_no_installed_ray(tmp_path, files, expected, environment, request):
    write(tmp_path, files)
    externals = {
        "no jedi": None,
        "env without Ray": ExternalResolver(request.getfixturevalue("no_ray_python")),
        "env with Ray": ExternalResolver(sys.executable),
    }[environment]
    target = next(name for name in files if name.endswith(("tasks.py", "jobs.py")))
    assert flagged(tmp_path, target, externals) == expected


INSTALLED = """
    import ray
    from raytools import stash, task

    @ray.remote
    def f(x):
        return stash(x)

    @task
    def g(x):
        return ray.put(x)
"""


def test_installed_package_reexporting_ray_is_followed_by_jedi(tmp_path, raytools_python):
    write(tmp_path, {"tasks.py": INSTALLED})
    assert flagged(tmp_path, "tasks.py", ExternalResolver(raytools_python)) == ["f", "g"]


def test_installed_package_is_looked_up_in_the_given_environment_only(tmp_path, no_ray_python):
    write(tmp_path, {"tasks.py": INSTALLED})
    # `raytools` is not installed in these environments: its names are unknown, not Ray's.
    assert flagged(tmp_path, "tasks.py", ExternalResolver(sys.executable)) == []
    assert flagged(tmp_path, "tasks.py", ExternalResolver(no_ray_python)) == []
    assert flagged(tmp_path, "tasks.py", None) == []


def test_installed_reexport_without_ray_installed(tmp_path, raytools_no_ray_python):
    # jedi cannot follow into Ray, but the import statement it stops at names `ray.put`.
    write(tmp_path, {"tasks.py": INSTALLED})
    assert flagged(tmp_path, "tasks.py", ExternalResolver(raytools_no_ray_python)) == ["f", "g"]


def test_jedi_follows_ray_submodules_in_the_real_ray_environment(tmp_path, no_ray_python):
    write(
        tmp_path,
        {
            "tasks.py": """
                import ray
                from ray._private import worker

                @ray.remote
                def f(x):
                    return worker.put(x)
            """
        },
    )
    assert flagged(tmp_path, "tasks.py", ExternalResolver(sys.executable)) == ["f"]
    # Without Ray in the environment, `worker` cannot be looked into: not flagged, no error.
    assert flagged(tmp_path, "tasks.py", ExternalResolver(no_ray_python)) == []


def test_a_broken_interpreter_path_degrades_to_own_tracking(tmp_path):
    write(tmp_path, {"tasks.py": textwrap.dedent(INSTALLED) + "\n@ray.remote\ndef h(x):\n    return ray.put(x)\n"})
    assert flagged(tmp_path, "tasks.py", ExternalResolver(str(tmp_path / "no-such-python"))) == ["h"]


def test_reexport_edits_are_not_followed_into_other_files(tmp_path):
    write(
        tmp_path,
        {
            "compat.py": "import ray\nlight = ray.remote(num_cpus=1)\n",
            "tasks.py": """
                import ray
                from compat import light

                @light
                def f(x):
                    return ray.put(x), ray.put(x)
            """,
        },
    )
    path = tmp_path / "tasks.py"
    (finding,) = analyze(path.read_text(), str(path), index=ModuleIndex([str(tmp_path)])).findings
    # The shared decorator is not this task's to edit: num-returns says so, generator still applies.
    assert [fix.id for fix in finding.fixes] == ["generator"]
    assert all(edit.path == str(path) for fix in finding.fixes for edit in fix.edits)


# `ray.remote(f)` is found from the text first (so large modules are not walked): every way
# of writing the call must still make `f` a task.
WRAP_CALLS = {
    "nested def wrapped in its function": """
        import ray

        def main():
            def f(x):
                return ray.put(x)
            task = ray.remote(f)
            return task
    """,
    "comment and line breaks around the name": """
        import ray

        def f(x):
            return ray.put(x)

        task = ray.remote(  # made remote here
            f,
        )
    """,
    "method of a wrapped class": """
        import ray

        class Store:
            def get(self, x):
                return ray.put(x)

        StoreActor = ray.remote(Store)
    """,
    "a name bound to ray.remote(**options), called with the def": """
        import ray

        gpu_task = ray.remote(num_gpus=0)

        def f(x):
            return ray.put(x)

        task = gpu_task(f)
    """,
}


@pytest.mark.parametrize("case", sorted(WRAP_CALLS))
def test_remote_by_call_is_found_however_the_call_is_written(case):
    tasks = [f.task for f in analyze(textwrap.dedent(WRAP_CALLS[case]), "case.py").findings]
    assert tasks == [{"nested def wrapped in its function": "f", "method of a wrapped class": "Store.get"}.get(case, "f")]


def test_a_name_passed_to_another_call_is_not_a_task():
    code = """
        import ray

        def f(x):
            return ray.put(x)

        print(f)
        wrapped = len(f)
    """
    assert analyze(textwrap.dedent(code), "case.py").findings == []


def test_the_index_reads_a_pep_263_module_as_the_command_line_does(tmp_path):
    """A re-export in a latin-1 module (declared, with a non-UTF-8 byte) is followed: the
    index reads files the one way the command line does."""
    from raylint.core import ModuleIndex, analyze

    (tmp_path / "helpers.py").write_bytes(
        b"# -*- coding: latin-1 -*-\n# caf\xe9\nfrom ray import put as store\n"
    )
    task = "import ray\nfrom helpers import store\n\n@ray.remote\ndef f(x):\n    return store(x)\n"
    (tmp_path / "jobs.py").write_text(task)
    index = ModuleIndex([str(tmp_path)])
    (finding,) = analyze(task, str(tmp_path / "jobs.py"), index=index).findings
    assert finding.code == "RAY001"


def texts_parsed(monkeypatch) -> list[str]:
    """The texts the resolver parses from now on (modules followed into), in order."""
    import raylint.core.names as names

    parsed: list[str] = []
    real = names.parse

    def counting(source, *args, **kwargs):
        parsed.append(source.text)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(names, "parse", counting)
    return parsed


def test_which_ray_name_is_answered_without_parsing_modules_that_cannot_lead_to_ray(tmp_path, monkeypatch):
    """`settings.get(...)` in a loop: `settings` comes from a module that neither spells `ray`
    nor imports one that does, so it is not parsed to learn it is not `ray`. A module that
    imports one that does (`shim` from `compat`) is followed as before."""
    write(
        tmp_path,
        {
            "config.py": "settings = {'retries': 3}\n",
            "compat.py": "from ray import get as fetch\n",
            "shim.py": "from compat import fetch\n",
            "jobs.py": """
                import ray
                from config import settings
                from shim import fetch

                @ray.remote
                def f(i):
                    return i

                def run():
                    for i in range(settings.get('retries')):
                        fetch(f.remote(i))
            """,
        },
    )
    parsed = texts_parsed(monkeypatch)
    path = tmp_path / "jobs.py"
    findings = analyze(path.read_text(), str(path), index=ModuleIndex([str(tmp_path)])).findings
    assert [f.code for f in findings] == ["RAY002"]
    assert "settings = {'retries': 3}\n" not in parsed and "from compat import fetch\n" in parsed


def test_a_package_file_imports_ray_read_from_its_bytes_as_from_its_text(tmp_path):
    """`_file_imports_ray` rules files out on their bytes: the same answer as the decoded text's."""
    from raylint.core.names import _file_imports_ray, _imports_ray, read_disk

    contents = {
        "plain.py": b"import os\nimport ray\n",
        "none.py": b"import array\nx = 'ray'\n",
        "indented.py": b"if x:\n\tfrom ray import get\n",
        "bom.py": b"\xef\xbb\xbfimport ray\n",
        "bom_later.py": b"\xef\xbb\xbfx = 1\nimport ray.util\n",
        "cr.py": b"x = 1\rimport ray\r",
        "latin1.py": "# -*- coding: latin-1 -*-\ns = 'é'\nimport ray\n".encode("latin-1"),
        "utf16.py": b"# coding: utf-16\n" + "\nimport ray\n".encode("utf-16-le"),
        "nul.py": b"import ray\n\x00",
        "rayon.py": b"import rayon\n",
        "unicode.py": "import ray\u00e9\nimport ray\u2192\n".encode("utf-8"),
        "comma.py": b"import os,ray\n",
        "list.py": b"import numpy as np, ray as r\n",
        "try.py": b"try: import ray\nexcept ImportError: ray = None\n",
        "semicolon.py": b"import os; from ray import put\n",
        "string.py": b"s = 'import ray'\n# import ray\n",
    }
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
        path = str(tmp_path / name)
        assert _file_imports_ray(path) == _imports_ray(read_disk(path) or ""), name
    assert _file_imports_ray(str(tmp_path / "plain.py")) and not _file_imports_ray(str(tmp_path / "none.py"))
    # every way to import Ray counts (a package that does re-exports its names), none other
    for name in ("comma.py", "list.py", "try.py", "semicolon.py"):
        assert _file_imports_ray(str(tmp_path / name)), name
    assert not _file_imports_ray(str(tmp_path / "string.py")) and not _file_imports_ray(str(tmp_path / "rayon.py"))


def test_which_ray_name_is_answered_without_parsing_modules_that_define_it(tmp_path, monkeypatch):
    """`helpers.py` imports Ray, but `log` is a def there: asking whether `log(...)` is
    `ray.get` does not parse it. `fetch`, imported there from Ray, is followed as before."""
    write(
        tmp_path,
        {
            "helpers.py": "import ray\n\n\ndef log(x):\n    print(x)\n",
            "compat.py": "import ray\nfrom ray import get as fetch\n\n\ndef unused():\n    pass\n",
            "jobs.py": """
                import ray
                from helpers import log
                from compat import fetch

                @ray.remote
                def f(i):
                    return i

                def run(n):
                    for i in range(n):
                        log(i)
                        fetch(f.remote(i))
            """,
        },
    )
    parsed = texts_parsed(monkeypatch)
    path = tmp_path / "jobs.py"
    findings = analyze(path.read_text(), str(path), index=ModuleIndex([str(tmp_path)])).findings
    assert [f.code for f in findings] == ["RAY002"]
    assert (tmp_path / "helpers.py").read_text() not in parsed
    assert (tmp_path / "compat.py").read_text() in parsed


# Texts that bind `get` at their top level by an import or an assignment, however it is written:
# `may_bind` must never say no to one of them.
BINDS_GET = [
    "from ray import get\n",
    "from ray import (  # the getter, (see docs)\n    get,\n)\n",
    "from ray import (put,\n    get as\n    got, wait as get)\n",
    "from ray import \\\n    get\n",
    "import os; from ray import get\n",
    "try: from ray import get\nexcept ImportError: pass\n",
    "if True:\n    import ray.get as get\n",
    "import ray as get\n",
    "from ray import \\\n *\n",
    "from ray import *\n",
    "import ray\nget = ray.get\n",
    "import ray\n(get) = ray.get\n",
    "import ray\n( get\n) = ray.get\n",
    "import ray\nget \\\n    = ray.get\n",
    "import ray\nget: object = ray.get\n",
    "import ray\n(get): object = ray.get\n",
    "import ray\nif (get := ray.get):\n    pass\n",
    "import ray\nx = get = ray.get\n",
    "import ray\n\uff47\uff45\uff54 = ray.get\n",  # (fullwidth letters: Python reads them as `get`)
    "import ray\ng\u0065t = ray.get\n",
]


@pytest.mark.parametrize("text", BINDS_GET)
def test_may_bind_says_yes_to_every_import_or_assignment_of_the_name(tmp_path, text):
    import ast

    from raylint.core.prefilter import may_bind

    tree = ast.parse(text)
    assert any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in ast.walk(tree)) or any(
        isinstance(n, ast.Name) and n.id == "get" and not isinstance(n.ctx, ast.Load) for n in ast.walk(tree)
    ) or any(isinstance(n, ast.alias) and (n.asname or n.name) == "get" for n in ast.walk(tree)), "the case binds `get`"
    (tmp_path / "m.py").write_text(text, encoding="utf-8")
    assert may_bind(str(tmp_path / "m.py"), "get", ModuleIndex([str(tmp_path)]))


@pytest.mark.parametrize(
    "text",
    [
        "def get():\n    pass\n",
        "class get:\n    pass\n",
        "import ray\nx = d.get('a')\ny = forget = 1\nz = get_all = 2\nprint(get)\n",
        "s = 'from ray imports nothing'\n",
        "class A:\n    def m(get):\n        pass\n\n    def n(self, get):\n        return get\n",
    ],
)
def test_may_bind_says_no_where_the_name_is_only_defined_or_read(tmp_path, text):
    from raylint.core.prefilter import may_bind

    (tmp_path / "m.py").write_text(text)
    assert not may_bind(str(tmp_path / "m.py"), "get", ModuleIndex([str(tmp_path)]))


def test_may_bind_is_never_wrong_on_real_modules():
    """On every module of raylint and its tests: whenever the parser finds a top-level binding
    by import or assignment, or a star import, `may_bind` says yes."""
    from raylint.core.names import ModuleInfo
    from raylint.core.prefilter import may_bind
    from raylint.core.source import SourceText, parse

    root = Path(__file__).parents[2]
    index = ModuleIndex([str(root)])
    checked = 0
    for path in sorted([*root.glob("server/raylint/**/*.py"), *root.glob("tests/**/*.py")]):
        text = index.text(str(path))
        tree = parse(SourceText(text))[0] if text is not None else None
        if tree is None:
            continue
        scope = ModuleInfo(str(path), SourceText(text), tree).scope
        for name, bindings in scope.bindings.items():
            if any(b[0] in ("module", "from", "value") for b in bindings) or scope.star_imports:
                assert may_bind(str(path), name, index), (path, name)
                checked += 1
    assert checked > 1000


def test_this_interpreters_sys_path_is_read_without_asking_jedis_process():
    """With no --python and no other environment active, the sys.path the installed packages
    are searched on is this interpreter's own, as jedi's process gives it (but for that
    process's own folder): read directly, since starting that process cost a language server's
    first analysis 0.12 s. (In a fresh interpreter, as the server is: pytest adds folders.)"""
    script = (
        "import json, pathlib, jedi\n"
        "from raylint.core.names import ExternalResolver\n"
        "resolver = ExternalResolver()\n"
        "environment = resolver.environment()\n"
        "own = str(pathlib.Path(jedi.__file__).parent)\n"
        "print(json.dumps([type(environment).__name__, resolver._sys_path(),"
        " [e for e in environment.get_sys_path() if not e.startswith(own)]]))\n"
    )
    import json
    import os
    import subprocess

    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    kind, read, asked = json.loads(done.stdout)
    assert kind == "SameEnvironment" and read == asked and any("site-packages" in entry for entry in read)


@pytest.mark.parametrize("active", ["none", "this", "other"])
def test_this_interpreter_is_told_as_jedi_tells_it(tmp_path, monkeypatch, active):
    """`is_this_interpreter` (which spares importing jedi) agrees with jedi's default environment
    whatever virtual environment is active: none, this one, or another one."""
    import subprocess

    import jedi

    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    if active == "this":
        monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)
    elif active == "other":
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "other")], check=True, timeout=120)
        monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "other"))
    same = type(jedi.get_default_environment()) is jedi.api.environment.SameEnvironment
    assert ExternalResolver().is_this_interpreter() == same == (active != "other")
    assert not ExternalResolver(sys.executable).is_this_interpreter()  # (--python: jedi is asked)
