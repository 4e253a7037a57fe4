"""Issue 9: hostile lines must not hang the CLI or the server (the GIL is held while a regex
backtracks, so a server would answer nothing). Every run is a subprocess with a generous
timeout: the bugs were exponential or quadratic, so the old code does not finish in it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

HEAD = "import ray\n\n\n@ray.remote\ndef task(x):\n    return ray.put(x)\n\n\n"
TIMEOUT = 60  # seconds; the fixed code takes a few


def _hostile(name: str) -> str:
    if name == "comment-of-hashes":  # the ONE_NAME_ARGUMENT regex backtracked exponentially
        return HEAD + "value = sum(  # " + "#" * 40 + "\n"
    if name == "long-line-of-calls-in-a-comment":
        return HEAD + "y = 1  # " + "f(  # (x ##  " * 80_000 + "\n"
    if name == "comment-lines-chained":
        return HEAD + "value = sum(" + "\n#(" * 100_000 + "x)\n"
    if name == "private-methods":  # one search of the whole text per private method
        methods = "".join(f"    def _m{i}(self):\n        return ray.put({i})\n\n" for i in range(50_000))
        return "import ray\n\n\n@ray.remote\nclass A:\n" + methods + "\n\nA.remote()._m7.remote()\n"
    if name == "unclosed-import-parentheses":
        return HEAD + "from a import (\n" * 100_000
    if name == "from-dots":
        return HEAD + "from " + "." * 100_000 + " import x\n"
    if name == "colons-after-brackets":  # the look ahead for `(name): T = value` read to the line's end
        return "import ray\nimport tasks\n\n\n@gpu\ndef task(x):\n    return ray.put(x)\n\n\ny = 1  # " + "gpu): " * 300_000 + "\n"
    if name == "open-assignments":  # each value read up to 100 lines on: quadratic-ish
        # (no `remote` in the file: the prefilter reads where `@gpu` may come from)
        return "import ray\nimport tasks\n\n\n@gpu\ndef task(x):\n    return ray.put(x)\n\n\n" + "gpu = (\n" * 500_000
    if name == "distinct-decorators":  # each decorator's name searched for in the whole text
        return "import ray\n" + "".join(f"@d{i}\ndef f{i}():\n    pass\n" for i in range(100_000))
    if name == "distinct-receivers":  # each name before `.remote` searched for in the whole text
        return "import ray\n" + "".join(f"x{i}.remote(1)\n" for i in range(200_000))
    raise AssertionError(name)


HOSTILE = [
    "comment-of-hashes",
    "long-line-of-calls-in-a-comment",
    "comment-lines-chained",
    "unclosed-import-parentheses",
    "from-dots",
    "open-assignments",
    "colons-after-brackets",
    "distinct-decorators",
    "distinct-receivers",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_the_cli_checks_a_hostile_file_in_bounded_time(tmp_path, name):
    path = tmp_path / "hostile.py"
    path.write_text(_hostile(name), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "raylint", "check", str(path), "--format", "json", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert '"errors": []' in done.stdout
    if name not in ("unclosed-import-parentheses", "open-assignments", "colons-after-brackets", "distinct-decorators", "distinct-receivers"):  # (no task there)
        assert '"task": "task"' in done.stdout


def test_an_actor_with_many_private_methods_is_analyzed_in_bounded_time(tmp_path):
    """Each private method searched the whole text for `._name.remote`: quadratic."""
    path = tmp_path / "hostile.py"
    path.write_text(_hostile("private-methods"), encoding="utf-8")
    script = (
        "import sys; from raylint.core import analyze; "
        "print(sorted(f.task for f in analyze(open(sys.argv[1]).read(), sys.argv[1]).findings))"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['A._m7']"  # the one called through `.remote` is remote


# Every compiled pattern of raylint, on text made to make backtracking regexes blow up: runs
# of one or two characters from what the patterns spell, after each pattern's openers.
_EVERY_PATTERN = textwrap.dedent(
    r"""
    import importlib, pkgutil, re, sys, itertools
    import raylint
    try:
        from raylint.core.tasks import one_name_arguments
    except ImportError:  # (before issue 9)
        one_name_arguments = len

    patterns = {}
    for info in pkgutil.walk_packages(raylint.__path__, "raylint."):
        if info.name.endswith("__main__"):
            continue
        if info.name.startswith("raylint.lsp") and "pygls" not in sys.modules:
            try:
                import pygls  # noqa: F401
            except ImportError:
                continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                patterns[f"{info.name}.{name}"] = value
    assert len(patterns) >= 8, sorted(patterns)
    alphabet = [" ", "\t", "\n", "\r", "#", "(", ")", ",", ".", "_", "a", "1", ":", ";", "@", "`", "\\"]
    units = alphabet + [a + b for a, b in itertools.product(alphabet, repeat=2)]
    units += ["# ", "( #", "(a #", "(a, #", "._a ", "from .", "import (", "noqa:A", "A1,", "def a", "\\n#("]
    openers = ["", "(", "( ", "(a", "(a ", "from ", "from .", "import ", "@", "def a", "# noqa: ", "._a", "x.x"]
    size, part, parts = map(int, sys.argv[1:4])
    tried = 0
    for opener in openers[part::parts]:
        for unit in units:
            text = opener + unit * (size // len(unit))
            for name, pattern in patterns.items():
                # (the language server's framing reads bytes: its patterns get the text's bytes)
                subject = text.encode() if isinstance(pattern.pattern, bytes) else text
                for _ in pattern.finditer(subject):
                    pass
                tried += 1
            one_name_arguments(text)
    print(tried, len(patterns))
    """
)


# (the openers in parts, each with its own time budget: all of them in one took 30-50 s of
# the 60, and a slow machine's run timed out without any pattern backtracking)
_PATTERN_PARTS = 4


@pytest.mark.parametrize("part", range(_PATTERN_PARTS))
def test_no_pattern_backtracks_on_adversarial_text(tmp_path, part):
    script = tmp_path / "every_pattern.py"
    script.write_text(_EVERY_PATTERN)
    done = subprocess.run(
        [sys.executable, str(script), "1000", str(part), str(_PATTERN_PARTS)], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    tried, patterns = map(int, done.stdout.split())
    assert tried > 10_000 // _PATTERN_PARTS and patterns >= 8
