"""Load a base model and its tokenizer from a local Hugging Face directory — never from the network.

The user's model (QVikhr-3-4B) lives on their disk; the tiny test model is built by `legalft model tiny`. Both
go through `load_model_and_tokenizer`, so tests exercise the real path. Nothing is downloaded
(``local_files_only=True``), and code shipped inside a model directory runs only when the caller asks
(``trust_remote_code=True``): a model folder from the internet is data, not a program.

A directory that lacks a piece is answered with one `InputError` that lists what is missing and where it goes,
instead of the Hub-lookup traceback `from_pretrained` would give.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from legal_ft.errors import ConfigError, InputError

Quantization = Literal["4bit", "8bit"]
QUANTIZATIONS: tuple[str, ...] = ("4bit", "8bit")

TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json")
_LAYOUT_HINT = (
    "put the Hugging Face model folder there: config.json, the tokenizer files (tokenizer.json + "
    "tokenizer_config.json) and the weights (*.safetensors); for a quick offline test run "
    "'legalft model tiny --out models/tiny-qwen3'"
)


@dataclass(frozen=True, slots=True)
class ModelDir:
    """A checked local model directory and its parsed ``config.json``."""

    path: Path
    config: dict[str, Any]
    weight_files: tuple[Path, ...]

    @property
    def model_type(self) -> str:
        return str(self.config.get("model_type", ""))


def inspect_model_dir(model_dir: str | Path, *, allow_pickle: bool = False) -> ModelDir:
    """Check that ``model_dir`` holds a complete model; raise one `InputError` naming every missing piece.

    ``allow_pickle`` accepts pickle-only weights (the user's explicit ``--allow-pickle``)."""
    path = Path(model_dir).expanduser()
    if not path.exists():
        raise InputError(f"model directory {path} does not exist", _LAYOUT_HINT)
    if not path.is_dir():
        raise InputError(f"{path} is a file, not a model directory", _LAYOUT_HINT)
    missing: list[str] = []
    config: dict[str, Any] = {}
    config_file = path / "config.json"
    if not config_file.is_file():
        missing.append("config.json")
    else:
        try:
            config = json.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                f"{config_file} is not valid JSON ({exc})", "copy config.json from the model again"
            ) from exc
        if not isinstance(config, dict) or "model_type" not in config:
            raise InputError(f"{config_file} has no 'model_type'", "copy config.json from the model again")
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        missing.append("tokenizer files (tokenizer.json, tokenizer_config.json)")
    weights = tuple(sorted(path.glob("*.safetensors")))
    if not weights and allow_pickle:
        weights = tuple(sorted([*path.glob("*.bin"), *path.glob("*.pt")]))
    if not weights:
        if any(path.glob("*.bin")) or any(path.glob("*.pt")):
            raise InputError(
                f"{path} holds only pickle weights (*.bin/*.pt), which can run code when loaded",
                "convert them to *.safetensors (the Hugging Face format every current model ships) and retry",
            )
        missing.append("weights (*.safetensors)")
    if missing:
        raise InputError(f"model directory {path} is incomplete: missing {', '.join(missing)}", _LAYOUT_HINT)
    return ModelDir(path=path, config=config, weight_files=weights)


def quantization_config(quantization: Quantization, compute_dtype: Any) -> Any:
    """The bitsandbytes config for a k-bit base: NF4 with double quantisation for 4-bit, LLM.int8 for 8-bit."""
    import torch
    from transformers import BitsAndBytesConfig

    if quantization not in QUANTIZATIONS:
        raise ConfigError(f"unknown quantization {quantization!r}", f"use one of: {', '.join(QUANTIZATIONS)}")
    if not torch.cuda.is_available():
        raise ConfigError(
            f"{quantization} base weights need a CUDA GPU (bitsandbytes), and none is available",
            "use '--gpu-profile cpu' (full precision) or run on a machine with an NVIDIA GPU",
        )
    if quantization == "4bit":
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=compute_dtype,
        )
    return BitsAndBytesConfig(load_in_8bit=True)


def load_tokenizer(model_dir: str | Path, *, trust_remote_code: bool = False, allow_pickle: bool = False) -> Any:
    """The model's own tokenizer (with its chat template), from local files only."""
    from transformers import AutoTokenizer

    checked = inspect_model_dir(model_dir, allow_pickle=allow_pickle)
    tokenizer = AutoTokenizer.from_pretrained(
        str(checked.path), local_files_only=True, trust_remote_code=trust_remote_code
    )
    if tokenizer.pad_token is None:
        # Padding positions are always masked (-100 labels, attention mask 0), so any token works as pad.
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model_and_tokenizer(
    model_dir: str | Path,
    *,
    dtype: Any = None,
    quantization: Quantization | None = None,
    device_map: Any = None,
    trust_remote_code: bool = False,
    allow_pickle: bool = False,
) -> tuple[Any, Any]:
    """Load ``(model, tokenizer)`` from a local directory.

    ``dtype`` is a torch dtype or its name ("float16", "bfloat16", "float32"); ``quantization`` is "4bit" (NF4)
    or "8bit" and needs CUDA. ``device_map`` is passed to transformers (a k-bit model defaults to the current GPU).
    ``allow_pickle`` lets a folder with only pickled weights load (the user's ``--allow-pickle``).
    """
    import torch
    from transformers import AutoModelForCausalLM

    checked = inspect_model_dir(model_dir, allow_pickle=allow_pickle)
    torch_dtype = _as_dtype(dtype)
    kwargs: dict[str, Any] = {"local_files_only": True, "trust_remote_code": trust_remote_code}
    if torch_dtype is not None:
        kwargs["dtype"] = torch_dtype
    if quantization is not None:
        kwargs["quantization_config"] = quantization_config(quantization, torch_dtype or torch.float16)
        if device_map is None:
            # k-bit weights are placed at load time; under DDP each process owns the GPU of its LOCAL_RANK.
            device_map = {"": int(os.environ.get("LOCAL_RANK", torch.cuda.current_device()))}
    if device_map is not None:
        kwargs["device_map"] = device_map
    tokenizer = load_tokenizer(checked.path, trust_remote_code=trust_remote_code, allow_pickle=allow_pickle)
    try:
        model = AutoModelForCausalLM.from_pretrained(str(checked.path), **kwargs)
    except ValueError as exc:
        if "trust_remote_code" in str(exc):
            raise InputError(
                f"the model in {checked.path} needs its own Python code to load (model_type {checked.model_type!r})",
                "legalft does not run code from model folders; use a model transformers supports natively "
                "(Qwen3 / QVikhr-3 do)",
            ) from exc
        raise
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def _as_dtype(dtype: Any) -> Any:
    import torch

    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    names = {
        "float16": torch.float16,
        "fp16": torch.float16,
        "bfloat16": torch.bfloat16,
        "bf16": torch.bfloat16,
        "float32": torch.float32,
        "fp32": torch.float32,
    }
    try:
        return names[str(dtype)]
    except KeyError:
        raise ConfigError(f"unknown dtype {dtype!r}", f"use one of: {', '.join(names)}") from None
