"""`legalft fit` as a library call: resolve the configuration, load, train with Lightning, write the adapter.

Order matters for the user: everything that can be wrong with their input (config keys, profile, data file, model
folder) is checked before the model is loaded, so a typo costs a second, not a model load.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legal_ft.console import is_quiet, say, warn
from legal_ft.errors import ConfigError, InputError, LegalFtError
from legal_ft.modeling.threads import is_tiny_on_cpu
from legal_ft.training.config import TrainingConfig, describe, resolve_config

CHECKPOINT_NAME = "last.ckpt"
STRATEGIES = ("auto", "ddp", "fsdp", "deepspeed")


class TrainingStopped(LegalFtError):
    """Ctrl-C / SIGTERM: the adapter so far is saved and the run can be resumed."""

    exit_code = 130


@dataclass
class FitOptions:
    model_dir: Path
    data: Path
    out_dir: Path | None = None
    eval_data: Path | None = None
    gpu_profile: str = "auto"
    config_path: Path | None = None
    cli_settings: dict[tuple[str, str], Any] = field(default_factory=dict)
    resume: bool | Path = False
    devices: int | str = 1
    strategy: str = "auto"
    num_nodes: int = 1
    stop_on_overfit: bool = False
    trust_remote_code: bool = False
    extra_callbacks: list[Any] = field(default_factory=list)  # for embedding and tests
    cache_dir: Path | None = None


@dataclass
class FitResult:
    out_dir: Path
    metrics: dict[str, Any]
    config: TrainingConfig
    model: Any = None  # the PEFT model in memory (for embedding and tests)


def _precision(device: str, args: Any) -> tuple[str, str]:
    """(Lightning precision, base weight dtype) for the device and the fp16/bf16 flags."""
    if device == "cpu":
        return "32-true", "float32"
    if args.bf16:
        return "bf16-mixed", "bfloat16"
    if args.fp16:
        return "16-mixed", "float16"
    return "32-true", "float32"


def _world_size(devices: int | str, num_nodes: int) -> int:
    if isinstance(devices, int):
        return max(devices, 1) * max(num_nodes, 1)
    if isinstance(devices, str) and devices.isdigit():
        return int(devices) * max(num_nodes, 1)
    return max(num_nodes, 1)


def _oom_hint(profile_name: str, smaller: str | None, config: TrainingConfig) -> str:
    a, d = config.training_args, config.data_config
    tips = []
    if smaller:
        tips.append(f"--gpu-profile {smaller}")
    if a.per_device_train_batch_size > 1:
        tips.append(
            f"--batch-size {a.per_device_train_batch_size // 2} --grad-accum {a.gradient_accumulation_steps * 2}"
        )
    if d.max_length > 512:
        tips.append(f"--max-length {d.max_length // 2}")
    if not a.gradient_checkpointing:
        tips.append("gradient_checkpointing: true")
    return "try " + (" or ".join(tips) if tips else "a card with more memory") + " (see 'legalft profiles')"


def _is_oom(exc: BaseException) -> bool:
    import torch

    return isinstance(exc, torch.cuda.OutOfMemoryError) or "CUDA out of memory" in str(exc)


def run_fit(options: FitOptions) -> FitResult:
    """Train and write the adapter; see `FitOptions`. Raises `LegalFtError` subclasses for the user's mistakes."""
    import torch

    threads = torch.get_num_threads()
    try:
        return _run_fit(options)
    finally:
        torch.set_num_threads(threads)  # _run_fit may switch a tiny model to one thread (modeling.threads)


def _run_fit(options: FitOptions) -> FitResult:
    import lightning as L
    import torch

    from legal_ft.modeling.loading import (
        inspect_model_dir,
        load_tokenizer,
    )
    from legal_ft.training.callbacks import (
        BestAdapter,
        GracefulInterrupt,
        OverfitDetector,
        StepCheckpoint,
        TrainingInterrupted,
    )
    from legal_ft.training.data import LegalDataModule
    from legal_ft.training.memory import ModelShape
    from legal_ft.training.module import LoraModule, warmup_steps_for
    from legal_ft.training.profiles import estimate_for, resolve_profile

    started = time.perf_counter()
    _quiet_libraries()
    model_info = inspect_model_dir(options.model_dir)
    shape = ModelShape.from_config(model_info.config)
    profile = resolve_profile(options.gpu_profile, shape)
    config = resolve_config(
        profile_settings=profile.settings,
        profile_name=profile.name,
        config_path=options.config_path,
        cli_settings=options.cli_settings,
    )
    a, lora_args, d = config.training_args, config.lora_config, config.data_config
    out_dir = Path(options.out_dir or a.output_dir)
    if options.strategy not in STRATEGIES:
        raise ConfigError(f"unknown strategy {options.strategy!r}", f"use one of: {', '.join(STRATEGIES)}")
    data_path = Path(options.data)
    eval_path = options.eval_data
    if eval_path is None and d.eval_file:
        eval_path = Path(d.eval_file)
    if eval_path is None:
        candidate = data_path.with_name("clean_eval_dataset.jsonl")
        eval_path = candidate if candidate.is_file() and candidate.resolve() != data_path.resolve() else None
    elif not Path(eval_path).is_file():
        raise InputError(f"eval data {eval_path} does not exist", "pass --eval-data PATH or leave it out")
    if not data_path.is_file():
        raise InputError(
            f"training data {data_path} does not exist",
            "run 'legalft clean' first, or pass --data PATH to a JSONL file of records",
        )
    if out_dir.resolve() == model_info.path.resolve():
        raise InputError(
            f"--out {out_dir} is the base model's folder; the adapter's tokenizer files would replace the model's",
            "choose another output folder, e.g. models/legal_model_lora",
        )

    device = profile.device
    quantization = profile.quantization
    if device == "cuda" and not torch.cuda.is_available():
        warn(
            f"no CUDA GPU: running profile {profile.name} on the CPU in full precision (fp32)"
            + (f", without {quantization} base weights (bitsandbytes k-bit needs CUDA)" if quantization else "")
        )
        device, quantization = "cpu", None
    if device == "cpu" and (a.fp16 or a.bf16):
        say("note: on the CPU training runs in full precision (fp32); fp16/bf16 mixed precision is for GPUs")
    precision, base_dtype = _precision(device, a)
    if options.strategy in ("fsdp", "deepspeed") and device != "cuda":
        raise ConfigError(f"--strategy {options.strategy} needs CUDA GPUs", "use --strategy ddp for CPU processes")
    if options.strategy == "deepspeed":
        import importlib.util

        if importlib.util.find_spec("deepspeed") is None:
            raise ConfigError("--strategy deepspeed needs the deepspeed package", "pip install deepspeed")
    if is_tiny_on_cpu(shape.hidden, device):
        torch.set_num_threads(1)  # restored by run_fit; see legal_ft.modeling.threads
    world = _world_size(options.devices, options.num_nodes)

    resume_ckpt: Path | None = None
    if options.resume:
        resume_ckpt = (
            Path(options.resume) if isinstance(options.resume, Path) else out_dir / "checkpoints" / CHECKPOINT_NAME
        )
        if not resume_ckpt.is_file():
            raise InputError(
                f"nothing to resume: {resume_ckpt} does not exist",
                "start without --resume (or point --out at the interrupted run's folder)",
            )

    existing = out_dir / "checkpoints" / CHECKPOINT_NAME
    if not options.resume and existing.is_file():
        say(f"note: {existing} from an earlier run will be replaced; add --resume to continue that run instead")

    # -- print the resolved configuration ---------------------------------------------------------------------
    say(f"profile: {profile.name} — {profile.description}")
    say(f"device: {device}, precision: {precision}, base weights: {quantization or base_dtype}, world size: {world}")
    if not is_quiet():
        width = max(len(k) for k, _, _ in describe(config))
        for key, value, source in describe(config):
            say(f"  {key:<{width}}  {value}" + ("" if source == "default" else f"   ({source})"))
    if device == "cuda":
        est = estimate_for(
            profile,
            shape,
            max_length=d.max_length,
            overrides={
                ("training_args", "per_device_train_batch_size"): a.per_device_train_batch_size,
                ("lora_config", "r"): lora_args.r,
                ("lora_config", "target_modules"): lora_args.target_modules,
            },
        )
        say(f"estimated peak GPU memory: {est.total_gib:.2f} GiB")

    # -- data ------------------------------------------------------------------------------------------------
    L.seed_everything(a.seed, workers=True, verbose=False)
    tokenizer = load_tokenizer(model_info.path, trust_remote_code=options.trust_remote_code)
    datamodule = LegalDataModule(
        tokenizer,
        data_path,
        eval_file=eval_path,
        max_length=d.max_length,
        batch_size=a.per_device_train_batch_size,
        eval_batch_size=a.per_device_eval_batch_size or a.per_device_train_batch_size,
        accumulation=a.gradient_accumulation_steps,
        seed=a.seed,
        eval_ratio=d.eval_ratio,
        group_by_length=a.group_by_length,
        num_proc=d.num_proc,
        num_workers=a.dataloader_num_workers,
        cache_dir=options.cache_dir,
        pad_to_multiple_of=8 if device == "cuda" else 1,
    )
    datamodule.prepare()
    stats = datamodule.stats
    say(
        f"data: {stats.train_records} training records ({stats.train_answer_tokens} answer tokens), "
        f"eval: {stats.eval_source or 'none'} ({stats.eval_records} records)"
    )
    if stats.bad_lines:
        warn(f"{stats.bad_lines} malformed lines in {data_path} were skipped (run 'legalft clean' to see why)")
    if stats.truncated:
        warn(f"{stats.truncated} answers were cut at max_length {d.max_length} tokens")
    if stats.dropped_no_answer:
        warn(
            f"{stats.dropped_no_answer} records dropped: the prompt alone fills max_length {d.max_length}, no answer "
            f"token left to learn (e.g. {', '.join(stats.dropped_examples[:3])})"
        )
    steps_per_epoch = datamodule.make_sampler(0, world).steps_per_epoch()
    total_steps = a.max_steps if a.max_steps > 0 else max(1, math.ceil(a.num_train_epochs * steps_per_epoch))
    warmup = warmup_steps_for(total_steps, a.warmup_steps, a.warmup_ratio)
    say(
        f"schedule: {total_steps} optimizer steps ({steps_per_epoch} per epoch), warmup {warmup}, "
        f"{a.lr_scheduler_type} decay, lr {a.learning_rate:g}"
    )

    # -- model -----------------------------------------------------------------------------------------------
    model = _load_lora_model(
        model_info.path,
        config,
        base_dtype=base_dtype,
        quantization=quantization,
        device=device,
        trust_remote_code=options.trust_remote_code,
    )
    module = LoraModule(
        model,
        learning_rate=a.learning_rate,
        weight_decay=a.weight_decay,
        betas=(a.adam_beta1, a.adam_beta2),
        eps=a.adam_epsilon,
        optim=a.optim,
        scheduler=a.lr_scheduler_type,
        warmup_steps=warmup,
        total_steps=total_steps,
        max_grad_norm=a.max_grad_norm,
        loss_chunk_tokens=a.loss_chunk_tokens,
        max_nonfinite_losses=a.max_nonfinite_losses,
        logging_steps=a.logging_steps,
    )

    # -- trainer ---------------------------------------------------------------------------------------------
    ckpt_path = out_dir / "checkpoints" / CHECKPOINT_NAME
    accum = a.gradient_accumulation_steps
    best = BestAdapter(out_dir / "best_adapter")
    overfit = OverfitDetector(a.overfit_patience, options.stop_on_overfit)
    interrupt = GracefulInterrupt()
    callbacks: list[Any] = [StepCheckpoint(ckpt_path, a.save_steps), best, overfit, interrupt, *options.extra_callbacks]
    if not is_quiet():
        from lightning.pytorch.callbacks import TQDMProgressBar

        callbacks.append(TQDMProgressBar(refresh_rate=max(1, accum)))
    loggers = _loggers(out_dir, keep_rows=resume_ckpt is not None)
    has_eval = datamodule.eval_data is not None and a.eval_strategy != "no"
    eval_kwargs = _eval_schedule(a, has_eval)
    if options.stop_on_overfit and not has_eval:
        warn("--stop-on-overfit needs eval data; there is none, so it has no effect")
    strategy: Any = options.strategy
    if options.strategy == "ddp" and device == "cpu":
        from lightning.pytorch.strategies import DDPStrategy

        strategy = DDPStrategy(process_group_backend="gloo")
    trainer = L.Trainer(
        accelerator="gpu" if device == "cuda" else "cpu",
        devices=options.devices,
        num_nodes=options.num_nodes,
        strategy=strategy,
        precision=precision,
        max_steps=total_steps,
        max_epochs=math.ceil(total_steps / max(steps_per_epoch, 1)),
        logger=loggers,
        callbacks=callbacks,
        enable_checkpointing=False,
        log_every_n_steps=1,
        num_sanity_val_steps=0,
        use_distributed_sampler=False,
        enable_progress_bar=not is_quiet(),
        enable_model_summary=False,
        default_root_dir=str(out_dir),
        **eval_kwargs,
    )
    interrupted: str | None = None
    try:
        trainer.fit(module, datamodule=datamodule, ckpt_path=str(resume_ckpt) if resume_ckpt else None)
    except TrainingInterrupted:
        interrupted = "Ctrl-C"
    except BaseException as exc:
        from lightning.pytorch.utilities.exceptions import SIGTERMException

        if isinstance(exc, SIGTERMException):
            interrupted = "SIGTERM"
        elif _is_oom(exc):
            raise LegalFtError(
                f"out of GPU memory with profile {profile.name} (batch {a.per_device_train_batch_size}, "
                f"max_length {d.max_length})",
                _oom_hint(profile.name, profile.smaller, config),
            ) from exc
        else:
            raise
    finally:
        _close_progress_bars(trainer)
    evals = module.history["eval_loss"]
    if has_eval and not interrupted and (not evals or evals[-1][0] != trainer.global_step):
        # A last evaluation at the final step, so the kept adapter is chosen among all of them.
        trainer.validate(module, datamodule=datamodule, verbose=False)
        _close_progress_bars(trainer)
    if not trainer.is_global_zero:
        return FitResult(out_dir, {}, config, module.model)

    # -- outputs ---------------------------------------------------------------------------------------------
    run_info = {
        "name": profile.name,
        "device": device,
        "quantization": quantization,
        "precision": precision,
        "base_model": str(model_info.path),
    }
    metrics = _write_outputs(
        out_dir,
        module=module,
        trainer=trainer,
        best=best,
        overfit=overfit,
        tokenizer=tokenizer,
        config=config,
        run_info=run_info,
        stats=stats.to_dict(),
        total_steps=total_steps,
        interrupted=interrupted,
        seconds=time.perf_counter() - started,
    )
    if interrupted:
        raise TrainingStopped(
            f"training stopped by {interrupted} at step {trainer.global_step}/{total_steps}; the adapter so far is in "
            f"{out_dir}",
            "continue with the same command plus --resume",
        )
    return FitResult(out_dir, metrics, config, module.model)


def _eval_schedule(a: Any, has_eval: bool) -> dict[str, Any]:
    """Trainer arguments for evaluation: every ``eval_steps`` optimizer steps (counted in batches), per epoch, or never."""
    if not has_eval:
        return {"limit_val_batches": 0}
    if a.eval_strategy == "epoch":
        return {"check_val_every_n_epoch": 1, "limit_val_batches": a.eval_max_batches}
    return {
        "check_val_every_n_epoch": None,
        "val_check_interval": a.eval_steps * a.gradient_accumulation_steps,
        "limit_val_batches": a.eval_max_batches,
    }


def _write_outputs(
    out_dir: Path,
    *,
    module: Any,
    trainer: Any,
    best: Any,
    overfit: Any,
    tokenizer: Any,
    config: TrainingConfig,
    run_info: dict[str, Any],
    stats: dict[str, Any],
    total_steps: int,
    interrupted: str | None,
    seconds: float,
) -> dict[str, Any]:
    """The seed's adapter folder: adapter (best by eval loss unless interrupted), tokenizer, config, metrics, plot."""
    import torch

    from legal_ft.io.atomic import write_text_atomic
    from legal_ft.training.callbacks import save_adapter

    best_dir = out_dir / "best_adapter"
    if best.best_step is not None and best_dir.is_dir() and not interrupted:
        for item in best_dir.iterdir():  # copy beside, then rename: never half an adapter file
            tmp = out_dir / f".{item.name}.tmp"
            shutil.copy2(item, tmp)
            os.replace(tmp, out_dir / item.name)
        kept = f"best by eval loss (step {best.best_step}, eval loss {best.best_loss:.4f})"
    else:
        save_adapter(module.model, out_dir)
        kept = f"last (step {trainer.global_step})"
    tokenizer.save_pretrained(out_dir, save_jinja_files=False)
    resolved = {**config.to_dict(), "profile": run_info, "sources": dict(config.sources)}
    write_text_atomic(out_dir / "training_config.json", json.dumps(resolved, ensure_ascii=False, indent=2) + "\n")
    history = module.history
    metrics = {
        "global_step": trainer.global_step,
        "world_size": trainer.world_size,
        "total_steps": total_steps,
        "epochs_completed": trainer.current_epoch,
        "final_train_loss": history["train_loss"][-1][1] if history["train_loss"] else None,
        "final_eval_loss": history["eval_loss"][-1][1] if history["eval_loss"] else None,
        "best_eval_loss": best.best_loss,
        "best_step": best.best_step,
        "adapter_kept": kept,
        "tokens_seen": module.tokens_seen,
        "tokens_per_s": module.tokens_seen / module.train_seconds if module.train_seconds else None,
        "nonfinite_losses_skipped": module.nonfinite_total,
        "overfit_warnings_at_steps": overfit.triggered_at,
        "peak_gpu_memory_gib": (torch.cuda.max_memory_allocated() / 1024**3) if run_info["device"] == "cuda" else None,
        "interrupted": interrupted,
        "wall_seconds": seconds,
        "data": stats,
        "history": history,
    }
    write_text_atomic(out_dir / "metrics.json", json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")
    if history["train_loss"]:
        from legal_ft.training.plots import plot_loss_curves

        title = f"legalft fit — {Path(run_info['base_model']).name}"
        plot_loss_curves(history, out_dir / "loss_curve.png", title=title)
    return metrics


def _close_progress_bars(trainer: Any) -> None:
    """A run stopped by an exception leaves tqdm bars open; closed late they print a stray line at exit."""
    bar = trainer.progress_bar_callback
    for name in ("_train_progress_bar", "_val_progress_bar"):
        handle = getattr(bar, name, None)
        if handle is not None:
            handle.close()


def enable_checkpointing(model: Any) -> None:
    """Non-reentrant activation checkpointing (works with frozen inputs and LoRA; no double forward quirks)."""
    gc_kwargs = {"use_reentrant": False}
    if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.x name
        model.activation_checkpointing_enable(activation_checkpointing_kwargs=gc_kwargs)
    else:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=gc_kwargs)
    model.enable_input_require_grads()


def _quiet_libraries() -> None:
    """Lightning's and transformers' banners and known-harmless warnings are noise in a CLI; -v shows them."""
    import logging
    import warnings

    from legal_ft.console import verbosity

    if verbosity() > 0:
        return
    for name in ("lightning.pytorch", "lightning.fabric", "lightning", "transformers.modeling_utils"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("bitsandbytes").setLevel(logging.ERROR)  # CPU-kernel notices at import; k-bit is CUDA-only here
    for pattern in (
        r".*module\(s\) in eval mode.*",
        r".*LeafSpec.*",
        r".*weights_only.*",
        r".*gradient_checkpointing_enable.*deprecated.*",
        r".*is_gradient_checkpointing.*deprecated.*",
        r".*does not have many workers.*",
        r".*litlogger.*",
        r".*dataloader is not resumable.*",  # WindowedBatchSampler resumes itself from the checkpoint
    ):
        warnings.filterwarnings("ignore", message=pattern)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:
        pass


def _loggers(out_dir: Path, keep_rows: bool = False) -> list[Any]:
    """CSV (+ TensorBoard when installed). On resume the earlier rows are kept (Lightning would drop the file)."""
    import csv
    import warnings

    from lightning.pytorch.loggers import CSVLogger

    csv_logger = CSVLogger(str(out_dir), name="logs", version="")
    old_file = Path(csv_logger.log_dir) / "metrics.csv"
    rows = []
    if keep_rows and old_file.is_file():
        with old_file.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*exists and is not empty.*")
        writer = csv_logger.experiment  # created now: clears the old file
    for row in rows:
        values = {k: float(v) for k, v in row.items() if k != "step" and v not in ("", None)}
        if values and row.get("step"):
            writer.log_metrics(values, int(float(row["step"])))
    loggers: list[Any] = [csv_logger]
    try:
        import tensorboard  # noqa: F401
        from lightning.pytorch.loggers import TensorBoardLogger

        loggers.append(TensorBoardLogger(str(out_dir), name="tensorboard", version="", default_hp_metric=False))
    except ImportError:
        pass
    return loggers


def _load_lora_model(
    model_dir: Path,
    config: TrainingConfig,
    *,
    base_dtype: str,
    quantization: str | None,
    device: str,
    trust_remote_code: bool,
) -> Any:
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    from legal_ft.modeling.loading import load_model_and_tokenizer

    a, lora = config.training_args, config.lora_config
    model, _ = load_model_and_tokenizer(
        model_dir, dtype=base_dtype, quantization=quantization, trust_remote_code=trust_remote_code
    )
    model.config.use_cache = False
    gc_kwargs = {"use_reentrant": False}
    if quantization is not None:
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=a.gradient_checkpointing, gradient_checkpointing_kwargs=gc_kwargs
        )
    elif a.gradient_checkpointing:
        enable_checkpointing(model)
    module_names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    unknown = [t for t in lora.target_modules if t not in module_names]
    if unknown:
        raise ConfigError(
            f"lora_config.target_modules {unknown} do not exist in this model",
            "Qwen3 has q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj",
        )
    peft_config = LoraConfig(
        r=lora.r,
        lora_alpha=lora.lora_alpha,
        target_modules=list(lora.target_modules),
        lora_dropout=lora.lora_dropout,
        bias=lora.bias,
        task_type=lora.task_type,
    )
    model = get_peft_model(model, peft_config)
    model.train()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    say(
        f"LoRA: r={lora.r}, alpha={lora.lora_alpha}, targets {', '.join(lora.target_modules)}: "
        f"{trainable:,} trainable of {total:,} parameters ({100 * trainable / max(total, 1):.2f}%)"
    )
    return model
