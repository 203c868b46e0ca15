"""Training data: records → chat-template tokens (cached Arrow) → length-grouped batches with window metadata.

Tokenisation runs through Hugging Face `datasets` (`Dataset.from_generator` + `map`), so it is cached as Arrow on
disk, keyed by the data file, the tokenizer and the settings, and uses several processes for large files.
Each example is the model's own chat template in Qwen3's non-thinking form (`legal_ft.prompting.render_example`):
the prompt ids are exactly what generation feeds the model, and only the answer is learned (labels -100 on the
prompt). An answer longer than ``max_length`` is cut at the end; a record whose answer would be cut away entirely
(a very long prompt) is dropped and counted — training on an empty target teaches nothing and hides the problem.

Batches: `WindowedBatchSampler` groups examples of similar length (little padding) and plans whole optimizer
windows (``batch × accumulation × world size``) ahead, so every batch carries the number of answer tokens in its
window across all ranks. The loss is then normalised per window, not per batch (see `module.py`).
"""

from __future__ import annotations

import hashlib
import math
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightning as L
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from legal_ft.errors import InputError
from legal_ft.prompting import render_example

IGNORE_INDEX = -100
CACHE_VERSION = "1"


@dataclass
class DataStats:
    """What happened to the records on their way to batches (reported in metrics.json and at the start)."""

    train_records: int = 0
    eval_records: int = 0
    bad_lines: int = 0
    truncated: int = 0  # answer cut at max_length but kept
    dropped_no_answer: int = 0  # answer cut away entirely: not trained on
    eval_source: str = ""
    train_tokens: int = 0
    train_answer_tokens: int = 0
    dropped_examples: list[str] = field(default_factory=list)  # file:line of the first few dropped records

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _read_records(path: str, fingerprint: str) -> Iterator[dict[str, Any]]:
    """Generator for `Dataset.from_generator`: valid records of a JSONL file with their origin."""
    from legal_ft.io import iter_records
    from legal_ft.records import Record

    for item in iter_records(path):
        if isinstance(item, Record):
            yield {"instruction": item.instruction, "input": item.input, "output": item.output, "source": item.where()}


def count_bad_lines(path: str | Path) -> int:
    from legal_ft.io import iter_records
    from legal_ft.records import Record

    return sum(1 for item in iter_records(path) if not isinstance(item, Record))


def file_fingerprint(path: str | Path) -> str:
    """Content hash of the data file (so an edited file is re-tokenised, an untouched one is not)."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def tokenizer_fingerprint(tokenizer: Any) -> str:
    h = hashlib.sha256()
    h.update(str(getattr(tokenizer, "chat_template", "")).encode())
    h.update(tokenizer.backend_tokenizer.to_str().encode() if hasattr(tokenizer, "backend_tokenizer") else b"")
    h.update(str(tokenizer.eos_token).encode())
    return h.hexdigest()[:16]


class TokenizeFn:
    """Picklable batched `map` function (works with ``num_proc`` > 1)."""

    def __init__(self, tokenizer: Any, max_length: int) -> None:
        self.tokenizer = tokenizer
        self.max_length = max_length

    def __call__(self, batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        examples = [
            render_example(self.tokenizer, instruction, inp, output)
            for instruction, inp, output in zip(batch["instruction"], batch["input"], batch["output"], strict=True)
        ]
        # Prompt and answer are tokenised separately (in one Rust call each): the prompt ids are then exactly
        # the ids generation feeds the model, whatever BPE would merge across the boundary.
        prompts = self.tokenizer([e.prompt for e in examples], add_special_tokens=False)["input_ids"]
        answers = self.tokenizer([e.completion for e in examples], add_special_tokens=False)["input_ids"]
        out: dict[str, list[Any]] = {"input_ids": [], "prompt_len": [], "length": [], "n_labels": [], "status": []}
        for prompt_ids, answer_ids in zip(prompts, answers, strict=True):
            room = self.max_length - len(prompt_ids)
            status = "ok"
            if room <= 0:
                status, answer_ids = "dropped", []
            elif len(answer_ids) > room:
                status, answer_ids = "truncated", answer_ids[:room]
            ids = list(prompt_ids) + list(answer_ids)
            out["input_ids"].append(ids)
            out["prompt_len"].append(len(prompt_ids))
            out["length"].append(len(ids))
            out["n_labels"].append(len(answer_ids))
            out["status"].append(status)
        return out


def tokenize_file(
    path: str | Path, tokenizer: Any, max_length: int, *, num_proc: int = 0, cache_dir: str | Path | None = None
) -> tuple[Any, DataStats]:
    """Read, render and tokenise a JSONL file into an Arrow `datasets.Dataset`; returns it with its stats."""
    import datasets

    datasets.disable_progress_bars()
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"training data {path} does not exist",
            "run 'legalft clean' first, or pass --data PATH to a JSONL file of records",
        )
    fp = file_fingerprint(path)
    raw = (
        datasets.Dataset.from_generator(
            _read_records,
            gen_kwargs={"path": str(path), "fingerprint": fp},
            cache_dir=str(cache_dir) if cache_dir else None,
        )
        if path.stat().st_size
        else datasets.Dataset.from_dict({"instruction": [], "input": [], "output": [], "source": []})
    )
    stats = DataStats(bad_lines=count_bad_lines(path))
    if len(raw) == 0:
        raise InputError(f"{path} has no valid records", "check the file with 'legalft clean' first")
    if num_proc <= 0:
        num_proc = min(os.cpu_count() or 1, len(raw) // 2000)  # worker start-up costs more than small files gain
    key = hashlib.sha256(f"{CACHE_VERSION}|{fp}|{tokenizer_fingerprint(tokenizer)}|{max_length}".encode()).hexdigest()
    tokenized = raw.map(
        TokenizeFn(tokenizer, max_length),
        batched=True,
        batch_size=256,
        num_proc=num_proc if num_proc > 1 else None,
        remove_columns=["instruction", "input", "output"],
        new_fingerprint=key[:32],
        desc="tokenising",
    )
    statuses = tokenized["status"]
    stats.truncated = sum(1 for s in statuses if s == "truncated")
    dropped = [i for i, s in enumerate(statuses) if s == "dropped"]
    stats.dropped_no_answer = len(dropped)
    if dropped:
        sources = tokenized.select(dropped[:5])["source"]
        stats.dropped_examples = list(sources)
        tokenized = tokenized.filter(
            lambda s: s != "dropped", input_columns="status", new_fingerprint=(key[:24] + "filtered")
        )
    return tokenized, stats


class TokenizedDataset(Dataset):
    """Index access over the Arrow table; the sampler's keys carry the window metadata into the batch."""

    def __init__(self, table: Any) -> None:
        self.table = table.with_format(None, columns=["input_ids", "prompt_len"])
        self.lengths: list[int] = list(table["length"])
        self.n_labels: list[int] = list(table["n_labels"])

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, key: Any) -> dict[str, Any]:
        index, window_tokens, window_end = key if isinstance(key, tuple) else (key, 0, True)
        row = self.table[int(index)]
        return {
            "input_ids": row["input_ids"],
            "prompt_len": row["prompt_len"],
            "window_tokens": window_tokens,
            "window_end": window_end,
        }


@dataclass
class Collator:
    """Right-pad a batch; labels are -100 on the prompt and on padding."""

    pad_token_id: int
    pad_to_multiple_of: int = 1

    def __call__(self, items: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        longest = max(len(it["input_ids"]) for it in items)
        if self.pad_to_multiple_of > 1:
            longest = math.ceil(longest / self.pad_to_multiple_of) * self.pad_to_multiple_of
        n = len(items)
        input_ids = torch.full((n, longest), self.pad_token_id, dtype=torch.long)
        labels = torch.full((n, longest), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((n, longest), dtype=torch.long)
        for row, it in enumerate(items):
            ids = torch.tensor(it["input_ids"], dtype=torch.long)
            input_ids[row, : len(ids)] = ids
            attention[row, : len(ids)] = 1
            labels[row, it["prompt_len"] : len(ids)] = ids[it["prompt_len"] :]
        window = int(items[0].get("window_tokens") or 0) or int((labels != IGNORE_INDEX).sum())
        return {
            "input_ids": input_ids,
            "attention_mask": attention,
            "labels": labels,
            "window_tokens": torch.tensor(window, dtype=torch.long),
            "window_end": torch.tensor(bool(items[0].get("window_end", True))),
        }


class WindowedBatchSampler(Sampler[list[tuple[int, int, bool]]]):
    """Length-grouped, deterministically shuffled batches, planned in optimizer windows across ranks.

    For epoch ``e`` the order depends only on ``(seed, e)``: indices are shuffled, cut into mega-batches of
    50 batches, each sorted by length and cut into batches (similar lengths → little padding), then the batch
    order is shuffled. Global batch ``j`` goes to rank ``j % world_size``; every ``accumulation`` batches of a rank
    form one optimizer step. Each yielded index is ``(example index, answer tokens in the whole window over all
    ranks, whether this batch ends its window)``. ``skip_batches`` (set when resuming) skips the first batches of the next
    epoch this rank iterates.
    """

    def __init__(
        self,
        lengths: list[int],
        n_labels: list[int],
        batch_size: int,
        accumulation: int,
        *,
        seed: int = 0,
        shuffle: bool = True,
        group_by_length: bool = True,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        self.lengths, self.n_labels = lengths, n_labels
        self.batch_size, self.accumulation = batch_size, accumulation
        self.seed, self.shuffle, self.group_by_length = seed, shuffle, group_by_length
        self.rank, self.world_size = rank, world_size
        self.epoch = 0
        self.skip_batches = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    @property
    def sampler(self) -> WindowedBatchSampler:
        """Lightning calls ``batch_sampler.sampler.set_epoch(epoch)`` at each epoch start; this routes it here."""
        return self

    def global_batches(self, epoch: int) -> list[list[int]]:
        indices = list(range(len(self.lengths)))
        rng = random.Random(f"{self.seed}:{epoch}")
        if self.shuffle:
            rng.shuffle(indices)
        if self.group_by_length:
            mega = self.batch_size * 50
            grouped: list[int] = []
            for start in range(0, len(indices), mega):
                chunk = indices[start : start + mega]
                grouped.extend(sorted(chunk, key=lambda i: -self.lengths[i]))
            indices = grouped
        batches = [indices[i : i + self.batch_size] for i in range(0, len(indices), self.batch_size)]
        if self.shuffle:
            rng.shuffle(batches)
        usable = len(batches) // self.world_size * self.world_size
        return batches[:usable] if self.world_size > 1 else batches

    def plan(self, epoch: int) -> list[list[tuple[int, int, bool]]]:
        """This rank's batches for ``epoch``, each index paired with its window's answer-token total."""
        batches = self.global_batches(epoch)
        per_rank = len(batches) // self.world_size
        window_batches = self.accumulation * self.world_size
        out: list[list[tuple[int, int, bool]]] = []
        for local in range(per_rank):
            window = local // self.accumulation
            first = window * window_batches
            members = batches[first : min(first + window_batches, per_rank * self.world_size)]
            tokens = sum(self.n_labels[i] for batch in members for i in batch)
            end = (local + 1) % self.accumulation == 0 or local == per_rank - 1
            mine = batches[local * self.world_size + self.rank]
            out.append([(i, tokens, end) for i in mine])
        return out

    def steps_per_epoch(self) -> int:
        per_rank = len(self.global_batches(0)) // self.world_size
        return math.ceil(per_rank / self.accumulation)

    def __iter__(self) -> Iterator[list[tuple[int, int, bool]]]:
        plan = self.plan(self.epoch)
        skip, self.skip_batches = self.skip_batches, 0
        yield from plan[skip:]

    def __len__(self) -> int:
        return len(self.global_batches(0)) // self.world_size


def split_for_eval(n: int, ratio: float, seed: int) -> tuple[list[int], list[int]]:
    """Deterministic train/eval split of ``n`` records (no eval below 20 records: too few to mean anything)."""
    if ratio <= 0 or n < 20:
        return list(range(n)), []
    order = list(range(n))
    random.Random(f"eval-split:{seed}").shuffle(order)
    k = max(1, round(n * ratio))
    eval_idx = sorted(order[:k])
    eval_set = set(eval_idx)
    return [i for i in range(n) if i not in eval_set], eval_idx


class LegalDataModule(L.LightningDataModule):
    """Tokenised train/eval data for `legalft fit`."""

    def __init__(
        self,
        tokenizer: Any,
        train_file: str | Path,
        *,
        eval_file: str | Path | None,
        max_length: int,
        batch_size: int,
        eval_batch_size: int,
        accumulation: int,
        seed: int,
        eval_ratio: float,
        group_by_length: bool = True,
        num_proc: int = 0,
        num_workers: int = 0,
        cache_dir: str | Path | None = None,
        pad_to_multiple_of: int = 1,
    ) -> None:
        super().__init__()
        self.tokenizer = tokenizer
        self.train_file, self.eval_file = Path(train_file), Path(eval_file) if eval_file else None
        self.max_length, self.batch_size, self.eval_batch_size = max_length, batch_size, eval_batch_size
        self.accumulation, self.seed, self.eval_ratio = accumulation, seed, eval_ratio
        self.group_by_length, self.num_proc, self.num_workers = group_by_length, num_proc, num_workers
        self.cache_dir, self.pad_to_multiple_of = cache_dir, pad_to_multiple_of
        self.stats = DataStats()
        self.train_data: TokenizedDataset | None = None
        self.eval_data: TokenizedDataset | None = None
        self.sampler: WindowedBatchSampler | None = None
        self._resume_skip = 0

    def prepare(self) -> None:
        """Tokenise (idempotent). Called before the Trainer exists, so errors surface before any model load."""
        if self.train_data is not None:
            return
        train, stats = tokenize_file(
            self.train_file, self.tokenizer, self.max_length, num_proc=self.num_proc, cache_dir=self.cache_dir
        )
        if self.eval_file is not None:
            evaluation, eval_stats = tokenize_file(
                self.eval_file, self.tokenizer, self.max_length, num_proc=self.num_proc, cache_dir=self.cache_dir
            )
            stats.eval_source = str(self.eval_file)
            stats.dropped_no_answer += eval_stats.dropped_no_answer
        else:
            train_idx, eval_idx = split_for_eval(len(train), self.eval_ratio, self.seed)
            evaluation = train.select(eval_idx) if eval_idx else None
            train = train.select(train_idx)
            stats.eval_source = (
                f"{len(eval_idx)} records split off the training file (seed {self.seed})"
                if eval_idx
                else "none (fewer than 20 records)"
            )
        if len(train) == 0:
            raise InputError(
                f"no trainable records left in {self.train_file}",
                f"{stats.dropped_no_answer} were dropped because the prompt alone exceeds max_length "
                f"{self.max_length}; raise data_config.max_length",
            )
        self.train_data = TokenizedDataset(train)
        self.eval_data = TokenizedDataset(evaluation) if evaluation is not None and len(evaluation) else None
        stats.train_records = len(self.train_data)
        stats.eval_records = len(self.eval_data) if self.eval_data else 0
        stats.train_tokens = sum(self.train_data.lengths)
        stats.train_answer_tokens = sum(self.train_data.n_labels)
        self.stats = stats

    def make_sampler(self, rank: int = 0, world_size: int = 1) -> WindowedBatchSampler:
        self.prepare()
        assert self.train_data is not None
        return WindowedBatchSampler(
            self.train_data.lengths,
            self.train_data.n_labels,
            self.batch_size,
            self.accumulation,
            seed=self.seed,
            group_by_length=self.group_by_length,
            rank=rank,
            world_size=world_size,
        )

    def setup(self, stage: str | None = None) -> None:
        self.prepare()
        trainer = getattr(self, "trainer", None)
        rank, world = (trainer.global_rank, trainer.world_size) if trainer is not None else (0, 1)
        self.sampler = self.make_sampler(rank, world)
        self.sampler.skip_batches = self._resume_skip

    def resume_at(self, skip_batches: int) -> None:
        """Skip the first ``skip_batches`` batches of the (restored) current epoch."""
        self._resume_skip = skip_batches
        if self.sampler is not None:
            self.sampler.skip_batches = skip_batches

    def train_dataloader(self) -> DataLoader:
        assert self.train_data is not None and self.sampler is not None
        # Own generator: creating the iterator must not draw from the global RNG (resume must replay exactly).
        return DataLoader(
            self.train_data,
            batch_sampler=self.sampler,
            collate_fn=self._collator(),
            num_workers=self.num_workers,
            generator=torch.Generator().manual_seed(self.seed),
            persistent_workers=self.num_workers > 0,
        )

    def val_dataloader(self) -> DataLoader | list:
        if self.eval_data is None:
            return []
        order = sorted(range(len(self.eval_data)), key=lambda i: -self.eval_data.lengths[i])  # type: ignore[union-attr]
        size = self.eval_batch_size
        batches = [order[i : i + size] for i in range(0, len(order), size)]
        return DataLoader(
            self.eval_data,
            batch_sampler=batches,
            collate_fn=self._collator(),
            num_workers=self.num_workers,
            generator=torch.Generator().manual_seed(self.seed),
        )

    def _collator(self) -> Collator:
        return Collator(pad_token_id=int(self.tokenizer.pad_token_id), pad_to_multiple_of=self.pad_to_multiple_of)
