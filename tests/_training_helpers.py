"""Shared helpers for the trainer tests (small data files, fit options for the tiny model)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_records(path: Path, n: int, seed: int = 0) -> Path:
    from legal_ft.sample import generate_records

    with path.open("w", encoding="utf-8") as handle:
        for record in generate_records(n, seed=seed, defect_rate=0.0):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def write_config(path: Path, **training_args: Any) -> Path:
    lora = training_args.pop("lora", {})
    data = training_args.pop("data", {})
    obj = {"training_args": training_args, "lora_config": lora, "data_config": data}
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def fit_options(model_dir: Path, data: Path, out: Path, config: Path | None = None, **kw: Any):
    from legal_ft.training.fit import FitOptions

    return FitOptions(
        model_dir=model_dir, data=data, out_dir=out, gpu_profile=kw.pop("gpu_profile", "cpu"), config_path=config, **kw
    )
