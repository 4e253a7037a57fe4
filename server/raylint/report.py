"""Output formats of `raylint check`: text, json, sarif (2.1.0) and github annotations."""

from __future__ import annotations

import json
import os
import re
from typing import TextIO

from raylint import __version__
from raylint import rules
from raylint.core import Analysis, Finding, Range

FORMATS = ("text", "json", "sarif", "github")
_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


class _Cells:
    """Where a position of a notebook's module is: (cell number from 1, over all of the
    notebook's cells, and the range in that cell). Each notebook is read once."""

    def __init__(self):
        self._notebooks: dict[str, object] = {}

    def given(self, path: str, text: str) -> None:
        """The notebook at `path` is `text` (read from stdin), whatever the disk holds."""
        from raylint.notebook import Notebook

        self._notebooks[os.path.abspath(path)] = Notebook.parse(text)

    def of(self, path: str, range_: Range) -> tuple[int | None, Range]:
        if not path.endswith(".ipynb"):
            return None, range_
        key = os.path.abspath(path)
        if key not in self._notebooks:
            from raylint.notebook import Notebook

            try:
                with open(key, encoding="utf-8", newline="") as handle:
                    self._notebooks[key] = Notebook.parse(handle.read())
            except (OSError, ValueError):
                self._notebooks[key] = None
        notebook = self._notebooks[key]
        located = notebook.locate_range(range_) if notebook is not None else None
        return (located[0] + 1, located[1]) if located else (None, range_)


_CELLS = _Cells()
notebook_given = _CELLS.given


def _position(range_: Range, path: str = "") -> dict:
    """1-based lines and columns, columns counted in characters; in a notebook, in its cell
    (`cell`: the cell's number from 1)."""
    cell, range_ = _CELLS.of(path, range_)
    where = {
        "start": {"line": range_.start.line + 1, "column": range_.start.character + 1},
        "end": {"line": range_.end.line + 1, "column": range_.end.character + 1},
    }
    return where if cell is None else {"cell": cell, **where}


def where(path: str, range_: Range) -> str:
    """`path:line:col`, or `path:cell N:line:col` in a notebook (1-based)."""
    cell, range_ = _CELLS.of(path, range_)
    at = f"{range_.start.line + 1}:{range_.start.character + 1}"
    return f"{printable(path)}:{at}" if cell is None else f"{printable(path)}:cell {cell}:{at}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(path: str) -> str:
    """A path for a line of text output: a control character in a file name (a newline) is
    written as its escape (`\\n`), so that each finding stays one line."""
    return _CONTROL.sub(lambda match: repr(match[0])[1:-1], path)


def finding_json(finding: Finding) -> dict:
    own = os.path.abspath(finding.path)

    def shown(path: str) -> str:
        """A path as the finding's is shown: the finding's own file as given, others relative to
        the current folder (absolute when outside it), as the text output shows call sites."""
        if os.path.abspath(path) == own:
            return finding.path
        relative = os.path.relpath(os.path.abspath(path))
        return os.path.abspath(path) if relative.startswith("..") else relative

    return {
        "path": finding.path,
        "code": finding.code,
        "message": finding.message,
        "task": finding.task,
        "range": _position(finding.range, finding.path),
        "no_fix_reason": finding.no_fix_reason,
        "url": _url(finding.code),
        "related": [{"path": shown(r.path), "message": r.message, "range": _position(r.range, r.path)} for r in finding.related],
        "fixes": [
            {
                "id": fix.id,
                "title": fix.title,
                "applicability": fix.applicability.value,
                "unsafe_reason": fix.unsafe_reason,
                "edits": [{"path": shown(e.path), "range": _position(e.range, e.path), "new_text": e.new_text} for e in fix.edits],
                "call_sites": [
                    {"path": shown(s.path), "range": _position(s.range, s.path), "status": "review" if s.review else "rewritten",
                     "review": s.review}
                    for s in fix.call_sites
                ],
            }
            for fix in finding.fixes
        ],
    }


class Report:
    def __init__(self, format: str, out: TextIO, quiet: bool = False, severity: str = "warning", dry_run: bool = False):
        self.format, self.out, self.quiet, self.severity = format, out, quiet, severity
        self.dry_run = dry_run  # --diff: fixes are shown, not applied
        self.mode = "diff" if dry_run else "check"  # "check" | "fix" | "diff"
        self.unsafe = False  # --unsafe-fixes: fixes that need review are applied (or shown) too
        self.findings: list[Finding] = []
        self.errors: list[tuple[str, str]] = []
        self.fixed = 0
        self.diffs = 0
        self.statistics = False  # --statistics: a count per rule instead of each finding (text, json)
        self.exit_zero = False  # --exit-zero: findings do not fail the run (errors still do)

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, message))
        if self.format == "text":
            print(f"{printable(path)}: error: {message}", file=self.out, flush=True)
        elif self.format == "github":
            print(f"::error file={_escape_property(path)},title=raylint::{_escape(message)}", file=self.out)

    def diff(self, diff: str) -> None:
        if diff:
            self.diffs += 1
            if self.format == "text":
                self.out.write(diff)

    def analysis(self, analysis: Analysis) -> None:
        self.findings.extend(analysis.findings)
        for problem in analysis.problems:
            # a file that parsed only in part was still checked: say so, without failing the run
            if self.format == "text" and not self.quiet:
                line = f":{problem.range.start.line + 1}" if problem.range else ""
                print(f"{problem.path}{line}: note: {problem.message}", file=self.out)
        if self.statistics:
            return  # (counted at the end)
        if self.format == "text":
            for finding in analysis.findings:
                self._text(finding)
        elif self.format == "github":
            for finding in analysis.findings:
                self._github(finding)

    def _text(self, finding: Finding) -> None:
        print(f"{where(finding.path, finding.range)}: {finding.code} {finding.message}", file=self.out)
        if not self.quiet and finding.no_fix_reason:
            print(f"  no automatic fix: {finding.no_fix_reason}", file=self.out)
        if not self.quiet:
            for fix in finding.fixes:
                unsafe = f" [unsafe: {fix.unsafe_reason}]" if fix.unsafe_reason else ""
                print(f"  fix ({fix.id}): {fix.title}{unsafe}", file=self.out)
            for site in sorted({s for fix in finding.fixes for s in fix.call_sites if s.review}, key=_site_order):
                print(f"  review call site {where(os.path.relpath(site.path), site.range)}: {site.review}", file=self.out)

    def _github(self, finding: Finding) -> None:
        cell, r = _CELLS.of(finding.path, finding.range)
        level = "error" if self.severity == "error" else "notice" if self.severity in ("information", "hint") else "warning"
        title = finding.code if cell is None else f"{finding.code} (cell {cell})"
        properties = (
            f"file={_escape_property(finding.path)},line={r.start.line + 1},col={r.start.character + 1},"
            f"endLine={r.end.line + 1},endColumn={r.end.character + 1},title={_escape_property(title)}"
        )
        message = finding.message + (f" No automatic fix: {finding.no_fix_reason}." if finding.no_fix_reason else "")
        print(f"::{level} {properties}::{_escape(message)}", file=self.out)

    def finish(self) -> int:
        """Print what is printed at the end; the exit code: 2 errors, 1 findings, 0 clean."""
        if self.statistics:
            self._statistics()
        elif self.format == "json":
            document = {
                "version": __version__,
                "findings": [finding_json(f) for f in self.findings],
                "errors": [{"path": p, "message": m} for p, m in self.errors],
            }
            json.dump(document, self.out, indent=2, ensure_ascii=False)
            self.out.write("\n")
        elif self.format == "sarif":
            json.dump(sarif(self.findings, self.errors, self.severity), self.out, indent=2, ensure_ascii=False)
            self.out.write("\n")
        elif self.format == "text" and not self.quiet:
            self._summary()
        self.out.flush()
        return 2 if self.errors else 1 if self.findings and not self.exit_zero else 0

    def _statistics(self) -> None:
        """Per rule, most found first: how many findings, how many a plain --fix would fix."""
        from raylint import rules

        rows: dict[str, list[int]] = {}
        for finding in self.findings:
            row = rows.setdefault(finding.code, [0, 0])
            row[0] += 1
            row[1] += bool(finding.fixes and finding.fixes[0].safe)
        table = sorted(rows.items(), key=lambda item: (-item[1][0], item[0]))
        names = {code: (found.name if (found := rules.rule(code)) else "") for code in rows}
        if self.format == "json":  # (the errors too: a statistics run must not hide them)
            document = {
                "version": __version__,
                "statistics": [{"code": code, "name": names[code], "count": count, "fixable": fixable} for code, (count, fixable) in table],
                "errors": [{"path": p, "message": m} for p, m in self.errors],
            }
            json.dump(document, self.out, indent=2, ensure_ascii=False)
            self.out.write("\n")
            return
        width = max((len(str(count)) for _, (count, _) in table), default=1)
        for code, (count, fixable) in table:
            print(f"{count:>{width}}  {code}  {names[code]}" + (f"  ({fixable} fixable with --fix)" if fixable else ""), file=self.out)
        if not self.quiet:
            self._summary()

    def _summary(self) -> None:
        """One plain line: how many problems, how many fixed (or fixable with --fix), how many
        need their call sites reviewed, how many have no automatic fix; then the errors."""
        findings = self.findings  # what is still there (after --fix), or all of them
        no_fix = sum(1 for f in findings if not f.fixes)
        review = sum(1 for f in findings if f.fixes and not f.fixes[0].safe)
        safe = len(findings) - no_fix - review
        parts = []
        if self.mode == "fix":
            total = self.fixed + len(findings)
            counts = [(self.fixed, "fixed"), (safe, "more fixable with --fix")]
        elif self.mode == "diff":
            total = len(findings)
            if self.unsafe:
                review = max(0, review - max(0, self.fixed - safe))
            fixable = max(0, total - self.fixed - review - no_fix)
            apply = "--fix --unsafe-fixes" if self.unsafe else "--fix"
            counts = [(self.fixed, f"fixed in the diff above (apply with {apply})"), (fixable, "more fixable with --fix")]
        else:
            total = len(findings)
            counts = [(safe, "fixable with --fix")]
        if total:
            counts += [
                (review, "need{s} review" + ("" if self.statistics else " (the reasons and call sites are listed above; apply with --unsafe-fixes)")),
                (no_fix, "ha{ve} no automatic fix"),
            ]
            said = ", ".join(
                f"{n} {what.format(s='s' * (n == 1), ve='s' if n == 1 else 've')}" for n, what in counts if n
            )
            parts.append(f"Found {total} problem{'s' * (total != 1)}: {said}.")
        elif not self.errors:
            parts.append("All checks passed.")
        if self.errors:
            parts.append(f"{len(self.errors)} error{'s' * (len(self.errors) != 1)}.")
        print(" ".join(parts), file=self.out)


def _site_order(site) -> tuple:
    return site.path, site.range.start


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def sarif(findings: list[Finding], errors: list[tuple[str, str]], severity: str = "warning") -> dict:
    def location(path: str, range_: Range, message: str | None = None) -> dict:
        cell, range_ = _CELLS.of(path, range_)
        loc = {
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"},
                "region": {
                    "startLine": range_.start.line + 1,
                    "startColumn": range_.start.character + 1,
                    "endLine": range_.end.line + 1,
                    "endColumn": range_.end.character + 1,
                },
            }
        }
        if cell is not None:  # a notebook: the region is in this cell (numbered from 1)
            loc["physicalLocation"]["properties"] = {"cell": cell}
        if message:
            loc["message"] = {"text": message}
        return loc

    def region(range_: Range) -> dict:
        return location("", range_)["physicalLocation"]["region"]

    results = []
    for finding in findings:
        result = {
            "ruleId": finding.code,
            "ruleIndex": _RULE_INDEX.get(finding.code, -1),
            "level": _SARIF_LEVEL[severity],
            "message": {"text": finding.message + (f" No automatic fix: {finding.no_fix_reason}." if finding.no_fix_reason else "")},
            "locations": [location(finding.path, finding.range)],
            "relatedLocations": [
                {"id": i, **location(r.path, r.range, r.message)} for i, r in enumerate(finding.related)
            ],
        }
        if finding.fixes:
            result["fixes"] = [
                {
                    "description": {"text": fix.title},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"},
                            "replacements": [
                                {"deletedRegion": region(e.range), "insertedContent": {"text": e.new_text}}
                                for e in fix.edits
                                if e.path == path
                            ],
                        }
                        for path in sorted({e.path for e in fix.edits})
                    ],
                }
                for fix in finding.fixes
            ]
        results.append(result)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "raylint",
                        "version": __version__,
                        "informationUri": "https://docs.ray.io/en/latest/ray-core/patterns/index.html",
                        "rules": [_sarif_rule(rule, severity) for rule in rules.RULES],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _root_uri()}},
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": not errors,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": f"{path}: {message}"}} for path, message in errors
                        ],
                    }
                ],
            }
        ],
    }


_RULE_INDEX = {rule.code: number for number, rule in enumerate(rules.RULES)}


def _url(code: str) -> str:
    rule = rules.BY_CODE.get(code)
    return rule.url if rule is not None else ""


def _sarif_rule(rule, severity: str) -> dict:
    """A rule of SARIF's rules table, from the rule's own documentation."""
    doc = rule.docs.strip()
    return {
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": doc.splitlines()[0]},
        "help": {"text": doc, "markdown": doc},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
        "properties": {"fix": rule.fix.value},
    }


def _uri(path: str) -> str:
    relative = os.path.relpath(os.path.abspath(path)) if path else ""
    from urllib.parse import quote

    return quote(relative.replace(os.sep, "/"))


def _root_uri() -> str:
    from pathlib import Path

    return Path(os.getcwd()).as_uri() + "/"
