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
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the random weights and pretraining.")
@click.option(
    "--pretrain-steps",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Full-parameter pretraining steps on the corpus (8 blocks of 256 tokens each), so the base writes Russian "
    "legal text before any LoRA fit; 0 keeps the random weights. 500 steps take about half a minute on a CPU.",
)
@click.option(
    "--pretrain-format",
    type=click.Choice(["chat", "text"]),
    default="chat",
    show_default=True,
    help="chat: each record as prompt and answer in the model's chat template (as `legalft fit` renders it); "
    "text: the raw instruction, input and output texts.",
)
def tiny(out_dir: Path, corpus: Path | None, seed: int, pretrain_steps: int, pretrain_format: str) -> None:
    """Build a tiny Qwen3 model (random weights, BPE tokenizer, Qwen3 chat template) in a few seconds.

    The folder has the layout of a real Hugging Face model (config.json, model.safetensors, tokenizer.json,
    tokenizer_config.json with the chat template), so `legalft fit --model DIR` treats it like QVikhr-3-4B.
    With --pretrain-steps every weight is first trained on the corpus (next-token prediction): the base then
    knows the language, and a LoRA fit has something to build on.

    \b
    Examples:
      legalft model tiny --out models/tiny-qwen3
      legalft model tiny --out models/tiny-qwen3 --corpus datasets/clean_training_dataset.jsonl --pretrain-steps 500
    """
    from legal_ft.modeling.tiny import (
        build_tiny_model,
        default_texts,
        examples_from_jsonl,
    )

    examples = examples_from_jsonl(corpus) if corpus is not None else None
    texts = None
    if pretrain_format == "text":  # the raw texts, no template: pretraining reads them as they are
        texts = default_texts(seed=seed) if examples is None else [t for example in examples for t in example]
        examples = None
    say(f"building tiny Qwen3 model in {out_dir} …")
    losses: list[float] = []
    report_every = max(1, pretrain_steps // 10)

    def progress(step: int, steps: int, loss: float) -> None:
        losses.append(loss)
        if step % report_every == 0 or step == steps:
            say(f"  pretraining step {step}/{steps}: loss {loss:.3f}")

    path = build_tiny_model(
        out_dir, texts=texts, seed=seed, pretrain_steps=pretrain_steps, examples=examples, on_pretrain_step=progress
    )
    pretrained = (
        f" (pretrained {pretrain_steps} steps, {pretrain_format} format, loss {losses[0]:.2f} → {losses[-1]:.2f})"
        if losses
        else ""
    )
    click.echo(f"tiny model written to {path}{pretrained}")
