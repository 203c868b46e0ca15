"""`legalft config init`: the shipped config adjusted to a dataset (max_length from its token lengths)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from legal_ft.errors import InputError
from legal_ft.training.config import shipped_config_path

# Keys a GPU profile decides; left out of the written file unless a profile is pinned, so that
# `--gpu-profile` at fit time still takes effect (a config file overrides the profile).
PROFILE_KEYS = ("per_device_train_batch_size", "gradient_accumulation_steps", "fp16", "bf16", "gradient_checkpointing")


@dataclass(frozen=True)
class InitResult:
    text: str
    max_length: int
    records: int
    median: int
    at_percentile: int
    longest: int


def token_lengths(tokenizer: object, path: Path) -> list[int]:
    from legal_ft.io import iter_records
    from legal_ft.prompting import render_example
    from legal_ft.records import Record

    lengths = []
    for item in iter_records(path):
        if isinstance(item, Record):
            ex = render_example(tokenizer, item.instruction, item.input, item.output)
            ids = tokenizer(ex.prompt + ex.completion, add_special_tokens=False)["input_ids"]  # type: ignore[operator]
            lengths.append(len(ids))
    return lengths


def percentile_of(values: list[int], pct: float) -> int:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[k]


def build_config_for_dataset(
    model_dir: Path, data: Path, *, percentile: float = 98.0, gpu_profile: str | None = None
) -> InitResult:
    from legal_ft.modeling.loading import inspect_model_dir, load_tokenizer

    pct = percentile
    checked = inspect_model_dir(model_dir)
    if not Path(data).is_file():
        raise InputError(f"training data {data} does not exist", "run 'legalft clean' first or pass --data")
    tokenizer = load_tokenizer(checked.path)
    lengths = token_lengths(tokenizer, Path(data))
    if not lengths:
        raise InputError(f"{data} has no valid records", "check it with 'legalft clean'")
    at = percentile_of(lengths, pct)
    limit = int(checked.config.get("max_position_embeddings") or 32768)
    max_length = min(max(128, math.ceil(at / 64) * 64), limit)
    obj = json.loads(shipped_config_path().read_text(encoding="utf-8"))
    obj["_comment"] = (
        f"Written by 'legalft config init' for {data} ({len(lengths)} records): max_length covers "
        f"{pct:g}% of them. Batch size, accumulation and precision come from --gpu-profile at fit time"
        + (
            f" (pinned here from profile {gpu_profile})."
            if gpu_profile
            else "; add them under training_args to pin them."
        )
    )
    args = obj.setdefault("training_args", {})
    for key in PROFILE_KEYS:
        args.pop(key, None)
    if gpu_profile:
        from legal_ft.training.profiles import load_profile

        profile = load_profile(gpu_profile)
        for (section, key), value in profile.settings.items():
            obj.setdefault(section, {})[key] = value
    obj.setdefault("data_config", {})["max_length"] = max_length
    ordered = sorted(lengths)
    return InitResult(
        json.dumps(obj, ensure_ascii=False, indent=2) + "\n",
        max_length,
        len(lengths),
        ordered[len(ordered) // 2],
        at,
        ordered[-1],
    )
