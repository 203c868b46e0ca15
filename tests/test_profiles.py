"""GPU profiles as data, the peak-memory estimate against hand arithmetic, `auto`, and `legalft profiles`."""

from __future__ import annotations

import pytest

from legal_ft.errors import ConfigError
from legal_ft.training.memory import GIB, QWEN3_4B, ModelShape, estimate_peak_memory
from legal_ft.training.profiles import (
    available_profiles,
    estimate_for,
    load_profile,
    pick_auto,
)

QKVO = ["q_proj", "k_proj", "v_proj", "o_proj"]


def test_builtin_profiles_follow_the_seed_table() -> None:
    assert available_profiles()[:5] == ["rtx3070", "rtx3080", "rtx3090", "cpu", "auto"]
    expect = {"rtx3070": (1, 8, "4bit", 8), "rtx3080": (2, 4, "8bit", 10), "rtx3090": (4, 2, None, 24)}
    for name, (batch, accum, quant, gib) in expect.items():
        p = load_profile(name)
        assert p.setting("training_args", "per_device_train_batch_size", None) == batch
        assert p.setting("training_args", "gradient_accumulation_steps", None) == accum
        assert (p.quantization, p.memory_gib) == (quant, gib)
    assert load_profile("cpu").device == "cpu" and load_profile("auto").is_auto


def test_qwen3_4b_parameter_count_by_hand() -> None:
    per_layer = 2560 * 4096 + 2 * 2560 * 1024 + 4096 * 2560 + 3 * 2560 * 9728
    assert QWEN3_4B.linear_params == 36 * per_layer == 3_633_315_840
    assert QWEN3_4B.embedding_params == 151936 * 2560  # tied lm_head
    assert abs(QWEN3_4B.total_params - 4.02e9) < 0.01e9


def test_rtx3070_estimate_by_hand() -> None:
    est = estimate_peak_memory(
        QWEN3_4B,
        quantization="4bit",
        dtype="float16",
        batch_size=1,
        seq_len=2048,
        lora_r=16,
        target_modules=QKVO,
        gradient_checkpointing=True,
        loss_chunk_tokens=1024,
    )
    # 1. weights: NF4 linear layers + fp32 embedding and norms (upcast for k-bit training) + fp16 lm_head copy
    norms = 36 * (2 * 2560 + 2 * 128) + 2560
    weights = int(3_633_315_840 * (0.5 + 1 / 64 + 4 / (64 * 256))) + 4 * (151936 * 2560 + norms) + 2 * 151936 * 2560
    assert est.weights == weights
    # 2. LoRA r=16 on q, k, v, o: r*(in+out) per module, 16 bytes per parameter (fp32 w + grad + 2 Adam moments)
    lora = 36 * 16 * ((2560 + 4096) + (2560 + 1024) + (2560 + 1024) + (4096 + 2560))
    assert est.lora_params == lora == 11_796_480 and est.lora_states == 16 * lora
    # 3. activations: 36 checkpointed block inputs + one block recomputed (fp16 = 2 bytes)
    layer = 2048 * 2 * (2 * 2560 + 2 * 4096 + 2 * 1024 + 2560 + 4 * 9728 + 4 * 2560)
    assert est.activations == 36 * 2048 * 2560 * 2 + layer
    # 4. logits: one chunk of 1024 label rows x vocab x 8 bytes (the rtx3070 profile itself uses 512)
    assert est.logits == 1024 * 151936 * 8
    assert est.total == weights + 16 * lora + est.activations + est.logits + GIB // 2
    assert 6.0 < est.total_gib < 7.0 and est.fits(8)
    assert 5.0 < estimate_for(load_profile("rtx3070")).total_gib < 6.5  # with the profile's 512-row chunks


def test_profile_decisions_fit_their_cards_and_16bit_would_not_fit_8gb() -> None:
    for name in ("rtx3070", "rtx3080", "rtx3090"):
        p = load_profile(name)
        assert estimate_for(p).fits(p.memory_gib), name
    p16 = estimate_peak_memory(
        QWEN3_4B,
        quantization=None,
        dtype="float16",
        batch_size=1,
        seq_len=2048,
        lora_r=16,
        target_modules=QKVO,
        gradient_checkpointing=True,
        loss_chunk_tokens=1024,
    )
    assert not p16.fits(8)  # why rtx3070 needs 4-bit
    rtx3080_8bit = estimate_for(load_profile("rtx3080"))
    assert rtx3080_8bit.fits(10) and not estimate_for(load_profile("rtx3090")).fits(10)
    no_ckpt = estimate_for(load_profile("rtx3070"), overrides={("training_args", "gradient_checkpointing"): False})
    assert no_ckpt.activations > 10 * estimate_for(load_profile("rtx3070")).activations


def test_auto_picks_by_card_memory() -> None:
    auto = load_profile("auto")
    assert pick_auto(auto, None).name == "cpu"
    assert pick_auto(auto, 23.6).name == "rtx3090"
    assert pick_auto(auto, 10.0).name == "rtx3080"
    assert pick_auto(auto, 7.8).name == "rtx3070"
    with pytest.raises(ConfigError, match="no GPU profile fits"):
        pick_auto(auto, 4.0)


def test_model_shape_from_config() -> None:
    shape = ModelShape.from_config(
        {
            "hidden_size": 64,
            "num_hidden_layers": 2,
            "intermediate_size": 128,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "head_dim": 16,
            "vocab_size": 512,
            "tie_word_embeddings": True,
        }
    )
    assert shape.linear_params == 2 * (64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 128)


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown GPU profile") as info:
        load_profile("rtx4090x")
    assert "rtx3070" in info.value.hint


def test_profile_file_by_path(tmp_path) -> None:
    path = tmp_path / "a4000.toml"
    path.write_text(
        'name = "a4000"\nmemory_gib = 16\ndevice = "cuda"\n[training_args]\n'
        "per_device_train_batch_size = 2\ngradient_accumulation_steps = 4\n",
        encoding="utf-8-sig",  # Notepad's UTF-8 puts a BOM in front
    )
    p = load_profile(str(path))
    assert p.name == "a4000" and estimate_for(p).fits(16)
    path.write_text('name = "x"\n[training_args]\nbatch = 2\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        load_profile(str(path))


def test_cli_profiles_table(run_cli, tiny_model_dir) -> None:
    result = run_cli("profiles")
    assert result.exit_code == 0, result
    lines = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.startswith("│")}
    assert "yes" in lines["rtx3070"] and "4bit" in lines["rtx3070"] and "yes" in lines["rtx3070"]
    assert "8bit" in lines["rtx3080"] and "fp16" in lines["rtx3090"]
    tiny = run_cli("profiles", "--model", str(tiny_model_dir), "--max-length", "256")
    assert tiny.exit_code == 0 and "256" in tiny.stdout and str(tiny_model_dir) in tiny.stdout.replace("\n", "")
    missing = run_cli("profiles", "--model", "/nonexistent/model")
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
