"""The registry: every rule raylint has, in code order.

Adding a rule is one module under `raylint/rules/` that defines `RULE` (see
`raylint.core.rule.Rule`), one line below, and its fixtures under `tests/rules/fixtures/`.
"""

from __future__ import annotations

from raylint.core.rule import Option, Rule
from raylint.rules import ray001, ray002, ray003, ray004, ray005, ray006, ray007, ray008, ray009, ray010

RULES: tuple[Rule, ...] = (
    ray001.RULE,
    ray002.RULE,
    ray003.RULE,
    ray004.RULE,
    ray005.RULE,
    ray006.RULE,
    ray007.RULE,
    ray008.RULE,
    ray009.RULE,
    ray010.RULE,
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule(code: str) -> Rule | None:
    """The rule of `code` (RAY001) or of its name (return-ray-put), any case."""
    code = code.strip()
    return BY_CODE.get(code.upper()) or next((r for r in RULES if r.name == code.lower()), None)


def options() -> dict[str, Option]:
    """Every rule's options, by key."""
    return {option.key: option for r in RULES for option in r.options}


def selected(select=None, ignore=()) -> tuple[Rule, ...]:
    """The rules `select` (codes or prefixes: `RAY`, `RAY00`, `ALL`; None: all) leaves once
    `ignore` (the same) is taken out: ruff's model, where the longer prefix wins."""
    chosen = []
    for r in RULES:
        picked = _match(r.code, ["ALL"] if select is None else select)
        dropped = _match(r.code, ignore)
        if picked is not None and (dropped is None or dropped < picked):
            chosen.append(r)
    return tuple(chosen)


def _match(code: str, patterns) -> int | None:
    """The length of the longest pattern that selects `code` (ALL counts 0), or None."""
    best = None
    for pattern in patterns:
        pattern = pattern.strip().upper()
        length = 0 if pattern == "ALL" else len(pattern) if code.startswith(pattern) and pattern else None
        if length is not None and (best is None or length > best):
            best = length
    return best


def unknown_codes(patterns) -> list[str]:
    """The patterns that select no rule (a typo, or a rule of another tool)."""
    return [p for p in patterns if p.strip().upper() != "ALL" and not any(r.code.startswith(p.strip().upper()) for r in RULES)]


__all__ = ["BY_CODE", "RULES", "options", "rule", "selected", "unknown_codes"]
