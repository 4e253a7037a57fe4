"""Typing in a large document: the server re-checks only the edited top-level statement
(`DocumentAnalyzer`). After every incremental edit its diagnostics must be exactly those of
the same text opened fresh (a full analysis); pushed, once the pause has published them (a
keystroke may be deferred: see core/incremental.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from lsprotocol import converters, types

from lsp_support import Editor

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from lsp_latency import SHAPES, generate  # noqa: E402  (the benchmark's modules: many tasks and helpers; shapes)

converter = converters.get_converter()


def at(text: str, needle: str, after: int = 0) -> types.Position:
    """The position (UTF-16, as every client can take it; the text is ASCII) of `needle`."""
    index = text.index(needle) + after
    line = text.count("\n", 0, index)
    return types.Position(line, index - (text.rfind("\n", 0, index) + 1))


def insert(text: str, needle: str, new: str, after: int = 0):
    position = at(text, needle, after)
    index = text.index(needle) + after
    change = types.TextDocumentContentChangePartial(range=types.Range(position, position), text=new)
    return text[:index] + new + text[index:], change


def key(diagnostic: types.Diagnostic):
    return (diagnostic.range.start.line, diagnostic.range.start.character, diagnostic.range.end.line, diagnostic.message)


@pytest.mark.profiles("visual_studio_code", "neovim@v0.11.0")
async def test_edits_in_a_large_document_give_the_diagnostics_of_a_fresh_open(editor: Editor):
    text = generate(1000, 7)
    uri = editor.open("big.py", text)
    assert await editor.diagnostics(uri)
    function = text[text.index("\n@ray.remote\ndef ") + 1 :].split("\n")[1]  # `def task_N(chunk):`
    body = function + "\n"
    edits = [
        (body, "    unused = 1\n", len(body)),  # a line added inside a task: later findings move
        ("MIDDLE = SCALE", "0", len("MIDDLE = SCALE * 1")),  # a module-level value
        (body, "    return ray.put(unused)\n", len(body)),  # a new finding in that task
        ("\n\ndef helper_13", "# a comment\n", 1),  # between statements
    ]
    for number, (needle, new, after) in enumerate(edits):
        text, change = insert(text, needle, new, after)
        fresh_uri = editor.open(f"fresh_{number}.py", text)
        fresh = await editor.diagnostics(fresh_uri)
        editor.change(uri, change)
        edited = await editor.diagnostics(uri)
        if not editor.pull and sorted(map(key, edited)) != sorted(map(key, fresh)):
            # a keystroke after another document was opened is deferred (the last diagnostics,
            # moved): the complete ones are published at the pause
            edited = await editor.diagnostics(uri)
        assert sorted(map(key, edited)) == sorted(map(key, fresh)), new
    assert at(text, "return ray.put(unused)").line in [d.range.start.line for d in edited]  # the new one


def _moved(diagnostic: types.Diagnostic, from_line: int, lines: int) -> types.Diagnostic:
    """The diagnostic with each range at or after `from_line` moved down `lines` lines."""
    def move(r: types.Range) -> types.Range:
        if r.start.line < from_line:
            return r
        return types.Range(types.Position(r.start.line + lines, r.start.character), types.Position(r.end.line + lines, r.end.character))

    data = converter.unstructure(diagnostic)
    moved = converter.structure(data, types.Diagnostic)
    moved.range = move(diagnostic.range)
    for related in moved.related_information or []:
        related.location.range = move(related.location.range)
    return moved


@pytest.mark.profiles("visual_studio_code", "emacs")
async def test_typing_in_a_huge_function_shows_the_last_diagnostics_moved_then_the_pause_the_complete_ones(editor: Editor):
    """A keystroke in a function longer than DEFER_LINES re-checks nothing: the diagnostics
    published are the last ones, those below the edit moved with the lines (related locations
    too; columns after an emoji as the client counts them); the pause publishes the complete
    analysis, which equals a fresh open of the text."""
    tail = '\n\n@ray.remote\ndef small(x):\n    label, ref = "\U0001F680", ray.put(x)\n    return ref\n'
    text = SHAPES["huge_function"](400, 3) + tail
    uri = editor.open("huge.py", text)
    before = await editor.diagnostics(uri)
    assert len(before) == 2 and before[1].related_information
    typed = "    if rows:\n        return ray.put(rows)\n"
    line = at(text, "    middle = SCALE").line
    text, change = insert(text, "    middle = SCALE", typed)
    editor.change(uri, change)
    provisional = await editor.diagnostics(uri)
    assert provisional == [_moved(d, line, 2) for d in before]
    completed = await editor.diagnostics(uri)  # (the next publish: at the pause)
    assert at(text, "return ray.put(rows)").line in [d.range.start.line for d in completed]
    fresh_uri = editor.open("fresh.py", text)
    fresh = await editor.diagnostics(fresh_uri)
    assert [json.dumps(converter.unstructure(d)) for d in completed] == [
        json.dumps(converter.unstructure(d)).replace(fresh_uri, uri) for d in fresh
    ]
