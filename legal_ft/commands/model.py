"""`legalft model tiny`: build the tiny offline Qwen3 model used by the demo and the tests."""

from __future__ import annotations

from pathlib import Path

import click

from legal_ft.console import say


@click.group("model")
def model() -> None:
    """Build or inspect local models (nothing is downloaded)."""


@model.command("tiny")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the model folder to (replaced if it exists).",
)
@click.option(
    "--corpus",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="JSONL records to train the tokenizer on (default: the built-in sample corpus).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the random weights.")
def tiny(out_dir: Path, corpus: Path | None, seed: int) -> None:
    """Build a tiny Qwen3 model (random weights, BPE tokenizer, Qwen3 chat template) in a few seconds.

    The folder has the layout of a real Hugging Face model (config.json, model.safetensors, tokenizer.json,
    tokenizer_config.json with the chat template), so `legalft fit --model DIR` treats it like QVikhr-3-4B.

    Example: legalft model tiny --out models/tiny-qwen3
    """
    from legal_ft.modeling.tiny import build_tiny_model, texts_from_jsonl

    texts = texts_from_jsonl(corpus) if corpus is not None else None
    say(f"building tiny Qwen3 model in {out_dir} …")
    path = build_tiny_model(out_dir, texts=texts, seed=seed)
    click.echo(f"tiny model written to {path}")
