"""`legalft eval`: score documents generated for held-out inputs with the cleaning rules; write a report."""

from __future__ import annotations

from pathlib import Path

import click

from legal_ft.console import say
from legal_ft.errors import LegalFtError


class BelowThreshold(LegalFtError):
    """The judged model's pass rate is under --fail-under (exit code 1, one line)."""


@click.command("eval")
@click.option("--model", "model_dir", required=True, type=click.Path(path_type=Path), help="Base model folder.")
@click.option("--adapter", "adapter_dir", type=click.Path(path_type=Path),
              help="LoRA adapter folder (omit to evaluate the base model alone).")
@click.option("--data", type=click.Path(path_type=Path), default=Path("datasets/clean_eval_dataset.jsonl"),
              show_default=True, help="Held-out records (JSONL): the eval split `legalft clean` writes.")
@click.option("--rules", default="strict", show_default=True, help="Rule set name or .toml path to score with.")
@click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
              help="Extra folder of rule plugins (*.py), as for `legalft clean`; repeatable.")
@click.option("--limit", type=click.IntRange(min=1), help="Evaluate only the first N valid records.")
@click.option("--batch-size", default=4, show_default=True, type=click.IntRange(min=1))
@click.option("--max-new-tokens", default=1024, show_default=True, type=click.IntRange(min=1),
              help="Length limit of each generated document (a document cut here fails LF403 truncated).")
@click.option("--out", "out_dir", default=Path("eval"), show_default=True, type=click.Path(path_type=Path),
              help="Folder for eval_report.json / .md, the chart and generations.jsonl.")
@click.option("--fail-under", type=click.FloatRange(0.0, 1.0),
              help="Exit with code 1 when the adapter's pass rate (0..1) is below this.")
@click.option("--load-in", "load_in", type=click.Choice(["4bit", "8bit"]), default=None,
              help="Load the base model quantized (bitsandbytes, CUDA only) to fit an 8-10 GB card.")
@click.option("--allow-pickle", is_flag=True, help="Allow pickled .bin weights (they can run code when loaded).")
def eval_cmd(
    model_dir: Path,
    adapter_dir: Path | None,
    data: Path,
    rules: str,
    rules_dirs: tuple[Path, ...],
    limit: int | None,
    batch_size: int,
    max_new_tokens: int,
    out_dir: Path,
    fail_under: float | None,
    load_in: str | None,
    allow_pickle: bool,
) -> None:
    """Generate a document for each held-out input — with the base model and with the adapter — and score each
    with the cleaning rules, next to the reference outputs. Also: loss / perplexity on the references, repeated
    n-grams, and the parts-in-order check.

    \b
    Example:
      legalft eval --model models/QVikhr-3-4B --adapter models/legal_model_lora \\
          --data datasets/clean_eval_dataset.jsonl --rules strict --fail-under 0.8
    """
    from legal_ft.console import console
    from legal_ft.evaluation import EvalOptions, run_eval

    options = EvalOptions(
        model_dir=model_dir, data=data, adapter_dir=adapter_dir, rules=rules, limit=limit, batch_size=batch_size,
        max_new_tokens=max_new_tokens, out_dir=out_dir, allow_pickle=allow_pickle, rules_dirs=rules_dirs,
        quantization=load_in,
    )
    result = run_eval(options)
    _print_summary(result.report, console())
    say(f"report: {result.paths['markdown']} (chart {result.paths['chart'].name}); "
        f"documents: {result.paths['generations']}")
    rate = result.judged_pass_rate
    label = "adapter" if result.judged_system == "adapter" else "base model"
    if fail_under is not None and rate < fail_under:
        raise BelowThreshold(
            f"the {label}'s pass rate {rate:.1%} is below --fail-under {fail_under:.1%}",
            f"see {result.paths['markdown']} for the rules it fails",
        )
    click.echo(_result_line(result.report, label, rate, out_dir))


def _result_line(report: dict, label: str, rate: float, out_dir: Path) -> str:
    """One line: the judged pass rate, the others beside it, and the loss change the adapter made."""
    systems = report["systems"]
    others = [f"{name} {systems[key]['scores']['pass_rate']:.0%}"
              for key, name in (("base", "base"), ("reference", "references")) if key in systems and key != (
                  "adapter" if label == "adapter" else "base")]
    line = f"{label} pass rate {rate:.1%} on {report['records']} documents ({', '.join(others)})"
    if "adapter" in systems and systems["base"].get("loss") and systems["adapter"].get("loss"):
        line += f"; eval loss {systems['base']['loss']['loss']:.3f} → {systems['adapter']['loss']['loss']:.3f}"
    return f"{line}; report in {out_dir}"


def _print_summary(report: dict, out) -> None:
    from rich.table import Table

    from legal_ft.console import is_quiet
    from legal_ft.evaluation.report import SYSTEM_LABELS, fmt_num, fmt_pct

    if is_quiet():
        return
    systems = [s for s in ("base", "adapter", "reference") if s in report["systems"]]
    table = Table(title=f"eval — {report['records']} inputs, {report['rule_set']} rules")
    table.add_column("")
    for s in systems:
        table.add_column(SYSTEM_LABELS[s], justify="right")
    rows = [
        ("pass rate", lambda b: fmt_pct(b["scores"]["pass_rate"])),
        ("parts present, in order", lambda b: fmt_pct(b["scores"]["parts_in_order"])),
        ("eval loss", lambda b: fmt_num((b.get("loss") or {}).get("loss"))),
        ("perplexity", lambda b: fmt_num((b.get("loss") or {}).get("perplexity"), 2)),
        (f"repeated {report['repetition_n']}-grams", lambda b: fmt_pct(b["repetition"]["repeated"])),
    ]
    for label, fn in rows:
        table.add_row(label, *(fn(report["systems"][s]) for s in systems))
    out.print(table)
