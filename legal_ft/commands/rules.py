"""`legalft rules list|show`: what the rules are, which a rule set turns on, and their documentation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

_rules_option = click.option("--rules", "rule_set", default="default", show_default=True, metavar="NAME|PATH",
                             help="Rule set whose selection and thresholds to show.")
_dirs_option = click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path),
                            metavar="DIR", help="Extra folder of rule plugins; repeatable.")


def format_value(value: object) -> str:
    """Compact threshold values for tables: tuples as `a,b,c`, the rest as repr."""
    if isinstance(value, (tuple, list, set, frozenset)):
        return ",".join(str(v) for v in value) or "()"
    return repr(value)


@click.group("rules")
def rules() -> None:
    """List the cleaning rules or show one rule's documentation.

    \b
    Examples:
      legalft rules list --rules strict
      legalft rules show LF201
      legalft rules show missing-demand
    """


@rules.command("list")
@_rules_option
@_dirs_option
def list_rules(rule_set: str, rules_dirs: tuple[Path, ...]) -> None:
    """Table of every rule: code, name, groups, on/off in the rule set, thresholds."""
    from rich.table import Table

    from legal_ft.cleaning.engine import load_engine
    from legal_ft.console import console

    engine = load_engine(rule_set, rules_dirs)
    rs = engine.rule_set
    table = Table(title=f"Rules in set '{rs.name}' ({len(rs.enabled)} of {len(engine.registry.rules)} on)",
                  title_justify="left")
    for col in ("code", "name", "groups", "on", "thresholds"):
        table.add_column(col)
    for code, cls in sorted(engine.registry.rules.items()):
        thresholds = ", ".join(f"{k}={format_value(v)}" for k, v in dataclasses.asdict(rs.thresholds[code]).items())
        table.add_row(code, cls.name, ", ".join(cls.groups), "on" if code in rs.enabled else "off", thresholds)
    console().print(table)
    if engine.normalisers or engine.registry.normalisers:
        norm = Table(title="Normalisers (run in this order before the rules)", title_justify="left")
        for col in ("order", "name", "on", "what it does"):
            norm.add_column(col)
        for name, cls in sorted(engine.registry.normalisers.items(), key=lambda kv: (kv[1].order, kv[0])):
            norm.add_row(str(cls.order), name, "on" if name in rs.normalisers else "off", cls.summary())
        console().print(norm)


@rules.command("show")
@click.argument("rule")
@_rules_option
@_dirs_option
def show_rule(rule: str, rule_set: str, rules_dirs: tuple[Path, ...]) -> None:
    """Documentation of one rule (by code or name) or normaliser: examples, thresholds, the set's values."""
    import difflib

    from legal_ft.cleaning.engine import load_engine
    from legal_ft.console import console
    from legal_ft.errors import ConfigError

    engine = load_engine(rule_set, rules_dirs)
    reg, rs = engine.registry, engine.rule_set
    cls = reg.find_rule(rule)
    out = console()
    if cls is None and rule in reg.normalisers:
        norm = reg.normalisers[rule]
        out.print(f"normaliser {norm.name} (order {norm.order}) — {'on' if rule in rs.normalisers else 'off'} "
                  f"in '{rs.name}'", markup=False)
        out.print(f"from {reg.origins.get(norm, '?')}\n", markup=False)
        out.print(norm.doc(), markup=False)
        return
    if cls is None:
        vocabulary = list(reg.rules) + [c.name for c in reg.rules.values()] + list(reg.normalisers)
        close = difflib.get_close_matches(rule, vocabulary, n=1, cutoff=0.5)
        raise ConfigError(f"no rule or normaliser {rule!r}",
                          f"did you mean '{close[0]}'?" if close else "see 'legalft rules list'")
    state = "on" if cls.code in rs.enabled else "off"
    out.print(f"{cls.code} {cls.name} — groups: {', '.join(cls.groups)} — {state} in '{rs.name}'", markup=False)
    out.print(f"from {reg.origins.get(cls, '?')}\n", markup=False)
    out.print(cls.doc(), markup=False)
    fields = cls.threshold_fields()
    if fields:
        out.print("\nThresholds (default → in this set):", markup=False)
        current = dataclasses.asdict(rs.thresholds[cls.code])
        for name, (ftype, default) in fields.items():
            type_name = ftype if isinstance(ftype, str) else getattr(ftype, "__name__", str(ftype))
            mark = "  (set by the rule set)" if name in rs.overridden.get(cls.code, {}) else ""
            out.print(f"  {name}: {type_name} = {default!r} → {current[name]!r}{mark}", markup=False)
    else:
        out.print("\nThresholds: none", markup=False)
