"""The training configuration: the seed's `lora_training_config.json` format, HF argument names, precedence.

The seed's file has three sections — ``training_args`` (Hugging Face `TrainingArguments` names),
``lora_config`` (PEFT `LoraConfig` names) and ``data_config`` (``max_length``). We read that file as it is, accept
the common HF names a user copies from other recipes (warmup, scheduler, weight decay, logging/eval/save steps,
max_grad_norm, seed, …), and reject anything else with the closest known name (a typo like ``learnig_rate``
silently ignored would cost a night of training). Keys may also be given flat at the top level.

Precedence (later wins): the shipped defaults (``configs/lora_training_config.json``, the seed's values) < GPU
profile < the user's config file (``--config``, or ``datasets/lora_training_config.json``) < command-line flags.
The shipped file is the bottom layer rather than a "config file" so that ``--gpu-profile rtx3090`` still gets its
4 × 2 batches when the user has no config of their own. Each value remembers where it came from, so the resolved
configuration printed at the start says why a value is what it is.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from legal_ft.errors import ConfigError
from legal_ft.resources import configs_dir

SECTIONS = ("training_args", "lora_config", "data_config")
SCHEDULERS = ("linear", "cosine", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial")
OPTIMIZERS = ("adamw_torch", "adamw_8bit", "paged_adamw_8bit")
EVAL_STRATEGIES = ("steps", "epoch", "no")
CONFIG_FILENAME = "lora_training_config.json"


@dataclass
class TrainingArgs:
    """`training_args`: HF TrainingArguments names, plus a few of ours (documented per field)."""

    num_train_epochs: float = 3
    max_steps: int = -1  # > 0 overrides the epochs, as in HF
    per_device_train_batch_size: int = 1
    per_device_eval_batch_size: int = 0  # 0: same as the train batch size
    gradient_accumulation_steps: int = 8
    learning_rate: float = 1e-4
    weight_decay: float = 0.0
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-8
    max_grad_norm: float = 1.0
    lr_scheduler_type: str = "cosine"
    warmup_steps: int = 0  # > 0 wins over warmup_ratio, as in HF
    warmup_ratio: float = 0.03
    fp16: bool = True
    bf16: bool = False
    gradient_checkpointing: bool = True
    optim: str = "adamw_torch"
    seed: int = 42
    logging_steps: int = 10
    eval_strategy: str = "steps"
    eval_steps: int = 50
    save_steps: int = 50
    save_total_limit: int = 2
    eval_max_batches: int = 50  # ours: cap on eval batches per evaluation
    overfit_patience: int = 3  # ours: evals with rising eval loss (train loss falling) before the warning
    max_nonfinite_losses: int = 10  # ours: consecutive non-finite losses that stop the run
    loss_chunk_tokens: int = 1024  # ours: label positions per lm_head chunk (caps the logits' memory)
    group_by_length: bool = True
    dataloader_num_workers: int = 0
    output_dir: str = "models/legal_model_lora"


@dataclass
class LoraArgs:
    """`lora_config`: PEFT LoraConfig names."""

    r: int = 16
    lora_alpha: int = 32
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "v_proj", "k_proj", "o_proj"])
    lora_dropout: float = 0.05
    bias: str = "none"
    task_type: str = "CAUSAL_LM"


@dataclass
class DataArgs:
    """`data_config`: sequence length and how the eval split is made."""

    max_length: int = 2048
    eval_ratio: float = 0.05  # deterministic split when there is no clean eval file
    num_proc: int = 0  # 0: decide from the dataset size
    train_file: str = ""
    eval_file: str = ""


@dataclass
class TrainingConfig:
    training_args: TrainingArgs = field(default_factory=TrainingArgs)
    lora_config: LoraArgs = field(default_factory=LoraArgs)
    data_config: DataArgs = field(default_factory=DataArgs)
    # section.key -> "default" | "profile <name>" | "config <path>" | "command line"
    sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The seed's nested format (what `legalft config init` writes and what is saved beside the adapter)."""
        return {name: asdict(getattr(self, name)) for name in SECTIONS}

    @property
    def args(self) -> TrainingArgs:
        return self.training_args

    @property
    def lora(self) -> LoraArgs:
        return self.lora_config

    @property
    def data(self) -> DataArgs:
        return self.data_config


_SECTION_TYPES = {"training_args": TrainingArgs, "lora_config": LoraArgs, "data_config": DataArgs}
# Accepted spellings of the same setting (HF renamed evaluation_strategy to eval_strategy).
ALIASES = {
    "evaluation_strategy": "eval_strategy",
    "max_seq_length": "max_length",
    "lora_r": "r",
    "lora_rank": "r",
    "alpha": "lora_alpha",
    "dropout": "lora_dropout",
}


def known_keys() -> dict[str, str]:
    """Every accepted key -> its section."""
    out: dict[str, str] = {}
    for section, cls in _SECTION_TYPES.items():
        for f in fields(cls):
            out[f.name] = section
    for alias, target in ALIASES.items():
        out[alias] = out[target]
    return out


def _suggest(key: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(candidates))}"


def _coerce(section: str, key: str, value: Any, where: str) -> Any:
    """Check a value against the field's type; JSON ints are fine where floats are expected."""
    cls = _SECTION_TYPES[section]
    default = next(f for f in fields(cls) if f.name == key)
    from dataclasses import MISSING

    sample = default.default_factory() if default.default is MISSING else default.default  # type: ignore[misc]
    ok: bool
    if isinstance(sample, bool):
        ok = isinstance(value, bool)
    elif isinstance(sample, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok and isinstance(value, float) and value.is_integer():
            value, ok = int(value), True
    elif isinstance(sample, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(sample, list):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value) and bool(value)
    else:
        ok = isinstance(value, str)
    if not ok:
        raise ConfigError(
            f"{where}: '{section}.{key}' must be {type(sample).__name__}, got {json.dumps(value, ensure_ascii=False)}",
            "fix the value in the config file or flag",
        )
    return value


def flatten_settings(obj: Any, where: str) -> dict[tuple[str, str], Any]:
    """Validate a config mapping (nested seed format or flat names) into ``{(section, key): value}``."""
    if not isinstance(obj, dict):
        raise ConfigError(f"{where}: expected a JSON object at the top level", "see configs/lora_training_config.json")
    keys = known_keys()
    out: dict[tuple[str, str], Any] = {}

    def put(section: str | None, key: str, value: Any) -> None:
        if key.startswith("_"):
            return  # comments
        real = ALIASES.get(key, key)
        if real not in keys or (section is not None and keys[real] != section):
            pool = [k for k, s in keys.items() if section is None or s == section]
            prefix = f"{section}." if section else ""
            raise ConfigError(
                f"{where}: unknown key '{prefix}{key}'", _suggest(key, pool + ([] if section else list(SECTIONS)))
            )
        sec = keys[real]
        out[(sec, real)] = _coerce(sec, real, value, where)

    for key, value in obj.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: '{key}' must be an object", "see configs/lora_training_config.json")
            for sub, sub_value in value.items():
                put(key, sub, sub_value)
        else:
            put(None, key, value)
    return out


def read_config_file(path: str | Path) -> dict[tuple[str, str], Any]:
    p = Path(path)
    try:
        obj = json.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"config file {p} does not exist", "run 'legalft config init' to write one") from None
    except ValueError as exc:
        raise ConfigError(f"{p} is not valid JSON ({exc})", "fix the file or run 'legalft config init'") from exc
    return flatten_settings(obj, str(p))


def shipped_config_path() -> Path:
    return configs_dir() / CONFIG_FILENAME


def default_config_path(datasets_dir: str | Path = "datasets") -> Path | None:
    """The user's config in the seed's layout (``datasets/lora_training_config.json``) if present.

    ``None`` means "the shipped defaults only" (they are always the bottom layer of `resolve_config`).
    """
    local = Path(datasets_dir) / CONFIG_FILENAME
    return local if local.is_file() else None


def resolve_config(
    *,
    profile_settings: dict[tuple[str, str], Any] | None = None,
    profile_name: str | None = None,
    config_path: str | Path | None = None,
    cli_settings: dict[tuple[str, str], Any] | None = None,
) -> TrainingConfig:
    """Merge defaults < profile < config file < command line into one validated `TrainingConfig`."""
    config = TrainingConfig()
    shipped = shipped_config_path()
    layers: list[tuple[str, dict[tuple[str, str], Any]]] = [("defaults", read_config_file(shipped))]
    if config_path is not None and Path(config_path).resolve() == shipped.resolve():
        config_path = None
    if profile_settings:
        layers.append((f"profile {profile_name}", profile_settings))
    if config_path is not None:
        layers.append((f"config {config_path}", read_config_file(config_path)))
    if cli_settings:
        layers.append(("command line", {k: _coerce(k[0], k[1], v, "command line") for k, v in cli_settings.items()}))
    for source, settings in layers:
        for (section, key), value in settings.items():
            setattr(getattr(config, section), key, value)
            if source != "defaults":
                config.sources[f"{section}.{key}"] = source
    validate(config)
    return config


def validate(config: TrainingConfig) -> None:
    a, lora, d = config.training_args, config.lora_config, config.data_config
    checks: list[tuple[bool, str, str]] = [
        (a.per_device_train_batch_size >= 1, "per_device_train_batch_size must be at least 1", "use 1 or more"),
        (a.gradient_accumulation_steps >= 1, "gradient_accumulation_steps must be at least 1", "use 1 or more"),
        (
            a.learning_rate > 0 and math.isfinite(a.learning_rate),
            "learning_rate must be positive",
            "the seed uses 1e-4",
        ),
        (a.max_steps > 0 or a.num_train_epochs > 0, "set num_train_epochs or max_steps above 0", "e.g. 3 epochs"),
        (0 <= a.warmup_ratio < 1, "warmup_ratio must be in [0, 1)", "e.g. 0.03"),
        (
            a.lr_scheduler_type in SCHEDULERS,
            f"unknown lr_scheduler_type {a.lr_scheduler_type!r}",
            f"use one of: {', '.join(SCHEDULERS)}",
        ),
        (a.optim in OPTIMIZERS, f"unknown optim {a.optim!r}", f"use one of: {', '.join(OPTIMIZERS)}"),
        (
            a.eval_strategy in EVAL_STRATEGIES,
            f"unknown eval_strategy {a.eval_strategy!r}",
            f"use one of: {', '.join(EVAL_STRATEGIES)}",
        ),
        (not (a.fp16 and a.bf16), "fp16 and bf16 are both on", "choose one (bf16 needs an RTX 30xx or newer)"),
        (
            a.logging_steps >= 1 and a.eval_steps >= 1 and a.save_steps >= 1,
            "logging_steps, eval_steps and save_steps must be at least 1",
            "use 1 or more",
        ),
        (a.loss_chunk_tokens >= 1, "loss_chunk_tokens must be at least 1", "e.g. 1024"),
        (lora.r >= 1 and lora.lora_alpha > 0, "LoRA r and lora_alpha must be positive", "the seed uses r=16, alpha=32"),
        (0 <= lora.lora_dropout < 1, "lora_dropout must be in [0, 1)", "the seed uses 0.05"),
        (d.max_length >= 16, "data_config.max_length must be at least 16 tokens", "the seed uses 2048"),
        (0 <= d.eval_ratio < 0.5, "data_config.eval_ratio must be in [0, 0.5)", "e.g. 0.05"),
    ]
    for ok, message, hint in checks:
        if not ok:
            raise ConfigError(message, hint)


def describe(config: TrainingConfig) -> list[tuple[str, str, str]]:
    """Rows of (key, value, source) for printing the resolved configuration."""
    rows = []
    for section in SECTIONS:
        for key, value in asdict(getattr(config, section)).items():
            name = f"{section}.{key}"
            rows.append((name, json.dumps(value, ensure_ascii=False), config.sources.get(name, "default")))
    return rows
