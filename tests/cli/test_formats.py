"""`--format json|sarif|github`: the documents other tools read."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from cli_support import FLAGGED

HERE = Path(__file__).parent
# The official OASIS SARIF 2.1.0 schema (errata 01); see README.md in this folder.
SARIF_SCHEMA = json.loads((HERE / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

POSITION = {
    "type": "object",
    "required": ["line", "column"],
    "properties": {"line": {"type": "integer", "minimum": 1}, "column": {"type": "integer", "minimum": 1}},
}
RANGE = {"type": "object", "required": ["start", "end"], "properties": {"start": POSITION, "end": POSITION}}
# The JSON output as the issue specifies it.
JSON_SCHEMA = {
    "type": "object",
    "required": ["findings", "errors"],
    "properties": {
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "code", "message", "range", "fixes"],
                "properties": {
                    "path": {"type": "string"},
                    "code": {"const": "RAY001"},
                    "message": {"type": "string", "minLength": 1},
                    "range": RANGE,
                    "fixes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "title", "edits"],
                            "properties": {
                                "id": {"enum": ["return-value", "num-returns", "generator"]},
                                "title": {"type": "string", "minLength": 1},
                                "edits": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["path", "range", "new_text"],
                                        "properties": {
                                            "path": {"type": "string"},
                                            "range": RANGE,
                                            "new_text": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "message"],
                "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

MANY = """\
import ray


@ray.remote
def pair(a):
    label = "🚀é"; return ray.put(a), ray.put(a)


@ray.remote
def boxed(a):
    return {"a": ray.put(a)}
"""


@pytest.fixture
def mixed_project(project):
    project.write("jobs.py", MANY)
    project.write("blob.py", b"\x00\x01")
    return project


def test_json_document(mixed_project):
    result = mixed_project.run("check", "--format", "json", ".")
    assert result.code == 2  # an error beats findings
    document = json.loads(result.out)
    jsonschema.validate(document, JSON_SCHEMA)
    assert document["errors"] == [{"path": "blob.py", "message": "binary file (it contains NUL bytes), skipped"}]

    pair, boxed = document["findings"]
    line = MANY.splitlines()[5]
    # 1-based columns counted in characters: the emoji and the é are one column each.
    assert pair["range"] == {
        "start": {"line": 6, "column": line.index("ray.put") + 1},
        "end": {"line": 6, "column": len(line) + 1},
    }
    assert pair["range"]["start"]["column"] == 26  # 27 in UTF-16 units, 31 in UTF-8 bytes
    # The return shares its line with another statement: no generator rewrite for it.
    assert [fix["id"] for fix in pair["fixes"]] == ["num-returns"]
    assert pair["fixes"][0]["edits"][0] == {
        "path": "jobs.py",
        "range": {"start": {"line": 4, "column": 12}, "end": {"line": 4, "column": 12}},
        "new_text": "(num_returns=2)",
    }
    assert boxed["fixes"] == [] and boxed["no_fix_reason"].startswith("the refs are wrapped")


def test_json_edits_applied_by_a_client_give_the_fixed_file(project):
    """A tool that applies the JSON edits (1-based, in characters) gets what --fix writes."""
    path = project.write("jobs.py", MANY.split("\n\n\n@ray.remote\ndef boxed")[0] + "\n")
    text = path.read_text()
    (finding,) = json.loads(project.run("check", "--format", "json", "jobs.py").out)["findings"]
    lines = text.splitlines(keepends=True)

    def offset(position):
        return sum(len(line) for line in lines[: position["line"] - 1]) + position["column"] - 1

    edited = text
    for edit in sorted(finding["fixes"][0]["edits"], key=lambda e: offset(e["range"]["start"]), reverse=True):
        edited = edited[: offset(edit["range"]["start"])] + edit["new_text"] + edited[offset(edit["range"]["end"]) :]
    assert project.run("check", "--fix", "jobs.py").code == 0
    assert path.read_text() == edited


def test_json_of_a_clean_run(project):
    project.write("driver.py", "import ray\nref = ray.put(1)\n")
    result = project.run("check", "--format", "json")
    assert result.code == 0
    document = json.loads(result.out)
    jsonschema.validate(document, JSON_SCHEMA)
    assert (document["findings"], document["errors"]) == ([], [])


def test_sarif_is_valid_sarif_2_1_0(mixed_project):
    result = mixed_project.run("check", "--format", "sarif", ".")
    assert result.code == 2
    log = json.loads(result.out)
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    jsonschema.validate(log, SARIF_SCHEMA, cls=jsonschema.Draft4Validator)

    (run,) = log["runs"]
    assert run["tool"]["driver"]["rules"][0]["id"] == "RAY001"
    pair, boxed = run["results"]
    region = pair["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (6, 26)
    assert run["columnKind"] == "unicodeCodePoints"  # the columns above count characters
    assert pair["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "jobs.py"
    assert [r["message"]["text"] for r in pair["relatedLocations"]][-1] == "`pair` is made a Ray task here"
    assert len(pair["fixes"]) == 1 and "fixes" not in boxed
    assert run["invocations"][0]["executionSuccessful"] is False
    assert "blob.py" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]


def test_sarif_of_a_clean_run(project):
    project.write("driver.py", "x = 1\n")
    result = project.run("check", "--format", "sarif")
    assert result.code == 0
    log = json.loads(result.out)
    jsonschema.validate(log, SARIF_SCHEMA, cls=jsonschema.Draft4Validator)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_github_annotations(mixed_project):
    result = mixed_project.run("check", "--format", "github", ".")
    assert result.code == 2
    lines = result.out.splitlines()
    assert "::error file=blob.py,title=raylint::binary file (it contains NUL bytes), skipped" in lines
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(warnings) == 2
    assert warnings[0].startswith("::warning file=jobs.py,line=6,col=26,endLine=6,endColumn=48,title=RAY001::Task `pair`")
    assert all("\n" not in w for w in warnings)


def test_github_annotation_escapes_property_values(project):
    project.write("a,b:c.py", FLAGGED)
    line = project.run("check", "--format", "github", ".").out.splitlines()[0]
    assert line.startswith("::warning file=a%2Cb%3Ac.py,line=6,")
