"""Load a base model (and optionally a LoRA adapter on top) for inference.

Everything that can be checked without loading weights is checked first (folders, pickles, adapter shapes read
from the safetensors header), so a wrong path or an adapter for another base fails in a second with one line,
not after minutes of loading with a size-mismatch traceback.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legal_ft.console import verbosity, warn
from legal_ft.generation.artifacts import (
    AdapterInfo,
    check_adapter_fits,
    check_model_dir,
    inspect_adapter,
    precheck_adapter,
)
from legal_ft.modeling.threads import tiny_model_threads


@dataclass(slots=True)
class LoadedModel:
    """A model ready to generate: the base (wrapped by PEFT when an adapter is on) and its tokenizer."""

    model: Any
    tokenizer: Any
    model_dir: Path
    adapter: AdapterInfo | None = None

    @property
    def device(self) -> Any:
        return next(self.model.parameters()).device

    @contextlib.contextmanager
    def compute(self) -> Iterator[None]:
        """Run model work with one CPU thread when the model is tiny and on the CPU (see modeling.threads)."""
        hidden = int(getattr(getattr(self.model, "config", None), "hidden_size", 0) or 0)
        with tiny_model_threads(hidden, self.device.type):
            yield

    @contextlib.contextmanager
    def base_only(self) -> Iterator[None]:
        """Run the base model alone: the adapter is switched off inside the block (no second copy in memory)."""
        if self.adapter is None:
            yield
            return
        with self.model.disable_adapter():
            yield


def quiet_libraries() -> None:
    """Silence library chatter (weight-loading progress bars, optional-kernel notices, deprecation warnings)
    that says nothing to a lawyer; ``-vv`` keeps it for debugging."""
    if verbosity() >= 2:
        return
    import logging
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    logging.getLogger("bitsandbytes").setLevel(logging.ERROR)
    for module in ("transformers", "peft", "torch", "lightning"):
        warnings.filterwarnings("ignore", category=FutureWarning, module=module)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=module)


def pick_device(device: str | None = None) -> str:
    import torch

    if device:
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def inference_dtype(device: str) -> Any:
    """fp32 on CPU (half precision is slow and inexact there); bf16 where the GPU has it, else fp16."""
    import torch

    if not device.startswith("cuda"):
        return torch.float32
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def load_for_inference(
    model_dir: str | os.PathLike[str],
    adapter_dir: str | os.PathLike[str] | None = None,
    *,
    allow_pickle: bool = False,
    device: str | None = None,
    dtype: Any = None,
    quantization: str | None = None,
) -> LoadedModel:
    """Load the base model from ``model_dir`` and put the adapter from ``adapter_dir`` on it (if given).

    ``quantization`` ("4bit" / "8bit", CUDA only) loads the base through bitsandbytes, as `legalft fit` does on
    small cards: QVikhr-3-4B in bf16 needs about 8 GiB, more than an RTX 3070 has beside the activations.
    """
    from legal_ft.modeling.loading import load_model_and_tokenizer

    quiet_libraries()
    info = inspect_adapter(adapter_dir, allow_pickle=allow_pickle) if adapter_dir is not None else None
    model_path = check_model_dir(model_dir, allow_pickle=allow_pickle)
    checked, note = precheck_adapter(info, model_path) if info is not None else (True, None)
    device = pick_device(device)
    if quantization is not None and not device.startswith("cuda"):
        from legal_ft.errors import ConfigError

        raise ConfigError(f"--load-in {quantization} needs a CUDA GPU (bitsandbytes)", "leave --load-in out on a CPU")
    model, tokenizer = load_model_and_tokenizer(
        model_path, dtype=dtype or inference_dtype(device), allow_pickle=allow_pickle, quantization=quantization
    )
    if info is not None:
        if not checked:
            note = check_adapter_fits(model, info, model_path)
        if note:
            warn(note)
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(info.path), is_trainable=False)
    if quantization is None:  # a k-bit model is placed by its device_map and cannot be moved
        model.to(device)
    model.eval()
    return LoadedModel(model=model, tokenizer=tokenizer, model_dir=model_path, adapter=info)
