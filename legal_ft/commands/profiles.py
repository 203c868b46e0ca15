"""`legalft profiles`: each GPU profile with its peak-memory estimate for the model."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("profiles")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Local model directory whose config.json sizes the estimate (default: Qwen3-4B / QVikhr-3-4B).",
)
@click.option(
    "--max-length",
    type=click.IntRange(16),
    default=None,
    help="Tokens per sequence for the estimate (default: the profile's / config's max_length).",
)
def profiles(model_dir: Path | None, max_length: int | None) -> None:
    """List GPU profiles with an estimate of peak GPU memory and whether it fits the card.

    The estimate adds base weights at the profile's precision, LoRA weights + gradients + Adam states,
    checkpointed activations, chunked logits and CUDA overhead (see legal_ft/training/memory.py).

    Example: legalft profiles --model models/QVikhr-3-4B --max-length 2048
    """
    from rich.table import Table

    from legal_ft.console import console
    from legal_ft.training.memory import QWEN3_4B, ModelShape
    from legal_ft.training.profiles import (
        available_profiles,
        cuda_memory_gib,
        estimate_for,
        load_profile,
        pick_auto,
    )

    shape, model_name = QWEN3_4B, "Qwen3-4B (QVikhr-3-4B)"
    if model_dir is not None:
        from legal_ft.modeling.loading import inspect_model_dir

        checked = inspect_model_dir(model_dir)
        shape, model_name = ModelShape.from_config(checked.config), str(checked.path)
    params = shape.total_params
    size = f"{params / 1e9:.2f}B" if params >= 1e9 else f"{params / 1e6:.1f}M"
    table = Table(title=f"GPU profiles for {model_name} ({size} parameters); memory in GiB", padding=(0, 1))
    for col in ("profile", "card GB", "base", "batch", "tokens", "weights", "LoRA", "activ.", "logits", "peak", "fits"):
        table.add_column(col, justify="left" if col in ("profile", "base") else "right", no_wrap=True)
    card = cuda_memory_gib()
    for name in available_profiles():
        profile = load_profile(name)
        note = ""
        if profile.is_auto:
            try:
                chosen = pick_auto(profile, card, shape, max_length)
            except Exception as exc:  # noqa: BLE001 - shown in the table, not fatal for a listing
                table.add_row(name, "-", "-", "-", "-", "-", "-", "-", "-", "-", f"no: {getattr(exc, 'message', exc)}")
                continue
            note = f" → {chosen.name}"
            profile = chosen
        a = profile.settings
        batch = a.get(("training_args", "per_device_train_batch_size"), 1)
        accum = a.get(("training_args", "gradient_accumulation_steps"), 8)
        length = max_length or a.get(("data_config", "max_length"), 2048)
        est = estimate_for(profile, shape, max_length=max_length)
        base = profile.quantization or ("fp32" if profile.device == "cpu" else "fp16")
        fits = est.fits(profile.memory_gib)
        fit_text = "-" if fits is None else ("yes" if fits else "no")
        gib = lambda b: f"{b / 1024**3:.2f}"
        table.add_row(
            name + note,
            "-" if profile.memory_gib is None else f"{profile.memory_gib:g}",
            base,
            f"{batch}×{accum}",
            str(length),
            gib(est.weights),
            gib(est.lora_states),
            gib(est.activations),
            gib(est.logits),
            gib(est.total),
            fit_text,
        )
    from rich.console import Console

    base = console()
    # A table cut to 80 columns (rich's default for a pipe) is unreadable; render it at least 112 wide.
    Console(file=base.file, width=max(base.width, 112), highlight=False).print(table)
    if card is not None:
        console().print(f"this machine's GPU: {card:.1f} GiB")
    else:
        console().print("this machine has no CUDA GPU: 'auto' picks the cpu profile")
