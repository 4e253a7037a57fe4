"""Build the tree of public Ray application code that the benchmarks measure (and rule
precision is judged on): every repository of `ray_corpus.txt` at its commit, in FOLDER/NAME.

Each comes from a local mirror when there is one (`$RAYLINT_MIRRORS/owner+name/repo`, a bare
git repository: default /work/.mirror), else is cloned from GitHub (needs the network). The
code stays out of this repository: only the list is kept.

    python benchmarks/build_corpus.py [FOLDER]     (default: /tmp/raylint-ray-corpus)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent


def repositories() -> list[tuple[str, str]]:
    listed = []
    for line in (HERE / "ray_corpus.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, commit = line.split()
            listed.append((name, commit))
    return listed


def build(folder: Path) -> list[str]:
    mirrors = Path(os.environ.get("RAYLINT_MIRRORS", "/work/.mirror"))
    built = []
    folder.mkdir(parents=True, exist_ok=True)
    for name, commit in repositories():
        target = folder / name.replace("/", "+")
        if target.is_dir() and (target / ".commit").is_file() and (target / ".commit").read_text() == commit:
            built.append(name)
            continue
        git_dir = mirrors / name.replace("/", "+") / "repo"
        with tempfile.TemporaryDirectory() as scratch:
            if not git_dir.is_dir():
                git_dir = Path(scratch) / "clone"
                fetched = subprocess.run(
                    ["git", "clone", "--bare", "--filter=blob:none", f"https://github.com/{name}", str(git_dir)],
                    capture_output=True, text=True,
                )
                if fetched.returncode != 0:
                    print(f"{name}: not available ({fetched.stderr.strip()[-200:]})", file=sys.stderr)
                    continue
            # Python files and notebooks only (mirrors may lack the blobs of large data files)
            listed = subprocess.run(
                ["git", "--git-dir", str(git_dir), "ls-tree", "-r", "--name-only", commit], capture_output=True, text=True
            )
            if listed.returncode != 0:
                print(f"{name}: commit {commit[:12]} not found ({listed.stderr.strip()[-200:]})", file=sys.stderr)
                continue
            wanted = [p for p in listed.stdout.splitlines() if p.endswith((".py", ".ipynb")) or p.endswith("pyproject.toml")]
            _extract(git_dir, commit, wanted, target)
        target.mkdir(parents=True, exist_ok=True)
        (target / ".commit").write_text(commit)
        built.append(name)
    return built


def _extract(git_dir: Path, commit: str, paths: list[str], target: Path) -> None:
    """Write `paths` of `commit` under `target`, read in one `git cat-file --batch`."""
    request = "".join(f"{commit}:{path}\n" for path in paths).encode()
    out = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "--batch"], input=request, capture_output=True).stdout
    at = 0
    for path in paths:
        header_end = out.index(b"\n", at)
        header = out[at:header_end].split()
        at = header_end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # missing
        size = int(header[2])
        data, at = out[at : at + size], at + size + 1
        destination = (target / path).resolve()
        if target.resolve() not in destination.parents:
            continue  # never outside the tree
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/raylint-ray-corpus")
    built = build(folder)
    files = sum(1 for _ in folder.rglob("*.py"))
    print(f"{len(built)} of {len(repositories())} repositories in {folder}: {files} Python files")
    return 0 if built else 1


if __name__ == "__main__":
    sys.exit(main())
