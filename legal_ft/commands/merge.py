"""`legalft merge`: the seed's step 2 (src/merge_datasets.py), with counts, statistics and advice."""

from __future__ import annotations

from pathlib import Path

import click

from legal_ft.console import console, is_quiet, say, warn
from legal_ft.merge import DEFAULT_CONFIG_OUT, DEFAULT_INPUT_DIR, DEFAULT_OUT, DEFAULT_PATTERN, DEFAULT_REJECTS

MAX_BAD_LINES_SHOWN = 20


@click.command("merge")
@click.option("--input-dir", type=click.Path(path_type=Path), default=DEFAULT_INPUT_DIR, show_default=True,
              help="Folder with the GUI's daily files.")
@click.option("--pattern", default=DEFAULT_PATTERN, show_default=True, help="Glob of the files to merge.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="The merged training file (JSONL).")
@click.option("--config-out", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_CONFIG_OUT,
              show_default=True, help="Statistics and suggested training settings (JSON).")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_REJECTS,
              show_default=True, help="Malformed lines (untouched) and dropped duplicates, with reasons.")
@click.option("--tokenizer", type=click.Path(path_type=Path), default=None,
              help="Folder with tokenizer.json for exact token counts [default: estimate, 3.2 chars per token].")
def merge(input_dir: Path, pattern: str, out: Path, config_out: Path, rejects: Path, tokenizer: Path | None) -> None:
    """Merge the collected dataset_*.jsonl files into one training file.

    Files are read in name order; UTF-8 (with or without BOM), Windows-1251, UTF-16 with a BOM and CRLF files are
    all fine. Lines that are not valid records are reported as file:line: reason, kept untouched in --rejects,
    and skipped. Exact duplicates (same output after whitespace folding) are dropped. Writes --out, and
    --config-out with the dataset's statistics and the guide's advice (at least 1,000 examples, 3–5 epochs, a
    max_length).

    \b
    Examples:
      legalft merge
      legalft merge --input-dir D:/gui/datasets/hybrid_generated --tokenizer models/QVikhr-3-4B
      legalft -q merge --out datasets/merged.jsonl
    """
    from legal_ft.merge import MergeOptions, merge_datasets

    shown = 0

    quiet = is_quiet()

    def report_bad_line(bad) -> None:
        nonlocal shown
        shown += 1
        if shown <= MAX_BAD_LINES_SHOWN and not quiet:
            warn(bad.label())

    options = MergeOptions(input_dir, pattern, out, config_out, rejects, tokenizer)
    result = merge_datasets(options, on_bad_line=report_bad_line)
    warnings = result.advice["warnings"]
    if quiet:  # one line; the details are in the rejects file and training_config.json
        extra = f"; {len(warnings)} warning(s) in {config_out}" if warnings else ""
        click.echo(result.one_line() + extra)
        return
    if shown > MAX_BAD_LINES_SHOWN:
        warn(f"… and {shown - MAX_BAD_LINES_SHOWN} more malformed lines, all kept in {rejects}")
    for message in warnings:
        warn(message)
    _print_tables(result)
    say(result.one_line())


def _print_tables(result) -> None:
    from rich.table import Table

    files = Table(title=f"Input files in {result.options.input_dir}", title_justify="left")
    for col in ("file", "encoding", "records", "malformed", "duplicates", "kept"):
        files.add_column(col, justify="left" if col in ("file", "encoding") else "right")
    for f in result.files:
        files.add_row(Path(f.file).name, f.encoding, str(f.records), str(f.bad_lines), str(f.duplicates),
                      str(f.written))
    files.add_row("total", "", str(result.records_read), str(result.bad_lines), str(result.duplicates),
                  str(result.written), style="bold")
    console().print(files)

    stats, advice = result.statistics, result.advice
    summary = Table(title="Merged dataset", title_justify="left", show_header=False)
    summary.add_column("what")
    summary.add_column("value")
    if stats["doc_types"]:
        summary.add_row("document types", ", ".join(f"{k} {v}" for k, v in stats["doc_types"].items()))
    summary.add_row("providers / modes", ", ".join(f"{k} {v}" for k, v in stats["provider_mode"].items()))
    out_chars = stats["chars"]["output"]
    summary.add_row("output chars", f"p50 {out_chars['p50']}, p90 {out_chars['p90']}, p95 {out_chars['p95']}, "
                                    f"max {out_chars['max']}")
    tokens = stats["tokens"]
    summary.add_row("tokens per example", f"p50 {tokens['p50']}, p95 {tokens['p95']}, max {tokens['max']} "
                                          f"({tokens['method']})")
    summary.add_row("suggested", f"num_train_epochs {advice['num_train_epochs']}, max_length {advice['max_length']} "
                                 f"(covers {advice['max_length_covers'] * 100:.1f} %)")
    summary.add_row("enough examples", "yes" if advice["enough_examples"] else f"no (< {advice['min_examples']})")
    console().print(summary)
