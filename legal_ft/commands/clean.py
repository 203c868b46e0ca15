"""`legalft clean`: turn the merged dataset into a clean training set, an eval split and a rejects file."""

from __future__ import annotations

from pathlib import Path

import click


def _parse_workers(ctx: click.Context, param: click.Parameter, value: str | int) -> int | None:
    """None stands for auto (decided once the input's size is known)."""
    if isinstance(value, int) or str(value).strip().lower() != "auto":
        try:
            number = int(value)
        except ValueError:
            raise click.BadParameter(f"expected a number or 'auto', got {value!r}") from None
        if number < 1:
            raise click.BadParameter(f"must be at least 1, got {number}")
        return number
    return None


@click.command("clean")
@click.option("--input", "input_path", type=click.Path(path_type=Path),
              default=Path("datasets/merged_training_dataset.jsonl"), show_default=True,
              help="The merged dataset (JSONL).")
@click.option("--rules", default="default", show_default=True, metavar="NAME|PATH",
              help="Rule set: default, strict, lenient, or the path of a .toml file.")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
              help="Extra folder of rule plugins (*.py); repeatable.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("datasets/clean_training_dataset.jsonl"),
              show_default=True, help="The clean training set.")
@click.option("--eval-out", type=click.Path(path_type=Path), default=Path("datasets/clean_eval_dataset.jsonl"),
              show_default=True, help="The held-out eval split.")
@click.option("--rejected", type=click.Path(path_type=Path), default=Path("datasets/rejected.jsonl"),
              show_default=True, help="Every dropped record with its provenance and findings.")
@click.option("--report", type=click.Path(path_type=Path), default=Path("datasets/clean_report.json"),
              show_default=True, help="Counts per rule, reason, document type and normaliser; timings.")
@click.option("--eval-fraction", type=float, default=None,
              help="Share of kept records held out for eval (default: the rule set's, 0.05).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split and instruction variety.")
@click.option("--no-diversify", is_flag=True, help="Keep the original instructions.")
@click.option("--workers", default="auto", show_default=True, metavar="N|auto", callback=_parse_workers,
              help="Processes that normalise and check; auto: one per core (up to 8) on inputs of 8 MB and more, "
                   "one process below. The output is the same for any count.")
@click.option("--tokenizer", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Model or tokenizer folder; enables token-length rules (LF404).")
@click.option("--stats", is_flag=True, help="Only measure and print what each rule measures; write nothing.")
def clean(input_path: Path, rules: str, rules_dirs: tuple[Path, ...], out: Path, eval_out: Path, rejected: Path,
          report: Path, eval_fraction: float | None, seed: int, no_diversify: bool, workers: int | None,
          tokenizer: Path | None, stats: bool) -> None:
    """Clean the merged dataset with a rule set.

    \b
    Normalises each record (encoding repair, whitespace, quotes, markdown, chatter), runs the rules, removes
    exact and near-duplicates, varies instructions per document type and splits off an eval set.
    \b
    Examples:
      legalft clean --rules strict
      legalft clean --rules lenient --rules-dir my_rules --workers 2
      legalft clean --stats            # look at the distributions before choosing thresholds
    """
    from legal_ft.cleaning.engine import EngineSpec
    from legal_ft.cleaning.pipeline import CleanOptions, auto_workers, run_clean, run_stats, show_progress_for
    from legal_ft.cleaning.report import print_summary
    from legal_ft.cleaning.stats import print_stats
    from legal_ft.console import is_quiet, say

    spec = EngineSpec(rules, tuple(str(d) for d in rules_dirs), str(tokenizer) if tokenizer else None)
    if workers is None:
        workers = auto_workers(input_path)
    if stats:
        measured, engine, bad = run_stats(input_path, spec, workers=workers, progress=show_progress_for(input_path))
        print_stats(measured, engine)
        if bad:
            say(f"{bad} malformed line(s) skipped")
        return
    opts = CleanOptions(input=input_path, out=out, eval_out=eval_out, rejected=rejected, report=report, spec=spec,
                        eval_fraction=eval_fraction, seed=seed, diversify=not no_diversify, workers=workers,
                        progress=show_progress_for(input_path))
    result = run_clean(opts)
    s = result.summary
    if not is_quiet():
        print_summary(s, title=f"legalft clean --rules {result.engine.rule_set.name}")
    if s.internal_errors:
        from legal_ft.console import warn

        warn(f"{s.internal_errors} record(s) rejected because a rule raised; see {rejected} (reason internal-error)")
    say(f"kept {s.kept} of {s.records + s.bad_lines} ({s.train} train → {out}, {s.eval} eval → {eval_out}); "
        f"rejected {s.rejected} → {rejected}; report → {report}", level=-1)
