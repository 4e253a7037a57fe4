"""Jupyter notebooks on the command line: the code cells are one module, IPython syntax is
masked, findings name their cell, and --fix changes cell sources and nothing else."""

from __future__ import annotations

import json

import pytest

from raylint.notebook import Notebook, NotebookError


def notebook(cells, *, indent=1, ensure_ascii=False, newline="\n", as_string=False, language="python") -> str:
    def cell(kind, lines, number):
        source = "".join(lines) if as_string else lines
        base = {"cell_type": kind, "id": f"id{number}", "metadata": {"tags": ["é"]}, "source": source}
        if kind == "code":
            base.update(execution_count=number, outputs=[{"name": "stdout", "output_type": "stream", "text": ["out ✓\n"]}])
        return base

    document = {
        "cells": [cell(kind, lines, n) for n, (kind, lines) in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": language, "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(document, indent=indent, ensure_ascii=ensure_ascii) + "\n"
    return text.replace("\n", newline)


CELLS = [
    ("markdown", ["# Loading é\n"]),
    ("code", ["%time import ray\n", "import ray\n", "!pip install ray\n", "files = !ls\n", "\n", "@ray.remote\n", "def load(x):\n", "    return ray.put(x)"]),
    ("code", ["%%bash\n", "echo hi\n", "ray.put(1)"]),
    ("code", ["ref = load.remote(1)\n", "print(ray.get(ray.get(ref)))\n", "ray?"]),
]


def sources(text: str) -> list:
    return [cell["source"] for cell in json.loads(text)["cells"]]


def outside_sources(text: str) -> dict:
    document = json.loads(text)
    for cell in document["cells"]:
        cell.pop("source")
    return document


def test_findings_name_the_cell_in_text_json_and_sarif(project):
    project.write("nb.ipynb", notebook(CELLS))
    text = project.run("check", "nb.ipynb")
    assert text.code == 1
    assert text.out.splitlines()[0].startswith("nb.ipynb:cell 2:8:12: RAY001 ")
    (finding,) = json.loads(project.run("check", "--format", "json", "nb.ipynb").out)["findings"]
    assert finding["range"] == {"cell": 2, "start": {"line": 8, "column": 12}, "end": {"line": 8, "column": 22}}
    caller_edit = [e for e in finding["fixes"][0]["edits"] if e["range"]["cell"] == 4]
    assert caller_edit and caller_edit[0]["range"]["start"]["line"] == 2
    sarif = json.loads(project.run("check", "--format", "sarif", "nb.ipynb").out)
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["properties"] == {"cell": 2} and location["region"]["startLine"] == 8


@pytest.mark.parametrize(
    "style",
    [
        {"indent": 1},
        {"indent": 2, "ensure_ascii": True},
        {"indent": 1, "newline": "\r\n"},
        {"indent": 1, "as_string": True},
        {"indent": None},
    ],
    ids=["nbformat", "ascii-escaped", "crlf", "string-sources", "one-line"],
)
def test_fix_changes_cell_sources_only_byte_for_byte(project, style):
    original = notebook(CELLS, **style)
    project.write("nb.ipynb", original.encode("utf-8"))
    result = project.run("check", "--fix", "nb.ipynb")
    assert result.code == 0, result.out
    fixed = (project.root / "nb.ipynb").read_bytes().decode("utf-8")
    assert outside_sources(fixed) == outside_sources(original)
    after = ["".join(s) if isinstance(s, list) else s for s in sources(fixed)]
    assert "    return x" in after[1] and "ray.put" not in after[1]
    assert after[1].startswith("%time import ray\nimport ray\n!pip install ray\nfiles = !ls\n")  # magics kept
    assert after[2] == "%%bash\necho hi\nray.put(1)"  # a cell magic's cell untouched
    assert after[3] == "ref = load.remote(1)\nprint(ray.get(ref))\nray?"  # the caller in another cell
    # everything but the two changed sources is the same text, byte for byte
    before_cells = Notebook.parse(original).cells
    after_cells = Notebook.parse(fixed).cells
    assert original[: before_cells[0].start] == fixed[: after_cells[0].start]
    assert original[before_cells[0].end : before_cells[1].start] == fixed[after_cells[0].end : after_cells[1].start]
    assert original[before_cells[-1].end :] == fixed[after_cells[-1].end :]
    assert ("\r\n" in fixed) == ("\r\n" in original) and fixed.endswith(original[-1])
    assert project.run("check", "nb.ipynb").code == 0


def test_folders_include_notebooks_but_not_checkpoints(project):
    project.write("work/nb.ipynb", notebook(CELLS))
    project.write("work/.ipynb_checkpoints/nb-checkpoint.ipynb", notebook(CELLS))
    result = project.run("check", "--format", "json", ".")
    assert [f["path"] for f in json.loads(result.out)["findings"]] == ["work/nb.ipynb"]


def test_a_task_in_a_module_called_from_a_notebook_is_fixed_with_its_caller(project):
    project.write("tasks.py", "import ray\n\n\n@ray.remote\ndef load(x):\n    return ray.put(x)\n")
    project.write("nb.ipynb", notebook([("code", ["import ray\n", "from tasks import load\n", "print(ray.get(ray.get(load.remote(2))))"])]))
    assert project.run("check", "--fix", ".").code == 0
    assert sources((project.root / "nb.ipynb").read_text())[0][-1] == "print(ray.get(load.remote(2)))"


def test_a_notebook_that_runs_the_tasks_file_with_the_run_magic_makes_the_fix_unsafe(project):
    """`%run tasks.py` runs the file in the notebook's namespace, so the next cell's `load` is the
    task although no import names it: the magic stands as a call that loads code from a path
    (it was masked as `pass`, and the safe fix left the cell fetching twice). With
    --unsafe-fixes the notebook is rewritten around the magic, which comes back as it was."""
    project.write("tasks.py", "import ray\n\n\n@ray.remote\ndef load(x):\n    return ray.put(x)\n")
    project.write("nb.ipynb", notebook([("code", ["%run tasks.py\n"]), ("code", ["import ray\n", "print(ray.get(ray.get(load.remote(2))))"])]))
    result = project.run("check", "--fix", ".")
    assert result.code == 1
    assert "review call site nb.ipynb:cell 1:1:1:" in result.out and "loads a module from a file at run time" in result.out
    assert "return ray.put(x)" in (project.root / "tasks.py").read_text()
    assert project.run("check", "--fix", "--unsafe-fixes", ".").code == 0
    assert sources((project.root / "nb.ipynb").read_text())[0] == ["%run tasks.py\n"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON"),
        ('{"metadata": {}}', "no `cells` list"),
        (notebook(CELLS, language="R"), "a R notebook"),
        # (outputs and metadata are read by json's own decoder, as strictly as the cells)
        (notebook(CELLS).replace('"output_type": "stream"', '"output_type": NaN'), "not valid JSON"),
        (notebook(CELLS).replace('"tags": [', '"tags": [,'), "not valid JSON"),
        (notebook(CELLS).rstrip().rstrip("}"), "not valid JSON: the text ends inside a value (cut short?)"),
        ('{"cells": 5', "not valid JSON: the text ends inside a value (cut short?)"),
    ],
    ids=["broken-json", "not-a-notebook", "other-language", "NaN-in-an-output", "broken-metadata", "cut-short", "cut-after-a-number"],
)
def test_a_file_that_is_not_a_python_notebook_is_one_error_line(project, text, message):
    project.write("bad.ipynb", text)
    project.write("good.py", "x = 1\n")
    result = project.run("check", ".")
    assert result.code == 2
    (line,) = [line for line in result.out.splitlines() if line.startswith("bad.ipynb: error:")]
    assert message in line


def test_a_syntax_error_in_one_cell_leaves_the_rest_checked(project):
    cells = [("code", ["import ray\n", "def broken(:\n"]), *CELLS[1:]]
    project.write("nb.ipynb", notebook(cells))
    result = project.run("check", "nb.ipynb")
    assert "RAY001" in result.out and "syntax error" in result.out


def test_a_notebook_with_nested_outputs_reads_its_cells_where_they_are():
    # outputs of every shape (nested lists and dicts, numbers, escapes) are skipped whole
    text = notebook(CELLS)
    deep = '[{"data": {"image/png": "iVBOR\\u00e9", "n": [1, 2.5e3, -0.5, true, null, {"x": [[], {}]}]}}]'
    text = text.replace('"outputs": [', '"outputs": [' + deep + ", ", 1)
    parsed = Notebook.parse(text)
    assert [c.source for c in parsed.cells] == [c.source for c in Notebook.parse(notebook(CELLS)).cells]
    assert all(text[c.start : c.end].startswith("[") for c in parsed.cells)
    module, masked = parsed.module()
    assert parsed.rewritten(module, masked) == text


def test_rewriting_refuses_edits_across_cells():
    parsed = Notebook.parse(notebook(CELLS))
    module, masked = parsed.module()
    with pytest.raises(NotebookError):
        parsed.rewritten(module.replace("# %% [raylint cell 3]\n", ""), masked)
    with pytest.raises(NotebookError):
        parsed.rewritten(module.replace("pass  # raylint: ipython 1\n", ""), masked)
    assert parsed.rewritten(module, masked) == parsed.raw
