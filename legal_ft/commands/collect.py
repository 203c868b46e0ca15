"""`legalft collect`: append records from a JSONL file or stdin to the collection, as the GUI does."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from legal_ft.console import is_quiet, say, warn
from legal_ft.errors import InputError

MAX_BAD_LINES_SHOWN = 20


@click.command("collect")
@click.argument("source", default="-", metavar="[FILE|-]")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Project folder: records go to ROOT/datasets/hybrid_generated/dataset_<today>.jsonl.")
def collect(source: str, root: Path) -> None:
    """Append records from FILE (or stdin, '-') to today's collection file.

    Each line must be a record in the seed's format ({"instruction", "input", "output", "metadata"}); UTF-8, BOM,
    Windows-1251, UTF-16 with a BOM and CRLF input are all fine. Invalid lines (and records with an empty output) are reported as
    file:line: reason and skipped; each valid one is appended as one locked, fsynced line, safe alongside a
    running GUI.

    \b
    Examples:
      legalft collect exported.jsonl --root C:/legal_assistant
      type results.jsonl | legalft collect - --root C:/legal_assistant
    """
    from legal_ft.collect import DatasetCollector
    from legal_ft.io import BadLine, ensure_not_input, iter_records, iter_records_from_stream
    from legal_ft.records import RecordError

    collector = DatasetCollector(root)
    if source == "-":
        stdin = sys.stdin
        if stdin is None or stdin.isatty():
            raise InputError("no input: stdin is a terminal",
                             "pass a FILE, or pipe records: legalft collect - < file.jsonl")
        items = iter_records_from_stream(getattr(stdin, "buffer", stdin), "<stdin>")
    else:
        path = Path(source)
        # Appending to the file being read would never end (and would modify an input).
        ensure_not_input([collector.path_for(collector.clock())], [path])
        items = iter_records(path)

    appended: Counter[str] = Counter()
    bad = 0
    quiet = is_quiet()

    def report(label: str) -> None:
        nonlocal bad
        bad += 1
        if bad <= MAX_BAD_LINES_SHOWN and not quiet:
            warn(label)

    for item in items:
        if isinstance(item, BadLine):
            report(item.label())
            continue
        try:
            where = collector.add(item.instruction, item.input, item.output, item.metadata, extra=item.extra)
        except RecordError as exc:
            report(f"{item.where()}: {exc}")
            continue
        appended[where.file] += 1
    if bad > MAX_BAD_LINES_SHOWN and not quiet:
        warn(f"… and {bad - MAX_BAD_LINES_SHOWN} more invalid lines")
    total = sum(appended.values())
    files = ", ".join(f"{f} (+{n})" for f, n in sorted(appended.items())) or "nothing"
    line = f"appended {total} records to {files}; {bad} invalid lines skipped"
    if total == 0 and bad:
        raise InputError(f"no valid records in {'stdin' if source == '-' else source} ({bad} invalid lines)",
                         "the lines above say what is wrong with them")
    if quiet:
        click.echo(line)
    else:
        say(line)
