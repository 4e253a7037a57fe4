"""Fuzz targets for the core and the CLI's path handling (issue 9), run by test_fuzz.py in a
subprocess with a timeout (a hang fails the test instead of stalling the suite), or by hand,
longer:

    RAYLINT_FUZZ_EXAMPLES=2000 python tests/hardening/fuzz.py core cli

(default: 20 core and 10 CLI examples, a few seconds each area; RAYLINT_FUZZ_SEED set: a
random run instead of the derandomized one).

Core: programs from hypothesmith (Python's grammar) and raylint's own fixtures, put through
whole-file transforms (CR-only and mixed line ends, form feeds, NUL, lone surrogates, long
adversarial lines): `analyze` never raises, and every fix it offers applies and, when the
text parsed, parses. CLI: random folders (odd names, symlink loops and dangling links,
FIFOs, random .gitignore and --exclude lines): `raylint check` never raises and exits 0, 1 or
2. Prints `area: N tries, F failures` per area; exit 1 on a failure.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import sys
import tempfile
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "server"))

from raylint import cli  # noqa: E402
from raylint.core import analyze, apply_edits  # noqa: E402

EXAMPLES = int(os.environ.get("RAYLINT_FUZZ_EXAMPLES", "0")) or None  # None: each area's default
SEEDS = [
    p.read_text(encoding="utf-8")
    for p in sorted([*(ROOT / "tests" / "rules" / "fixtures" / "RAY001").glob("*.py"), *(ROOT / "examples").glob("*.py")])
]
ADVERSARIAL_LINES = [
    "value = sum(  # " + "#" * 60,
    "f(" + "  # (x ##" * 2000,
    "from " + "." * 5000 + " import x",
    "x = (" + "(" * 90 + ")" * 90 + ")",
    "return " + ", ".join(["ray.put(x)"] * 500),
    "@" + "ray." * 1000 + "remote",
    "#" * 5000,
    " " * 5000 + "x",
    "\t" * 300 + "return ray.put(x)",
    "ray.remote(" + "\n#(" * 300 + "f)",
    "._a" * 3000 + ".remote",
]


def _transform(text: str, how: str, where: int, piece: str) -> str:
    """A whole-file transform of `text`."""
    if how == "cr":
        return text.replace("\r\n", "\n").replace("\n", "\r")
    if how == "crlf":
        return text.replace("\r\n", "\n").replace("\n", "\r\n")
    if how == "mixed":
        lines = text.splitlines(keepends=True)
        ends = ["\n", "\r\n", "\r"]
        return "".join(line.rstrip("\r\n") + ends[(n + where) % 3] for n, line in enumerate(lines))
    at = where % (len(text) + 1)
    if how == "insert":
        return text[:at] + piece + text[at:]
    if how == "line":  # a long adversarial line, at a line start
        start = text.rfind("\n", 0, at) + 1
        return text[:start] + piece + "\n" + text[start:]
    if how == "bom":
        return "\ufeff" + text
    return text


PIECES = st.sampled_from(["\x0c", "\x00", "\ud800", "\udfff", "\x0b", "\x1c", "\u2028", "\x85", "\r", "#", "(", "\\"])


@st.composite
def programs(draw):
    if draw(st.integers(0, 3)) == 0:
        import hypothesmith

        text = draw(hypothesmith.from_grammar())
    else:
        text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 3))):
        how = draw(st.sampled_from(["cr", "crlf", "mixed", "insert", "insert", "line", "bom"]))
        piece = draw(st.sampled_from(ADVERSARIAL_LINES)) if how == "line" else draw(PIECES)
        text = _transform(text, how, draw(st.integers(0, 10**6)), piece)
    return text


def _parses(text: str) -> bool:
    try:
        ast.parse(text[1:] if text.startswith("\ufeff") else text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def check_core(text: str) -> None:
    analysis = analyze(text, "fuzzed.py")
    parsed = _parses(text)
    for finding in analysis.findings:
        for fix in finding.fixes:
            fixed = apply_edits(text, [e for e in fix.edits if e.path == "fuzzed.py"])
            if parsed:
                assert _parses(fixed), (fix.id, fixed)


NAMES = st.sampled_from(
    ["a.py", "b.py", "-x.py", " sp ace.py", "ünï.py", "pkg", "dir.py", ".hidden.py", "x", "loop.py", "__init__.py"]
)
GITIGNORE_LINES = st.sampled_from(
    ["!", "\\", "*.py", "!a.py", "pkg/", "**/", "[", "[!]", "a/**/b", "#c", " ", "\\!x", "/", "//", "***", "?"]
)


@st.composite
def folders(draw):
    """A list of (kind, relative path, payload) to make in an empty folder."""
    made = []
    for _ in range(draw(st.integers(1, 8))):
        depth = draw(st.lists(st.sampled_from(["pkg", "dir.py", "sub"]), max_size=2))
        path = "/".join([*depth, draw(NAMES)])
        kind = draw(st.sampled_from(["file", "file", "task", "dir", "link", "loop", "fifo", "gitignore"]))
        payload = draw(st.lists(GITIGNORE_LINES, max_size=4)) if kind == "gitignore" else draw(st.sampled_from(["..", ".", "a.py", "nowhere", "/dev/zero"]))
        made.append((kind, path, payload))
    excludes = draw(st.lists(GITIGNORE_LINES, max_size=2))
    mode = draw(st.sampled_from([[], ["--diff"], ["--fix"], ["--format", "json"]]))
    return made, excludes, mode


TASK = "import ray\n\n\n@ray.remote\ndef load(x):\n    return ray.put(x)\n\nprint(ray.get(ray.get(load.remote(1))))\n"


def check_cli(spec) -> None:
    made, excludes, mode = spec
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for kind, path, payload in made:
            target = root / path
            if kind == "gitignore":
                target = target.parent / ".gitignore"
            if os.path.lexists(target):
                continue  # (writing to a FIFO made before would block the fuzzer itself)
            with contextlib.suppress(OSError):
                target.parent.mkdir(parents=True, exist_ok=True)
                if kind == "file":
                    target.write_text("x = 1\n")
                elif kind == "task":
                    target.write_text(TASK)
                elif kind == "dir":
                    target.mkdir()
                elif kind == "link":
                    os.symlink(payload, target)
                elif kind == "loop":
                    os.symlink(target.name, target)
                elif kind == "fifo" and hasattr(os, "mkfifo"):
                    os.mkfifo(target)
                elif kind == "gitignore":
                    target.write_text("\n".join(payload) + "\n")
        argv = ["check", ".", *mode]
        for glob in excludes:
            argv += ["--exclude", glob]
        cwd = os.getcwd()
        os.chdir(root)
        try:
            with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
                code = cli.main(argv)
        finally:
            os.chdir(cwd)
        assert code in (0, 1, 2), code
        assert "internal error" not in out.getvalue(), out.getvalue()[-2000:]


def run(area: str, examples: int) -> tuple[int, list[str]]:
    tries, failures = 0, []
    strategy, check = (programs(), check_core) if area == "core" else (folders(), check_cli)

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=os.environ.get("RAYLINT_FUZZ_SEED") is None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(strategy)
    def target(value):
        nonlocal tries
        tries += 1
        try:
            check(value)
        except Exception:
            failures.append(f"{value!r:.300}\n{traceback.format_exc(limit=6)}")
            raise

    try:
        target()
    except Exception:  # hypothesis re-raises the (shrunk) failure: kept in `failures`
        pass
    return tries, failures


def main(areas: list[str]) -> int:
    failed = False
    for area in areas or ["core", "cli"]:
        tries, failures = run(area, EXAMPLES or {"core": 20, "cli": 10}[area])
        print(f"{area}: {tries} tries, {len(failures)} failures", flush=True)
        for failure in failures[-1:]:
            print(failure, file=sys.stderr)
        failed = failed or bool(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
