"""The server's settings cache (lsp/configuration.py): the disk is walked for pyproject.toml
once per file and configuration change, not at every keystroke."""

from __future__ import annotations

from raylint.lsp import configuration
from raylint.lsp.configuration import Configuration, is_config_file


def _counting(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = configuration.find_pyproject

    def find(path: str):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(configuration, "find_pyproject", find)
    return calls


def test_settings_are_resolved_once_until_invalidated(tmp_path, monkeypatch):
    calls = _counting(monkeypatch)
    (tmp_path / "pyproject.toml").write_text('[tool.raylint]\nseverity = "hint"\n')
    path, folder = str(tmp_path / "a.py"), tmp_path.as_uri()
    config = Configuration(log=lambda message, kind: None)
    first = config.settings(path, folder)
    assert first.severity == "hint" and first.root == str(tmp_path)
    assert config.settings(path, folder) is first
    assert calls == [path]  # one walk of the disk for two analyses
    (tmp_path / "pyproject.toml").write_text('[tool.raylint]\nseverity = "error"\n')
    assert config.settings(path, folder) is first  # no configuration change was signalled
    config.invalidate()
    assert config.settings(path, folder).severity == "error"
    assert len(calls) == 2


def test_editor_settings_apply_over_the_file_and_per_folder(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    (two / "pyproject.toml").write_text('[tool.raylint]\nseverity = "error"\nlibrary = true\n')
    config = Configuration(log=lambda message, kind: None)
    config.initialization_options = {"debounce": 0}
    config.client_settings = {"": {"severity": "hint"}, one.as_uri(): {"severity": "information"}}
    first = config.settings(str(one / "a.py"), one.as_uri())
    assert (first.severity, first.debounce, first.root) == ("information", 0, str(one))
    second = config.settings(str(two / "a.py"), two.as_uri())
    assert (second.severity, second.library, second.debounce) == ("hint", True, 0)
    untitled = config.settings(None, "")
    assert (untitled.severity, untitled.root) == ("hint", None)


def test_a_broken_file_is_reported_once_and_defaults_used(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.raylint]\nseverity = "loud"\n')
    logged: list[str] = []
    config = Configuration(log=lambda message, kind: logged.append(message))
    for _ in range(2):
        config.invalidate()
        assert config.settings(str(tmp_path / "a.py"), tmp_path.as_uri()).severity == "warning"
    assert len([m for m in logged if "severity" in m]) == 1


def test_configuration_files():
    assert is_config_file("/w/pyproject.toml") and is_config_file("/w/sub/raylint.toml")
    assert not is_config_file("/w/a.py") and not is_config_file(None)
