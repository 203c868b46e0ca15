"""Eval loss and perplexity on the reference answers, counting answer tokens only.

Each record is rendered and tokenised exactly as training does it (`legal_ft.training.data.TokenizeFn` over
`legal_ft.prompting.render_example`): the prompt tokens are masked, the answer tokens (up to and including the end-of-turn marker) are scored. The loss is the sum of
token losses over all records divided by the number of answer tokens — a token-weighted mean, not a mean of
per-batch means, so long documents count in proportion to their length.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from legal_ft.generation.loader import LoadedModel

IGNORE_INDEX = -100


@dataclass(frozen=True, slots=True)
class LossStats:
    loss: float
    perplexity: float
    answer_tokens: int
    records: int
    truncated: int  # records whose answer was cut at max_length

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def encode_for_loss_many(
    tokenizer: Any, records: Sequence[tuple[str, str, str]], max_length: int
) -> list[tuple[list[int], list[int], bool]]:
    """Token ids and labels (prompt masked with -100) for each ``(instruction, input, output)``, encoded by the
    trainer's own tokenising function (`legal_ft.training.data.TokenizeFn`), so eval loss and training loss see
    the same tokens. The flag says the answer was cut at ``max_length`` (cut away entirely: no label at all)."""
    from legal_ft.training.data import TokenizeFn

    if not records:
        return []
    columns = {"instruction": [r[0] for r in records], "input": [r[1] for r in records], "output": [r[2] for r in records]}
    encoded = TokenizeFn(tokenizer, max_length)(columns)
    out = []
    for ids, prompt_len, status in zip(encoded["input_ids"], encoded["prompt_len"], encoded["status"], strict=True):
        out.append((ids, [IGNORE_INDEX] * prompt_len + ids[prompt_len:], status != "ok"))
    return out


def encode_for_loss(tokenizer: Any, instruction: str, input: str, output: str, max_length: int) -> tuple[list[int], list[int], bool]:
    """`encode_for_loss_many` for one record."""
    return encode_for_loss_many(tokenizer, [(instruction, input, output)], max_length)[0]


def answer_loss(
    loaded: LoadedModel,
    records: Sequence[tuple[str, str, str]],
    *,
    batch_size: int = 4,
    max_length: int = 2048,
    on_done: Callable[[int], None] | None = None,
) -> LossStats:
    """Loss of the loaded model (as it is: with or without its adapter active) on ``(instruction, input, output)``."""
    import torch

    tok = loaded.tokenizer
    encoded = encode_for_loss_many(tok, records, max_length)
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
    total_loss = 0.0
    total_tokens = 0
    order = sorted(range(len(encoded)), key=lambda k: len(encoded[k][0]))
    for start in range(0, len(order), batch_size):
        batch = [encoded[k] for k in order[start : start + batch_size]]
        width = max(len(ids) for ids, _, _ in batch)
        input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, (ids, labs, _) in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            labels[row, : len(labs)] = torch.tensor(labs)
            attention[row, : len(ids)] = 1
        device = loaded.device
        with torch.inference_mode(), loaded.compute():
            logits = loaded.model(input_ids=input_ids.to(device), attention_mask=attention.to(device)).logits
        shift_logits = logits[:, :-1, :].float()
        shift_labels = labels[:, 1:].to(device)
        loss = torch.nn.functional.cross_entropy(
            shift_logits.reshape(-1, shift_logits.size(-1)),
            shift_labels.reshape(-1),
            ignore_index=IGNORE_INDEX,
            reduction="sum",
        )
        total_loss += float(loss)
        total_tokens += int((shift_labels != IGNORE_INDEX).sum())
        if on_done is not None:
            on_done(len(batch))
    mean = total_loss / total_tokens if total_tokens else float("nan")
    return LossStats(
        loss=mean,
        perplexity=math.exp(mean) if total_tokens and mean < 700 else float("inf") if total_tokens else float("nan"),
        answer_tokens=total_tokens,
        records=len(encoded),
        truncated=sum(1 for _, _, t in encoded if t),
    )
