"""Settings, from `[tool.raylint]` in pyproject.toml and from editors, checked in one place."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SEVERITIES = ("error", "warning", "information", "hint")
GENERATOR_STYLES = ("streaming", "dynamic")


class ConfigError(Exception):
    """A setting or configuration file raylint cannot use."""


@dataclass(frozen=True)
class Settings:
    enable: bool = True
    severity: str = "warning"
    exclude: tuple[str, ...] = ()
    generator_style: str = "streaming"
    python: str | None = None  # the interpreter whose environment jedi searches
    debounce: int = 200  # milliseconds, language server only
    # the tasks are also called from outside the workspace: every fix that changes what
    # callers get is unsafe (raylint cannot update callers it cannot see)
    library: bool = False
    root: str | None = None  # the folder `exclude` globs are relative to
    # what reading a configuration file left out, one line each (shown, never fatal)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def updated(self, values: dict[str, Any], origin: str, strict: bool = True) -> Settings:
        """These settings with `values` applied; keys may be kebab-, snake- or camelCase."""
        if not isinstance(values, dict):
            raise ConfigError(f"{origin}: settings must be a table, not {type(values).__name__}")
        changes: dict[str, Any] = {}
        for key, value in values.items():
            name = _FIELD_NAMES.get(key.replace("-", "_").lower())
            if name is None:
                if strict:
                    known = ", ".join(sorted(k.replace("_", "-") for k in _FIELD_NAMES.values() if k != "root"))
                    raise ConfigError(f"{origin}: unknown setting `{key}` (known: {known})")
                continue
            if value is None:
                continue
            changes[name] = _checked(name, value, origin)
        return replace(self, **changes)


_FIELD_NAMES = {
    "enable": "enable",
    "severity": "severity",
    "exclude": "exclude",
    "generator_style": "generator_style",
    "generatorstyle": "generator_style",
    "python": "python",
    "debounce": "debounce",
    "library": "library",
}


def _checked(name: str, value: Any, origin: str) -> Any:
    def fail(expected: str):
        raise ConfigError(f"{origin}: `{name.replace('_', '-')}` must be {expected}, not {value!r}")

    if name in ("enable", "library"):
        return value if isinstance(value, bool) else fail("true or false")
    if name == "severity":
        return value if value in SEVERITIES else fail(" or ".join(f'"{s}"' for s in SEVERITIES))
    if name == "generator_style":
        return value if value in GENERATOR_STYLES else fail(" or ".join(f'"{s}"' for s in GENERATOR_STYLES))
    if name == "exclude":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail("a list of glob strings")
        return tuple(value)
    if name == "python":
        return value if isinstance(value, str) else fail("a path")
    if name == "debounce":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 60_000
        return int(value) if ok else fail("a number of milliseconds from 0 to 60000")
    return value


# Settings that name a program raylint runs (jedi starts `python` to ask it for its sys.path).
# A configuration file belongs to the project being checked, which may be a repository just
# cloned from a stranger: such a setting is taken only from the command line or the editor.
EXECUTABLE_SETTINGS = ("python",)


def find_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml with a `tool.raylint` table (in any TOML spelling), from
    `start` upwards. A file that is not valid TOML counts when it mentions raylint, so that
    loading it reports the error instead of the settings silently vanishing."""
    folder = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        candidate = os.path.join(folder, "pyproject.toml")
        if _mentions_raylint(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


_MAX_CONFIG_BYTES = 10 * 1024 * 1024  # a pyproject.toml is a few KB; more is not a config file


def _mentions_raylint(path: str) -> bool:
    try:
        if not os.path.isfile(path):  # also skips FIFOs and devices, which would hang a read
            return False
        with open(path, "rb") as handle:
            data = handle.read(_MAX_CONFIG_BYTES + 1)
    except OSError:
        return False
    if b"raylint" not in data:
        return False
    try:
        tool = tomllib.loads(data.decode("utf-8")).get("tool")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return True  # broken, and about raylint: load_file says what is wrong
    return isinstance(tool, dict) and "raylint" in tool


def load_file(path: str, base: Settings | None = None) -> Settings:
    """Settings from a pyproject.toml (its `tool.raylint` table) or a raylint.toml.

    Settings that name a program to run (`python`) are never taken from a file: they are left
    out, with a line in `warnings` that says so.
    """
    base = base or Settings()
    try:
        if os.path.exists(path) and not os.path.isfile(path):  # a FIFO or device would hang the read
            raise ConfigError(f"{path}: cannot read: not a regular file")
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("raylint", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: `tool.raylint` must be a table of settings, not {type(table).__name__}")
        where = f"{path}: [tool.raylint]"
    else:
        table, where = data, path
    warnings = []
    if isinstance(table, dict):
        for key in list(table):
            if key.replace("-", "_").lower() in EXECUTABLE_SETTINGS:
                table = {k: v for k, v in table.items() if k != key}
                warnings.append(
                    f"{where}: `{key}` ignored: a setting that names a program to run is not read from "
                    "configuration files (they come with the project); pass --python, or set it in your editor"
                )
    settings = base.updated(table, path)
    return replace(settings, root=os.path.dirname(os.path.abspath(path)), warnings=(*base.warnings, *warnings))
