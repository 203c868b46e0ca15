"""Benchmark: `legalft fit` against the Hugging Face Trainer + PEFT with completion-only loss.

Same model, data, batch, accumulation, sequence length and steps; each framework runs in its own subprocess so
peak memory is its own (CUDA: `torch.cuda.max_memory_allocated`; CPU: peak RSS). Prints non-pad tokens/s, peak
memory and the ratios. Not a test: it only prints figures.

    python bench/fit_bench.py                              # tiny Qwen3 on the CPU
    python bench/fit_bench.py --model DIR --gpu-profile rtx3070 --max-length 2048 --steps 10   # on a GPU
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_data(path: Path, n: int, min_chars: int) -> Path:
    from legal_ft.sample import generate_records

    with path.open("w", encoding="utf-8") as handle:
        for record in generate_records(n, seed=7, defect_rate=0.0):
            while len(record["output"]) < min_chars:  # long documents for long-sequence runs
                record["output"] += "\n\n" + record["output"]
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def peak_memory_gib() -> float:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 1024**3
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


def run_legalft(args: argparse.Namespace) -> dict:
    import lightning as L

    from legal_ft.console import set_verbosity
    from legal_ft.training.fit import FitOptions, run_fit

    set_verbosity(-1)
    timer: dict[str, float] = {}

    class Timer(L.Callback):
        def on_train_start(self, trainer, pl_module):
            timer["start"] = time.perf_counter()

        def on_train_end(self, trainer, pl_module):
            timer["end"] = time.perf_counter()

    cfg = Path(args.workdir) / "legalft_config.json"
    cfg.write_text(
        json.dumps(
            {
                "training_args": {
                    "per_device_train_batch_size": args.batch,
                    "gradient_accumulation_steps": args.accum,
                    "max_steps": args.steps,
                    "eval_strategy": "no",
                    "save_steps": 10**6,
                    "learning_rate": 1e-4,
                    "gradient_checkpointing": args.checkpointing,
                    "logging_steps": 10**6,
                },
                "data_config": {"max_length": args.max_length, "eval_ratio": 0.0},
            }
        )
    )
    result = run_fit(
        FitOptions(
            model_dir=Path(args.model),
            data=Path(args.data),
            out_dir=Path(args.workdir) / "lf",
            gpu_profile=args.gpu_profile,
            config_path=cfg,
            extra_callbacks=[Timer()],
        )
    )
    seconds = timer["end"] - timer["start"]
    return {
        "tokens": result.metrics["tokens_seen"],
        "seconds": seconds,
        "peak_gib": peak_memory_gib(),
        "loss": result.metrics["final_train_loss"],
    }


def run_trainer(args: argparse.Namespace) -> dict:
    import torch
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import DataCollatorForSeq2Seq, Trainer, TrainingArguments

    from legal_ft.modeling.loading import load_model_and_tokenizer
    from legal_ft.training.data import tokenize_file
    from legal_ft.training.profiles import load_profile

    profile = load_profile(args.gpu_profile)
    cuda = torch.cuda.is_available() and profile.device != "cpu"
    quant = profile.quantization if cuda else None
    model, tokenizer = load_model_and_tokenizer(args.model, dtype="float16" if cuda else "float32", quantization=quant)
    model.config.use_cache = False
    if quant:
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=args.checkpointing, gradient_checkpointing_kwargs={"use_reentrant": False}
        )
    model = get_peft_model(
        model,
        LoraConfig(
            r=16,
            lora_alpha=32,
            lora_dropout=0.05,
            task_type="CAUSAL_LM",
            target_modules=["q_proj", "v_proj", "k_proj", "o_proj"],
        ),
    )
    table, _ = tokenize_file(args.data, tokenizer, args.max_length)

    def to_features(row):  # completion-only: prompt labels are -100
        ids = row["input_ids"]
        return {
            "input_ids": ids,
            "attention_mask": [1] * len(ids),
            "labels": [-100] * row["prompt_len"] + ids[row["prompt_len"] :],
        }

    dataset = table.map(to_features, remove_columns=table.column_names)
    counted = {"tokens": 0}
    base_collator = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100)

    def collator(features):
        batch = base_collator(features)
        counted["tokens"] += int(batch["attention_mask"].sum())
        return batch

    targs = TrainingArguments(
        output_dir=str(Path(args.workdir) / "hf"),
        per_device_train_batch_size=args.batch,
        gradient_accumulation_steps=args.accum,
        max_steps=args.steps,
        learning_rate=1e-4,
        logging_steps=10**6,
        save_strategy="no",
        report_to=[],
        fp16=cuda,
        gradient_checkpointing=args.checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False},
        use_cpu=not cuda,
        dataloader_num_workers=0,
        remove_unused_columns=False,
        disable_tqdm=True,
        seed=42,
    )
    trainer = Trainer(model=model, args=targs, train_dataset=dataset, data_collator=collator)
    start = time.perf_counter()
    out = trainer.train()
    seconds = time.perf_counter() - start
    return {"tokens": counted["tokens"], "seconds": seconds, "peak_gib": peak_memory_gib(), "loss": out.training_loss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model directory (default: build the tiny Qwen3)")
    parser.add_argument("--data", help="JSONL records (default: generated sample)")
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--min-chars", type=int, default=0, help="repeat outputs up to this many characters")
    parser.add_argument("--gpu-profile", default="cpu")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--accum", type=int, default=2)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--checkpointing", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for both runs")
    parser.add_argument("--only", choices=["legalft", "trainer"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    if args.only:
        import torch

        if not torch.cuda.is_available():
            torch.set_num_threads(args.threads)  # same threads for both (legalft uses 1 for tiny models on CPU)
        result = run_legalft(args) if args.only == "legalft" else run_trainer(args)
        print("RESULT " + json.dumps(result))
        return

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="legalft-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.model is None:
        from legal_ft.modeling.tiny import build_tiny_model

        args.model = str(build_tiny_model(workdir / "tiny"))
    if args.data is None:
        args.data = str(make_data(workdir / "data.jsonl", args.records, args.min_chars))
    results = {}
    for name in ("trainer", "legalft"):
        cmd = [
            sys.executable,
            __file__,
            "--only",
            name,
            "--workdir",
            str(workdir),
            "--model",
            args.model,
            "--data",
            args.data,
            "--gpu-profile",
            args.gpu_profile,
            "--batch",
            str(args.batch),
            "--accum",
            str(args.accum),
            "--steps",
            str(args.steps),
            "--max-length",
            str(args.max_length),
            "--threads",
            str(args.threads),
            "--checkpointing" if args.checkpointing else "--no-checkpointing",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if proc.returncode != 0 or line is None:
            print(f"{name} failed:\n{proc.stderr[-4000:]}", file=sys.stderr)
            sys.exit(1)
        results[name] = json.loads(line[len("RESULT ") :])
    import torch

    mem_kind = "GPU GiB (max allocated)" if torch.cuda.is_available() else "peak RSS GiB"
    print(
        f"model {args.model}, profile {args.gpu_profile}, batch {args.batch} x accum {args.accum}, "
        f"{args.steps} steps, max_length {args.max_length}, checkpointing {args.checkpointing}"
    )
    print(f"{'':10} {'tokens':>9} {'seconds':>8} {'tokens/s':>10} {mem_kind:>24} {'loss':>8}")
    for name, r in results.items():
        r["tps"] = r["tokens"] / r["seconds"]
        print(
            f"{name:10} {r['tokens']:>9} {r['seconds']:>8.2f} {r['tps']:>10.0f} {r['peak_gib']:>24.3f} "
            f"{r['loss']:>8.4f}"
        )
    lf, hf = results["legalft"], results["trainer"]
    print(f"legalft / Trainer: tokens/s x{lf['tps'] / hf['tps']:.2f}, memory x{lf['peak_gib'] / hf['peak_gib']:.2f}")


if __name__ == "__main__":
    main()
