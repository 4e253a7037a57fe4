import pytest
from lsprotocol import types

SOURCE = """import ray

@ray.remote
def f(x):
    return ray.put(x)
"""


async def test_open_gives_diagnostic(editor):
    uri = editor.open("a.py", SOURCE)
    diagnostics = await editor.diagnostics(uri)
    assert [d.code for d in diagnostics] == ["RAY001"]
    assert diagnostics[0].range.start == types.Position(4, 11)
