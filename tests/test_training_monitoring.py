"""Monitoring: the overfitting detector, the loss plot and the warmup + decay schedule."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import torch

from legal_ft.training.callbacks import OverfitDetector


def _state(evals, train, step):
    trainer = SimpleNamespace(sanity_checking=False, global_step=step, is_global_zero=True, should_stop=False)
    module = SimpleNamespace(history={"eval_loss": evals, "train_loss": train})
    return trainer, module


def test_overfit_warns_when_eval_rises_while_train_falls(capsys) -> None:
    detector = OverfitDetector(patience=2, stop=False)
    train = [[s, 3.0 - 0.1 * s] for s in range(1, 13)]
    trainer, module = _state([[4, 2.0], [8, 2.1], [12, 2.2]], train, 12)
    detector.on_validation_end(trainer, module)
    assert detector.triggered_at == [12] and not trainer.should_stop
    assert "overfitting" in capsys.readouterr().err


def test_overfit_stops_with_the_option_and_ignores_noise() -> None:
    detector = OverfitDetector(patience=2, stop=True)
    train = [[s, 3.0 - 0.1 * s] for s in range(1, 13)]
    trainer, module = _state([[4, 2.0], [8, 2.1], [12, 2.05]], train, 12)  # not rising twice in a row
    detector.on_validation_end(trainer, module)
    assert not trainer.should_stop and detector.triggered_at == []
    trainer, module = _state([[4, 2.0], [8, 2.1], [12, 2.2]], train, 12)
    detector.on_validation_end(trainer, module)
    assert trainer.should_stop
    # eval rising while train rises too is not overfitting (e.g. a too-high learning rate)
    detector = OverfitDetector(patience=2, stop=True)
    rising_train = [[s, 1.0 + 0.1 * s] for s in range(1, 13)]
    trainer, module = _state([[4, 2.0], [8, 2.1], [12, 2.2]], rising_train, 12)
    detector.on_validation_end(trainer, module)
    assert not trainer.should_stop


def test_loss_plot_is_a_png(tmp_path) -> None:
    from legal_ft.training.plots import plot_loss_curves

    history = {"train_loss": [[1, 3.0], [2, 2.5]], "eval_loss": [[2, 2.7]], "lr": [[1, 1e-4], [2, 5e-5]]}
    path = plot_loss_curves(history, tmp_path / "loss_curve.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_warmup_then_decay_schedule() -> None:
    from legal_ft.training.module import LoraModule, warmup_steps_for

    assert warmup_steps_for(100, 0, 0.03) == 3 and warmup_steps_for(100, 7, 0.03) == 7
    module = LoraModule(
        torch.nn.Linear(2, 2),
        learning_rate=1e-3,
        weight_decay=0.0,
        betas=(0.9, 0.999),
        eps=1e-8,
        optim="adamw_torch",
        scheduler="cosine",
        warmup_steps=3,
        total_steps=10,
        max_grad_norm=1.0,
        loss_chunk_tokens=8,
        max_nonfinite_losses=3,
    )
    conf = module.configure_optimizers()
    opt, sched = conf["optimizer"], conf["lr_scheduler"]["scheduler"]
    lrs = []
    for _ in range(10):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[0] == 0.0 and lrs[1] < lrs[2] < lrs[3] == 1e-3  # linear warmup
    assert all(a >= b for a, b in itertools.pairwise(lrs[3:])) and lrs[-1] < 2e-4  # cosine decay


def test_precision_per_device_and_flags() -> None:
    from legal_ft.training.fit import _precision

    assert _precision("cuda", SimpleNamespace(fp16=True, bf16=False)) == ("16-mixed", "float16")  # grad scaler
    assert _precision("cuda", SimpleNamespace(fp16=False, bf16=True)) == ("bf16-mixed", "bfloat16")
    assert _precision("cuda", SimpleNamespace(fp16=False, bf16=False)) == ("32-true", "float32")
    assert _precision("cpu", SimpleNamespace(fp16=True, bf16=False)) == ("32-true", "float32")


def test_final_evaluation_runs_and_best_is_kept(run_cli, tiny_model_dir, tmp_path) -> None:
    import json

    from _training_helpers import write_records

    data = write_records(tmp_path / "clean_training_dataset.jsonl", 24, seed=8)
    write_records(tmp_path / "clean_eval_dataset.jsonl", 4, seed=9)  # picked up beside --data
    out = tmp_path / "out"
    result = run_cli(
        "fit",
        "--model",
        str(tiny_model_dir),
        "--data",
        str(data),
        "--out",
        str(out),
        "--gpu-profile",
        "cpu",
        "--max-steps",
        "3",
        "--max-length",
        "192",
        "--eval-steps",
        "100",
        "--batch-size",
        "2",
        "--grad-accum",
        "1",
    )
    assert result.exit_code == 0, result
    metrics = json.loads((out / "metrics.json").read_text())
    assert [s for s, _ in metrics["history"]["eval_loss"]] == [3]  # no scheduled eval, one at the end
    assert metrics["data"]["eval_records"] == 4 and metrics["data"]["eval_source"].endswith("clean_eval_dataset.jsonl")
    assert metrics["best_step"] == 3
