"""Rule sets: TOML files that choose rules, set thresholds and dedup/split settings, and may extend each other.

    extends = "default"                 # a set name (rules/NAME.toml) or a path relative to this file
    plugin_dirs = ["my_rules"]          # extra plugin folders, relative to this file
    select = ["strict", "LF6*"]         # codes, names, groups or globs, added to the parent's selection
    exclude = ["LF607"]                 # removed afterwards
    [thresholds.LF201]                  # by code or name; checked against the rule's Thresholds dataclass
    min_citations = 2
    [dedup]                             # exact / near / near_action / threshold / shingle_size / num_perm / num_bands
    [split]                             # eval_fraction
    [normalisers]                       # select / exclude by name or glob (all are on by default)

Reading a set is two steps: `read_rule_set` parses the chain of files (so its plugin folders can be loaded), then
`resolve_rule_set` matches the selectors against the loaded plugins. Any mistake is a `ConfigError` that names the
file and, for a misspelt rule or threshold, suggests the closest name.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from legal_ft.cleaning.api import Normaliser, Rule
from legal_ft.cleaning.plugins import PluginRegistry
from legal_ft.errors import ConfigError

TOP_LEVEL_KEYS = {"extends", "description", "plugin_dirs", "select", "exclude", "thresholds", "dedup", "split",
                  "normalisers"}


@dataclass(frozen=True)
class DedupSettings:
    """Exact and near-duplicate removal (near: MinHash LSH over word shingles of the normalised output)."""

    exact: bool = True
    near: bool = True
    near_action: str = "reject"  # "reject" near-duplicates, or "group" them (kept, same split side as the first)
    threshold: float = 0.85  # estimated Jaccard similarity at which two outputs are near-duplicates
    shingle_size: int = 5  # words per shingle
    num_perm: int = 128
    num_bands: int = 16
    memory_mb: float = 16  # in-memory dedup state before representatives move to a work file on disk; 0: never

    def validate(self, where: str) -> None:
        if self.memory_mb < 0:
            raise ConfigError(f"{where}: [dedup] memory_mb must be 0 (never spill) or more", "e.g. memory_mb = 16")
        if self.near_action not in ("reject", "group"):
            raise ConfigError(f"{where}: [dedup] near_action must be 'reject' or 'group'", "fix the rule set")
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"{where}: [dedup] threshold must be in (0, 1]", "e.g. threshold = 0.85")
        if self.shingle_size < 1 or self.num_perm < 8 or self.num_bands < 1 or self.num_perm % self.num_bands:
            raise ConfigError(
                f"{where}: [dedup] needs shingle_size >= 1, num_perm >= 8 and num_perm divisible by num_bands",
                "e.g. num_perm = 128, num_bands = 16",
            )


@dataclass(frozen=True)
class SplitSettings:
    eval_fraction: float = 0.05

    def validate(self, where: str) -> None:
        if not 0.0 <= self.eval_fraction < 1.0:
            raise ConfigError(f"{where}: [split] eval_fraction must be in [0, 1)", "e.g. eval_fraction = 0.05")


@dataclass
class RuleSetFile:
    """One parsed TOML file of a chain."""

    path: Path
    name: str
    data: dict[str, Any]


@dataclass
class RuleSetSource:
    """The chain of files a `--rules` value resolved to, parent first."""

    files: list[RuleSetFile]

    @property
    def name(self) -> str:
        return self.files[-1].name

    @property
    def path(self) -> Path:
        return self.files[-1].path

    def plugin_dirs(self) -> list[Path]:
        dirs: list[Path] = []
        for f in self.files:
            for entry in f.data.get("plugin_dirs", []):
                p = (f.path.parent / entry).resolve()
                if p not in dirs:
                    dirs.append(p)
        return dirs


@dataclass
class ResolvedRuleSet:
    """What a run uses: enabled rules with their thresholds, normalisers, dedup and split settings."""

    name: str
    chain: list[str]  # file paths, parent first
    plugin_dirs: list[Path]
    enabled: list[str]  # rule codes, in registry order
    thresholds: dict[str, Any]  # code -> Thresholds instance (every rule, enabled or not)
    overridden: dict[str, dict[str, Any]]  # code -> {field: value} set by the chain
    normalisers: list[str]  # names, in run order
    dedup: DedupSettings = field(default_factory=DedupSettings)
    split: SplitSettings = field(default_factory=SplitSettings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "chain": self.chain,
            "plugin_dirs": [str(p) for p in self.plugin_dirs],
            "enabled": self.enabled,
            "thresholds": {c: dataclasses.asdict(t) for c, t in self.thresholds.items() if c in self.enabled},
            "overridden": self.overridden,
            "normalisers": self.normalisers,
            "dedup": dataclasses.asdict(self.dedup),
            "split": dataclasses.asdict(self.split),
        }


def available_rule_sets() -> list[str]:
    from legal_ft.resources import rules_dir

    d = rules_dir()
    return sorted(p.stem for p in d.glob("*.toml")) if d.is_dir() else []


def _locate(spec: str | Path, relative_to: Path | None) -> Path:
    """A set name (`strict`) → rules/strict.toml; anything that looks like a path is taken as one."""
    from legal_ft.resources import rules_dir

    text = str(spec)
    looks_like_path = text.endswith(".toml") or "/" in text or "\\" in text
    if looks_like_path:
        p = Path(text)
        if not p.is_absolute() and relative_to is not None:
            p = relative_to / p
        if not p.is_file():
            raise ConfigError(f"rule set file not found: {p}", "check the path")
        return p.resolve()
    candidate = rules_dir() / f"{text}.toml"
    if candidate.is_file():
        return candidate.resolve()
    names = available_rule_sets()
    close = difflib.get_close_matches(text, names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise ConfigError(
        f"unknown rule set {text!r}",
        f"{hint}available: {', '.join(names) or '(none)'}; or pass the path of a .toml file",
    )


def read_rule_set(spec: str | Path = "default") -> RuleSetSource:
    """Parse `spec` and every set it extends (parent first); refuses cycles and unknown keys."""
    files: list[RuleSetFile] = []
    seen: list[Path] = []
    path = _locate(spec, None)
    while True:
        if path in seen:
            raise ConfigError(f"rule set {path} extends itself (cycle: {' → '.join(map(str, seen))})",
                              "remove the cycle")
        seen.append(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Notepad may put a BOM in front
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"rule set {path} is not valid TOML: {exc}", "fix the syntax") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"rule set {path} is not UTF-8 text (byte {exc.start})",
                              "save it as UTF-8 (in Notepad: Save as → Encoding: UTF-8)") from exc
        except OSError as exc:
            raise ConfigError(f"cannot read rule set {path}: {exc.strerror}", "check the file") from exc
        _check_keys(data, path)
        files.append(RuleSetFile(path, path.stem, data))
        parent = data.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str):
            raise ConfigError(f"{path}: 'extends' must be a string", 'e.g. extends = "default"')
        path = _locate(parent, path.parent)
    return RuleSetSource(list(reversed(files)))


def _check_keys(data: dict[str, Any], path: Path) -> None:
    for key, value in data.items():
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(f"{path}: unknown key {key!r}", _suggest(key, TOP_LEVEL_KEYS))
        if key in ("select", "exclude", "plugin_dirs") and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise ConfigError(f"{path}: {key!r} must be a list of strings", f'e.g. {key} = ["LF201"]')
        if key in ("thresholds", "dedup", "split", "normalisers") and not isinstance(value, dict):
            raise ConfigError(f"{path}: [{key}] must be a table", f"write [{key}] on its own line")


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'?" if close else f"known: {', '.join(sorted(map(str, choices)))}"


def rule_groups(cls: type[Rule]) -> tuple[str, ...]:
    return tuple(cls.groups)


def _match_rules(selector: str, registry: PluginRegistry, where: str) -> list[str]:
    """Codes matching one selector: a code, a name, a group or a glob over codes and names."""
    sel = selector.strip()
    matched: list[str] = []
    is_glob = any(c in sel for c in "*?[")
    for code, cls in registry.rules.items():
        if is_glob:
            if fnmatch.fnmatchcase(code, sel.upper()) or fnmatch.fnmatchcase(cls.name, sel):
                matched.append(code)
        elif code == sel.upper() or cls.name == sel or sel in rule_groups(cls):
            matched.append(code)
    if not matched:
        vocabulary = set(registry.rules) | {c.name for c in registry.rules.values()}
        vocabulary |= {g for c in registry.rules.values() for g in c.groups}
        raise ConfigError(f"{where}: {selector!r} matches no rule", _suggest(selector, vocabulary))
    return matched


def _match_normalisers(selector: str, registry: PluginRegistry, where: str) -> list[str]:
    matched = [n for n in registry.normalisers if fnmatch.fnmatchcase(n, selector)]
    if not matched:
        raise ConfigError(f"{where}: {selector!r} matches no normaliser", _suggest(selector, registry.normalisers))
    return matched


def resolve_rule_set(source: RuleSetSource, registry: PluginRegistry) -> ResolvedRuleSet:
    """Apply the chain's selections and thresholds to the loaded plugins."""
    enabled: set[str] = set()
    normalisers: set[str] = set(registry.normalisers)
    overridden: dict[str, dict[str, Any]] = {}
    dedup_values: dict[str, Any] = {}
    split_values: dict[str, Any] = {}
    for f in source.files:
        where = str(f.path)
        for sel in f.data.get("select", []):
            enabled.update(_match_rules(sel, registry, where))
        for sel in f.data.get("exclude", []):
            enabled.difference_update(_match_rules(sel, registry, where))
        for key, values in f.data.get("thresholds", {}).items():
            cls = registry.find_rule(key)
            if cls is None:
                vocabulary = list(registry.rules) + [c.name for c in registry.rules.values()]
                raise ConfigError(f"{where}: [thresholds.{key}] names no rule", _suggest(key, vocabulary))
            if not isinstance(values, dict):
                raise ConfigError(f"{where}: [thresholds.{key}] must be a table", f"[thresholds.{key}] on its own line")
            overridden.setdefault(cls.code, {}).update(coerce_thresholds(cls, values, where))
        table = f.data.get("normalisers", {})
        for key in table:
            if key not in ("select", "exclude"):
                raise ConfigError(f"{where}: unknown key [normalisers] {key!r}", _suggest(key, ["select", "exclude"]))
        if "select" in table:
            normalisers = {n for sel in table["select"] for n in _match_normalisers(sel, registry, where)}
        for sel in table.get("exclude", []):
            normalisers.difference_update(_match_normalisers(sel, registry, where))
        dedup_values.update(_typed_table(f.data.get("dedup", {}), DedupSettings, where, "dedup"))
        split_values.update(_typed_table(f.data.get("split", {}), SplitSettings, where, "split"))
    dedup = DedupSettings(**dedup_values)
    dedup.validate(str(source.path))
    split = SplitSettings(**split_values)
    split.validate(str(source.path))
    thresholds = {code: cls.Thresholds(**overridden.get(code, {})) for code, cls in registry.rules.items()}
    ordered_normalisers = sorted(normalisers, key=lambda n: (registry.normalisers[n].order, n))
    return ResolvedRuleSet(
        name=source.name,
        chain=[str(f.path) for f in source.files],
        plugin_dirs=source.plugin_dirs(),
        enabled=[code for code in registry.rules if code in enabled],
        thresholds=thresholds,
        overridden=overridden,
        normalisers=ordered_normalisers,
        dedup=dedup,
        split=split,
    )


def _typed_table(values: dict[str, Any], cls: type, where: str, table: str) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in hints:
            raise ConfigError(f"{where}: unknown key [{table}] {key!r}", _suggest(key, hints))
        out[key] = coerce_value(value, hints[key], f"{where}: [{table}] {key}")
    return out


def coerce_thresholds(cls: type[Rule] | type[Normaliser], values: dict[str, Any], where: str) -> dict[str, Any]:
    """Check threshold values against the rule's Thresholds dataclass field types; returns converted values."""
    fields = {f.name: f for f in dataclasses.fields(cls.Thresholds)}
    try:
        hints = typing.get_type_hints(cls.Thresholds)
    except Exception:  # noqa: BLE001 - unresolvable annotations: fall back to the defaults' types
        hints = {}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(
                f"{where}: rule {getattr(cls, 'code', '')} {cls.name} has no threshold {key!r}",
                _suggest(key, fields) if fields else "this rule has no thresholds",
            )
        hint = hints.get(key)
        if hint is None:
            default = fields[key].default
            hint = type(default) if default is not dataclasses.MISSING else Any
        out[key] = coerce_value(value, hint, f"{where}: threshold {cls.name}.{key}")
    return out


def coerce_value(value: Any, hint: Any, where: str) -> Any:
    """Accept a TOML value for a field annotated ``hint`` (int, float, bool, str, tuple/list of those, Optional)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return coerce_value(value, arg, where)
            except ConfigError as exc:
                errors.append(exc)
        raise errors[0] if errors else ConfigError(f"{where}: unsupported value", "check the type")
    if origin in (tuple, list, frozenset, set):
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be a list, got {_toml_type(value)}", "e.g. [\"a\", \"b\"]")
        item = args[0] if args else Any
        items = [coerce_value(v, item, where) for v in value]
        return origin(items)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {_toml_type(value)}", "use true / false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be an integer, got {_toml_type(value)}", "e.g. 2")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where} must be a number, got {_toml_type(value)}", "e.g. 0.5")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {_toml_type(value)}", 'e.g. "text"')
        return value
    return value


def _toml_type(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)
