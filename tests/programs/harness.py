"""The proof harness for whole programs: run on real Ray, `raylint check --fix`, run again.

The contract for every program (hand-written shape folders and generated ones alike):

- the output after `--fix` (stdout and exit code) is the output before, or
- the fix of the task it is about was not applied (unsafe), and raylint lists the place it could
  not follow as a "call site to review" (the lines marked `# <- review` in a shape folder).

A safe fix that changes the output is the failure this harness exists to find.

Programs run as subprocesses against one Ray cluster that the harness starts (`SharedRay`):
`_shared_ray/sitecustomize.py` turns each program's own `ray.init(num_cpus=...)` into a
connection to it. A job on a shared cluster still has its own namespace (named actors),
workers and objects; starting a local Ray per program costs ~5 s, connecting well under one.
Set RAYLINT_PROGRAMS_PRIVATE_RAY=1 to give every program its own `ray.init` instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the raylint under test: the one on PYTHONPATH, else this checkout's server/
SERVER = HERE.parents[1] / "server"
REVIEW_MARK = "# <- review"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def describe(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err[-3000:]}"

    def same_as(self, other: Run) -> bool:
        return self.code == other.code and self.out == other.out


def _base_env() -> dict[str, str]:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8", "RAY_AUTH_MODE": "disabled"}


def _raylint_env() -> dict[str, str]:
    env = _base_env()
    if "PYTHONPATH" not in env and (SERVER / "raylint").is_dir():
        env["PYTHONPATH"] = str(SERVER)
    return env


_HOLDER = """
import sys, ray
ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
print(ray.get_runtime_context().gcs_address, flush=True)
sys.stdin.read()
ray.shutdown()
"""


class SharedRay:
    """One local Ray cluster for many programs; `address` is None with a private Ray each."""

    def __init__(self) -> None:
        self.address: str | None = None
        self.tmp = tempfile.mkdtemp(prefix="rlp-")  # short: Ray's socket paths stay < 107 chars
        self.holder: subprocess.Popen | None = None

    def __enter__(self) -> SharedRay:
        if os.environ.get("RAYLINT_PROGRAMS_PRIVATE_RAY"):
            return self
        env = {**_base_env(), "RAY_TMPDIR": self.tmp}
        env.pop("RAY_ADDRESS", None)
        self.holder = subprocess.Popen(
            [sys.executable, "-c", _HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, text=True,
        )
        self.address = self.holder.stdout.readline().strip() or None
        if not self.address:
            self.__exit__()
            raise RuntimeError("the shared Ray cluster did not start")
        return self

    def __exit__(self, *exc) -> None:
        if self.holder is not None:
            try:
                self.holder.stdin.close()
                self.holder.wait(60)
            except (subprocess.TimeoutExpired, OSError):
                self.holder.send_signal(signal.SIGINT)
                try:
                    self.holder.wait(30)
                except subprocess.TimeoutExpired:
                    self.holder.kill()
            self.holder = None
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_program(folder: Path, ray: SharedRay | None, timeout: int = 120) -> Run:
    env = _base_env()
    ray_tmp = None
    if ray is not None and ray.address:
        env["RAYLINT_PROGRAMS_RAY_ADDRESS"] = ray.address
        env["PYTHONPATH"] = str(HERE / "_shared_ray")
        env["RAY_TMPDIR"] = ray.tmp
    else:
        ray_tmp = tempfile.mkdtemp(prefix="rl-")
        env["RAY_TMPDIR"] = ray_tmp
        env.pop("PYTHONPATH", None)
    env.pop("RAY_ADDRESS", None)
    try:
        done = subprocess.run(
            [sys.executable, "main.py"], cwd=folder, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as e:
        return Run(-1, e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or ""), "timeout")
    finally:
        if ray_tmp:
            shutil.rmtree(ray_tmp, ignore_errors=True)
    return Run(done.returncode, done.stdout, done.stderr)


def run_batch(folders: list[Path], ray: SharedRay | None, timeout: int = 600) -> dict[Path, Run]:
    """Run many programs in one driver (batch.py); programs must not share module names."""
    if not folders:
        return {}
    env = _base_env()
    env.pop("RAY_ADDRESS", None)
    env.pop("PYTHONPATH", None)
    ray_tmp = None
    if ray is not None and ray.address:
        env["RAYLINT_PROGRAMS_RAY_ADDRESS"] = ray.address
        env["RAY_TMPDIR"] = ray.tmp
    else:
        ray_tmp = env["RAY_TMPDIR"] = tempfile.mkdtemp(prefix="rl-")
    fd, result = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        done = subprocess.run(
            [sys.executable, str(HERE / "batch.py"), result, *map(str, folders)],
            env=env, capture_output=True, text=True, timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"batch run failed: {done.stderr[-3000:]}")
        with open(result) as f:
            data = json.load(f)
    finally:
        os.unlink(result)
        if ray_tmp:
            shutil.rmtree(ray_tmp, ignore_errors=True)
    return {folder: Run(**data[str(folder)]) for folder in folders}


def raylint(folder: Path, *args: str) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "raylint", "check", ".", *args],
        cwd=folder, env=_raylint_env(), capture_output=True, text=True, timeout=300,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".raylint_cache" not in p.parts
    }


def review_marks(folder: Path) -> set[tuple[str, int]]:
    """(path, line) of every line marked `# <- review`: places raylint cannot follow."""
    marks = set()
    for p in sorted(folder.rglob("*.py")):
        for number, line in enumerate(p.read_text().splitlines(), 1):
            if REVIEW_MARK in line:
                marks.add((str(p.relative_to(folder)), number))
    return marks


@dataclass
class Finding:
    task: str
    path: str
    line: int
    fix: str | None  # the preferred fix's id (what --fix applies)
    safe: bool
    reviews: list[tuple[str, int, str]]  # call sites to review: path, line, why

    def describe(self) -> str:
        state = "no fix" if self.fix is None else f"{self.fix} {'safe' if self.safe else 'unsafe'}"
        sites = "".join(f"\n      review {p}:{n}: {why}" for p, n, why in self.reviews)
        return f"{self.task} ({self.path}:{self.line}) {state}{sites}"


def findings(check: Run) -> list[Finding]:
    data = json.loads(check.out)
    found = []
    for f in data["findings"]:
        fixes = f.get("fixes") or []
        if fixes and "call_sites" in fixes[0]:  # the preferred fix's own call sites
            reviews = [
                (c["path"], c["range"]["start"]["line"], c["review"])
                for c in fixes[0]["call_sites"]
                if c["status"] == "review"
            ]
        else:  # `related` holds the call sites to review of every fix
            reviews = [
                (r["path"], r["range"]["start"]["line"], r["message"])
                for r in f.get("related", [])
                if r["message"].startswith("call site to review")
            ]
        found.append(Finding(
            f["task"], f["path"], f["range"]["start"]["line"],
            fixes[0]["id"] if fixes else None, bool(fixes) and fixes[0]["applicability"] == "safe", reviews,
        ))
    return found


@dataclass
class Story:
    """What happened to one program."""

    folder: Path
    before: Run
    check: Run | None = None
    found: list[Finding] = field(default_factory=list)
    fix: Run | None = None
    changed: list[str] = field(default_factory=list)  # files the fix edited
    after: Run | None = None
    check_after: list[Finding] = field(default_factory=list)

    @property
    def broke(self) -> bool:
        return self.after is not None and not self.after.same_as(self.before)

    def describe(self) -> str:
        parts = [f"program {self.folder.name}", "before: " + self.before.describe()]
        if self.check is not None:
            parts.append("findings:\n" + "\n".join("  " + f.describe() for f in self.found))
        if self.fix is not None:
            parts.append(f"--fix exit {self.fix.code}; edited {self.changed}")
        if self.after is not None:
            parts.append("after: " + self.after.describe())
        return "\n".join(parts)


def story(folder: Path, ray: SharedRay | None) -> Story:
    """Run, check (json), --fix, run again (only if a file changed: the programs are deterministic)."""
    s = Story(folder, run_program(folder, ray))
    if s.before.code != 0:
        return s
    fix_step(s)
    s.after = run_program(folder, ray) if s.changed else s.before
    return s


def fix_step(s: Story) -> None:
    """`raylint check --format json`, then `--fix`; the findings after it if files changed."""
    folder = s.folder
    s.check = raylint(folder, "--format", "json")
    s.found = findings(s.check)
    original = snapshot(folder)
    s.fix = raylint(folder, "--fix")
    fixed = snapshot(folder)
    s.changed = sorted(path for path in fixed if fixed[path] != original.get(path))
    s.check_after = findings(raylint(folder, "--format", "json")) if s.changed else s.found


def copy_program(source: Path, into: Path) -> Path:
    folder = into / source.name
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def runnable_copy(folder: Path, into: Path) -> Path:
    """A copy of the program in `folder` to run in a batch (run_batch: many programs in one Ray
    driver and job), in `into`/<name>: its own modules (every module but main.py, and packages)
    renamed `<module>__<name>`, and its imports of them with them (`from m ...` and
    `import m[.sub] [as x]`, which keeps the name `m` bound: `import m__name[.sub] as m`), so that
    no two programs of a batch share a module name. Only what is run is renamed: raylint checks
    and fixes the program as written (`folder`); each run is of a copy made from it then."""
    name = folder.name
    copy = into / name
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__", ".raylint_cache"))
    own = sorted(p.stem if p.is_file() else p.name for p in copy.iterdir()
                 if (p.suffix == ".py" and p.name != "main.py") or (p / "__init__.py").is_file())
    if not own:
        return copy
    names = "|".join(map(re.escape, own))
    from_import = re.compile(rf"^(\s*from\s+)({names})(?=[\s.])", re.M)
    plain_import = re.compile(rf"^(\s*import\s+)({names})((?:\.\w+)*)(\s+as\s+\w+)?[ \t]*$", re.M)

    def plain(m: re.Match) -> str:
        alias = m.group(4) or f" as {m.group(2)}"
        if m.group(3) and not m.group(4):  # `import m.sub` binds `m`: not rewritten here
            raise AssertionError(f"{name}: `{m.group(0).strip()}` (runnable_copy cannot rename it)")
        return f"{m.group(1)}{m.group(2)}__{name}{m.group(3)}{alias}"

    for path in sorted(copy.rglob("*.py")):
        text = plain_import.sub(plain, from_import.sub(lambda m: f"{m.group(1)}{m.group(2)}__{name}", path.read_text()))
        for line in text.splitlines():  # (a renamed module is `m__name`: no word boundary after m)
            imported = re.sub(r"\s+as\s+\w+", "", line)
            assert not (re.match(r"\s*import\s", line) and re.search(rf"\b({names})\b", imported)), (
                f"{path}: {line.strip()!r} imports the program's own module in a way runnable_copy does not rename"
            )
        path.write_text(text)
    for module in own:
        source = copy / module if (copy / module).is_dir() else copy / f"{module}.py"
        source.rename(source.with_name(f"{module}__{name}{source.suffix}"))
    return copy
