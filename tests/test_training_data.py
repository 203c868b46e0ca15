"""The data module: chat-template tokens, prompt masking, truncation accounting, length-grouped windows, splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from _training_helpers import write_records

from legal_ft.errors import InputError
from legal_ft.training.data import (
    Collator,
    LegalDataModule,
    TokenizeFn,
    WindowedBatchSampler,
    split_for_eval,
    tokenize_file,
)


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir: Path):
    from legal_ft.modeling.loading import load_tokenizer

    return load_tokenizer(tiny_model_dir)


def test_prompt_is_masked_and_labels_are_the_answer(tokenizer) -> None:
    from legal_ft.prompting import render_prompt

    out = TokenizeFn(tokenizer, 512)({"instruction": ["Составь иск."], "input": ["Долг."], "output": ["ИСК. Прошу."]})
    ids, prompt_len = out["input_ids"][0], out["prompt_len"][0]
    assert (
        ids[:prompt_len]
        == tokenizer(render_prompt(tokenizer, "Составь иск.", "Долг."), add_special_tokens=False)["input_ids"]
    )
    batch = Collator(pad_token_id=tokenizer.pad_token_id)(
        [{"input_ids": ids, "prompt_len": prompt_len}, {"input_ids": ids[:-2], "prompt_len": prompt_len}]
    )
    labels = batch["labels"][0]
    assert (labels[:prompt_len] == -100).all()
    assert tokenizer.decode(labels[prompt_len:]) == "ИСК. Прошу.<|im_end|>"
    assert (batch["labels"][1, -2:] == -100).all() and (batch["attention_mask"][1, -2:] == 0).all()


def test_answer_cut_away_entirely_is_dropped_and_counted(tokenizer, tmp_path) -> None:
    path = tmp_path / "d.jsonl"
    rows = [
        {"instruction": "Составь иск.", "input": "Долг.", "output": "Короткий ответ."},
        {"instruction": "Составь иск.", "input": "Очень длинные обстоятельства. " * 40, "output": "Ответ."},
        {"instruction": "Составь иск.", "input": "Долг.", "output": "Длинный ответ. " * 40},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken\n", encoding="utf-8")
    table, stats = tokenize_file(path, tokenizer, 64)
    assert stats.dropped_no_answer == 1 and stats.dropped_examples == [f"{path}:2"]
    assert stats.truncated == 1 and stats.bad_lines == 1
    assert len(table) == 2 and all(n > 0 for n in table["n_labels"]) and max(table["length"]) <= 64


def test_everything_dropped_is_an_input_error(tokenizer, tmp_path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"instruction": "x " * 200, "input": "", "output": "y"}) + "\n", encoding="utf-8")
    dm = LegalDataModule(
        tokenizer,
        path,
        eval_file=None,
        max_length=32,
        batch_size=1,
        eval_batch_size=1,
        accumulation=1,
        seed=0,
        eval_ratio=0.0,
    )
    with pytest.raises(InputError, match="no trainable records"):
        dm.prepare()


def test_sampler_groups_by_length_and_is_deterministic() -> None:
    import random

    rng = random.Random(0)
    lengths = [rng.randint(10, 500) for _ in range(400)]
    labels = [max(1, n // 2) for n in lengths]
    make = lambda **kw: WindowedBatchSampler(lengths, labels, 4, 2, seed=3, **kw)
    grouped, plain = make(), make(group_by_length=False)

    def padding(sampler):
        return sum(max(lengths[i] for i, *_ in b) * len(b) - sum(lengths[i] for i, *_ in b) for b in sampler.plan(0))

    assert padding(grouped) < 0.3 * padding(plain)
    assert make().plan(0) == grouped.plan(0) and grouped.plan(0) != grouped.plan(1)
    seen = sorted(i for b in grouped.plan(0) for i, *_ in b)
    assert seen == list(range(400))
    # window metadata: the answer tokens of the window's batches, and the last batch of each window flagged
    plan = grouped.plan(0)
    for w in range(0, len(plan), 2):
        window = plan[w : w + 2]
        total = sum(labels[i] for b in window for i, *_ in b)
        assert all(t == total for b in window for _, t, _ in b)
        assert [b[0][2] for b in window] == [False, True][: len(window)] or len(window) == 1


def test_sampler_ranks_are_disjoint_and_share_window_totals() -> None:
    lengths = list(range(10, 110))
    labels = [n // 3 for n in lengths]
    ranks = [WindowedBatchSampler(lengths, labels, 2, 3, seed=1, rank=r, world_size=2) for r in range(2)]
    plans = [s.plan(0) for s in ranks]
    a = {i for b in plans[0] for i, *_ in b}
    b = {i for b in plans[1] for i, *_ in b}
    assert not a & b and len(plans[0]) == len(plans[1])
    for local in range(len(plans[0])):
        assert plans[0][local][0][1] == plans[1][local][0][1]  # same global window total on both ranks
    first_window = [plans[r][k] for r in range(2) for k in range(3)]
    assert plans[0][0][0][1] == sum(labels[i] for batch in first_window for i, *_ in batch)
    assert ranks[0].steps_per_epoch() == 9  # 50 global batches -> 25 per rank -> ceil(25 / 3)


def test_resume_skips_the_consumed_batches() -> None:
    sampler = WindowedBatchSampler(list(range(1, 41)), [1] * 40, 2, 2, seed=0)
    full = list(sampler)
    sampler.skip_batches = 6
    assert list(sampler) == full[6:]
    assert list(sampler) == full  # skipping happens once


def test_eval_split_is_deterministic_and_eval_file_wins(tokenizer, tmp_path) -> None:
    train_idx, eval_idx = split_for_eval(100, 0.1, seed=7)
    assert (train_idx, eval_idx) == split_for_eval(100, 0.1, seed=7)
    assert len(eval_idx) == 10 and not set(train_idx) & set(eval_idx)
    assert split_for_eval(10, 0.1, seed=7)[1] == []
    data = write_records(tmp_path / "clean_training_dataset.jsonl", 30, seed=2)
    kwargs = {"max_length": 256, "batch_size": 2, "eval_batch_size": 2, "accumulation": 1, "seed": 0, "eval_ratio": 0.1}
    split = LegalDataModule(tokenizer, data, eval_file=None, **kwargs)
    split.prepare()
    assert split.stats.eval_records == 3 and split.stats.train_records == 27
    evals = write_records(tmp_path / "clean_eval_dataset.jsonl", 5, seed=9)
    dm = LegalDataModule(tokenizer, data, eval_file=evals, **kwargs)
    dm.prepare()
    assert dm.stats.train_records == 30 and dm.stats.eval_records == 5 and dm.stats.eval_source == str(evals)
    batch = next(iter(dm.val_dataloader()))
    assert batch["input_ids"].shape[0] == 2 and batch["labels"].dtype == torch.long


def test_tokenisation_is_cached(tokenizer, tmp_path) -> None:
    data = write_records(tmp_path / "d.jsonl", 10, seed=4)
    first, _ = tokenize_file(data, tokenizer, 256, cache_dir=tmp_path / "cache")
    second, _ = tokenize_file(data, tokenizer, 256, cache_dir=tmp_path / "cache")
    assert first._fingerprint == second._fingerprint
    assert second.cache_files and all(Path(f["filename"]).exists() for f in second.cache_files)


def test_lightning_sets_the_epoch_on_the_batch_sampler() -> None:
    from lightning.fabric.utilities.data import _set_sampler_epoch
    from torch.utils.data import DataLoader

    sampler = WindowedBatchSampler(list(range(1, 41)), [1] * 40, 2, 2, seed=0)
    loader = DataLoader(list(range(40)), batch_sampler=sampler)
    first = list(sampler)
    _set_sampler_epoch(loader, 1)  # what Lightning's fit loop does at each epoch start
    assert sampler.epoch == 1 and list(sampler) != first
