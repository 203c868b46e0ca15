"""`legalft fit`: train a LoRA adapter on the cleaned dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from legal_ft.console import say


def _devices(value: str) -> int | str:
    return int(value) if value.isdigit() else value


@click.command("fit")
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Local Hugging Face model directory (e.g. models/QVikhr-3-4B). Nothing is downloaded.",
)
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=Path("datasets/clean_training_dataset.jsonl"),
    show_default=True,
    help="Cleaned training records (JSONL).",
)
@click.option(
    "--eval-data",
    type=click.Path(path_type=Path),
    default=None,
    help="Eval records (default: clean_eval_dataset.jsonl beside --data if present, else a deterministic split).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder for the adapter [default: training_args.output_dir = models/legal_model_lora].",
)
@click.option(
    "--gpu-profile",
    default="auto",
    show_default=True,
    help="rtx3070 | rtx3080 | rtx3090 | cpu | auto, or a profile file (see 'legalft profiles').",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Seed-format lora_training_config.json [default: datasets/lora_training_config.json if present, "
    "else the shipped defaults].",
)
@click.option("--epochs", type=float, default=None, help="training_args.num_train_epochs")
@click.option("--max-steps", type=int, default=None, help="training_args.max_steps (overrides --epochs)")
@click.option("--batch-size", type=click.IntRange(1), default=None, help="training_args.per_device_train_batch_size")
@click.option("--grad-accum", type=click.IntRange(1), default=None, help="training_args.gradient_accumulation_steps")
@click.option("--lr", type=float, default=None, help="training_args.learning_rate")
@click.option("--max-length", type=click.IntRange(16), default=None, help="data_config.max_length (tokens)")
@click.option("--lora-r", type=click.IntRange(1), default=None, help="lora_config.r")
@click.option("--lora-alpha", type=click.IntRange(1), default=None, help="lora_config.lora_alpha")
@click.option("--eval-steps", type=click.IntRange(1), default=None, help="training_args.eval_steps")
@click.option("--save-steps", type=click.IntRange(1), default=None, help="training_args.save_steps")
@click.option("--seed", type=int, default=None, help="training_args.seed")
@click.option(
    "--bf16",
    "precision",
    flag_value="bf16",
    default=None,
    help="bf16 mixed precision instead of fp16 (RTX 30xx and newer; no loss scaling needed).",
)
@click.option("--fp16", "precision", flag_value="fp16", help="fp16 mixed precision with a gradient scaler.")
@click.option("--fp32", "precision", flag_value="fp32", help="Full precision.")
@click.option("--stop-on-overfit", is_flag=True, help="Stop when eval loss keeps rising while train loss falls.")
@click.option("--resume", is_flag=True, help="Continue the interrupted run in --out from its last checkpoint.")
@click.option("--devices", default="1", show_default=True, help="GPUs (or CPU processes) per node.")
@click.option(
    "--strategy",
    type=click.Choice(["auto", "ddp", "fsdp", "deepspeed"]),
    default="auto",
    show_default=True,
    help="Lightning distribution strategy for more than one device.",
)
@click.option("--num-nodes", type=click.IntRange(1), default=1, show_default=True, help="Machines.")
@click.option("--trust-remote-code", is_flag=True, help="Allow Python code shipped inside the model folder to run.")
def fit(
    model_dir: Path,
    data: Path,
    eval_data: Path | None,
    out_dir: Path | None,
    gpu_profile: str,
    config_path: Path | None,
    precision: str | None,
    stop_on_overfit: bool,
    resume: bool,
    devices: str,
    strategy: str,
    num_nodes: int,
    trust_remote_code: bool,
    **flags: Any,
) -> None:
    """Train a LoRA adapter for a local model on the cleaned dataset.

    Settings come from the GPU profile, then the config file, then these flags (later wins); the resolved
    configuration is printed first and saved as training_config.json beside the adapter.

    Output (--out): adapter_config.json, adapter_model.safetensors, tokenizer files with the chat template,
    training_config.json, metrics.json, loss_curve.png, logs/metrics.csv, checkpoints/last.ckpt.

    Example: legalft fit --model models/QVikhr-3-4B --gpu-profile rtx3070
    """
    from legal_ft.training.config import default_config_path
    from legal_ft.training.fit import FitOptions, run_fit

    keys = {
        "epochs": ("training_args", "num_train_epochs"),
        "max_steps": ("training_args", "max_steps"),
        "batch_size": ("training_args", "per_device_train_batch_size"),
        "grad_accum": ("training_args", "gradient_accumulation_steps"),
        "lr": ("training_args", "learning_rate"),
        "max_length": ("data_config", "max_length"),
        "lora_r": ("lora_config", "r"),
        "lora_alpha": ("lora_config", "lora_alpha"),
        "eval_steps": ("training_args", "eval_steps"),
        "save_steps": ("training_args", "save_steps"),
        "seed": ("training_args", "seed"),
    }
    cli_settings: dict[tuple[str, str], Any] = {keys[k]: v for k, v in flags.items() if v is not None}
    if precision is not None:
        cli_settings[("training_args", "fp16")] = precision == "fp16"
        cli_settings[("training_args", "bf16")] = precision == "bf16"
    if config_path is None:
        config_path = default_config_path(data.parent if data.parent != Path("") else Path("datasets"))
        if config_path is None:
            config_path = default_config_path()
        if config_path is not None:
            say(f"config: {config_path}")
    options = FitOptions(
        model_dir=model_dir,
        data=data,
        out_dir=out_dir,
        eval_data=eval_data,
        gpu_profile=gpu_profile,
        config_path=config_path,
        cli_settings=cli_settings,
        resume=resume,
        devices=_devices(devices),
        strategy=strategy,
        num_nodes=num_nodes,
        stop_on_overfit=stop_on_overfit,
        trust_remote_code=trust_remote_code,
    )
    result = run_fit(options)
    if not result.metrics:
        return  # not the main process of a multi-process run
    m = result.metrics
    loss = m["best_eval_loss"] if m["best_eval_loss"] is not None else m["final_train_loss"]
    tps = m["tokens_per_s"]
    click.echo(
        f"adapter written to {result.out_dir} ({m['adapter_kept']}; {m['global_step']} steps, "
        f"loss {loss:.4f}" + (f", {tps:,.0f} tokens/s" if tps else "") + ")"
    )
