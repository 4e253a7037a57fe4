"""The values the analysis core hands to its adapters (CLI, language server).

Positions are 0-based lines and 0-based columns counted in Unicode code points (Python
string indices). Adapters convert: the CLI prints 1-based columns, the language server
re-encodes to the client's UTF-16/UTF-8/UTF-32 columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True, order=True)
class Position:
    line: int
    character: int


@dataclass(frozen=True, order=True)
class Range:
    start: Position
    end: Position

    def contains_line(self, line: int) -> bool:
        return self.start.line <= line <= self.end.line

    def overlaps(self, other: Range) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, order=True)
class Edit:
    """Replace `range` of the file at `path` with `new_text`."""

    path: str
    range: Range
    new_text: str


@dataclass(frozen=True)
class CallSite:
    """A caller of a rewritten task: the edits it needs, or why it must be reviewed."""

    path: str
    range: Range
    edits: tuple[Edit, ...] = ()  # empty when nothing changes, or when it is to review
    review: str = ""  # why raylint will not rewrite it ("" when handled)


class Applicability(str, Enum):
    """ruff's three kinds of fix: applied by `--fix`, by `--unsafe-fixes`, or only shown."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class CallerChange(str, Enum):
    """How a fix changes what a task's `.remote()` gives its callers: the caller search finds
    every call site and rewrites it for the change (see core.callers)."""

    NONE = "none"  # callers get what they got
    VALUE = "value"  # the outer ref holds what the inner ref held: one `ray.get` less
    TUPLE = "tuple"  # num_returns=N: a tuple of N refs instead of a ref to a tuple of refs
    GENERATOR = "generator"  # a generator task: an ObjectRefGenerator of refs
    GENERATOR_DYNAMIC = "generator-dynamic"  # num_returns="dynamic": a ref to a generator


@dataclass(frozen=True)
class Fix:
    """One rewrite of a finding; `id` names the rewrite (`return-value`, `hoist`, ...).

    Its `edits` include the callers' once `call_sites` are known (see core.callers). A fix
    that changes callers is safe only when every call site found was rewritten.
    """

    id: str
    title: str
    edits: tuple[Edit, ...]
    call_sites: tuple[CallSite, ...] = ()
    unsafe_reason: str = ""  # "" for a safe fix
    callers: CallerChange = CallerChange.NONE
    display_only: bool = False  # shown to the user, never applied

    @property
    def safe(self) -> bool:
        return not self.unsafe_reason and not self.display_only

    @property
    def applicability(self) -> Applicability:
        if self.display_only:
            return Applicability.DISPLAY_ONLY
        return Applicability.UNSAFE if self.unsafe_reason else Applicability.SAFE


@dataclass(frozen=True)
class NoFix:
    """Why a rewrite cannot be made (what a rewrite returns instead of a Fix)."""

    reason: str


@dataclass(frozen=True)
class Related:
    """A place that explains a finding: the `ray.put` call, the task's decorator."""

    path: str
    range: Range
    message: str


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str
    range: Range
    related: tuple[Related, ...] = ()
    # Preferred fix first; empty when no mechanical fix is honest (`no_fix_reason` says why).
    fixes: tuple[Fix, ...] = ()
    task: str = ""  # `f`, or `Actor.method`
    callee: tuple[str, ...] = ()  # module-level names callers use (`f`, or the actor class's)
    nested: bool = False  # defined inside a function: callers cannot be followed
    no_fix_reason: str = ""  # why there is no automatic fix (when `fixes` is empty)
    # the lines a `# noqa` comment may be on (the whole statement); the range's lines if None
    statement: Range | None = None


@dataclass(frozen=True)
class Problem:
    """Something that kept the analysis from seeing all of a file (a syntax error, say)."""

    path: str
    message: str
    range: Range | None = None


@dataclass
class Analysis:
    path: str
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
