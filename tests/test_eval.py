"""`legalft eval`: scoring, report files, malformed lines, --fail-under, loss and repetition measures."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from generation_fakes import (
    eval_records,
    make_adapter,
    read_json,
    write_jsonl,
    write_test_rules,
)

FAST = ("--max-new-tokens", "8", "--batch-size", "3")


@pytest.fixture(scope="module")
def adapter_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_adapter(tiny_model_dir, tmp_path_factory.mktemp("eval") / "adapter")


@pytest.fixture
def test_rules(tmp_path: Path) -> Path:
    return write_test_rules(tmp_path)


@pytest.fixture
def eval_file(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "eval.jsonl",
        eval_records(4),
        extra_lines=(b"{not json", b'{"instruction": "x", "output": "y"}'),
    )


def test_eval_writes_report_generations_and_chart(
    run_cli, tiny_model_dir: Path, adapter_dir: Path, eval_file: Path, test_rules: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    result = run_cli("eval", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir), "--data", str(eval_file),
                     "--rules", str(test_rules), "--out", str(out), *FAST)
    assert result.exit_code == 0, result
    # malformed lines are reported with file:line and skipped
    assert f"{eval_file}:5: not valid JSON" in result.stderr
    assert f"{eval_file}:6: missing field 'input'" in result.stderr
    report = read_json(out / "eval_report.json")
    assert report["records"] == 4 and report["skipped_lines"] == 2
    assert set(report["systems"]) == {"base", "adapter", "reference"}
    assert report["rules"] == [{"code": "TT101", "name": "no-proshu"}]
    reference = report["systems"]["reference"]["scores"]
    assert reference["pass_rate"] == 1.0 and reference["per_rule"]["TT101"]["pass_rate"] == 1.0
    for system in ("base", "adapter"):
        block = report["systems"][system]
        # eight random tokens never contain «ПРОШУ»: every generated document fails TT101
        assert block["scores"]["pass_rate"] == 0.0 and block["scores"]["per_rule"]["TT101"]["failed"] == 4
        assert block["loss"]["answer_tokens"] > 0 and math.isfinite(block["loss"]["loss"])
        assert block["loss"]["perplexity"] == pytest.approx(math.exp(block["loss"]["loss"]))
        assert 0.0 <= block["repetition"]["repeated"] <= 1.0
    assert report["systems"]["base"]["loss"]["loss"] != report["systems"]["adapter"]["loss"]["loss"]
    # the reference documents are identical, so most of their 4-grams repeat
    assert report["systems"]["reference"]["repetition"]["repeated"] == pytest.approx(0.75)

    lines = (out / "generations.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    import json

    first = json.loads(lines[0])
    assert first["source"] == f"{eval_file}:1"
    assert {"base", "adapter", "reference"} <= set(first)
    assert first["adapter"]["findings"][0]["code"] == "TT101"
    assert sorted(p.name for p in (out / "documents").iterdir())[:2] == ["0000_adapter.txt", "0000_base.txt"]
    assert (out / "documents" / "0000_adapter.txt").read_text(encoding="utf-8").strip() == first["adapter"]["output"]

    markdown = (out / "eval_report.md").read_text(encoding="utf-8")
    assert "![pass rates](eval_chart.png)" in markdown
    assert "| TT101 | no-proshu | 0% | 0% | 100% |" in markdown
    assert f"{eval_file}:5" in markdown
    assert report["by_doc_type"] == {"arbitration_claim": {"documents": 4, "base": 0.0, "adapter": 0.0, "reference": 1.0}}
    assert "| arbitration_claim | 4 | 0% | 0% | 100% |" in markdown
    assert "## Examples" in markdown and f"### 0000 — {eval_file}:1" in markdown
    assert "**reference outputs** — passes every rule" in markdown and "**base + adapter** — fails TT101" in markdown
    assert (out / "eval_chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "adapter pass rate 0.0% on 4 documents" in result.stdout


def test_fail_under(run_cli, tiny_model_dir: Path, adapter_dir: Path, eval_file: Path, test_rules: Path,
                    tmp_path: Path) -> None:
    args = ("eval", "--model", str(tiny_model_dir), "--adapter", str(adapter_dir), "--data", str(eval_file),
            "--rules", str(test_rules), "--out", str(tmp_path / "r"), "--limit", "2", *FAST)
    failing = run_cli(*args, "--fail-under", "0.5")
    assert failing.exit_code == 1
    errors = [line for line in failing.stderr.splitlines() if line.startswith("error:")]
    expected = (f"error: the adapter's pass rate 0.0% is below --fail-under 50.0% — see "
                f"{tmp_path / 'r' / 'eval_report.md'} for the rules it fails")
    assert errors == [expected]
    assert (tmp_path / "r" / "eval_report.json").is_file()  # the report is written before judging
    assert read_json(tmp_path / "r" / "eval_report.json")["records"] == 2  # --limit
    passing = run_cli(*args, "--fail-under", "0")
    assert passing.exit_code == 0, passing


def test_plugins_from_rules_dir(run_cli, tiny_model_dir: Path, eval_file: Path, tmp_path: Path) -> None:
    """`--rules-dir` adds a plugin folder, as for `legalft clean`."""
    write_test_rules(tmp_path)
    bare = tmp_path / "bare.toml"
    bare.write_text('select = ["TT101"]\n', encoding="utf-8")
    missing = run_cli("eval", "--model", str(tiny_model_dir), "--data", str(eval_file), "--rules", str(bare),
                      "--out", str(tmp_path / "r"), "--limit", "1", *FAST)
    assert missing.exit_code == 1 and "'TT101' matches no rule" in missing.stderr
    found = run_cli("eval", "--model", str(tiny_model_dir), "--data", str(eval_file), "--rules", str(bare),
                    "--rules-dir", str(tmp_path / "evaltest_plugins"), "--out", str(tmp_path / "r"), "--limit", "1",
                    *FAST)
    assert found.exit_code == 0, found
    assert read_json(tmp_path / "r" / "eval_report.json")["rules"] == [{"code": "TT101", "name": "no-proshu"}]


def test_base_model_alone(run_cli, tiny_model_dir: Path, eval_file: Path, test_rules: Path, tmp_path: Path) -> None:
    result = run_cli("eval", "--model", str(tiny_model_dir), "--data", str(eval_file), "--rules", str(test_rules),
                     "--out", str(tmp_path / "r"), "--limit", "1", "--fail-under", "0.1", *FAST)
    assert result.exit_code == 1
    assert "the base model's pass rate 0.0%" in result.stderr
    assert set(read_json(tmp_path / "r" / "eval_report.json")["systems"]) == {"base", "reference"}


def test_file_without_records_is_an_error(run_cli, tiny_model_dir: Path, tmp_path: Path, test_rules: Path) -> None:
    bad = write_jsonl(tmp_path / "bad.jsonl", [], extra_lines=(b"[1, 2]", b"nonsense"))
    result = run_cli("eval", "--model", str(tiny_model_dir), "--data", str(bad), "--rules", str(test_rules),
                     "--out", str(tmp_path / "r"))
    assert result.exit_code == 1
    assert f"error: {bad} has no valid records to evaluate" in result.stderr
    assert f"{bad}:1: expected a JSON object" in result.stderr
    assert not (tmp_path / "r").exists()


def test_missing_data_file_and_unknown_rule_set(run_cli, tiny_model_dir: Path, tmp_path: Path, eval_file: Path) -> None:
    missing = run_cli("eval", "--model", str(tiny_model_dir), "--data", str(tmp_path / "none.jsonl"))
    assert missing.exit_code == 1 and "input file not found" in missing.stderr
    unknown = run_cli("eval", "--model", str(tiny_model_dir), "--data", str(eval_file), "--rules", "no-such-set",
                      "--out", str(tmp_path / "r"))
    assert unknown.exit_code == 1 and unknown.stderr.count("error:") == 1 and "Traceback" not in unknown.output


def test_answer_loss_is_the_models_own_loss_on_answer_tokens(tiny_model_dir: Path, adapter_dir: Path) -> None:
    """Token-weighted, prompt-masked: equal to transformers' loss with the same labels, summed over records."""
    import torch

    from legal_ft.evaluation.perplexity import answer_loss, encode_for_loss
    from legal_ft.generation import load_for_inference

    loaded = load_for_inference(tiny_model_dir, adapter_dir)
    rows = [(r["instruction"], r["input"], r["output"][: 40 + 60 * i]) for i, r in enumerate(eval_records(3))]
    stats = answer_loss(loaded, rows, batch_size=2)
    total, count = 0.0, 0
    for row in rows:
        ids, labels, truncated = encode_for_loss(loaded.tokenizer, *row, max_length=2048)
        assert not truncated and labels[0] == -100 and labels[-1] != -100
        n = sum(1 for label in labels[1:] if label != -100)
        with torch.no_grad():
            loss = loaded.model(input_ids=torch.tensor([ids]), labels=torch.tensor([labels])).loss
        total += float(loss) * n
        count += n
    assert stats.answer_tokens == count
    assert stats.loss == pytest.approx(total / count, rel=1e-4)


def test_repetition_measure() -> None:
    from legal_ft.evaluation.repetition import repetition_stats

    varied = repetition_stats(["один два три четыре пять", "шесть семь восемь девять десять"], n=2)
    assert varied.repeated == 0.0 and varied.cross_document == 0.0 and varied.total_ngrams == 8
    same = repetition_stats(["прошу суд взыскать долг"] * 4, n=2)
    assert same.repeated == pytest.approx(0.75) and same.cross_document == 1.0 and same.within_document == 0.0
    looping = repetition_stats(["прошу суд прошу суд прошу суд"], n=2)
    assert looping.within_document == pytest.approx(1 - 2 / 5)
    assert repetition_stats([], n=3).repeated == 0.0


def test_parts_in_order_is_measured_even_when_the_rule_set_leaves_lf108_off() -> None:
    """Reasoning and demand present and in that order (LF101, LF102, LF108); LF108 is strict-only, so under the
    default set it runs as an extra measurement that does not count towards the pass rate."""
    from generation_fakes import REFERENCE_OUTPUT

    from legal_ft.cleaning.engine import load_engine
    from legal_ft.evaluation.scoring import Scorer
    from legal_ft.records import Record

    scorer = Scorer(load_engine("default"))
    assert [r.code for r in scorer.extra_rules] == ["LF108"] and not scorer.parts_rules_enabled
    instruction = "Составь исковое заявление в арбитражный суд по фактическим обстоятельствам дела."
    good = scorer.score(Record(instruction, "факты", REFERENCE_OUTPUT))
    assert good.parts_in_order is True
    head, rest = REFERENCE_OUTPUT.split("МОТИВИРОВОЧНАЯ ЧАСТЬ:")
    reasoning, rest = rest.split("РЕЗОЛЮТИВНАЯ ЧАСТЬ:")
    demand, attachments = rest.split("Приложения:")
    swapped = f"{head}РЕЗОЛЮТИВНАЯ ЧАСТЬ:{demand}МОТИВИРОВОЧНАЯ ЧАСТЬ:{reasoning}Приложения:{attachments}"
    out_of_order = scorer.score(Record(instruction, "факты", swapped))
    assert out_of_order.parts_in_order is False
    assert not any(f.code == "LF108" for f in out_of_order.findings)  # measured, not counted
    assert scorer.score(Record(instruction, "факты", "")).parts_in_order is False  # no parts is not "in order"

    strict = Scorer(load_engine("strict"))
    assert strict.parts_rules_enabled and not strict.extra_rules
    assert any(f.code == "LF108" for f in strict.score(Record(instruction, "факты", swapped)).findings)


def test_loss_uses_the_adapters_training_window(run_cli, tiny_model_dir: Path, adapter_dir: Path, eval_file: Path,
                                                test_rules: Path, tmp_path: Path) -> None:
    import shutil

    adapter = tmp_path / "adapter"
    shutil.copytree(adapter_dir, adapter)
    (adapter / "training_config.json").write_text('{"data_config": {"max_length": 96}}', encoding="utf-8")
    result = run_cli("eval", "--model", str(tiny_model_dir), "--adapter", str(adapter), "--data", str(eval_file),
                     "--rules", str(test_rules), "--out", str(tmp_path / "r"), "--limit", "2", *FAST)
    assert result.exit_code == 0, result
    report = read_json(tmp_path / "r" / "eval_report.json")
    assert report["loss_max_length"] == 96
    assert report["systems"]["adapter"]["loss"]["truncated"] == 2  # the reference answers do not fit in 96 tokens
