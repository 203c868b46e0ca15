"""`legalft fit` end to end on the tiny Qwen3: outputs, checkpoints, resume, interrupts, faults."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from _training_helpers import fit_options, write_config, write_records

from legal_ft.errors import LegalFtError

pytestmark = pytest.mark.slow  # real (tiny) training runs on the CPU

FAST = {
    "max_steps": 4,
    "per_device_train_batch_size": 2,
    "gradient_accumulation_steps": 2,
    "save_steps": 2,
    "logging_steps": 1,
    "warmup_steps": 1,
    "data": {"max_length": 192},
}


@pytest.fixture(scope="module")
def data_file(tmp_path_factory) -> Path:
    return write_records(tmp_path_factory.mktemp("fitdata") / "clean_training_dataset.jsonl", 48, seed=5)


def test_cli_fit_rtx3070_writes_the_seed_layout(run_cli, tiny_model_dir, data_file, tmp_path) -> None:
    out = tmp_path / "legal_model_lora"
    result = run_cli(
        "fit",
        "--model",
        str(tiny_model_dir),
        "--data",
        str(data_file),
        "--out",
        str(out),
        "--gpu-profile",
        "rtx3070",
        "--max-steps",
        "2",
        "--max-length",
        "160",
        "--eval-steps",
        "1",
        "--lr",
        "5e-3",
    )
    assert result.exit_code == 0, result
    assert "adapter written to" in result.stdout
    # resolved configuration printed with where each value came from
    assert "per_device_train_batch_size" in result.stderr and "(profile rtx3070)" in result.stderr
    assert "data_config.max_length" in result.stderr and "(command line)" in result.stderr
    if not torch.cuda.is_available():
        assert "no CUDA GPU" in result.stderr and "4bit" in result.stderr
    for name in (
        "adapter_config.json",
        "adapter_model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "training_config.json",
        "metrics.json",
        "loss_curve.png",
    ):
        assert (out / name).is_file(), name
    assert "enable_thinking" in (out / "tokenizer_config.json").read_text(encoding="utf-8")
    saved = json.loads((out / "training_config.json").read_text(encoding="utf-8"))
    assert saved["training_args"]["gradient_accumulation_steps"] == 8  # rtx3070: 1 x 8
    assert saved["data_config"]["max_length"] == 160 and saved["profile"]["name"] == "rtx3070"
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["global_step"] == 2 and len(metrics["history"]["eval_loss"]) == 2
    assert metrics["adapter_kept"].startswith("best by eval loss")
    assert (out / "loss_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv = (out / "logs" / "metrics.csv").read_text()
    assert "train_loss" in csv and "eval_loss" in csv and "lr" in csv and "tokens_per_s" in csv
    # the kept adapter is the best one
    from safetensors.torch import load_file

    kept, best = (
        load_file(out / "adapter_model.safetensors"),
        load_file(out / "best_adapter" / "adapter_model.safetensors"),
    )
    assert all(torch.equal(kept[k], best[k]) for k in kept)


def test_adapter_reloads_with_identical_logits_and_checkpoint_holds_only_lora(tiny_model_dir, data_file, tmp_path):
    from peft import PeftModel
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    from legal_ft.training.fit import run_fit

    config = write_config(tmp_path / "c.json", eval_strategy="no", learning_rate=5e-3, **FAST)
    result = run_fit(fit_options(tiny_model_dir, data_file, tmp_path / "out", config))
    assert result.metrics["global_step"] == 4
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, local_files_only=True)
    ids = torch.tensor([[5, 17, 99, 301, 44, 12, 7]])
    with torch.no_grad():
        reloaded = PeftModel.from_pretrained(base, tmp_path / "out").eval()(ids).logits
        result.model.eval()
        in_memory = result.model(ids).logits
        plain = AutoModelForCausalLM.from_pretrained(tiny_model_dir, local_files_only=True)(ids).logits
    assert torch.allclose(reloaded, in_memory, atol=1e-5)
    assert not torch.allclose(plain, in_memory, atol=1e-4)  # training changed something
    ckpt_path = tmp_path / "out" / "checkpoints" / "last.ckpt"
    ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    assert ckpt["state_dict"] and all("lora_" in k for k in ckpt["state_dict"])
    assert ckpt["optimizer_states"] and ckpt["lr_schedulers"] and "loops" in ckpt
    base_bytes = (tiny_model_dir / "model.safetensors").stat().st_size
    assert ckpt_path.stat().st_size < base_bytes / 2
    assert len(load_file(tmp_path / "out" / "adapter_model.safetensors")) == len(ckpt["state_dict"])


class _SignalAt:
    """Send ``signum`` to this process right after optimizer step ``step``."""

    def __init__(self, step: int, signum: int) -> None:
        import lightning as L

        class _Cb(L.Callback):
            def on_train_batch_end(cb, trainer, pl_module, outputs, batch, batch_idx):
                if bool(batch["window_end"]) and trainer.global_step == step:
                    os.kill(os.getpid(), signum)

        self.callback = _Cb()


def test_ctrl_c_then_resume_equals_an_uninterrupted_run(tiny_model_dir, data_file, tmp_path) -> None:
    from safetensors.torch import load_file

    from legal_ft.training.fit import TrainingStopped, run_fit

    settings = dict(FAST, max_steps=6, eval_strategy="no", learning_rate=5e-3, lora={"lora_dropout": 0.1})
    config = write_config(tmp_path / "c.json", **settings)
    run_fit(fit_options(tiny_model_dir, data_file, tmp_path / "full", config))

    stopped = fit_options(
        tiny_model_dir, data_file, tmp_path / "resumed", config, extra_callbacks=[_SignalAt(3, signal.SIGINT).callback]
    )
    with pytest.raises(TrainingStopped, match="stopped by Ctrl-C at step 3") as info:
        run_fit(stopped)
    assert info.value.exit_code == 130 and "--resume" in info.value.hint
    # the interrupted run left a usable adapter and a checkpoint
    assert (tmp_path / "resumed" / "adapter_model.safetensors").is_file()
    metrics = json.loads((tmp_path / "resumed" / "metrics.json").read_text())
    assert metrics["interrupted"] == "Ctrl-C" and metrics["global_step"] == 3

    resumed = run_fit(fit_options(tiny_model_dir, data_file, tmp_path / "resumed", config, resume=True))
    assert resumed.metrics["global_step"] == 6
    a = load_file(tmp_path / "full" / "adapter_model.safetensors")
    b = load_file(tmp_path / "resumed" / "adapter_model.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-6), key
    assert [s for s, _ in resumed.metrics["history"]["train_loss"]] == [1, 2, 3, 4, 5, 6]
    import csv

    with (tmp_path / "resumed" / "logs" / "metrics.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["step"]) for r in rows if r["train_loss"]] == [1, 2, 3, 4, 5, 6]  # rows before the stop kept


def test_resume_without_checkpoint_is_a_clear_error(run_cli, tiny_model_dir, data_file, tmp_path) -> None:
    result = run_cli(
        "fit",
        "--model",
        str(tiny_model_dir),
        "--data",
        str(data_file),
        "--out",
        str(tmp_path / "x"),
        "--resume",
        "--gpu-profile",
        "cpu",
    )
    assert result.exit_code == 1 and "nothing to resume" in result.stderr


def test_sigterm_leaves_a_usable_adapter(tiny_model_dir, data_file, tmp_path) -> None:
    config = write_config(tmp_path / "c.json", eval_strategy="no", **dict(FAST, max_steps=50))
    script = textwrap.dedent(f"""
        import signal, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_training_fit import _SignalAt
        from _training_helpers import fit_options
        from legal_ft.training.fit import TrainingStopped, run_fit
        from pathlib import Path
        opts = fit_options(Path({str(tiny_model_dir)!r}), Path({str(data_file)!r}), Path({str(tmp_path / "out")!r}),
                           Path({str(config)!r}), extra_callbacks=[_SignalAt(2, signal.SIGTERM).callback])
        try:
            run_fit(opts)
        except TrainingStopped as exc:
            print("STOPPED", exc.message)
            sys.exit(exc.exit_code)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
    )
    assert proc.returncode == 130, proc.stderr[-3000:]
    assert "STOPPED training stopped by SIGTERM at step 2" in proc.stdout
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, local_files_only=True)
    PeftModel.from_pretrained(base, tmp_path / "out")  # loads: the adapter is usable
    assert (tmp_path / "out" / "checkpoints" / "last.ckpt").is_file()


def test_nonfinite_losses_are_skipped_and_counted(tiny_model_dir, data_file, tmp_path, monkeypatch) -> None:
    import legal_ft.training.module as module_mod
    from legal_ft.training.fit import run_fit

    real = module_mod.label_loss_sum
    calls = {"n": 0}

    def sometimes_nan(model, batch, chunk):
        loss, n = real(model, batch, chunk)
        calls["n"] += 1
        if calls["n"] == 2 and torch.is_grad_enabled():
            return loss * float("nan"), n
        return loss, n

    monkeypatch.setattr(module_mod, "label_loss_sum", sometimes_nan)
    config = write_config(tmp_path / "c.json", eval_strategy="no", **FAST)
    result = run_fit(fit_options(tiny_model_dir, data_file, tmp_path / "out", config))
    assert result.metrics["nonfinite_losses_skipped"] == 1 and result.metrics["global_step"] == 4
    assert all(torch.isfinite(p).all() for p in result.model.parameters())


def test_repeated_nonfinite_losses_stop_with_advice(run_cli, tiny_model_dir, data_file, tmp_path) -> None:
    import shutil

    from safetensors.torch import load_file, save_file

    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    weights = load_file(broken / "model.safetensors")
    weights["model.norm.weight"] = torch.full_like(weights["model.norm.weight"], float("inf"))
    save_file(weights, broken / "model.safetensors", metadata={"format": "pt"})
    config = write_config(tmp_path / "c.json", eval_strategy="no", max_nonfinite_losses=3, **FAST)
    result = run_cli(
        "fit",
        "--model",
        str(broken),
        "--data",
        str(data_file),
        "--out",
        str(tmp_path / "o"),
        "--config",
        str(config),
        "--gpu-profile",
        "cpu",
    )
    assert result.exit_code == 1, result
    assert "not finite" in result.stderr and "--bf16" in result.stderr and "Traceback" not in result.stderr


def test_cuda_oom_names_the_next_smaller_profile(tiny_model_dir, data_file, tmp_path) -> None:
    import lightning as L

    from legal_ft.training.fit import run_fit

    class Oom(L.Callback):
        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    config = write_config(tmp_path / "c.json", eval_strategy="no", **FAST)
    with pytest.raises(LegalFtError) as info:
        run_fit(
            fit_options(
                tiny_model_dir, data_file, tmp_path / "o", config, gpu_profile="rtx3080", extra_callbacks=[Oom()]
            )
        )
    assert "out of GPU memory with profile rtx3080" in info.value.message
    assert "--gpu-profile rtx3070" in info.value.hint


def test_ddp_two_cpu_processes(tiny_model_dir, data_file, tmp_path) -> None:
    config = write_config(tmp_path / "c.json", eval_strategy="no", **dict(FAST, max_steps=2))
    out = tmp_path / "ddp"
    cmd = [
        sys.executable,
        "-m",
        "legal_ft",
        "-q",
        "fit",
        "--model",
        str(tiny_model_dir),
        "--data",
        str(data_file),
        "--out",
        str(out),
        "--config",
        str(config),
        "--gpu-profile",
        "cpu",
        "--devices",
        "2",
        "--strategy",
        "ddp",
    ]
    env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(29500 + os.getpid() % 1000)}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["world_size"] == 2 and metrics["global_step"] == 2
    assert (out / "adapter_model.safetensors").is_file()


def test_out_into_the_model_folder_is_refused(run_cli, tiny_model_dir, data_file) -> None:
    result = run_cli("fit", "--model", str(tiny_model_dir), "--data", str(data_file), "--out", str(tiny_model_dir))
    assert result.exit_code == 1 and "base model's folder" in result.stderr


def test_resume_across_an_epoch_boundary(tiny_model_dir, tmp_path) -> None:
    from safetensors.torch import load_file

    from legal_ft.training.fit import TrainingStopped, run_fit

    small = write_records(tmp_path / "twelve.jsonl", 12, seed=21)  # 6 batches of 2 -> 3 steps per epoch
    settings = dict(FAST, max_steps=7, eval_strategy="no", learning_rate=5e-3, lora={"lora_dropout": 0.1})
    config = write_config(tmp_path / "c.json", **settings)
    full = run_fit(fit_options(tiny_model_dir, small, tmp_path / "full", config))
    assert full.metrics["epochs_completed"] >= 2
    with pytest.raises(TrainingStopped):
        run_fit(
            fit_options(
                tiny_model_dir,
                small,
                tmp_path / "resumed",
                config,
                extra_callbacks=[_SignalAt(3, signal.SIGINT).callback],
            )
        )
    resumed = run_fit(fit_options(tiny_model_dir, small, tmp_path / "resumed", config, resume=True))
    assert resumed.metrics["global_step"] == 7
    a = load_file(tmp_path / "full" / "adapter_model.safetensors")
    b = load_file(tmp_path / "resumed" / "adapter_model.safetensors")
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-6), key
