"""Find, import and validate rule plugins: the built-in `plugins/` folder, extra rule directories and installed
packages in the `legalft` entry-point group.

Every plugin file is registered with pluggy under a module name derived from its path, so two folders may both
hold a `rules.py`. Each hook implementation is then called on its own, so that a class that breaks the contract is
reported with the file (or entry point) that supplied it. Any failure is one `PluginError` line: file and reason.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from legal_ft.cleaning.api import (
    PROJECT_NAME,
    RULE_CODE_RE,
    RULE_NAME_RE,
    LegalFtHookSpec,
    Normaliser,
    Rule,
)
from legal_ft.errors import PluginError

ENTRY_POINT_GROUP = "legalft"

# Codes the engine itself uses in findings; a plugin may not claim them.
ENGINE_CODES = {
    "LF000": "internal-error",
    "LF001": "malformed-record",
    "LF901": "duplicate",
    "LF902": "near-duplicate",
}


@dataclass
class PluginRegistry:
    """Every rule and normaliser class that was found, keyed by code / name, with where each came from."""

    rules: dict[str, type[Rule]] = field(default_factory=dict)  # code -> class, in load order
    normalisers: dict[str, type[Normaliser]] = field(default_factory=dict)  # name -> class
    origins: dict[type, str] = field(default_factory=dict)  # class -> "path/to/file.py" or "entry point x (dist)"
    sources: list[str] = field(default_factory=list)  # every plugin loaded, in order

    def rule_names(self) -> dict[str, str]:
        """name -> code."""
        return {cls.name: code for code, cls in self.rules.items()}

    def find_rule(self, key: str) -> type[Rule] | None:
        """A rule by code (case-insensitive) or name."""
        cls = self.rules.get(key.upper())
        if cls is not None:
            return cls
        code = self.rule_names().get(key)
        return self.rules.get(code) if code else None


def _module_name_for(path: Path) -> str:
    digest = hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:12]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return f"legalft_plugin_{digest}_{stem}"


def plugin_files(directory: Path) -> list[Path]:
    """The plugin files of one folder: every `*.py` not starting with `_`, sorted for a stable order."""
    return sorted(p for p in directory.glob("*.py") if not p.name.startswith("_") and p.is_file())


def _import_file(path: Path) -> ModuleType:
    name = _module_name_for(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"plugin {path}: cannot be imported", "is it a Python file?")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any import failure is the plugin's fault, reported as one line
        sys.modules.pop(name, None)
        raise PluginError(
            f"plugin {path} failed to import: {type(exc).__name__}: {_first_line(exc)}",
            "fix the file or remove it from the rules directory",
        ) from exc
    return module


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "(no message)"


class PluginLoader:
    """Builds one pluggy `PluginManager` and a validated `PluginRegistry` from it."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(LegalFtHookSpec)
        self._labels: dict[int, str] = {}  # id(plugin) -> label
        self._seen_files: set[Path] = set()

    def add_directory(self, directory: Path) -> None:
        directory = Path(directory)
        if not directory.is_dir():
            raise PluginError(f"rules directory not found: {directory}", "check --rules-dir / plugin_dirs")
        for path in plugin_files(directory):
            self.add_file(path)

    def add_file(self, path: Path) -> None:
        path = Path(path).resolve()
        if path in self._seen_files:
            return
        self._seen_files.add(path)
        module = _import_file(path)
        self._register(module, _module_name_for(path), str(path))

    def add_entry_points(self) -> None:
        """Load installed packages of the `legalft` group through pluggy, naming the one that fails."""
        before = set(map(id, self.pm.get_plugins()))
        try:
            self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as exc:  # noqa: BLE001
            raise PluginError(
                f"installed plugin {self._failing_entry_point()} failed to load: {type(exc).__name__}: "
                f"{_first_line(exc)}",
                "fix or uninstall that package",
            ) from exc
        for plugin, dist in self.pm.list_plugin_distinfo():
            if id(plugin) not in before:
                name = self.pm.get_name(plugin)
                self._labels[id(plugin)] = f"entry point {name!r} ({dist.project_name} {dist.version})"

    def _failing_entry_point(self) -> str:
        for dist in importlib.metadata.distributions():
            for ep in dist.entry_points:
                if ep.group != ENTRY_POINT_GROUP or self.pm.get_plugin(ep.name) is not None:
                    continue
                try:
                    ep.load()
                except Exception:  # noqa: BLE001
                    return f"entry point {ep.name!r} = {ep.value!r} ({dist.metadata['Name']})"
        return "(unknown entry point)"

    def _register(self, plugin: Any, name: str, label: str) -> None:
        try:
            self.pm.register(plugin, name=name)
        except ValueError:
            return  # the same module registered twice: harmless
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {label}: {_first_line(exc)}", "see legal_ft/cleaning/api.py") from exc
        self._labels[id(plugin)] = label

    def registry(self) -> PluginRegistry:
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            label = self._labels.get(id(exc.plugin), str(exc.plugin))
            raise PluginError(
                f"plugin {label}: {_first_line(exc)}", "hooks must be legalft_rules() or legalft_normalisers()"
            ) from exc
        reg = PluginRegistry()
        for impl in self.pm.hook.legalft_rules.get_hookimpls():  # registration order
            label = self._labels.get(id(impl.plugin), impl.plugin_name)
            for cls in _call(impl, label):
                _validate_rule(cls, label, reg)
                reg.rules[cls.code] = cls
                reg.origins[cls] = label
        for impl in self.pm.hook.legalft_normalisers.get_hookimpls():
            label = self._labels.get(id(impl.plugin), impl.plugin_name)
            for cls in _call(impl, label):
                _validate_normaliser(cls, label, reg)
                reg.normalisers[cls.name] = cls
                reg.origins[cls] = label
        reg.sources = [self._labels.get(id(p), self.pm.get_name(p) or "?") for p in self.pm.get_plugins()]
        return reg


def _call(impl: Any, label: str) -> list[type]:
    try:
        result = impl.function()
    except Exception as exc:  # noqa: BLE001
        raise PluginError(
            f"plugin {label}: {impl.function.__name__}() raised {type(exc).__name__}: {_first_line(exc)}",
            "the hook must return a list of classes",
        ) from exc
    if result is None:
        return []
    if not isinstance(result, Iterable) or isinstance(result, (str, bytes)):
        raise PluginError(
            f"plugin {label}: {impl.function.__name__}() returned {type(result).__name__}",
            "return a list of classes",
        )
    return list(result)


def _validate_common(cls: Any, base: type, kind: str, label: str) -> None:
    if not isinstance(cls, type) or not issubclass(cls, base):
        raise PluginError(
            f"plugin {label}: {cls!r} is not a {base.__name__} subclass",
            f"a {kind} hook returns classes derived from legal_ft.cleaning.api.{base.__name__}",
        )
    where = f"plugin {label}: {kind} {cls.__name__}"
    if not (cls.__dict__.get("__doc__") or "").strip():
        raise PluginError(f"{where} has no docstring", "describe it, with a bad and a good example")
    if not isinstance(cls.name, str) or not RULE_NAME_RE.match(cls.name):
        raise PluginError(f"{where} has name {cls.name!r}", "names are kebab-case, e.g. 'missing-demand'")
    if not isinstance(cls.groups, tuple) or not all(isinstance(g, str) and g for g in cls.groups):
        raise PluginError(f"{where} has groups {cls.groups!r}", "groups is a tuple of strings")
    thresholds = getattr(cls, "Thresholds", None)
    if not (isinstance(thresholds, type) and dataclasses.is_dataclass(thresholds)):
        raise PluginError(f"{where} has no Thresholds dataclass", "declare `@dataclass class Thresholds:`")
    for f in dataclasses.fields(thresholds):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise PluginError(f"{where}: threshold {f.name!r} has no default", "every threshold needs a default")


def _validate_rule(cls: Any, label: str, reg: PluginRegistry) -> None:
    _validate_common(cls, Rule, "rule", label)
    if cls.check is Rule.check:
        raise PluginError(f"plugin {label}: rule {cls.__name__} does not implement check()",
                          "define check(self, doc) -> list[Finding]")
    code = cls.code
    if not isinstance(code, str) or not RULE_CODE_RE.match(code):
        raise PluginError(
            f"plugin {label}: rule {cls.__name__} has code {code!r}",
            "codes are 2-4 capital letters and 3 digits, e.g. 'XY101'",
        )
    if code in ENGINE_CODES:
        raise PluginError(f"plugin {label}: rule code {code} is reserved by the engine", "choose another code")
    if code in reg.rules:
        other = reg.origins[reg.rules[code]]
        raise PluginError(f"plugin {label}: duplicate rule code {code} (also in {other})", "codes must be unique")
    names = reg.rule_names()
    if cls.name in names or cls.name in ENGINE_CODES.values():
        other = reg.origins[reg.rules[names[cls.name]]] if cls.name in names else "the engine"
        raise PluginError(f"plugin {label}: duplicate rule name {cls.name!r} (also in {other})", "names must be unique")


def _validate_normaliser(cls: Any, label: str, reg: PluginRegistry) -> None:
    _validate_common(cls, Normaliser, "normaliser", label)
    if cls.apply is Normaliser.apply:
        raise PluginError(f"plugin {label}: normaliser {cls.__name__} does not implement apply()",
                          "define apply(self, record) -> Record | None")
    if not isinstance(cls.order, int):
        raise PluginError(f"plugin {label}: normaliser {cls.name} has order {cls.order!r}", "order is an integer")
    if cls.name in reg.normalisers:
        other = reg.origins[reg.normalisers[cls.name]]
        raise PluginError(
            f"plugin {label}: duplicate normaliser name {cls.name!r} (also in {other})", "names must be unique"
        )


def load_plugins(
    plugin_dirs: Sequence[Path] = (), *, builtin: bool = True, entry_points: bool = True
) -> PluginRegistry:
    """Load and validate every plugin: built-in folder first, then `plugin_dirs`, then installed packages."""
    from legal_ft.resources import plugins_dir

    loader = PluginLoader()
    if builtin:
        builtin_dir = plugins_dir()
        if builtin_dir.is_dir():
            loader.add_directory(builtin_dir)
    for directory in plugin_dirs:
        loader.add_directory(Path(directory))
    if entry_points:
        loader.add_entry_points()
    return loader.registry()
