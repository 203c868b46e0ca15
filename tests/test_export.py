"""`legalft export`: adapter copy, merged 16-bit model with the same logits, pickle refusal, atomic output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from generation_fakes import make_adapter, make_other_model, make_pickled_adapter


@pytest.fixture(scope="module")
def adapter_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_adapter(tiny_model_dir, tmp_path_factory.mktemp("export") / "adapter")


def _logits(model_dir: Path, adapter: Path | None, text: str = "Согласно ст. 309 ГК РФ прошу взыскать долг"):
    import torch
    from peft import PeftModel

    from legal_ft.modeling.loading import load_model_and_tokenizer

    model, tokenizer = load_model_and_tokenizer(model_dir, dtype=torch.float32)
    if adapter is not None:
        model = PeftModel.from_pretrained(model, str(adapter))
    model.eval()
    ids = tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        return model(input_ids=ids).logits.float()


def test_adapter_export_copies_safetensors_and_tokenizer(
    run_cli, tiny_model_dir: Path, adapter_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exported"
    result = run_cli("export", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir), "--out", str(out))
    assert result.exit_code == 0, result
    assert f"adapter written to {out}" in result.stdout
    names = {p.name for p in out.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= names
    assert not any(n.endswith(".bin") for n in names)
    assert (out / "adapter_model.safetensors").read_bytes() == (adapter_dir / "adapter_model.safetensors").read_bytes()
    assert json.loads((out / "legalft_export.json").read_text())["kind"] == "adapter"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".exported")], "temporary folder left behind"


def test_merged_export_gives_the_logits_of_base_plus_adapter(
    run_cli, tiny_model_dir: Path, adapter_dir: Path, tmp_path: Path
) -> None:
    import torch

    out = tmp_path / "merged"
    result = run_cli("export", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir), "--out", str(out),
                     "--merge")
    assert result.exit_code == 0, result
    names = {p.name for p in out.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= names
    assert not any(n.endswith(".bin") for n in names) and "adapter_config.json" not in names
    from safetensors import safe_open

    with safe_open(str(out / "model.safetensors"), framework="pt") as handle:
        dtypes = {handle.get_slice(k).get_dtype() for k in handle.keys()}  # noqa: SIM118 - not a dict
        keys = list(handle.keys())
    assert dtypes == {"F16"}
    assert not any("lora" in k for k in keys)

    expected = _logits(tiny_model_dir, adapter_dir)
    base = _logits(tiny_model_dir, None)
    merged = _logits(out, None)  # loaded back in fp32 for the comparison
    tolerance = 2e-2  # fp16 weights: ~1e-3 relative rounding per weight
    assert (expected - base).abs().max() > 20 * tolerance, "the adapter must change the logits for this test to mean anything"
    assert torch.allclose(merged, expected, atol=tolerance, rtol=0), (merged - expected).abs().max()


def test_merged_bfloat16(run_cli, tiny_model_dir: Path, adapter_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "merged-bf16"
    result = run_cli("export", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir), "--out", str(out),
                     "--merge", "--dtype", "bfloat16")
    assert result.exit_code == 0, result
    from safetensors import safe_open

    with safe_open(str(out / "model.safetensors"), framework="pt") as handle:
        assert {handle.get_slice(k).get_dtype() for k in handle.keys()} == {"BF16"}  # noqa: SIM118


def test_pickled_adapter_refused_then_exported_as_safetensors(
    run_cli, tiny_model_dir: Path, adapter_dir: Path, tmp_path: Path
) -> None:
    pickled = make_pickled_adapter(adapter_dir, tmp_path / "pickled")
    out = tmp_path / "out"
    refused = run_cli("export", "--model", str(tiny_model_dir), "--adapter", str(pickled), "--out", str(out))
    assert refused.exit_code == 1
    assert "refusing to load the pickled adapter" in refused.stderr and "arbitrary code" in refused.stderr
    assert not out.exists()
    allowed = run_cli("export", "--model", str(tiny_model_dir), "--adapter", str(pickled), "--out", str(out),
                      "--allow-pickle")
    assert allowed.exit_code == 0, allowed
    assert (out / "adapter_model.safetensors").is_file() and not (out / "adapter_model.bin").exists()
    from safetensors.torch import load_file

    original = load_file(str(adapter_dir / "adapter_model.safetensors"))
    converted = load_file(str(out / "adapter_model.safetensors"))
    assert original.keys() == converted.keys()
    assert all((original[k] == converted[k]).all() for k in original)


def test_adapter_for_another_base_and_missing_adapter(
    run_cli, tiny_model_dir: Path, adapter_dir: Path, tmp_path: Path
) -> None:
    other = make_other_model(tiny_model_dir, tmp_path / "other")
    for merge in ((), ("--merge",)):
        result = run_cli("export", "--model", str(other), "--adapter", str(adapter_dir), "--out", str(tmp_path / "o"),
                         *merge)
        assert result.exit_code == 1
        assert "trained for another base model" in result.stderr and "Traceback" not in result.output
    missing = run_cli("export", "--model", str(tiny_model_dir), "--adapter", str(tmp_path / "none"),
                      "--out", str(tmp_path / "o"))
    assert missing.exit_code == 1 and "adapter folder not found" in missing.stderr
    assert not (tmp_path / "o").exists()


def test_export_never_writes_into_its_inputs(run_cli, tiny_model_dir: Path, adapter_dir: Path) -> None:
    before = sorted(p.name for p in adapter_dir.iterdir())
    result = run_cli("export", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir),
                     "--out", str(adapter_dir / "sub"))
    assert result.exit_code == 1 and "overlaps the input folder" in result.stderr
    assert sorted(p.name for p in adapter_dir.iterdir()) == before


def test_export_replaces_an_earlier_export_whole(run_cli, tiny_model_dir: Path, adapter_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    out.mkdir()
    (out / "stale.txt").write_text("old", encoding="utf-8")
    result = run_cli("export", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir), "--out", str(out))
    assert result.exit_code == 0, result
    assert not (out / "stale.txt").exists() and (out / "adapter_model.safetensors").is_file()
