"""The engine with the built-in plugins and the shipped rule sets: default, strict and lenient resolve, `rules`
commands work end to end, normalisers are idempotent, and cleaning the clean output again changes nothing."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from cleaning_fakes import read_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

from legal_ft.cleaning.engine import EngineSpec, load_engine
from legal_ft.cleaning.pipeline import CleanOptions, run_clean
from legal_ft.records import Record

CATALOGUE = {
    "LF101": "missing-reasoning", "LF102": "missing-demand", "LF103": "wrong-demand-for-type",
    "LF104": "missing-header", "LF105": "missing-parties", "LF106": "missing-title", "LF107": "missing-attachments",
    "LF108": "parts-out-of-order", "LF109": "several-documents", "LF110": "type-mismatch", "LF111": "party-confusion", "LF112": "wrong-court",
    "LF201": "no-citation", "LF202": "bad-citation", "LF301": "off-topic",
    "LF302": "not-procedural", "LF401": "too-short", "LF402": "too-long", "LF403": "truncated",
    "LF404": "too-many-tokens", "LF501": "not-russian", "LF601": "model-chatter", "LF602": "refusal",
    "LF603": "placeholder", "LF604": "echo", "LF605": "empty-field", "LF606": "mojibake", "LF607": "markdown",
    "LF608": "repetition", "LF609": "model-markup", "LF701": "bad-arithmetic", "LF702": "claim-price-mismatch",
    "LF703": "facts-mismatch",
}
STRICT_ONLY = {"LF104", "LF105", "LF106", "LF107", "LF108", "LF703"}
LENIENT_OFF = {"LF103", "LF302", "LF607", "LF701", "LF702"} | STRICT_ONLY
NORMALISERS = ["unicode-nfc", "fix-mojibake", "line-endings-whitespace", "strip-model-markup", "strip-html",
               "strip-markdown", "strip-chatter", "quotes-dashes", "canonical-headings"]


@pytest.fixture(scope="module")
def engines():
    return {name: load_engine(name, entry_points=False) for name in ("default", "strict", "lenient")}


def test_rule_sets_select_the_catalogue(engines):
    for engine in engines.values():
        assert {c: cls.name for c, cls in engine.registry.rules.items()} == CATALOGUE
        assert engine.rule_set.normalisers == NORMALISERS
    assert set(engines["default"].rule_set.enabled) == set(CATALOGUE) - STRICT_ONLY
    assert set(engines["strict"].rule_set.enabled) == set(CATALOGUE)
    assert set(engines["lenient"].rule_set.enabled) == set(CATALOGUE) - LENIENT_OFF
    strict = engines["strict"].rule_set.thresholds
    default = engines["default"].rule_set.thresholds
    assert strict["LF201"].min_citations == 2 and default["LF201"].min_citations == 1
    assert strict["LF401"].min_chars > default["LF401"].min_chars > engines["lenient"].rule_set.thresholds[
        "LF401"].min_chars


def test_rules_list_and_show(run_cli):
    result = run_cli("rules", "list", "--rules", "strict")
    assert result.exit_code == 0, result
    assert "Rules in set 'strict' (33 of 33 on)" in result.stdout
    for code in CATALOGUE:
        assert code in result.stdout
    lenient = run_cli("rules", "list", "--rules", "lenient")
    row = next(line for line in lenient.stdout.splitlines() if "LF607" in line)
    assert " off " in row
    show = run_cli("rules", "show", "no-citation", "--rules", "strict")
    assert show.exit_code == 0, show
    assert "LF201 no-citation" in show.stdout and "on in 'strict'" in show.stdout
    assert "min_citations: int = 1 → 2  (set by the rule set)" in show.stdout
    assert "Bad" in show.stdout and "Good" in show.stdout
    norm = run_cli("rules", "show", "strip-chatter")
    assert norm.exit_code == 0 and "normaliser strip-chatter (order 50)" in norm.stdout
    missing = run_cli("rules", "show", "LF999")
    assert missing.exit_code == 1 and "no rule or normaliser 'LF999'" in missing.stderr


TEXT = st.text(
    alphabet=st.sampled_from(list("Прошу суд ВЗЫСКАТЬ ст. 309 ГК РФ «»\"'—–-…*#_`>\n\r\t \u00a0\u200bРЎР°Рё–†—É")),
    max_size=200,
)


@settings(max_examples=80, deadline=None)
@given(output=TEXT | st.text(max_size=100), instruction=TEXT)
def test_normalisers_are_idempotent(engines, output, instruction):
    engine = engines["default"]
    once, _, errors = engine.normalise(Record(instruction, "факты", output))
    assert not errors, errors
    twice, changed, errors = engine.normalise(once)
    assert not errors and changed == [], changed
    assert (twice.instruction, twice.output) == (once.instruction, once.output)


@settings(max_examples=60, deadline=None)
@given(output=TEXT | st.text(max_size=200), instruction=TEXT, input=TEXT)
def test_builtin_rules_never_raise(engines, output, instruction, input):
    outcome = engines["strict"].process(0, Record(instruction, input, output))
    assert all(f.reason != "internal-error" for f in outcome.findings), outcome.findings


def _sample_file(root: Path, n: int) -> Path:
    from legal_ft.sample import generate_records

    path = root / "merged.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for rec in generate_records(n, seed=5):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def _opts(src: Path, d: Path, rules: str) -> CleanOptions:
    return CleanOptions(input=src, out=d / "train.jsonl", eval_out=d / "eval.jsonl", rejected=d / "rejected.jsonl",
                        report=d / "report.json", spec=EngineSpec(rules, entry_points=False), eval_fraction=0.1)


def test_cleaning_the_clean_output_again_changes_nothing():
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = _sample_file(root, 160)
        first = run_clean(_opts(src, root / "one", "strict")).summary
        assert first.kept > 0 and first.rejected > 0
        again = root / "again.jsonl"
        again.write_text((root / "one" / "train.jsonl").read_text(encoding="utf-8")
                         + (root / "one" / "eval.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
        second = run_clean(_opts(again, root / "two", "strict")).summary
        assert (second.kept, second.rejected, second.diversified) == (first.kept, 0, 0)
        assert sum(second.per_normaliser.values()) == 0
        for name in ("train.jsonl", "eval.jsonl"):
            assert (root / "one" / name).read_bytes() == (root / "two" / name).read_bytes()
        report = json.loads((root / "one" / "report.json").read_text(encoding="utf-8"))
        assert report["rule_set"]["name"] == "strict"
        assert report["rule_set"]["thresholds"]["LF201"]["min_citations"] == 2
        rejected = read_jsonl(root / "one" / "rejected.jsonl")
        assert all(r["findings"] and r["source"]["file"] == str(src) for r in rejected)
        kept = read_jsonl(root / "one" / "train.jsonl")
        assert all(r["metadata"]["source"]["file"] == str(src) for r in kept)


def test_tokenizer_enables_the_token_length_rule(tiny_model_dir, tmp_path, run_cli):
    from legal_ft.sample import generate_records

    good = next(r for r in generate_records(40, seed=2) if r["metadata"]["sample"]["expect"] == "keep")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(good, ensure_ascii=False) + "\n", encoding="utf-8")
    rule_set = tmp_path / "tokens.toml"
    rule_set.write_text('extends = "default"\n[thresholds.LF404]\nmax_tokens = 10\n', encoding="utf-8")
    common = ["clean", "--input", str(src), "--rules", str(rule_set), "--eval-fraction", "0",
              "--rejected", str(tmp_path / "rej.jsonl"), "--out", str(tmp_path / "t.jsonl"),
              "--eval-out", str(tmp_path / "e.jsonl"), "--report", str(tmp_path / "r.json")]
    without = run_cli(*common)
    assert without.exit_code == 0, without
    assert not any(r["findings"][0]["code"] == "LF404" for r in read_jsonl(tmp_path / "rej.jsonl"))
    with_tok = run_cli(*common, "--tokenizer", str(tiny_model_dir))
    assert with_tok.exit_code == 0, with_tok
    rejected = read_jsonl(tmp_path / "rej.jsonl")
    assert [f["code"] for f in rejected[0]["findings"]] == ["LF404"]
    bad = run_cli(*common, "--tokenizer", str(tmp_path / "nowhere"))
    assert bad.exit_code == 1 and "tokenizer folder not found" in bad.stderr


def test_rules_check_explains_one_document(run_cli, tmp_path):
    """`legalft rules check` on a text file (any Windows encoding), on stdin and with a custom rule folder."""
    from rule_cases import documents

    text = documents()["claim_house"]["text"]
    good = tmp_path / "claim.txt"
    good.write_bytes(text.encode("cp1251"))  # saved by a Russian Windows editor
    result = run_cli("rules", "check", str(good), "--rules", "strict")
    assert result.exit_code == 0, result.stderr
    assert "document type claim" in result.stdout and "KEPT" in result.stdout and "REJECTED" not in result.stdout

    cut = text[: text.index("РЕЗОЛЮТИВНАЯ ЧАСТЬ:")] + "Согласно ст. 309 ГК РФ обязательства должны исполняться в"
    wide = tmp_path / "cut.txt"
    wide.write_bytes(cut.encode("utf-16"))  # Notepad's "Unicode"
    result = run_cli("rules", "check", str(wide), "--rules", "strict", "--show-text")
    assert result.exit_code == 0, result.stderr
    assert "REJECTED: " in result.stdout and "LF403" in result.stdout and "mid-sentence" in result.stdout
    assert "text as the rules saw it" in result.stdout and "исполняться в" in result.stdout

    piped = run_cli("rules", "check", "--rules", "strict", input=("Конечно! Вот документ:\n\n" + text).encode())
    assert piped.exit_code == 0 and "normalisers changed: strip-chatter" in piped.stdout and "KEPT" in piped.stdout

    custom = run_cli("rules", "check", str(good), "--rules-dir", str(Path("examples/custom_rule").resolve()))
    assert custom.exit_code == 0 and "KEPT" in custom.stdout
    caps = tmp_path / "caps.txt"
    caps.write_text(text.upper(), encoding="utf-8")
    shouting = run_cli("rules", "check", str(caps), "--rules-dir", str(Path("examples/custom_rule").resolve()))
    assert "XY101" in shouting.stdout and "REJECTED" in shouting.stdout

    missing = run_cli("rules", "check", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 1 and "file not found" in missing.stderr and "Traceback" not in missing.stderr


def test_rules_check_on_a_dataset_gives_a_line_per_record_or_one_in_full(run_cli, tmp_path):
    from rule_cases import documents

    text = documents()["pretension"]["text"]
    rows = [{"instruction": "Составь претензию.", "input": "", "output": text},
            {"instruction": "Составь претензию.", "input": "", "output": text.replace("ТРЕБУЮ", "ПРОШУ СУД")},
            ]
    data = tmp_path / "d.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken\n", encoding="utf-8")
    result = run_cli("rules", "check", str(data))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("line 1: pretension — kept")
    assert lines[1].startswith("line 2: pretension — rejected: LF103")
    assert lines[2].startswith("line 3: malformed")
    assert "1 kept, 1 rejected, 1 malformed" in result.stdout
    one = run_cli("rules", "check", str(data), "--line", "2")
    assert one.exit_code == 0 and f"{data}:2" in one.stdout and "pretension-asks-court" in one.stdout
    assert "line 1" not in one.stdout
    beyond = run_cli("rules", "check", str(data), "--line", "9")
    assert beyond.exit_code == 1 and "has no line 9" in beyond.stderr
    wrong = run_cli("rules", "check", str(tmp_path / "x.txt"), "--line", "2")
    assert wrong.exit_code == 1 and "--line" in wrong.stderr


def test_type_mismatch_is_repaired_by_instruction_variety_and_rejected_without_it(tmp_path):
    """A претензия collected under «Составь исковое заявление …»: with instruction variety the record is kept and
    gets an instruction for a претензия; with --no-diversify it is rejected (LF110), the original kept as read."""
    import dataclasses

    from rule_cases import documents

    from legal_ft.cleaning.instructions import bank_for

    doc = documents()["pretension"]
    src = tmp_path / "m.jsonl"
    src.write_text(json.dumps({"instruction": "Составь исковое заявление о взыскании долга.", "input": doc["input"],
                               "output": doc["text"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    kept = run_clean(dataclasses.replace(_opts(src, tmp_path / "a", "default"), eval_fraction=0.0))
    assert kept.summary.kept == 1
    assert kept.report["rules_left_out"] == {"LF110": "group instruction: instructions are replaced"}
    record = read_jsonl(tmp_path / "a" / "train.jsonl")[0]
    assert record["instruction"] in bank_for("pretension")
    assert record["metadata"]["original_instruction"] == "Составь исковое заявление о взыскании долга."

    plain = run_clean(dataclasses.replace(_opts(src, tmp_path / "b", "default"), diversify=False))
    assert plain.summary.kept == 0 and plain.report["rules_left_out"] == {}
    rejected = read_jsonl(tmp_path / "b" / "rejected.jsonl")[0]
    assert [f["code"] for f in rejected["findings"]] == ["LF110"]
    assert "претензия" in rejected["findings"][0]["message"] and "исковое заявление" in rejected["findings"][0][
        "message"]
