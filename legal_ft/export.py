"""Export a trained adapter: alone (copied, as safetensors), or merged into the base model for tools that load
full models (llama.cpp converters, vLLM, text-generation-webui).

Merging is done in fp32 on the CPU and only the result is cast to 16 bits, so the merged weights carry one
rounding, not two. Every export is written into a temporary sibling folder and renamed into place at the end:
an interrupted export leaves no half-written model where a tool might pick it up.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from legal_ft.console import say, warn
from legal_ft.errors import ConfigError, InputError
from legal_ft.generation.artifacts import (
    ADAPTER_CONFIG,
    ADAPTER_SAFETENSORS,
    AdapterInfo,
    check_adapter_fits,
    check_model_dir,
    copy_tokenizer_files,
    inspect_adapter,
    precheck_adapter,
)

EXPORT_DTYPES = ("float16", "bfloat16")
MANIFEST = "legalft_export.json"


@dataclass(frozen=True, slots=True)
class ExportResult:
    out_dir: Path
    merged: bool
    dtype: str | None
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["out_dir"] = str(self.out_dir)
        return out


@contextlib.contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target`` that replaces it when the block ends cleanly (removed on error)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _check_out_dir(out_dir: Path, *inputs: Path) -> None:
    resolved = out_dir.resolve()
    for inp in inputs:
        inp_r = inp.resolve()
        if resolved == inp_r or inp_r in resolved.parents or resolved in inp_r.parents:
            raise InputError(
                f"refusing to export into {out_dir}: it overlaps the input folder {inp}",
                "choose another --out folder; inputs are never modified",
            )
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file", "choose a folder for --out")


def _write_adapter_weights(info: AdapterInfo, dst: Path) -> None:
    if not info.pickled:
        shutil.copy2(info.weights_file, dst / ADAPTER_SAFETENSORS)
        return
    # --allow-pickle was given: read the tensors (weights only) and write them back as safetensors.
    import torch
    from safetensors.torch import save_file

    state = torch.load(str(info.weights_file), map_location="cpu", weights_only=True)
    save_file({k: v.contiguous() for k, v in state.items()}, str(dst / ADAPTER_SAFETENSORS))


def export_adapter(
    model_dir: str | os.PathLike[str],
    adapter_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    merge: bool = False,
    dtype: str = "float16",
    allow_pickle: bool = False,
) -> ExportResult:
    """Write the adapter (or, with ``merge``, the merged model) to ``out_dir``; see the module docstring."""
    from legal_ft.generation.loader import quiet_libraries

    if dtype not in EXPORT_DTYPES:
        raise ConfigError(f"unknown export dtype {dtype!r}", f"use one of: {', '.join(EXPORT_DTYPES)}")
    quiet_libraries()
    info = inspect_adapter(adapter_dir, allow_pickle=allow_pickle)
    model_path = check_model_dir(model_dir, allow_pickle=allow_pickle)
    out = Path(out_dir)
    _check_out_dir(out, model_path, info.path)
    if merge:
        return _export_merged(model_path, info, out, dtype, allow_pickle)
    checked, note = precheck_adapter(info, model_path)
    if not checked:  # an architecture without an offline skeleton: load the model to compare shapes
        from legal_ft.modeling.loading import load_model_and_tokenizer

        note = check_adapter_fits(load_model_and_tokenizer(model_path, allow_pickle=allow_pickle)[0], info, model_path)
    if note:
        warn(note)
    with atomic_dir(out) as tmp:
        shutil.copy2(info.path / ADAPTER_CONFIG, tmp / ADAPTER_CONFIG)
        _write_adapter_weights(info, tmp)
        tokenizer_files = copy_tokenizer_files(info.path, tmp) or copy_tokenizer_files(model_path, tmp)
        manifest = {"kind": "adapter", "base_model": str(model_path), "adapter": str(info.path)}
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        files = sorted(p.name for p in tmp.iterdir())
    if not tokenizer_files:
        warn(f"neither {info.path} nor {model_path} has tokenizer files; the export has none")
    return ExportResult(out, merged=False, dtype=None, files=files)


def _export_merged(model_path: Path, info: AdapterInfo, out: Path, dtype: str, allow_pickle: bool) -> ExportResult:
    import torch
    from peft import PeftModel

    from legal_ft.modeling.loading import load_model_and_tokenizer

    checked, note = precheck_adapter(info, model_path)  # fails before the weights are read
    say(f"loading {model_path} in float32 to merge the adapter")
    model, tokenizer = load_model_and_tokenizer(model_path, dtype=torch.float32, allow_pickle=allow_pickle)
    if not checked:
        note = check_adapter_fits(model, info, model_path)
    if note:
        warn(note)
    peft_model = PeftModel.from_pretrained(model, str(info.path), is_trainable=False)
    merged = peft_model.merge_and_unload()
    merged = merged.to(getattr(torch, dtype))
    with atomic_dir(out) as tmp:
        merged.save_pretrained(str(tmp))  # safetensors: the only format transformers 5 writes
        tokenizer.save_pretrained(str(tmp))
        stray = [p.name for p in tmp.iterdir() if p.suffix == ".bin"]
        if stray:  # never expected with transformers >= 4.35; an export is safetensors only
            raise InputError(f"the merged model was written with pickled files {stray}", "upgrade transformers")
        manifest = {"kind": "merged", "base_model": str(model_path), "adapter": str(info.path), "dtype": dtype}
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        files = sorted(p.name for p in tmp.iterdir())
    return ExportResult(out, merged=True, dtype=dtype, files=files)
