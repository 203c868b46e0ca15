"""Checking model and adapter folders before anything is loaded from them.

Two failures are common and, left to the libraries, end in a traceback the user cannot act on:

* a pickled checkpoint (``pytorch_model.bin``, ``adapter_model.bin``): ``torch.load`` of an untrusted pickle can
  run arbitrary code, so it is refused unless the user says ``--allow-pickle``;
* an adapter trained for another base model: PEFT fails deep inside ``load_state_dict`` with a size-mismatch
  dump. We read the tensor shapes from the safetensors header (no weights loaded) and compare them with the
  model's modules first, so the error names the folder and the first module that does not fit.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legal_ft.errors import InputError

ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_SAFETENSORS = "adapter_model.safetensors"
ADAPTER_PICKLE = "adapter_model.bin"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
    "chat_template.json",
    "vocab.json",
    "merges.txt",
    "added_tokens.json",
    "tokenizer.model",
)
PICKLE_WHY = "loading a pickled checkpoint can run arbitrary code hidden in the file"

# PEFT stores adapter tensors under the PEFT wrapper's prefix; the rest of the key is the base model's path.
_PEFT_PREFIX = "base_model.model."


@dataclass(frozen=True, slots=True)
class AdapterInfo:
    """What an adapter folder holds, read without loading any weights."""

    path: Path
    config: dict[str, Any]
    weights_file: Path
    pickled: bool
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def base_model(self) -> str | None:
        value = self.config.get("base_model_name_or_path")
        return value if isinstance(value, str) and value else None

    @property
    def peft_type(self) -> str:
        return str(self.config.get("peft_type", "LORA"))


def refuse_pickle(path: Path, allow_pickle: bool, what: str) -> None:
    if not allow_pickle:
        raise InputError(
            f"refusing to load the pickled {what} {path}: {PICKLE_WHY}",
            "convert it to safetensors, or pass --allow-pickle if you trust where it came from",
        )


def check_model_dir(model_dir: str | os.PathLike[str], *, allow_pickle: bool = False) -> Path:
    """A base model folder: exists, has a config, and its weights are safetensors (or pickle, when allowed)."""
    path = Path(model_dir)
    if not path.exists():
        raise InputError(f"model folder not found: {path}", "pass --model the folder that holds config.json")
    if not path.is_dir():
        raise InputError(f"{path} is a file, expected a model folder", "pass the folder that holds config.json")
    if not (path / "config.json").is_file():
        hint = "this looks like an adapter folder: pass it as --adapter" if (path / ADAPTER_CONFIG).is_file() else (
            "pass the folder of a Hugging Face model (config.json + *.safetensors)"
        )
        raise InputError(f"{path} has no config.json, so it is not a model folder", hint)
    safetensors = list(path.glob("*.safetensors"))
    pickles = [p for p in path.iterdir() if p.suffix in PICKLE_SUFFIXES and p.is_file()]
    if not safetensors:
        if pickles:
            refuse_pickle(pickles[0], allow_pickle, "model weights")
        else:
            raise InputError(f"{path} holds no model weights (*.safetensors)", "check the folder is complete")
    return path


def _read_config(path: Path) -> dict[str, Any]:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}", "the adapter folder is damaged; train or copy it again") from exc
    if not isinstance(config, dict):
        raise InputError(f"{path} is not a JSON object", "the adapter folder is damaged; train or copy it again")
    return config


def safetensors_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor name → shape from a safetensors header (reads only the header)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            return {name: tuple(handle.get_slice(name).get_shape()) for name in handle.keys()}  # noqa: SIM118 - not a dict
    except Exception as exc:
        raise InputError(f"{path} is not a readable safetensors file ({exc})", "copy or train it again") from exc


def _pickle_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    import torch

    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:
        raise InputError(f"cannot read {path} ({exc})", "copy or train it again") from exc
    return {name: tuple(t.shape) for name, t in state.items() if hasattr(t, "shape")}


def inspect_adapter(adapter_dir: str | os.PathLike[str], *, allow_pickle: bool = False) -> AdapterInfo:
    """Validate an adapter folder and read its config and tensor shapes (no weights are loaded)."""
    path = Path(adapter_dir)
    if not path.exists():
        raise InputError(f"adapter folder not found: {path}", "train one with `legalft fit`, or check --adapter")
    if not path.is_dir():
        raise InputError(f"{path} is a file, expected an adapter folder", "pass the folder that holds adapter_config.json")
    config_path = path / ADAPTER_CONFIG
    if not config_path.is_file():
        hint = "this looks like a full model: pass it as --model" if (path / "config.json").is_file() else (
            "pass the folder `legalft fit` wrote (adapter_config.json + adapter_model.safetensors)"
        )
        raise InputError(f"{path} has no {ADAPTER_CONFIG}, so it is not an adapter folder", hint)
    config = _read_config(config_path)
    safe = path / ADAPTER_SAFETENSORS
    pickled = path / ADAPTER_PICKLE
    if safe.is_file():
        return AdapterInfo(path, config, safe, False, safetensors_shapes(safe))
    if pickled.is_file():
        refuse_pickle(pickled, allow_pickle, "adapter")
        return AdapterInfo(path, config, pickled, True, _pickle_shapes(pickled))
    raise InputError(f"{path} holds no adapter weights ({ADAPTER_SAFETENSORS})", "train or copy the adapter again")


def _module_path(key: str) -> tuple[str, str]:
    """Split a PEFT tensor key into (base-model module path, LoRA part), e.g. ('model.layers.0.q_proj', 'lora_A')."""
    name = key.removeprefix(_PEFT_PREFIX)
    for part in ("lora_A", "lora_B", "lora_embedding_A", "lora_embedding_B", "lora_magnitude_vector"):
        marker = f".{part}"
        if marker in name:
            return name.split(marker, 1)[0], part
    return name, ""


def _expected_dims(module: Any) -> tuple[int, int] | None:
    """(input size, output size) of a Linear / Conv1D / Embedding module."""
    if hasattr(module, "in_features") and hasattr(module, "out_features"):
        return int(module.in_features), int(module.out_features)
    if hasattr(module, "num_embeddings") and hasattr(module, "embedding_dim"):
        return int(module.num_embeddings), int(module.embedding_dim)
    weight = getattr(module, "weight", None)
    if weight is not None and getattr(weight, "ndim", 0) == 2:
        out_f, in_f = weight.shape
        return int(in_f), int(out_f)
    return None


def find_shape_mismatch(model: Any, info: AdapterInfo) -> str | None:
    """Describe the first adapter tensor that does not fit ``model`` (a plain transformers model), or None."""
    modules = dict(model.named_modules())
    params = {name: tuple(p.shape) for name, p in model.named_parameters()}
    for key, shape in sorted(info.shapes.items()):
        module_name, part = _module_path(key)
        if not part:
            # modules_to_save / trainable tokens: a full copy of a base parameter
            base_key = module_name.replace(".modules_to_save", "").replace(".default", "")
            if base_key in params and params[base_key] != shape:
                return f"{base_key} has shape {list(params[base_key])} in the model but {list(shape)} in the adapter"
            continue
        module = modules.get(module_name)
        if module is None:
            return f"the adapter changes {module_name}, which this model does not have"
        dims = _expected_dims(module)
        if dims is None or len(shape) < 2:
            continue
        in_size, out_size = dims
        if part == "lora_A" and shape[1] != in_size:
            return f"{module_name} takes inputs of size {in_size} but the adapter's lora_A expects {shape[1]}"
        if part == "lora_B" and shape[0] != out_size:
            return f"{module_name} gives outputs of size {out_size} but the adapter's lora_B gives {shape[0]}"
        if part == "lora_embedding_A" and shape[1] != in_size:
            return f"{module_name} has {in_size} embeddings but the adapter expects {shape[1]}"
        if part == "lora_embedding_B" and shape[0] != out_size:
            return f"{module_name} has embeddings of size {out_size} but the adapter expects {shape[0]}"
    return None


def _same_base(recorded: str, model_dir: Path) -> bool | None:
    """Whether the adapter's recorded base names this model folder; None when it cannot be told."""
    recorded_path = Path(recorded)
    if recorded_path.exists():
        try:
            return recorded_path.resolve() == model_dir.resolve() or os.path.samefile(recorded_path, model_dir)
        except OSError:
            return None
    # A hub id ("Vikhrmodels/QVikhr-3-4B-Instruction") or a path from another machine: compare the last part.
    return recorded_path.name.lower() == model_dir.resolve().name.lower() or None


def check_adapter_fits(model: Any, info: AdapterInfo, model_dir: str | os.PathLike[str]) -> str | None:
    """Raise `InputError` when the adapter cannot fit the model; return a warning when only its recorded base
    name differs (copies of a base model move between folders, so a name alone is not decisive)."""
    mismatch = find_shape_mismatch(model, info)
    base = info.base_model
    if mismatch is not None:
        made_for = f" (it was made for {base})" if base else ""
        raise InputError(
            f"the adapter in {info.path} was trained for another base model{made_for}: {mismatch}",
            f"use the adapter with the model it was trained on, or train one for {model_dir}",
        )
    if base and _same_base(base, Path(model_dir)) is False:
        return f"the adapter in {info.path} records its base as {base}, not {model_dir}; its shapes fit, so it is used"
    return None


def meta_model(model_dir: Path) -> Any:
    """The model's module tree without weights (meta device), built from config.json in a moment: enough to
    compare an adapter's shapes with the model before gigabytes of weights are read."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(str(model_dir), local_files_only=True)
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config)


def precheck_adapter(info: AdapterInfo, model_dir: Path) -> tuple[bool, str | None]:
    """Check the adapter against the weightless model; returns (checked, warning).

    Raises `InputError` on a mismatch. ``checked`` is False when the skeleton cannot be built (an architecture
    transformers does not know offline); the caller then checks against the loaded model instead.
    """
    try:
        skeleton = meta_model(model_dir)
    except Exception:  # noqa: BLE001 - fall back to checking the loaded model
        return False, None
    return True, check_adapter_fits(skeleton, info, model_dir)


def copy_tokenizer_files(src: Path, dst: Path) -> list[str]:
    """Copy whichever tokenizer files ``src`` has into ``dst``; returns the names copied."""
    import shutil

    copied = []
    for name in TOKENIZER_FILES:
        if (src / name).is_file():
            shutil.copy2(src / name, dst / name)
            copied.append(name)
    return copied
