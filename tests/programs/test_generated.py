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
