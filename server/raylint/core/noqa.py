"""`# noqa` comments, for any rule: `# noqa` silences every finding on its statement's lines,
`# noqa: RAY002, RAY005` those codes only (flake8's and ruff's syntax)."""

from __future__ import annotations

import io
import re
import tokenize

from raylint.core.model import Finding
from raylint.core.source import SourceText

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def unsuppressed(findings: list[Finding], source: SourceText) -> list[Finding]:
    """The findings no `# noqa` comment silences."""
    if not findings or "noqa" not in source.text.lower():
        return findings
    return [f for f in findings if not is_suppressed(f, source)]


def is_suppressed(finding: Finding, source: SourceText) -> bool:
    """Is there a `# noqa` for the finding's code on a line of its statement (or range)?"""
    where = finding.statement or finding.range
    lines = [source.line(i) for i in range(where.start.line, where.end.line + 1)]
    if not any("#" in line for line in lines):
        return False
    for comment in _comments(lines):
        match = _NOQA.search(comment)
        if match and (not match.group("codes") or finding.code in _codes(match.group("codes"))):
            return True
    return False


def _codes(listed: str) -> list[str]:
    return re.split(r"[\s,]+", listed.upper())


def _comments(lines: list[str]) -> list[str]:
    text = "\n".join(line.lstrip() for line in lines) + "\n"
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        return [line[line.index("#") :] for line in lines if "#" in line]


def noqa_comment(line: str, code: str) -> str:
    """`line` with `code` added to its noqa comment (or a new one), for the suppress action."""
    match = _NOQA.search(line)
    if match is None:
        return f"{line.rstrip()}  # noqa: {code}"
    if not match.group("codes") or code in _codes(match.group("codes")):
        return line
    return line[: match.end("codes")] + f", {code}" + line[match.end("codes") :]


__all__ = ["is_suppressed", "noqa_comment", "unsuppressed"]
