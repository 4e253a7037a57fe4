"""A bounded, seeded sample of generated programs (generate.py) through the harness contract.

Each program: run on real Ray, `raylint check --fix .`, run again. The output must be the same,
or the fix was left unapplied (unsafe). A safe fix that changes the output fails the test, and
so does a program that fails before any fix (a bug in the generator). More by hand:
`python tests/programs/generate.py --count 200 --seed N`.
"""

from __future__ import annotations

import pytest

pytest.importorskip("ray")

from generate import run_many, sample  # noqa: E402

COUNT = 30
SEED = 8
SPECS = sample(COUNT, SEED)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, shared_ray):
    return {o.spec.name: o for o in run_many(SPECS, tmp_path_factory.mktemp("generated"), jobs=3, ray=shared_ray)}


@pytest.mark.parametrize("name", [spec.name for spec in SPECS])
def test_generated_program_keeps_its_output_or_is_left_alone(outcomes, name):
    outcome = outcomes[name]
    assert outcome.verdict in ("safe", "unsafe", "unflagged"), f"{outcome.verdict}\n{outcome.detail}"


_SAME_NAMES = '''import ray


def _load(x):
    return x + {add}


load = ray.remote(_load)


@ray.remote
def name():
    return "{name}"


@ray.remote
class Counter:
    def add(self, x):
        return x + {add}


if __name__ == "__main__":
    ray.init(num_cpus=1)
    print(ray.get(load.remote(1)), ray.get(name.remote()), ray.get(Counter.remote().add.remote(2)))
'''


def test_programs_of_one_batch_run_their_own_functions(tmp_path, shared_ray):
    """The programs of a batch (one driver) name their functions and actor classes alike: each
    program's tasks and actors are its own. Ray's workers and driver once took every program's
    from the first main.py on the code search path, and a generated program's run before the
    fix printed another's output."""
    from harness import run_batch

    folders = []
    for add, name in ((10, "first"), (20, "second"), (30, "third")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "main.py").write_text(_SAME_NAMES.format(add=add, name=name))
        folders.append(folder)
    runs = run_batch(folders, shared_ray)
    assert [(runs[f].code, runs[f].out) for f in folders] == [(0, "11 first 12\n"), (0, "21 second 22\n"), (0, "31 third 32\n")], [
        runs[f].describe() for f in folders
    ]
