"""The settings of each document, resolved once per configuration change (not per keystroke).

A document's settings come from, in order: the nearest pyproject.toml with a `[tool.raylint]`
table above it (or the defaults, rooted at its workspace folder), the initializationOptions,
the editor's workspace settings and its folder's settings. Finding the pyproject.toml walks
the disk, so the result is kept per (workspace folder, configuration file), and the file
found per path; `invalidate()` forgets it all, and the server calls it when the
editor's settings change, when a configuration file changes (a watched-files event or a save
in the editor) and when workspace folders come or go.

(the event loop's: only the loop resolves settings)
"""

from __future__ import annotations

import os
from typing import Any, Callable

from lsprotocol import types

from raylint.lsp.documents import uri_to_path
from raylint.settings import ConfigError, Settings, find_pyproject, load_file

CONFIG_FILES = ("pyproject.toml", "raylint.toml")


def is_config_file(path: str | None) -> bool:
    return bool(path) and os.path.basename(path) in CONFIG_FILES


class Configuration:
    def __init__(self, log: Callable[[str, types.MessageType], None]) -> None:
        self.log = log
        self.initialization_options: dict[str, Any] = {}
        self.client_settings: dict[str, dict[str, Any]] = {}  # folder URI ("" = global) → settings
        self._configs: dict[str, str | None] = {}  # file path → its nearest pyproject.toml
        self._resolved: dict[tuple[str, str | None], Settings] = {}  # (workspace folder, config file) →
        self._reported: set[str] = set()  # configuration errors logged already

    def invalidate(self) -> None:
        """The editor's settings, a configuration file or the workspace folders changed."""
        self._configs.clear()
        self._resolved.clear()

    def settings(self, path: str | None, folder: str) -> Settings:
        """The settings of a file (`path`, None if not a file) in workspace `folder` ("" if none)."""
        config = self._config_of(path) if path else None
        key = (folder, config)
        settings = self._resolved.get(key)
        if settings is None:
            settings = self._resolved[key] = self._resolve(folder, config)
        return settings

    def _config_of(self, path: str) -> str | None:
        if path not in self._configs:
            self._configs[path] = find_pyproject(path)
        return self._configs[path]

    def _resolve(self, folder: str, config: str | None) -> Settings:
        settings = self._from_file(config) if config else Settings(root=uri_to_path(folder) if folder else None)
        for origin, values in (
            ("initializationOptions", self.initialization_options),
            ("workspace settings", self.client_settings.get("", {})),
            ("folder settings", self.client_settings.get(folder, {})),
        ):
            try:
                settings = settings.updated(values or {}, origin, strict=False)
            except ConfigError as error:
                self._config_error(str(error))
        return settings

    def _from_file(self, config: str) -> Settings:
        try:
            settings = load_file(config)
        except (OSError, ConfigError) as error:
            self._config_error(str(error))
            return Settings(root=os.path.dirname(config))
        for warning in settings.warnings:  # e.g. `python` ignored: not taken from project files
            self.log(warning, types.MessageType.Warning)
        return settings

    def _config_error(self, message: str) -> None:
        if message not in self._reported:
            self._reported.add(message)
            self.log(f"{message}; using the defaults for it", types.MessageType.Error)
