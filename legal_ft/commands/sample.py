"""`legalft sample`: write a realistic raw corpus with labelled defects (for the demo, tests and benchmarks)."""

from __future__ import annotations

from pathlib import Path

import click

from legal_ft.console import console, is_quiet, say


@click.command("sample")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("datasets/hybrid_generated"), show_default=True,
              help="Folder to write dataset_YYYYMMDD.jsonl files into.")
@click.option("-n", "--records", "n", type=click.IntRange(min=1), default=500, show_default=True,
              help="Number of records (malformed lines come on top).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same files.")
@click.option("--defect-rate", type=click.FloatRange(0.0, 1.0), default=0.35, show_default=True,
              help="Share of defective records (0 = only good documents).")
@click.option("--malformed-rate", type=click.FloatRange(0.0, 1.0), default=0.01, show_default=True,
              help="Malformed lines per record (at least one of each kind unless 0).")
@click.option("--force", is_flag=True, help="Overwrite dataset files of the same names in --out.")
def sample(out_dir: Path, n: int, seed: int, defect_rate: float, malformed_rate: float, force: bool) -> None:
    """Generate N raw records as the assistant's GUI saves them, deterministically for --seed.

    Good documents of seven types (claims, arbitrazh claims, претензии, appeals, отзывы, ходатайства, court-order
    applications) and defective ones (off-topic, missing parts, bad citations, chatter, markdown, truncation,
    mojibake, duplicates…), each labelled in metadata.sample = {doc_type, defect, expect}. One file is cp1251 with
    CRLF, one has a BOM, one is ASCII-escaped, and malformed lines are mixed in, as real collections have.

    \b
    Example:
      legalft sample --out datasets/hybrid_generated -n 2000 --seed 1
    """
    from legal_ft.sample import write_sample

    summary = write_sample(out_dir, n, seed, defect_rate=defect_rate, malformed_rate=malformed_rate, overwrite=force)
    line = (f"wrote {summary.records} records + {summary.malformed_total} malformed lines to {len(summary.files)} "
            f"files in {out_dir} (expect keep {summary.expect['keep']}, reject {summary.expect['reject']})")
    if is_quiet():
        click.echo(line)
        return
    from rich.table import Table

    table = Table(title="Sample corpus", title_justify="left")
    for col in ("file", "encoding", "line ends", "records", "malformed"):
        table.add_column(col, justify="right" if col in ("records", "malformed") else "left")
    for f in summary.files:
        encoding = f.encoding + (" (ASCII-escaped)" if f.ascii_escaped else "")
        table.add_row(f.path.name, encoding, "CRLF" if f.newline == "\r\n" else "LF", str(f.records), str(f.malformed))
    console().print(table)
    defects = ", ".join(f"{name} {count}" for name, count in sorted(summary.defects.items()) if name != "none")
    say(f"defects: {defects or 'none'}")
    say(line)
