"""`legalft rules list|show|check`: what the rules are, which a rule set turns on, their documentation, and
what they say about one document."""

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
    """List the cleaning rules, show one rule's documentation, or check a document.

    \b
    Examples:
      legalft rules list --rules strict
      legalft rules show LF201
      legalft rules show missing-demand
      legalft rules check claim.txt --rules strict
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


DEFAULT_CHECK_INSTRUCTION = "Составь юридический документ."


@rules.command("check")
@click.argument("path", type=click.Path(path_type=Path, allow_dash=True), default="-")
@_rules_option
@_dirs_option
@click.option("--instruction", default=None, metavar="TEXT",
              help=f"For a text file: the instruction it answers (default: «{DEFAULT_CHECK_INSTRUCTION}»); it "
                   "helps detect the document type.")
@click.option("--input", "input_text", default="", metavar="TEXT",
              help="For a text file: the facts given with the instruction (the echo rule compares them).")
@click.option("--line", type=int, default=None, metavar="N", help="For a .jsonl file: only the record on line N.")
@click.option("--tokenizer", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Model or tokenizer folder; enables token-length rules (LF404).")
@click.option("--show-text", is_flag=True, help="Also print the text as the rules saw it (after the normalisers).")
def check_rules(path: Path, rule_set: str, rules_dirs: tuple[Path, ...], instruction: str | None, input_text: str,
                line: int | None, tokenizer: Path | None, show_text: bool) -> None:
    """Run a rule set on one document and say why it would be kept or rejected.

    \b
    PATH is a text file with one document (UTF-8, Windows-1251 or UTF-16 with a BOM), `-` for stdin, or a
    .jsonl dataset: then every record gets a line, or one record (--line N) the full account. Duplicates are
    not looked for: that needs the whole dataset (`legalft clean`).
    \b
    Examples:
      legalft rules check claim.txt --rules strict
      legalft rules check claim.txt --rules strict --rules-dir my_rules --show-text
      legalft rules check datasets/merged_training_dataset.jsonl --line 42
    """
    from legal_ft.cleaning.engine import load_engine

    engine = load_engine(rule_set, rules_dirs, str(tokenizer) if tokenizer else None)
    if path.suffix.lower() == ".jsonl":
        _check_jsonl(engine, path, line, show_text)
        return
    if line is not None:
        raise click.BadParameter("--line applies to a .jsonl file only", param_hint="--line")
    from legal_ft.records import Record

    text, source = _read_document(path)
    record = Record(instruction or DEFAULT_CHECK_INSTRUCTION, input_text, text)
    _explain(engine, record, source, show_text)


def _read_document(path: Path) -> tuple[str, str]:
    from legal_ft.io.text import read_piped_text, read_text_file

    if str(path) == "-":
        return read_piped_text("document", "pass a file, or pipe one: legalft rules check - < claim.txt"), "stdin"
    return read_text_file(path, "file", "check the path"), str(path)


def _check_jsonl(engine, path: Path, line: int | None, show_text: bool) -> None:
    from collections import Counter

    from legal_ft.console import console
    from legal_ft.errors import InputError
    from legal_ft.io import BadLine, iter_records

    out = console()
    verdicts: Counter = Counter()
    found = False
    for index, item in enumerate(iter_records(path)):
        number = item.line if isinstance(item, BadLine) else item.provenance.line if item.provenance else index + 1
        if line is not None and number != line:
            continue
        found = True
        if isinstance(item, BadLine):
            verdicts["malformed"] += 1
            out.print(f"line {number}: malformed — {item.reason}", markup=False)
        elif line is not None:
            _explain(engine, item, f"{path}:{number}", show_text)
        else:
            outcome = engine.process(index, item)
            verdicts["kept" if outcome.passed else "rejected"] += 1
            codes = ", ".join(dict.fromkeys(f"{f.code} {f.reason}" for f in outcome.findings))
            out.print(f"line {number}: {outcome.doc_type or 'unknown'} — "
                      + (f"rejected: {codes}" if codes else "kept"), markup=False)
        if line is not None:
            break
    if line is not None and not found:
        raise InputError(f"{path} has no line {line}", "line numbers start at 1; see the file's length")
    if line is None:
        out.print(", ".join(f"{n} {v}" for v, n in verdicts.items()) + " (without dedup: see `legalft clean`)",
                  markup=False)


def _explain(engine, record, source: str, show_text: bool) -> None:
    """The full account for one record: type, what the normalisers changed, every finding, the verdict."""
    from rich.table import Table

    from legal_ft.console import console

    out = console()
    outcome = engine.process(0, record)
    out.print(f"{source}: {len(record.output)} characters, document type {outcome.doc_type or 'unknown'}, "
              f"rule set '{engine.rule_set.name}' ({len(engine.rules)} rules)", markup=False)
    changed = ", ".join(outcome.normalised) if outcome.normalised else "nothing"
    out.print(f"normalisers changed: {changed}", markup=False)
    if outcome.findings:
        table = Table(title=f"{len(outcome.findings)} finding(s)", title_justify="left")
        for col in ("code", "rule", "reason", "message"):
            table.add_column(col, overflow="fold")
        for f in outcome.findings:
            table.add_row(f.code, f.rule, f.reason, f.message)
        out.print(table)
    if show_text:
        out.print("--- text as the rules saw it ---", markup=False)
        out.print(outcome.record.output, markup=False, highlight=False)
        out.print("--- end ---", markup=False)
    verdict = ("REJECTED: " + ", ".join(dict.fromkeys(f.code for f in outcome.findings))) if outcome.findings \
        else "KEPT (duplicates aside)"
    out.print(verdict, markup=False)
