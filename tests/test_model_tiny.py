"""The tiny offline Qwen3 model and loading local model directories."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from legal_ft.errors import ConfigError, InputError
from legal_ft.modeling.loading import inspect_model_dir, load_model_and_tokenizer


def test_tiny_model_dir_has_the_real_layout(tiny_model_dir: Path) -> None:
    names = {p.name for p in tiny_model_dir.iterdir()}
    assert {
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
    } <= names
    config = json.loads((tiny_model_dir / "config.json").read_text())
    assert config["model_type"] == "qwen3" and config["architectures"] == ["Qwen3ForCausalLM"]
    tok_config = json.loads((tiny_model_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert "enable_thinking" in tok_config["chat_template"]


def test_auto_classes_load_it_like_a_real_model(tiny_model_dir: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir, local_files_only=True)
    assert type(model).__name__ == "Qwen3ForCausalLM"
    for token in ("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>"):
        ids = tokenizer(token, add_special_tokens=False)["input_ids"]
        assert len(ids) == 1 and ids[0] < model.config.vocab_size, token
    assert tokenizer.eos_token == "<|im_end|>"
    ids = tokenizer("Согласно ст. 309 ГК РФ", return_tensors="pt")["input_ids"]
    assert tokenizer.decode(ids[0]) == "Согласно ст. 309 ГК РФ"
    with torch.no_grad():
        logits = model(ids).logits
    assert logits.shape == (1, ids.shape[1], model.config.vocab_size)


def test_build_is_deterministic(tiny_model_dir: Path, tmp_path: Path) -> None:
    from safetensors.torch import load_file

    from legal_ft.modeling.tiny import build_tiny_model

    again = build_tiny_model(tmp_path / "again", seed=0)
    a, b = load_file(tiny_model_dir / "model.safetensors"), load_file(again / "model.safetensors")
    assert a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)
    assert (again / "tokenizer.json").read_bytes() == (tiny_model_dir / "tokenizer.json").read_bytes()


def test_cli_model_tiny_with_corpus(run_cli, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {
            "instruction": "Составь претензию.",
            "input": f"Долг {i} рублей.",
            "output": "ПРЕТЕНЗИЯ\nТребую оплатить долг.",
        }
        for i in range(20)
    ]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    result = run_cli("model", "tiny", "--out", str(tmp_path / "m"), "--corpus", str(corpus))
    assert result.exit_code == 0, result
    assert "tiny model written to" in result.stdout
    model, tokenizer = load_model_and_tokenizer(tmp_path / "m")
    assert tokenizer.chat_template and model.config.model_type == "qwen3"


def test_missing_directory_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist") as info:
        load_model_and_tokenizer(tmp_path / "nope")
    assert "config.json" in info.value.hint and "safetensors" in info.value.hint


def test_incomplete_directory_lists_what_is_missing(tiny_model_dir: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(tiny_model_dir / "config.json", partial)
    with pytest.raises(InputError) as info:
        inspect_model_dir(partial)
    assert "tokenizer files" in info.value.message and "*.safetensors" in info.value.message
    (partial / "pytorch_model.bin").write_bytes(b"x")
    shutil.copy(tiny_model_dir / "tokenizer.json", partial)
    with pytest.raises(InputError, match="pickle"):
        inspect_model_dir(partial)


def test_fit_cli_reports_missing_model_in_one_line(run_cli, tmp_path: Path) -> None:
    result = run_cli("fit", "--model", str(tmp_path / "nope"), "--data", str(tmp_path / "d.jsonl"))
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error:") and "Traceback" not in result.output


def test_kbit_without_cuda_is_refused_with_a_hint(tiny_model_dir: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ConfigError, match="need a CUDA GPU") as info:
        load_model_and_tokenizer(tiny_model_dir, quantization="4bit")
    assert "--gpu-profile cpu" in info.value.hint


def test_remote_code_is_not_trusted_by_default(tiny_model_dir: Path, tmp_path: Path) -> None:
    custom = tmp_path / "custom"
    shutil.copytree(tiny_model_dir, custom)
    config = json.loads((custom / "config.json").read_text())
    config["model_type"] = "my_custom_arch"
    config["auto_map"] = {"AutoModelForCausalLM": "modeling_custom.CustomModel"}
    (custom / "config.json").write_text(json.dumps(config))
    (custom / "modeling_custom.py").write_text("raise SystemExit('remote code ran')\n")
    with pytest.raises((InputError, ValueError, KeyError)):
        load_model_and_tokenizer(custom)


def _mean_loss(model_dir: Path, texts: list[str]) -> float:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    losses = []
    with torch.no_grad():
        for text in texts:
            ids = tokenizer(text, return_tensors="pt")["input_ids"][:, :256]
            losses.append(model(input_ids=ids, labels=ids).loss.item())
    return sum(losses) / len(losses)


def test_pretraining_lowers_the_loss_on_held_out_corpus_text(tiny_model_dir: Path, tmp_path: Path) -> None:
    """The base learns the language of the corpus: documents of another sample seed get far more predictable."""
    from legal_ft.modeling.tiny import PretrainSettings, build_tiny_model
    from legal_ft.sample import generate_records

    settings = PretrainSettings(seq_len=128, batch_size=8)
    pretrained = build_tiny_model(tmp_path / "pretrained", seed=0, pretrain_steps=60, pretrain_settings=settings)
    # the same texts and seed: the tokenizer is the fixture's, so the two losses count the same tokens
    assert (pretrained / "tokenizer.json").read_bytes() == (tiny_model_dir / "tokenizer.json").read_bytes()
    held_out = [r["output"] for r in generate_records(12, seed=12345) if isinstance(r, dict) and r.get("output")]
    random_loss, pretrained_loss = _mean_loss(tiny_model_dir, held_out), _mean_loss(pretrained, held_out)
    assert random_loss > 7.0  # about ln(vocabulary): random weights predict nothing
    assert pretrained_loss < random_loss - 1.5, (random_loss, pretrained_loss)


def test_chat_pretraining_teaches_the_prompt_answer_format(tmp_path: Path) -> None:
    """The chat corpus is exactly what `legalft fit` trains on: prompt and answer in the template, answers closed."""
    from transformers import AutoTokenizer

    from legal_ft.modeling.tiny import build_tiny_model, chat_token_ids, default_examples
    from legal_ft.prompting import render_example

    examples = default_examples(n=6, seed=2)
    model_dir = build_tiny_model(tmp_path / "m", examples=examples, seed=0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    ids = chat_token_ids(tokenizer, examples)
    first = render_example(tokenizer, *examples[0])
    assert tokenizer.decode(ids).startswith(first.prompt + first.completion + "\n<|im_start|>user")
    answered = sum(1 for example in examples if example[2].strip())
    assert ids.count(tokenizer.convert_tokens_to_ids("<|im_end|>")) == 2 * answered


def test_pretraining_is_deterministic_and_leaves_the_global_rng_alone(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    from legal_ft.modeling.tiny import PretrainSettings, build_tiny_model, default_texts

    texts = default_texts(n=20, seed=3)
    settings = PretrainSettings(seq_len=32, batch_size=2)
    rng = torch.random.get_rng_state()
    a = build_tiny_model(tmp_path / "a", texts=texts, seed=5, pretrain_steps=4, pretrain_settings=settings)
    assert torch.equal(rng, torch.random.get_rng_state())
    b = build_tiny_model(tmp_path / "b", texts=texts, seed=5, pretrain_steps=4, pretrain_settings=settings)
    plain = build_tiny_model(tmp_path / "plain", texts=texts, seed=5)
    wa, wb, wp = (load_file(d / "model.safetensors") for d in (a, b, plain))
    assert wa.keys() == wb.keys() == wp.keys()
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert any(not torch.equal(wa[k], wp[k]) for k in wa), "pretraining changed no weight"


def test_pretraining_refuses_a_corpus_too_small_and_bad_settings(tmp_path: Path) -> None:
    from legal_ft.modeling.tiny import PretrainSettings, build_tiny_model

    with pytest.raises(InputError, match="too small to pretrain on"):
        build_tiny_model(tmp_path / "m", texts=["Иск."], pretrain_steps=1)
    assert not (tmp_path / "m").exists()
    with pytest.raises(InputError, match="0 or more"):
        PretrainSettings(steps=-1)


def test_cli_model_tiny_pretrains_on_the_corpus(run_cli, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {"instruction": "Составь претензию.", "input": f"Долг {i} рублей.",
         "output": f"ПРЕТЕНЗИЯ\nТребую оплатить долг {i} рублей согласно ст. 309 ГК РФ."}
        for i in range(30)
    ]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    result = run_cli("model", "tiny", "--out", str(tmp_path / "m"), "--corpus", str(corpus), "--pretrain-steps", "3")
    assert result.exit_code == 0, result
    assert "tiny model written to" in result.stdout and "pretrained 3 steps, chat format, loss" in result.stdout
    assert "pretraining step 3/3" in result.stderr
    text = run_cli("model", "tiny", "--out", str(tmp_path / "t"), "--corpus", str(corpus), "--pretrain-steps", "3",
                   "--pretrain-format", "text")
    assert text.exit_code == 0, text
    assert "pretrained 3 steps, text format" in text.stdout
    # same corpus, same tokenizer; the two formats are different training data, so different weights
    from safetensors.torch import load_file

    assert (tmp_path / "m" / "tokenizer.json").read_bytes() == (tmp_path / "t" / "tokenizer.json").read_bytes()
    chat_w, text_w = load_file(tmp_path / "m" / "model.safetensors"), load_file(tmp_path / "t" / "model.safetensors")
    assert any(not (chat_w[k] == text_w[k]).all() for k in chat_w)
    bad = run_cli("model", "tiny", "--out", str(tmp_path / "n"), "--pretrain-steps", "-1")
    assert bad.exit_code == 1 and bad.stderr.startswith("error:") and "--pretrain-steps" in bad.stderr
