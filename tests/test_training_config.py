"""The seed's config format, HF names, unknown-key suggestions, precedence and `legalft config init`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from legal_ft.errors import ConfigError
from legal_ft.training.config import (
    default_config_path,
    read_config_file,
    resolve_config,
    shipped_config_path,
)
from legal_ft.training.profiles import load_profile

SEED = {
    "training_args": {
        "num_train_epochs": 3,
        "per_device_train_batch_size": 1,
        "gradient_accumulation_steps": 8,
        "learning_rate": 1e-4,
        "fp16": True,
        "gradient_checkpointing": True,
    },
    "lora_config": {
        "r": 16,
        "lora_alpha": 32,
        "target_modules": ["q_proj", "v_proj", "k_proj", "o_proj"],
        "lora_dropout": 0.05,
    },
    "data_config": {"max_length": 1024},
}


def _write(tmp_path: Path, obj: object) -> Path:
    path = tmp_path / "lora_training_config.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def test_seed_file_is_accepted_as_it_is(tmp_path) -> None:
    config = resolve_config(config_path=_write(tmp_path, SEED))
    assert config.training_args.gradient_accumulation_steps == 8 and config.lora_config.lora_alpha == 32
    assert config.data_config.max_length == 1024
    assert config.to_dict()["lora_config"]["target_modules"] == ["q_proj", "v_proj", "k_proj", "o_proj"]


def test_shipped_config_holds_the_seed_values() -> None:
    settings = read_config_file(shipped_config_path())
    for section in ("training_args", "lora_config"):
        for key, value in SEED[section].items():
            assert settings[(section, key)] == value, key


def test_common_hf_names_and_flat_keys(tmp_path) -> None:
    obj = {
        "training_args": {
            "warmup_steps": 5,
            "lr_scheduler_type": "linear",
            "weight_decay": 0.01,
            "logging_steps": 2,
            "eval_steps": 7,
            "save_steps": 9,
            "max_grad_norm": 0.5,
            "seed": 3,
            "evaluation_strategy": "epoch",
        },
        "warmup_ratio": 0.1,
        "max_seq_length": 512,
    }
    a = resolve_config(config_path=_write(tmp_path, obj))
    t = a.training_args
    assert (
        t.warmup_steps,
        t.lr_scheduler_type,
        t.weight_decay,
        t.logging_steps,
        t.eval_steps,
        t.save_steps,
        t.max_grad_norm,
        t.seed,
        t.eval_strategy,
        t.warmup_ratio,
    ) == (5, "linear", 0.01, 2, 7, 9, 0.5, 3, "epoch", 0.1)
    assert a.data_config.max_length == 512


@pytest.mark.parametrize(
    "obj, wanted",
    [
        ({"training_args": {"learnig_rate": 1e-4}}, "did you mean 'learning_rate'?"),
        ({"lora_config": {"lora_aplha": 8}}, "did you mean 'lora_alpha'?"),
        ({"training_arg": {}}, "did you mean 'training_args'?"),
        ({"data_config": {"max_lenght": 8}}, "did you mean 'max_length'?"),
    ],
)
def test_unknown_key_suggests_the_closest_name(tmp_path, obj, wanted) -> None:
    with pytest.raises(ConfigError, match="unknown key") as info:
        resolve_config(config_path=_write(tmp_path, obj))
    assert info.value.hint == wanted


def test_wrong_types_and_values_are_config_errors(tmp_path) -> None:
    with pytest.raises(ConfigError, match="must be int"):
        resolve_config(config_path=_write(tmp_path, {"training_args": {"per_device_train_batch_size": "2"}}))
    with pytest.raises(ConfigError, match="lr_scheduler_type"):
        resolve_config(config_path=_write(tmp_path, {"training_args": {"lr_scheduler_type": "cosin"}}))
    with pytest.raises(ConfigError, match="fp16 and bf16"):
        resolve_config(config_path=_write(tmp_path, {"training_args": {"fp16": True, "bf16": True}}))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        resolve_config(config_path=bad)


def test_precedence_profile_then_file_then_command_line(tmp_path) -> None:
    profile = load_profile("rtx3090")
    only_profile = resolve_config(profile_settings=profile.settings, profile_name="rtx3090")
    assert only_profile.training_args.per_device_train_batch_size == 4  # not the shipped 1 x 8
    assert only_profile.sources["training_args.per_device_train_batch_size"] == "profile rtx3090"
    path = _write(tmp_path, {"training_args": {"per_device_train_batch_size": 3, "learning_rate": 2e-4}})
    config = resolve_config(
        profile_settings=profile.settings,
        profile_name="rtx3090",
        config_path=path,
        cli_settings={("training_args", "learning_rate"): 5e-5},
    )
    assert config.training_args.per_device_train_batch_size == 3
    assert config.training_args.gradient_accumulation_steps == 2  # from the profile
    assert config.training_args.learning_rate == 5e-5
    assert config.sources["training_args.learning_rate"] == "command line"
    assert config.sources["training_args.per_device_train_batch_size"].startswith("config ")


def test_default_config_lookup(tmp_path) -> None:
    assert default_config_path(tmp_path) is None  # shipped defaults only
    (tmp_path / "lora_training_config.json").write_text(json.dumps(SEED), encoding="utf-8")
    assert default_config_path(tmp_path) == tmp_path / "lora_training_config.json"


def test_cli_unknown_key_is_one_line(run_cli, tmp_path, tiny_model_dir) -> None:
    path = _write(tmp_path, {"training_args": {"learnig_rate": 1e-4}})
    data = tmp_path / "d.jsonl"
    data.write_text('{"instruction": "a", "input": "b", "output": "c"}\n', encoding="utf-8")
    result = run_cli("fit", "--model", str(tiny_model_dir), "--data", str(data), "--config", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {path}: unknown key 'training_args.learnig_rate' — did you mean 'learning_rate'?"
    )


def test_fit_uses_datasets_config_when_present(run_cli, tmp_path, tiny_model_dir, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "lora_training_config.json").write_text(
        json.dumps({"training_args": {"learnig_rate": 1}}), encoding="utf-8"
    )
    (tmp_path / "datasets" / "clean_training_dataset.jsonl").write_text(
        '{"instruction": "a", "input": "b", "output": "c"}\n', encoding="utf-8"
    )
    result = run_cli("fit", "--model", str(tiny_model_dir))
    assert result.exit_code == 1 and "datasets/lora_training_config.json: unknown key" in result.stderr


def test_config_init_sets_max_length_from_token_lengths(run_cli, tmp_path, tiny_model_dir) -> None:
    from _training_helpers import write_records

    data = write_records(tmp_path / "clean.jsonl", 20, seed=1)
    out = tmp_path / "datasets" / "lora_training_config.json"
    result = run_cli(
        "config", "init", "--model", str(tiny_model_dir), "--data", str(data), "--out", str(out), "--percentile", "100"
    )
    assert result.exit_code == 0, result
    written = json.loads(out.read_text(encoding="utf-8"))
    from legal_ft.modeling.loading import load_tokenizer
    from legal_ft.training.config_init import token_lengths

    longest = max(token_lengths(load_tokenizer(tiny_model_dir), data))
    assert written["data_config"]["max_length"] == max(128, -(-longest // 64) * 64)
    assert "per_device_train_batch_size" not in written["training_args"]  # left to --gpu-profile
    assert resolve_config(config_path=out).lora_config.r == 16  # the file is valid input
    again = run_cli("config", "init", "--model", str(tiny_model_dir), "--data", str(data), "--out", str(out))
    assert again.exit_code == 1 and "--force" in again.stderr
    pinned = run_cli(
        "config",
        "init",
        "--model",
        str(tiny_model_dir),
        "--data",
        str(data),
        "--out",
        str(out),
        "--force",
        "--gpu-profile",
        "rtx3080",
    )
    assert pinned.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["training_args"]["per_device_train_batch_size"] == 2
