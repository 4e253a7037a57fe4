"""Settings, from `[tool.raylint]` in pyproject.toml and from editors, checked in one place."""

from __future__ import annotations

import fnmatch
import functools
import os
import sys
from dataclasses import dataclass, field, replace
from typing import Any

from raylint import rules
from raylint.core import Config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SEVERITIES = ("error", "warning", "information", "hint")


class ConfigError(Exception):
    """A setting or configuration file raylint cannot use."""


@dataclass(frozen=True)
class Settings:
    enable: bool = True
    severity: str = "warning"
    exclude: tuple[str, ...] = ()
    # which rules run: codes or prefixes (`RAY00`, `ALL`); None selects every rule
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    # (glob, codes): rules left out for the files a glob matches (relative to `root`)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # the rules' options, by key (`generator-style`), over their defaults
    options: tuple[tuple[str, Any], ...] = ()
    python: str | None = None  # the interpreter whose environment jedi searches
    debounce: int = 200  # milliseconds, language server only
    # the tasks are also called from outside the workspace: every fix that changes what
    # callers get is unsafe (raylint cannot update callers it cannot see)
    library: bool = False
    root: str | None = None  # the folder `exclude` globs are relative to
    cache_dir: str | None = None  # the result cache's folder, relative to `root` (CLI only)
    # what reading a configuration file left out, one line each (shown, never fatal)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def updated(self, values: dict[str, Any], origin: str, strict: bool = True) -> Settings:
        """These settings with `values` applied; keys may be kebab-, snake- or camelCase."""
        if not isinstance(values, dict):
            raise ConfigError(f"{origin}: settings must be a table, not {type(values).__name__}")
        changes: dict[str, Any] = {}
        options = dict(self.options)
        for key, value in values.items():
            normal = key.replace("-", "_").lower()
            name = _FIELD_NAMES.get(normal)
            option = _OPTION_KEYS.get(normal)
            if name is None and option is None:
                if strict:
                    # (what a configuration file may set: `python` comes only from the command line
                    # or the editor, see EXECUTABLE_SETTINGS)
                    fields = {k.replace("_", "-") for k in _FIELD_NAMES.values() if k not in EXECUTABLE_SETTINGS}
                    known = ", ".join(sorted({*fields, *rules.options()}))
                    raise ConfigError(f"{origin}: unknown setting `{key}` (known: {known})")
                continue
            if value is None:
                continue
            if option is not None:
                options[option.key] = _checked_option(option, value, origin)
            else:
                changes[name] = _checked(name, value, origin)
        if options != dict(self.options):
            changes["options"] = tuple(sorted(options.items()))
        return replace(self, **changes)

    def config_for(self, path: str | None = None) -> Config:
        """The rules that run on the file at `path` (its per-file ignores applied), with their
        options."""
        ignore = list(self.ignore)
        if path is not None and self.per_file_ignores:
            relative = _relative(path, self.root)
            for glob, codes in self.per_file_ignores:
                if _matches(relative, glob):
                    ignore.extend(codes)
        return _config(self.select, tuple(ignore), self.options)

    def option(self, key: str) -> Any:
        return dict(self.options).get(key, rules.options()[key].default)


@functools.lru_cache(maxsize=256)
def _config(select, ignore: tuple[str, ...], options) -> Config:
    """(the same for most files of a run: made once)"""
    return Config.make(rules.selected(select, ignore), dict(options))


_FIELD_NAMES = {
    "enable": "enable",
    "severity": "severity",
    "exclude": "exclude",
    "select": "select",
    "ignore": "ignore",
    "per_file_ignores": "per_file_ignores",
    "perfileignores": "per_file_ignores",
    "python": "python",
    "debounce": "debounce",
    "library": "library",
    "cache_dir": "cache_dir",
}
# the rules' options, by every spelling of their key (generator-style, generatorStyle)
_OPTION_KEYS = {
    spelling: option
    for option in rules.options().values()
    for spelling in (option.key.replace("-", "_"), option.key.replace("-", ""))
}


def _checked_option(option, value: Any, origin: str) -> Any:
    if option.choices and value not in option.choices:
        raise ConfigError(f"{origin}: `{option.key}` must be {' or '.join(repr(c).replace(chr(39), chr(34)) for c in option.choices)}, not {value!r}")
    if not option.choices and type(value) is not type(option.default):
        raise ConfigError(f"{origin}: `{option.key}` must be a {type(option.default).__name__}, not {value!r}")
    return value


def _codes(name: str, value: Any, origin: str) -> tuple[str, ...]:
    """A list of rule codes or prefixes, each selecting some rule."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{origin}: `{name.replace('_', '-')}` must be a list of rule codes, not {value!r}")
    unknown = rules.unknown_codes(value)
    if unknown:
        known = ", ".join(r.code for r in rules.RULES)
        raise ConfigError(f"{origin}: `{name.replace('_', '-')}`: unknown rule code {', '.join(map(repr, unknown))} (known: {known}, or ALL)")
    return tuple(v.strip().upper() for v in value)


def _relative(path: str, root: str | None) -> str:
    """`path` relative to the configuration's folder (the current folder without one)."""
    path = os.path.abspath(path)
    relative = os.path.relpath(path, root or os.getcwd())
    if not relative.startswith(".."):
        path = relative
    return path.replace(os.sep, "/")


def _matches(relative: str, glob: str) -> bool:
    """ruff's per-file-ignores matching: the glob against the path relative to the
    configuration's folder, or against the file's name for a glob without a slash."""
    glob = glob.replace(os.sep, "/").lstrip("./") if glob.startswith("./") else glob.replace(os.sep, "/")
    if fnmatch.fnmatchcase(relative, glob) or fnmatch.fnmatchcase(relative, glob.rstrip("/") + "/*"):
        return True
    return "/" not in glob and fnmatch.fnmatchcase(relative.rsplit("/", 1)[-1], glob)


def _checked(name: str, value: Any, origin: str) -> Any:
    def fail(expected: str):
        raise ConfigError(f"{origin}: `{name.replace('_', '-')}` must be {expected}, not {value!r}")

    if name in ("enable", "library"):
        return value if isinstance(value, bool) else fail("true or false")
    if name == "severity":
        return value if value in SEVERITIES else fail(" or ".join(f'"{s}"' for s in SEVERITIES))
    if name in ("select", "ignore"):
        return _codes(name, value, origin)
    if name == "per_file_ignores":
        if not isinstance(value, dict):
            fail('a table of glob = ["CODE", ...]')
        return tuple((str(glob), _codes(name, codes, f"{origin}: {glob!r}")) for glob, codes in value.items())
    if name == "exclude":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail("a list of glob strings")
        return tuple(value)
    if name in ("python", "cache_dir"):
        return value if isinstance(value, str) and value else fail("a path")
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
    root = os.path.dirname(os.path.abspath(path))
    if settings.cache_dir and not _inside(os.path.join(root, settings.cache_dir), root):
        # a project file may not make raylint write outside the project
        warnings.append(f"{where}: `cache-dir` ignored: {settings.cache_dir!r} is outside the project; pass --cache-dir")
        settings = replace(settings, cache_dir=None)
    return replace(settings, root=root, warnings=(*base.warnings, *warnings))


def _inside(path: str, root: str) -> bool:
    """Is `path` inside `root`, symlinks resolved?"""
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
