"""`legalft config init`: write datasets/lora_training_config.json adjusted to the dataset."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("config")
def config() -> None:
    """Training configuration files (the seed's lora_training_config.json format)."""


@config.command("init")
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Local model directory; its tokenizer measures the records.",
)
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=Path("datasets/clean_training_dataset.jsonl"),
    show_default=True,
    help="Cleaned training records (JSONL).",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("datasets/lora_training_config.json"),
    show_default=True,
    help="Config file to write.",
)
@click.option(
    "--gpu-profile",
    default=None,
    help="Also pin this profile's batch/accumulation/precision in the file (default: leave them to "
    "--gpu-profile at fit time).",
)
@click.option(
    "--percentile",
    type=click.FloatRange(50, 100),
    default=98.0,
    show_default=True,
    help="max_length covers this percentile of the records' token lengths.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(model_dir: Path, data: Path, out_path: Path, gpu_profile: str | None, percentile: float, force: bool) -> None:
    """Write the shipped LoRA config with max_length set from the dataset's token lengths.

    Example: legalft config init --model models/QVikhr-3-4B
    """
    from legal_ft.console import say
    from legal_ft.errors import InputError
    from legal_ft.training.config_init import build_config_for_dataset

    if out_path.exists() and not force:
        raise InputError(f"{out_path} already exists", "pass --force to overwrite it")
    result = build_config_for_dataset(model_dir, data, percentile=percentile, gpu_profile=gpu_profile)
    from legal_ft.io.atomic import ensure_not_input, write_text_atomic

    ensure_not_input([out_path], [data])
    write_text_atomic(out_path, result.text)
    say(
        f"token lengths of {result.records} records: median {result.median}, p{percentile:g} {result.at_percentile}, "
        f"max {result.longest}"
    )
    click.echo(f"config written to {out_path} (max_length {result.max_length})")
