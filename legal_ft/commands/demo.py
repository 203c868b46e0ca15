"""`legalft demo`: sample → merge → clean → tiny model → fit → eval in one folder, with a summary."""

from __future__ import annotations

from pathlib import Path

import click

from legal_ft.console import console, is_quiet, say


@click.command("demo")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("legalft_demo"),
              show_default=True, help="Folder for everything the demo writes (new, empty, or an earlier demo's).")
@click.option("-n", "--records", type=click.IntRange(min=20), default=300, show_default=True,
              help="Records in the sample corpus.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the corpus, the split and the model.")
@click.option("--pretrain-steps", type=click.IntRange(min=0), default=500, show_default=True,
              help="Pretraining steps of the tiny base on the training texts (0: random weights, nothing learned).")
@click.option("--fit-steps", type=click.IntRange(min=1), default=60, show_default=True,
              help="Optimizer steps of the short LoRA fit.")
@click.option("--eval-limit", type=click.IntRange(min=1), default=16, show_default=True,
              help="Held-out inputs to generate for in the eval step.")
@click.option("--eval-max-new-tokens", type=click.IntRange(min=1), default=1024, show_default=True,
              help="Length limit of each generated document in the eval step.")
@click.pass_context
def demo(ctx: click.Context, workdir: Path, records: int, seed: int, pretrain_steps: int, fit_steps: int,
         eval_limit: int, eval_max_new_tokens: int) -> None:
    """Run the whole pipeline on a generated sample corpus with a tiny offline model — no GPU, no downloads.

    Each step is the real command, so you can rerun any of them by hand on your data: `-v` prints them as they
    run, and demo_summary.json lists them.

    \b
    Example:
      legalft demo --workdir legalft_demo
    """
    from legal_ft.demo import DemoOptions, run_demo

    options = DemoOptions(workdir=workdir, records=records, seed=seed, pretrain_steps=pretrain_steps,
                          fit_steps=fit_steps, eval_limit=eval_limit,
                          eval_max_new_tokens=eval_max_new_tokens,
                          debug=bool((ctx.find_root().obj or {}).get("debug")))
    say(f"legalft demo in {workdir}")
    def announce(index: int, total: int, name: str, args: list[str]) -> None:
        say(f"[{index}/{total}] {name} …")
        say("  $ legalft " + " ".join(args), level=1)

    result = run_demo(options, on_step=announce)
    if not is_quiet():
        from rich.table import Table

        table = Table(title=f"legalft demo — {workdir}", title_justify="left", show_lines=True)
        table.add_column("step", no_wrap=True)
        table.add_column("s", justify="right", no_wrap=True)
        table.add_column("what it did → files", overflow="fold")
        for index, step in enumerate(result.steps, start=1):
            files = "\n".join(f"→ {_relative(p, workdir)}" for p in step.files)
            table.add_row(f"{index}. {step.name}", f"{step.seconds:.1f}", f"{step.outcome}\n{files}")
        table.add_row("total", f"{result.seconds:.1f}", f"legalft demo, {options.records} sample records")
        console().print(table)
        facts = workdir / "facts_example.txt"
        say(f"next: read {workdir / 'eval' / 'eval_report.md'}, or write a document with the adapter:")
        say(f"  legalft generate --model {workdir / 'models' / 'tiny-qwen3'} "
            f"--adapter {workdir / 'models' / 'legal_model_lora'} --facts {facts if facts.is_file() else 'FACTS.txt'}")
    click.echo(f"demo finished in {result.seconds:.0f} s; everything is in {workdir} (summary: demo_summary.json)")


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root)) + ("/" if path.is_dir() else "")
    except ValueError:
        return str(path)
