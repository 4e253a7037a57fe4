"""What a rule is, and what it is given to check one module.

The core knows no rule by name: it runs the rules it is handed (see `raylint.rules` for the
registry) over each module and applies `# noqa` centrally. A rule is one module under
`raylint/rules/` that defines a `Rule`: its code and name, its documentation (the single
source of `raylint rule CODE`, the README's table, SARIF's rule help), the words a file must
reach for it to apply (the prefilter), its options, and its check.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Callable, Mapping, Sequence

from raylint.core.model import Finding
from raylint.core.names import External, ModuleInfo, Resolver, Scope
from raylint.core.source import SourceText

DOCS_BASE = "https://docs.ray.io/en/latest/ray-core/patterns/"


class InFile(str):
    """A word a rule needs the file itself to spell, not a module it imports: a submission
    `f.remote(...)` spells `remote` where it is made."""


# A need that is not a word: the file may call Ray's `remote` on a function or class, whatever
# the argument (`ray.remote(fn)`, `ray.remote(**options)(cls)`): Ray's `remote` spelled after
# a name the file imports or assigns (see `raylint.core.prefilter`).
CALLS_REMOTE = "ray.remote(...)"


@dataclass(frozen=True)
class Option:
    """A setting of one rule (`[tool.raylint] generator-style = "dynamic"`)."""

    key: str  # kebab-case, as written in pyproject.toml; editors use its camelCase
    default: object
    choices: tuple = ()  # the allowed values ((): any of the default's type)
    help: str = ""


class FixAvailability(str, Enum):
    """Whether a rule's findings come with fixes (ruff's model)."""

    ALWAYS = "always"
    SOMETIMES = "sometimes"
    NONE = "none"


@dataclass(frozen=True, eq=False)  # one object per rule: compared and hashed by identity
class Rule:
    code: str  # RAY001
    name: str  # kebab-case: return-ray-put
    summary: str  # one line: what it finds
    docs: str  # markdown: What it does / Why is this bad / Example / Fix safety / When it is wrong
    url: str  # the Ray docs page of the anti-pattern
    check: Callable[[Checked], list[Finding]]
    # Words the file must reach (spell itself, or through the workspace modules it imports)
    # for the rule to find anything: each entry is one word or a tuple of alternatives; an
    # `InFile` word the file must spell itself. `remote` stands for a task or actor defined
    # in the file, `CALLS_REMOTE` for a call of Ray's `remote` (see `raylint.core.prefilter`).
    needs: tuple = ()
    options: tuple[Option, ...] = ()
    fix: FixAvailability = FixAvailability.NONE
    # True when each finding depends only on the top-level statement it is in (and on what the
    # module's names mean): the language server then re-checks just an edited statement.
    local: bool = True
    # For a local rule: may an edit of a top-level statement (old and new text) change this
    # rule's findings in other statements? (RAY001: a helper a task calls.) `memory` is what the
    # rule's checks of the same document kept in `Checked.memory`.
    reaches_outside: Callable[[str, str, Resolver, dict], bool] | None = None

    @property
    def title(self) -> str:
        return f"{self.code} {self.name}"

    def __repr__(self) -> str:
        return f"Rule({self.code} {self.name})"


@dataclass(eq=False)
class Checked:
    """One parsed module, as a rule sees it."""

    path: str
    resolver: Resolver
    options: Mapping[str, object] = field(default_factory=dict)
    # the top-level statements to check (all of the module's, or an edited one); a rule reports
    # only findings inside them (it may read the rest of the module)
    statements: Sequence[ast.stmt] | None = None
    # what is known already of the module (passed on by the incremental analysis)
    known: dict = field(default_factory=dict)
    # the rule's own notes about the document, kept from one check of it to the next
    memory: dict = field(default_factory=dict)

    @property
    def module(self) -> ModuleInfo:
        return self.resolver.module

    @property
    def source(self) -> SourceText:
        return self.resolver.module.source

    @property
    def tree(self) -> ast.Module:
        return self.resolver.module.tree

    @property
    def scope(self) -> Scope:
        return self.resolver.module.scope

    @cached_property
    def body(self) -> list[ast.stmt]:
        """The top-level statements to check."""
        return list(self.tree.body if self.statements is None else self.statements)

    def option(self, key: str) -> object:
        return self.options[key]

    def qualified(self, expr: ast.AST, scope: Scope) -> str | None:
        """The dotted name `expr` stands for, if it is imported: `ray.get` for `ray.get`,
        `from ray import get as g; g` or a re-export of it; `pickle.dumps` for
        `import pickle as p; p.dumps`. None for local names and anything else."""
        symbol = self.resolver.resolve(expr, scope)
        if isinstance(symbol, External):
            meant = self.resolver.meaning(symbol)
            return meant if isinstance(meant, str) else symbol.dotted
        return symbol if isinstance(symbol, str) else None

    def is_ray(self, expr: ast.AST, scope: Scope, name: str) -> bool:
        """Is `expr` Ray's `name` (`ray.get`, `ray.wait`, ...)?"""
        return self.resolver.for_ray().is_(expr, scope, name)

    def remote_functions(self):
        """The tasks and actor methods defined in the statements to check."""
        from raylint.core.tasks import find_remote_functions

        if "remote_functions" not in self.known:  # (`known` serves one set of statements)
            self.known["remote_functions"] = find_remote_functions(self.resolver, self.statements, self.known.get("wrapped"))
        return self.known["remote_functions"]


__all__ = ["Checked", "DOCS_BASE", "FixAvailability", "Option", "Rule"]
