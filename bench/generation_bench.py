"""Benchmark local generation and eval scoring on the tiny model (CPU figures; printed, never asserted).

    python bench/generation_bench.py                   # 16 prompts, 64 new tokens, batch 1 / 4 / 8
    python bench/generation_bench.py --prompts 32 --new-tokens 128

Measures: new tokens per second of `generate_batch` at several batch sizes against one-by-one
`generate_document` (the batch must give the same greedy text, which is checked and reported), the answer-only
loss pass, and how many documents per second the strict rule set scores. Real QVikhr-3-4B figures depend on the
GPU; on the tiny model these show the overhead of the code around the model (prompting, padding, scoring).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--batch-sizes", default="1,4,8")
    args = parser.parse_args()

    from legal_ft.generation.loader import quiet_libraries

    quiet_libraries()  # before peft imports bitsandbytes, which logs about optional CPU kernels
    import torch
    from peft import LoraConfig, get_peft_model

    from legal_ft.cleaning.engine import load_engine
    from legal_ft.evaluation.perplexity import answer_loss
    from legal_ft.evaluation.scoring import Scorer
    from legal_ft.generation import (
        GenerationSettings,
        generate_batch,
        generate_document,
        load_for_inference,
    )
    from legal_ft.modeling.loading import load_model_and_tokenizer
    from legal_ft.modeling.tiny import build_tiny_model
    from legal_ft.prompting import render_prompt
    from legal_ft.records import Record
    from legal_ft.sample import generate_records

    records = [r for r in generate_records(args.prompts * 3, seed=3) if r.get("input")][: args.prompts]
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = build_tiny_model(Path(tmp) / "tiny")
        model, _ = load_model_and_tokenizer(model_dir)
        torch.manual_seed(0)
        peft_model = get_peft_model(model, LoraConfig(r=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
        peft_model.save_pretrained(str(Path(tmp) / "adapter"))
        loaded = load_for_inference(model_dir, Path(tmp) / "adapter")
        settings = GenerationSettings(max_new_tokens=args.new_tokens)
        prompts = [render_prompt(loaded.tokenizer, r["instruction"], r["input"]) for r in records]

        print(f"{len(prompts)} prompts, up to {args.new_tokens} new tokens, torch threads {torch.get_num_threads()}")
        started = time.perf_counter()
        singles = [generate_document(loaded, r["instruction"], r["input"], settings) for r in records]
        single_s = time.perf_counter() - started
        tokens = sum(d.new_tokens for d in singles)
        print(f"  one by one       {single_s:7.2f} s   {tokens / single_s:8.1f} new tokens/s")
        for size in (int(s) for s in args.batch_sizes.split(",")):
            started = time.perf_counter()
            batch = generate_batch(loaded, prompts, settings, batch_size=size)
            elapsed = time.perf_counter() - started
            same = sum(a.text == b.text for a, b in zip(batch, singles))
            print(f"  batch {size:<3}        {elapsed:7.2f} s   {sum(d.new_tokens for d in batch) / elapsed:8.1f} "
                  f"new tokens/s   same text as one by one: {same}/{len(batch)}")

        started = time.perf_counter()
        stats = answer_loss(loaded, [(r["instruction"], r["input"], r["output"]) for r in records], batch_size=4)
        elapsed = time.perf_counter() - started
        print(f"  answer loss      {elapsed:7.2f} s   {stats.answer_tokens / elapsed:8.1f} answer tokens/s "
              f"(loss {stats.loss:.3f})")

        scorer = Scorer(load_engine("strict"))
        documents = [Record(r["instruction"], r["input"], r["output"]) for r in generate_records(2000, seed=5)]
        started = time.perf_counter()
        scores = scorer.score_many(documents)
        elapsed = time.perf_counter() - started
        print(f"  strict scoring   {elapsed:7.2f} s   {len(scores) / elapsed:8.1f} documents/s "
              f"({sum(s.passed for s in scores)} of {len(scores)} pass)")


if __name__ == "__main__":
    main()
