"""`legalft generate`: prompt, greedy streaming, files, and the one-line errors for bad models and adapters."""

from __future__ import annotations

from pathlib import Path

import pytest
from generation_fakes import make_adapter, make_other_model, make_pickled_adapter

FACTS = "Истец заключил договор поставки с ответчиком. Ответчик не оплатил товар на сумму 100 000 руб."
FAST = ("--max-new-tokens", "12")


@pytest.fixture(scope="module")
def adapter_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_adapter(tiny_model_dir, tmp_path_factory.mktemp("gen") / "adapter")


@pytest.fixture
def facts_file(tmp_path: Path) -> Path:
    path = tmp_path / "facts.txt"
    path.write_text(FACTS, encoding="utf-8")
    return path


def _one_error_line(result) -> str:
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result
    assert "Traceback" not in result.output
    return errors[0]


def test_generate_streams_and_writes_the_same_document_every_run(
    run_cli, tiny_model_dir: Path, adapter_dir: Path, facts_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "doc.txt"
    args = ("generate", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir), "--facts", str(facts_file), *FAST)
    first = run_cli(*args, "--out", str(out))
    assert first.exit_code == 0, first
    written = out.read_text(encoding="utf-8")
    assert written.strip(), "the document file is empty"
    assert written.strip() in first.stdout  # streamed to the terminal too
    assert " tokens, " in first.stderr and f"written to {out}" in first.stderr
    second = run_cli(*args)  # greedy by default: the same text again
    assert second.exit_code == 0, second
    assert second.stdout.strip() == written.strip()
    assert not list(tmp_path.glob(".doc.txt.*")), "a temporary file was left behind"


def test_generate_reads_facts_from_stdin_and_sampling_changes_with_seed(
    run_cli, tiny_model_dir: Path, adapter_dir: Path
) -> None:
    base = ("generate", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir), "--max-new-tokens", "24")
    greedy = run_cli(*base, input=FACTS)
    assert greedy.exit_code == 0, greedy and greedy.stdout.strip()
    sampled = [run_cli(*base, "--temperature", "1.5", "--seed", str(s), input=FACTS).stdout for s in (1, 1, 2)]
    assert sampled[0] == sampled[1], "the same --seed must give the same sample"
    assert len({sampled[0], sampled[2], greedy.stdout}) > 1, "sampling never differs from greedy decoding"


def test_adapter_changes_the_document(run_cli, tiny_model_dir: Path, adapter_dir: Path, facts_file: Path) -> None:
    with_adapter = run_cli("generate", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir),
                           "--facts", str(facts_file), "--max-new-tokens", "24")
    without = run_cli("generate", "--model", str(tiny_model_dir), "--facts", str(facts_file), "--max-new-tokens", "24")
    assert with_adapter.exit_code == 0 and without.exit_code == 0
    assert with_adapter.stdout != without.stdout


@pytest.mark.parametrize("facts", ["", "   \n\t\n"])
def test_empty_facts_is_one_line_error(run_cli, tiny_model_dir: Path, adapter_dir: Path, facts: str) -> None:
    result = run_cli("generate", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir), input=facts)
    assert result.exit_code == 1
    assert "facts on stdin are empty" in _one_error_line(result)


def test_empty_facts_file(run_cli, tiny_model_dir: Path, adapter_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    result = run_cli("generate", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir), "--facts", str(empty))
    assert result.exit_code == 1
    assert f"{empty} are empty" in _one_error_line(result)


def test_missing_adapter(run_cli, tiny_model_dir: Path, tmp_path: Path, facts_file: Path) -> None:
    result = run_cli("generate", "--model", str(tiny_model_dir), "--adapter", str(tmp_path / "nope"),
                     "--facts", str(facts_file))
    assert result.exit_code == 1
    assert "adapter folder not found" in _one_error_line(result)


def test_model_folder_given_as_adapter(run_cli, tiny_model_dir: Path, facts_file: Path) -> None:
    result = run_cli("generate", "--model", str(tiny_model_dir), "--adapter", str(tiny_model_dir),
                     "--facts", str(facts_file))
    assert result.exit_code == 1
    assert "pass it as --model" in _one_error_line(result)


def test_adapter_for_another_base_is_a_clear_error(
    run_cli, tiny_model_dir: Path, adapter_dir: Path, facts_file: Path, tmp_path: Path
) -> None:
    other = make_other_model(tiny_model_dir, tmp_path / "other-model")
    result = run_cli("generate", "--model", str(other), "--adapter", str(adapter_dir), "--facts", str(facts_file))
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert "trained for another base model" in line
    assert "takes inputs of size 32 but the adapter's lora_A expects 64" in line
    assert "size mismatch" not in result.output


def test_pickled_adapter_is_refused_unless_allowed(
    run_cli, tiny_model_dir: Path, adapter_dir: Path, facts_file: Path, tmp_path: Path
) -> None:
    pickled = make_pickled_adapter(adapter_dir, tmp_path / "pickled")
    args = ("generate", "--model", str(tiny_model_dir), "--adapter", str(pickled), "--facts", str(facts_file), *FAST)
    refused = run_cli(*args)
    assert refused.exit_code == 1
    line = _one_error_line(refused)
    assert "refusing to load the pickled adapter" in line and "arbitrary code" in line and "--allow-pickle" in line
    allowed = run_cli(*args, "--allow-pickle")
    assert allowed.exit_code == 0, allowed
    reference = run_cli("generate", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir),
                        "--facts", str(facts_file), *FAST)
    assert allowed.stdout == reference.stdout  # the same weights, read from the pickle


def test_pickled_model_is_refused_unless_allowed(run_cli, tiny_model_dir: Path, tmp_path: Path, facts_file: Path) -> None:
    import shutil

    import torch
    from safetensors.torch import load_file

    model = tmp_path / "pickled-model"
    shutil.copytree(tiny_model_dir, model)
    torch.save(load_file(str(model / "model.safetensors")), str(model / "pytorch_model.bin"))
    (model / "model.safetensors").unlink()
    args = ("generate", "--model", str(model), "--facts", str(facts_file), *FAST)
    refused = run_cli(*args)
    assert refused.exit_code == 1
    line = _one_error_line(refused)
    assert "refusing to load the pickled model weights" in line and "arbitrary code" in line
    allowed = run_cli(*args, "--allow-pickle")
    assert allowed.exit_code == 0, allowed
    reference = run_cli("generate", "--model", str(tiny_model_dir), "--facts", str(facts_file), *FAST)
    assert allowed.stdout == reference.stdout


def test_unknown_doc_type(run_cli, tiny_model_dir: Path, facts_file: Path) -> None:
    result = run_cli("generate", "--model", str(tiny_model_dir), "--facts", str(facts_file), "--doc-type", "novel")
    assert result.exit_code == 1
    assert "unknown document type 'novel'" in _one_error_line(result)


def test_out_over_the_facts_file_is_refused(run_cli, tiny_model_dir: Path, facts_file: Path) -> None:
    result = run_cli("generate", "--model", str(tiny_model_dir), "--facts", str(facts_file), "--out", str(facts_file))
    assert result.exit_code == 1
    assert "refusing to write" in _one_error_line(result)
    assert facts_file.read_text(encoding="utf-8") == FACTS


def test_default_instruction_is_the_cleaning_banks_first() -> None:
    from legal_ft.cleaning.instructions import INSTRUCTION_BANK
    from legal_ft.generation import default_instruction
    from legal_ft.legal.doctypes import DocType

    assert default_instruction() == "Составь исковое заявление по фактическим обстоятельствам дела."
    for kind in DocType:
        assert default_instruction(kind.value) == INSTRUCTION_BANK[kind][0]


def test_prompt_is_the_training_prompt_and_batches_match_single_runs(tiny_model_dir: Path, adapter_dir: Path) -> None:
    """Left-padded batches give the same greedy tokens as one-by-one generation, from `render_prompt`."""
    from legal_ft.generation import (
        GenerationSettings,
        generate_batch,
        generate_document,
        load_for_inference,
    )
    from legal_ft.prompting import render_prompt

    loaded = load_for_inference(tiny_model_dir, adapter_dir)
    settings = GenerationSettings(max_new_tokens=10)
    instruction = "Составь досудебную претензию по фактическим обстоятельствам."
    facts = [FACTS, "Короткие факты.", FACTS + " Претензия оставлена без ответа, долг не погашен до сих пор."]
    singles = [generate_document(loaded, instruction, f, settings) for f in facts]
    batch = generate_batch(loaded, [render_prompt(loaded.tokenizer, instruction, f) for f in facts], settings,
                           batch_size=3)
    assert [d.text for d in batch] == [d.text for d in singles]
    assert [d.prompt_tokens for d in batch] == [d.prompt_tokens for d in singles]
    with loaded.base_only():
        base = generate_document(loaded, instruction, facts[0], settings)
    assert base.text != singles[0].text


def test_facts_in_windows_1251_or_with_a_bom_are_read(run_cli, tiny_model_dir: Path, tmp_path: Path) -> None:
    from legal_ft.commands.generate import decode_facts
    from legal_ft.errors import InputError

    assert decode_facts(FACTS.encode("cp1251")) == FACTS
    assert decode_facts(b"\xef\xbb\xbf" + FACTS.encode("utf-8")) == FACTS
    for wide in ("utf-16", "utf-32", "utf-16-be"):  # Notepad's "Unicode"; BE carries its mark by hand
        data = FACTS.encode(wide) if wide != "utf-16-be" else b"\xfe\xff" + FACTS.encode(wide)
        assert decode_facts(data) == FACTS
    with pytest.raises(InputError, match="damaged UTF-16"):
        decode_facts(FACTS.encode("utf-16") + b"\x00\xd8")
    cp1251 = tmp_path / "facts-cp1251.txt"
    cp1251.write_bytes(FACTS.encode("cp1251"))
    from_file = run_cli("generate", "--model", str(tiny_model_dir), "--facts", str(cp1251), *FAST)
    from_utf8 = run_cli("generate", "--model", str(tiny_model_dir), *FAST, input=FACTS.encode("utf-8"))
    from_cp1251_pipe = run_cli("generate", "--model", str(tiny_model_dir), *FAST, input=FACTS.encode("cp1251"))
    assert from_file.exit_code == from_utf8.exit_code == from_cp1251_pipe.exit_code == 0
    assert from_file.stdout == from_utf8.stdout == from_cp1251_pipe.stdout


def test_quiet_with_out_prints_only_the_result_line(run_cli, tiny_model_dir: Path, facts_file: Path,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "doc.txt"
    result = run_cli("-q", "generate", "--model", str(tiny_model_dir), "--facts", str(facts_file), "--out", str(out),
                     *FAST)
    assert result.exit_code == 0, result
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(f"; written to {out}") and " tokens, " in lines[0]
    assert out.is_file()


def test_adapter_recorded_for_another_folder_but_fitting_is_used_with_a_warning(
    run_cli, tiny_model_dir: Path, adapter_dir: Path, facts_file: Path, tmp_path: Path
) -> None:
    import shutil

    other_copy = tmp_path / "moved-model"
    shutil.copytree(tiny_model_dir, other_copy)  # same weights, another folder: shapes decide, the name only warns
    result = run_cli("generate", "--model", str(other_copy), "--adapter", str(adapter_dir), "--facts", str(facts_file),
                     *FAST)
    assert result.exit_code == 0, result
    assert f"records its base as {tiny_model_dir}" in result.stderr and "its shapes fit" in result.stderr


def test_quantized_loading_needs_a_gpu(run_cli, tiny_model_dir: Path, facts_file: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA; the CPU refusal cannot be observed")
    result = run_cli("generate", "--model", str(tiny_model_dir), "--facts", str(facts_file), "--load-in", "4bit")
    assert result.exit_code == 1
    assert "--load-in 4bit needs a CUDA GPU" in _one_error_line(result)


def test_adapter_shapes_are_checked_before_any_weight_is_read(
    tiny_model_dir: Path, adapter_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mismatch is found on a weightless skeleton of the model: a 4B base is never loaded just to fail."""
    from legal_ft.errors import InputError
    from legal_ft.generation import load_for_inference
    from legal_ft.modeling import loading

    other = make_other_model(tiny_model_dir, tmp_path / "other-model")

    def must_not_load(*args, **kwargs):
        raise AssertionError("the base model was loaded before the adapter check")

    monkeypatch.setattr(loading, "load_model_and_tokenizer", must_not_load)
    with pytest.raises(InputError, match="trained for another base model"):
        load_for_inference(other, adapter_dir)


def test_instruction_defaults_per_doc_type_and_can_be_replaced(run_cli, tiny_model_dir: Path, facts_file: Path) -> None:
    base = ("-v", "generate", "--model", str(tiny_model_dir), "--facts", str(facts_file), "--max-new-tokens", "2")
    pretension = run_cli(*base, "--doc-type", "pretension")
    assert pretension.exit_code == 0, pretension
    assert "writing: Составь досудебную претензию по фактическим обстоятельствам. (greedy)" in pretension.stderr
    own = run_cli(*base, "--instruction", "Составь ходатайство об отложении заседания.", "--temperature", "0.7")
    assert own.exit_code == 0, own
    assert "writing: Составь ходатайство об отложении заседания. (sampling, T=0.7)" in own.stderr
