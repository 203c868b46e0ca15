"""GPU profiles: named bundles of batch size, accumulation, precision and base-weight quantization.

Profiles are data (``configs/profiles/<name>.json`` or ``.toml``), so a user with another card copies one and
edits the numbers. A profile's ``training_args`` are the lowest layer above the shipped defaults (see
`legal_ft.training.config`). ``auto`` reads the card's total memory and picks the largest candidate whose
peak-memory estimate fits; without CUDA it picks ``cpu``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from legal_ft.errors import ConfigError
from legal_ft.resources import configs_dir
from legal_ft.training.config import flatten_settings
from legal_ft.training.memory import (
    QWEN3_4B,
    MemoryEstimate,
    ModelShape,
    estimate_peak_memory,
)

PROFILE_ORDER = ("rtx3070", "rtx3080", "rtx3090", "cpu", "auto")


@dataclass(frozen=True)
class GpuProfile:
    name: str
    description: str
    device: str  # "cuda" | "cpu" | "auto"
    memory_gib: float | None
    quantization: str | None  # None | "4bit" | "8bit"
    settings: dict[tuple[str, str], Any] = field(default_factory=dict)
    smaller: str | None = None  # the profile to suggest after an out-of-memory error
    candidates: tuple[str, ...] = ()
    path: Path | None = None

    @property
    def is_auto(self) -> bool:
        return self.device == "auto"

    def setting(self, section: str, key: str, default: Any) -> Any:
        return self.settings.get((section, key), default)


def profiles_dir() -> Path:
    return configs_dir() / "profiles"


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.suffix == ".toml":
            return tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Notepad may put a BOM in front
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"profile {path} cannot be read ({exc})", "fix the file or use a built-in profile") from exc


def load_profile(name_or_path: str) -> GpuProfile:
    """A built-in profile by name, or a profile file by path."""
    path = Path(name_or_path)
    if not (path.suffix in (".json", ".toml") and path.is_file()):
        candidates = [profiles_dir() / f"{name_or_path}.json", profiles_dir() / f"{name_or_path}.toml"]
        found = [p for p in candidates if p.is_file()]
        if not found:
            raise ConfigError(
                f"unknown GPU profile {name_or_path!r}",
                f"use one of: {', '.join(available_profiles())}, or a path to a profile file",
            )
        path = found[0]
    raw = _read(path)
    allowed = {
        "name",
        "description",
        "memory_gib",
        "device",
        "quantization",
        "smaller",
        "training_args",
        "lora_config",
        "data_config",
        "auto",
        "candidates",
    }
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConfigError(f"profile {path}: unknown key '{unknown[0]}'", f"allowed: {', '.join(sorted(allowed))}")
    is_auto = bool(raw.get("auto"))
    device = "auto" if is_auto else str(raw.get("device", "cuda"))
    if device not in ("cuda", "cpu", "auto"):
        raise ConfigError(f"profile {path}: device must be 'cuda' or 'cpu'", "fix the profile file")
    quantization = raw.get("quantization")
    if quantization not in (None, "4bit", "8bit"):
        raise ConfigError(f"profile {path}: quantization must be null, '4bit' or '8bit'", "fix the profile file")
    sections = {k: raw[k] for k in ("training_args", "lora_config", "data_config") if k in raw}
    return GpuProfile(
        name=str(raw.get("name", path.stem)),
        description=str(raw.get("description", "")),
        device=device,
        memory_gib=raw.get("memory_gib"),
        quantization=quantization,
        settings=flatten_settings(sections, f"profile {path}"),
        smaller=raw.get("smaller"),
        candidates=tuple(raw.get("candidates", ())),
        path=path,
    )


def available_profiles() -> list[str]:
    names = {p.stem for p in profiles_dir().glob("*.json")} | {p.stem for p in profiles_dir().glob("*.toml")}
    ordered = [n for n in PROFILE_ORDER if n in names]
    return ordered + sorted(names - set(ordered))


def base_dtype(profile: GpuProfile, *, fp16: bool, bf16: bool) -> str:
    """The dtype the frozen base is held in (and the activations run in)."""
    if profile.device == "cpu":
        return "float32"
    if bf16:
        return "bfloat16"
    return "float16" if fp16 else "float32"


def estimate_for(
    profile: GpuProfile,
    shape: ModelShape = QWEN3_4B,
    *,
    max_length: int | None = None,
    overrides: dict[tuple[str, str], Any] | None = None,
) -> MemoryEstimate:
    """The peak-memory estimate for training ``shape`` with this profile's settings."""
    from legal_ft.training.config import TrainingConfig

    defaults = TrainingConfig()
    settings = {**profile.settings, **(overrides or {})}

    def get(section: str, key: str) -> Any:
        return settings.get((section, key), getattr(getattr(defaults, section), key))

    return estimate_peak_memory(
        shape,
        quantization=profile.quantization,
        dtype=base_dtype(profile, fp16=get("training_args", "fp16"), bf16=get("training_args", "bf16")),
        batch_size=get("training_args", "per_device_train_batch_size"),
        seq_len=max_length or get("data_config", "max_length"),
        lora_r=get("lora_config", "r"),
        target_modules=get("lora_config", "target_modules"),
        gradient_checkpointing=get("training_args", "gradient_checkpointing"),
        loss_chunk_tokens=get("training_args", "loss_chunk_tokens"),
        optim=get("training_args", "optim"),
    )


def cuda_memory_gib() -> float | None:
    """Total memory of the current CUDA device in GiB, or None without CUDA."""
    import torch

    if not torch.cuda.is_available():
        return None
    try:
        _free, total = torch.cuda.mem_get_info()
    except RuntimeError:
        total = torch.cuda.get_device_properties(torch.cuda.current_device()).total_memory
    return total / 1024**3


def pick_auto(
    auto: GpuProfile, card_gib: float | None, shape: ModelShape = QWEN3_4B, max_length: int | None = None
) -> GpuProfile:
    """The largest candidate whose estimate fits ``card_gib``; ``cpu`` when there is no GPU."""
    if card_gib is None:
        return load_profile("cpu")
    candidates = [load_profile(n) for n in (auto.candidates or ("rtx3090", "rtx3080", "rtx3070"))]
    candidates.sort(key=lambda p: p.memory_gib or 0, reverse=True)
    for profile in candidates:
        if estimate_for(profile, shape, max_length=max_length).fits(card_gib):
            return profile
    smallest = candidates[-1]
    raise ConfigError(
        f"no GPU profile fits this card ({card_gib:.1f} GiB); even {smallest.name} needs about "
        f"{estimate_for(smallest, shape, max_length=max_length).total_gib:.1f} GiB",
        "lower data_config.max_length (e.g. --max-length 1024) or use --gpu-profile cpu",
    )


def resolve_profile(name: str, shape: ModelShape = QWEN3_4B, max_length: int | None = None) -> GpuProfile:
    profile = load_profile(name)
    if profile.is_auto:
        return pick_auto(profile, cuda_memory_gib(), shape, max_length)
    return profile
