"""How long the language server takes to compute a caller-updating fix (codeAction/resolve).

Makes a workspace of N Python files (default 2,000): one module of tasks returning
`ray.put()` refs, a few hundred modules calling them in the shapes raylint rewrites, and the
rest ordinary code (some of it calling other `.remote` functions). Then, over stdio as an
editor would: open the task module, ask for the quick fix at a finding, resolve it.

- cold: the first resolve in a fresh server (every candidate caller file read and parsed);
- warm: resolves after an edit to the task module (call sites searched again, parsed modules
  reused), p50/p95 over repeated edits;
- during a search: after each publish the server searches the call sites in the background
  once the edits pause (SEARCH_DELAY); an edit (didChange → publishDiagnostics) and a
  codeAction are sent just after that pause, while the search runs, and timed. They should
  cost what they cost without a search (a slice of a few ms at most), not the search's rest;
- the same search without the server (core): a fresh index (cold), then a reused one (warm).

Target: warm ≤ 300 ms on this machine.

    python benchmarks/callers_resolve.py [--files 2000] [--rounds 20] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import load, percentile  # noqa: E402

try:
    from raylint.lsp.server import SEARCH_DELAY
except ImportError:  # a server that searches right after each publish
    SEARCH_DELAY = 0.0

TASKS = """import ray


@ray.remote
def load(i):
    return ray.put(i * 2)
"""

CALLER = """import ray
from pkg.tasks import load{alias}


def run_{n}(items):
    total = ray.get(ray.get(load{suffix}.remote({n})))
    ref = ray.get(load{suffix}.remote(1))
    values = ray.get([load{suffix}.remote(i) for i in items])
    return total, ray.get(ref), values
"""

OTHER = """import ray


@ray.remote
def step_{n}(x):
    return x + {n}


def helper_{n}(values):
    out = []
    for v in values:
        out.append(v * {n})
    return ray.get([step_{n}.remote(v) for v in out])
"""


def make_workspace(root: Path, files: int) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "tasks.py").write_text(TASKS)
    callers = max(1, files // 10)
    for n in range(files - 2):
        if n < callers:
            alias = " as fetch" if n % 3 == 0 else ""
            suffix = "" if not alias else ""
            text = CALLER.format(n=n, alias=alias, suffix=suffix).replace(
                "load.remote", "fetch.remote" if alias else "load.remote"
            )
        else:
            text = OTHER.format(n=n)
        (root / f"mod_{n:05d}.py").write_text(text + "\n" * 40)


class Client:
    def __init__(self, root: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "raylint", "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=root,
        )
        self.next_id = 0

    def send(self, method: str, params, request: bool = True):
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        return message.get("id")

    def read(self) -> dict:
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("server exited")
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            elif line in (b"\r\n", b"\n") and length is not None:
                return json.loads(self.process.stdout.read(length))

    def until(self, predicate) -> dict:
        while True:
            message = self.read()
            if message.get("method") == "workspace/configuration":
                body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": [{"debounce": 0}] * len(message["params"]["items"])}).encode()
                self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
                self.process.stdin.flush()
                continue
            if predicate(message):
                return message

    def request(self, method: str, params) -> dict:
        request_id = self.send(method, params)
        return self.until(lambda m: m.get("id") == request_id and "method" not in m)

    def close(self) -> None:
        self.request("shutdown", None)
        self.send("exit", None, request=False)
        self.process.wait(timeout=10)


def measure(root: Path, rounds: int) -> dict:
    client = Client(root)
    capabilities = {
        "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}, "publishDiagnostics": {}},
        "workspace": {"workspaceEdit": {"documentChanges": True}},
    }
    client.request(
        "initialize",
        {
            "processId": None,
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": "bench"}],
            "capabilities": capabilities,
            "initializationOptions": {"debounce": 0},
        },
    )
    client.send("initialized", {}, request=False)
    uri = (root / "pkg" / "tasks.py").as_uri()
    version = 1
    client.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": TASKS}}, request=False)
    client.until(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["diagnostics"])
    position = {"line": 5, "character": 12}

    def resolve_once() -> tuple[float, int]:
        result = client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": {"start": position, "end": position}, "context": {"diagnostics": []}},
        )["result"]
        action = next(a for a in result if a.get("isPreferred"))
        start = time.perf_counter()
        resolved = client.request("codeAction/resolve", action)["result"]
        elapsed = time.perf_counter() - start
        return elapsed, len(resolved["edit"]["documentChanges"])

    def edit() -> float:
        """didChange → publishDiagnostics of that version, in seconds."""
        nonlocal version
        version += 1
        text = TASKS + f"\n# edit {version}\n"
        start = time.perf_counter()
        client.send(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
            request=False,
        )
        client.until(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == version)
        return time.perf_counter() - start

    def code_action() -> float:
        start = time.perf_counter()
        client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": {"start": position, "end": position}, "context": {"diagnostics": []}},
        )
        return time.perf_counter() - start

    cold, files_changed = resolve_once()
    warm = []
    for _ in range(rounds):
        version += 1
        text = TASKS + f"\n# edit {version}\n"
        client.send(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
            request=False,
        )
        elapsed, _ = resolve_once()
        warm.append(elapsed)
    quiet_edits = [edit() for _ in range(rounds)]  # one after another: no pause for a search to start
    quiet_actions = [code_action() for _ in range(rounds)]
    busy_edits, busy_actions = [], []
    rng = random.Random(5)
    for round_ in range(rounds):
        edit()
        time.sleep(SEARCH_DELAY + rng.uniform(0.005, 0.03))  # the background search has begun
        (busy_edits if round_ % 2 else busy_actions).append(edit() if round_ % 2 else code_action())
    client.close()
    ms = lambda values: [v * 1000 for v in values]  # noqa: E731
    return {
        "cold_ms": cold * 1000,
        "warm_p50_ms": percentile(ms(warm), 50),
        "warm_p95_ms": percentile(ms(warm), 95),
        "files_in_edit": files_changed,
        "edit_quiet": ms(quiet_edits),
        "edit_busy": ms(busy_edits),
        "action_quiet": ms(quiet_actions),
        "action_busy": ms(busy_actions),
    }


def measure_core(root: Path, rounds: int) -> dict:
    """The same search without the server: a fresh index (cold), then a reused one (warm)."""
    from raylint.core import CallerSearch, ModuleIndex, analyze
    from raylint.discovery import Excludes, python_files

    files = sorted(os.path.abspath(p) for p in python_files([str(root)], Excludes((), str(root)), []))
    path = str(root / "pkg" / "tasks.py")
    times = []
    index = None
    for round_ in range(rounds + 1):
        start = time.perf_counter()
        if index is None:
            index = ModuleIndex([str(root)])
        finding = analyze(TASKS, path, index=index).findings[0]
        fix = CallerSearch(files, index).with_callers(finding).fixes[0]
        times.append(time.perf_counter() - start)
    warm = sorted(times[1:])
    return {"cold_ms": times[0] * 1000, "warm_p50_ms": statistics.median(warm) * 1000, "sites": len(fix.call_sites)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="a small smoke run (200 files, 3 rounds)")
    args = parser.parse_args()
    if args.quick:
        args.files, args.rounds = 200, 3
    with tempfile.TemporaryDirectory(prefix="raylint-callers-") as folder:
        root = Path(folder)
        make_workspace(root, args.files)
        result = measure(root, args.rounds)
        core = measure_core(root, args.rounds)
    print(f"callers resolve: {args.files} files, {result['files_in_edit']} files in the edit  ({load()})")
    print(f"  cold resolve          {result['cold_ms']:8.1f} ms")
    verdict = "PASS" if result["warm_p50_ms"] <= 300 else "MISS"
    print(f"  warm resolve p50      {result['warm_p50_ms']:8.1f} ms   (target <= 300 ms: {verdict})")
    print(f"  warm resolve p95      {result['warm_p95_ms']:8.1f} ms")
    print(f"sent while the background search runs ({SEARCH_DELAY * 1000:.0f} ms + 5..30 ms after a publish),"
          f" and back to back:")
    for label, busy, quiet in (
        ("didChange -> diagnostics", result["edit_busy"], result["edit_quiet"]),
        ("codeAction", result["action_busy"], result["action_quiet"]),
    ):
        print(f"  {label:<25} p50 {percentile(busy, 50):7.1f} p95 {percentile(busy, 95):7.1f} max {max(busy):7.1f} ms"
              f"   (back to back: p50 {percentile(quiet, 50):.1f} p95 {percentile(quiet, 95):.1f} ms; n={len(busy)})")
    print(f"core search alone ({core['sites']} call sites): cold {core['cold_ms']:.1f} ms (fresh index), "
          f"warm p50 {core['warm_p50_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
