"""The clean pipeline on stand-in plugins: outputs, rejects with provenance, dedup, variety, split, workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cleaning_fakes import (
    RAISING_PLUGIN,
    document_text,
    make_plugin_dir,
    make_rule_set,
    read_jsonl,
    record,
    write_jsonl,
)

from legal_ft.cleaning.engine import EngineSpec
from legal_ft.cleaning.instructions import INSTRUCTION_BANK
from legal_ft.cleaning.pipeline import CleanOptions, run_clean


def _opts(tmp_path: Path, src: Path, rule_set: Path, out: str = "out", **kw) -> CleanOptions:
    d = tmp_path / out
    spec = kw.pop("spec", EngineSpec(str(rule_set), builtin=False, entry_points=False))
    return CleanOptions(input=src, out=d / "train.jsonl", eval_out=d / "eval.jsonl", rejected=d / "rejected.jsonl",
                        report=d / "report.json", spec=spec, **kw)


# The CLI also loads the built-in plugins: select only the stand-ins so the counts are theirs.
ONLY_FAKES = 'select = ["TS1*", "TS301"]\n[normalisers]\nselect = ["strip", "collapse-spaces"]'


@pytest.fixture
def setup(tmp_path):
    make_plugin_dir(tmp_path)
    make_plugin_dir(tmp_path, RAISING_PLUGIN, name="raising.py")
    rule_set = make_rule_set(tmp_path, ONLY_FAKES)
    base = document_text(1)
    near = base.replace(base.split()[5], "изменено", 1)  # one word changed: a near-duplicate
    rows = [
        record("   " + base + "  ", 1),               # 1 kept (normalised: strip)
        record(document_text(2), 2),                  # 2 kept
        record("коротко", 3),                         # 3 too short
        '{"instruction": "x", "input": ',             # 4 malformed line
        record(base.upper(), 4),                      # 5 exact duplicate of line 1 after folding
        record(near, 5),                              # 6 near-duplicate of line 1
        record(document_text(3) + " это плохо", 6),    # 7 bad word
        record(document_text(4) + " бум", 7),          # 8 a rule raises → internal-error
        {"instruction": "x", "input": "y"},           # 9 missing field
        record(document_text(5), 8),                  # 10 kept
    ]
    src = write_jsonl(tmp_path / "merged.jsonl", rows)
    return tmp_path, src, rule_set


def test_outputs_rejects_and_report(setup):
    tmp_path, src, rule_set = setup
    result = run_clean(_opts(tmp_path, src, rule_set, eval_fraction=0.0))
    s = result.summary
    assert (s.read, s.records, s.bad_lines, s.kept, s.rejected) == (10, 8, 2, 3, 7)
    train = read_jsonl(tmp_path / "out" / "train.jsonl")
    assert [r["metadata"]["source"]["line"] for r in train] == [1, 2, 10]
    assert train[0]["output"] == train[0]["output"].strip()
    assert train[0]["metadata"]["normalised"] == ["strip"]
    assert train[0]["metadata"]["original_instruction"] == "Составь исковое заявление."
    rejected = {r["source"]["line"]: r for r in read_jsonl(tmp_path / "out" / "rejected.jsonl")}
    assert set(rejected) == {3, 4, 5, 6, 7, 8, 9}
    assert rejected[3]["findings"][0]["reason"] == "too-short"
    assert rejected[3]["record"]["output"] == "коротко"  # the record as read
    assert rejected[4]["findings"][0]["reason"] == "malformed-record" and rejected[4]["raw"].startswith('{"instr')
    assert rejected[5]["findings"][0] == {"code": "LF901", "rule": "duplicate", "reason": "duplicate",
                                          "message": f"exact duplicate of {src}:1", "where": "output"}
    assert rejected[6]["findings"][0]["reason"] == "near-duplicate"
    assert f"near-duplicate of {src}:1" in rejected[6]["findings"][0]["message"]
    assert rejected[7]["findings"][0]["code"] == "TS102"
    internal = rejected[8]["findings"][0]
    assert internal["reason"] == "internal-error" and internal["code"] == "TS301"
    assert "explodes raised RuntimeError: kaboom" in internal["message"]
    assert "missing field 'output'" in rejected[9]["findings"][0]["message"]

    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["kept"] == 3 and report["counts"]["internal_errors"] == 1
    assert report["per_rule"]["TS101"] == {"name": "short", "findings": 1, "records": 1}
    assert report["per_reason"]["internal-error"] == 1
    assert report["internal_errors_by_rule"] == {"TS301 explodes": 1}
    assert report["dedup"] == {"exact_duplicates": 1, "near_duplicates": 1, "near_grouped": 0,
                               "representatives_spilled_to_disk": 0}
    assert report["per_normaliser"]["strip"] == 1
    assert report["rule_set"]["enabled"] == ["TS101", "TS102", "TS301"]
    assert report["rule_set"]["dedup"]["threshold"] == 0.85
    assert set(report["timings_s"]) >= {"clean", "total"}


def test_cli_summary_and_quiet(setup, run_cli):
    tmp_path, src, rule_set = setup
    d = tmp_path / "cli"
    args = ["clean", "--input", str(src), "--rules", str(rule_set), "--out", str(d / "t.jsonl"),
            "--eval-out", str(d / "e.jsonl"), "--rejected", str(d / "r.jsonl"), "--report", str(d / "rep.json")]
    result = run_cli(*args)
    assert result.exit_code == 0, result
    assert "kept (train / eval)" in result.stdout and "Rejections per rule" in result.stdout
    assert "TS301" in result.stdout and "explodes" in result.stdout
    assert "1 record(s) rejected because a rule raised" in result.stderr
    assert "kept 3 of 10" in result.stderr
    quiet = run_cli("-q", *args)
    assert quiet.exit_code == 0 and "kept 3 of 10" in quiet.stderr


def test_workers_auto_is_one_process_for_a_small_input_and_one_per_core_for_a_large_one(setup, run_cli,
                                                                                         tmp_path, monkeypatch):
    from legal_ft.cleaning import pipeline

    _, src, rule_set = setup
    assert pipeline.auto_workers(src) == 1
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as fh:
        fh.truncate(pipeline.AUTO_WORKERS_MIN_BYTES)
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda pid: set(range(32)), raising=False)
    assert pipeline.auto_workers(big) == pipeline.AUTO_WORKERS_MAX
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert pipeline.auto_workers(big) == 3
    assert pipeline.auto_workers(tmp_path / "missing.jsonl") == 1
    d = tmp_path / "auto"
    result = run_cli("clean", "--input", str(src), "--rules", str(rule_set), "--out", str(d / "t.jsonl"),
                     "--eval-out", str(d / "e.jsonl"), "--rejected", str(d / "r.jsonl"), "--report",
                     str(d / "rep.json"), "--workers", "auto")
    assert result.exit_code == 0, result
    assert json.loads((d / "rep.json").read_text(encoding="utf-8"))["options"]["workers"] == 1
    for bad in ("0", "many"):
        wrong = run_cli("clean", "--input", str(src), "--workers", bad)
        assert wrong.exit_code == 1 and "--workers" in wrong.stderr and "Traceback" not in wrong.stderr


def test_refuses_to_overwrite_the_input(setup, run_cli):
    tmp_path, src, rule_set = setup
    result = run_cli("clean", "--input", str(src), "--rules", str(rule_set), "--out", str(src))
    assert result.exit_code == 1 and "refusing to write" in result.stderr
    missing = run_cli("clean", "--input", str(tmp_path / "nope.jsonl"), "--rules", str(rule_set))
    assert missing.exit_code == 1 and "input file not found" in missing.stderr


def test_diversify_is_deterministic_and_can_be_turned_off(setup):
    tmp_path, src, rule_set = setup
    run_clean(_opts(tmp_path, src, rule_set, "a", eval_fraction=0.0, seed=3))
    run_clean(_opts(tmp_path, src, rule_set, "b", eval_fraction=0.0, seed=3))
    run_clean(_opts(tmp_path, src, rule_set, "c", eval_fraction=0.0, diversify=False))
    a = (tmp_path / "a" / "train.jsonl").read_bytes()
    assert a == (tmp_path / "b" / "train.jsonl").read_bytes()
    bank = {i for bank in INSTRUCTION_BANK.values() for i in bank}
    assert all(r["instruction"] in bank for r in read_jsonl(tmp_path / "a" / "train.jsonl"))
    plain = read_jsonl(tmp_path / "c" / "train.jsonl")
    assert all(r["instruction"] == "Составь исковое заявление." for r in plain)
    assert all("original_instruction" not in r["metadata"] for r in plain)


def test_instruction_banks_are_large_and_distinct():
    for doc_type, bank in INSTRUCTION_BANK.items():
        assert len(bank) >= 8 and len(set(bank)) == len(bank), doc_type


def _many(tmp_path: Path, n: int) -> Path:
    return write_jsonl(tmp_path / "many.jsonl", [record(document_text(i), i) for i in range(n)])


def test_split_is_deterministic_and_cleaning_twice_changes_nothing(tmp_path):
    make_plugin_dir(tmp_path)
    rule_set = make_rule_set(tmp_path, 'select = ["default"]')
    src = _many(tmp_path, 200)
    first = run_clean(_opts(tmp_path, src, rule_set, "one", eval_fraction=0.25, seed=7)).summary
    assert first.kept == 200 and 25 <= first.eval <= 75
    # clean the clean output (train + eval together) again: every record comes out unchanged, on the same side
    again = write_jsonl(tmp_path / "again.jsonl", read_jsonl(tmp_path / "one" / "train.jsonl")
                        + read_jsonl(tmp_path / "one" / "eval.jsonl"))
    second = run_clean(_opts(tmp_path, again, rule_set, "two", eval_fraction=0.25, seed=7)).summary
    assert second.kept == 200 and second.rejected == 0 and second.diversified == 0
    for name in ("train.jsonl", "eval.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_near_duplicate_groups_never_straddle_the_split(tmp_path):
    make_plugin_dir(tmp_path)
    rule_set = make_rule_set(tmp_path, 'select = ["default"]\n[dedup]\nnear_action = "group"')
    rows = []
    for i in range(40):
        base = document_text(1000 + i)
        words = base.split()
        rows.append(record(base, i))
        rows.append(record(" ".join(words[:-1] + ["иначе"]), i))  # a near copy of the one before
    src = write_jsonl(tmp_path / "groups.jsonl", rows)
    s = run_clean(_opts(tmp_path, src, rule_set, eval_fraction=0.5, seed=1)).summary
    assert s.kept == 80 and s.near_grouped == 40 and s.near_duplicates == 0
    side = {}
    for name in ("train", "eval"):
        for r in read_jsonl(tmp_path / "out" / f"{name}.jsonl"):
            side.setdefault(r["input"], set()).add(name)
    assert all(len(sides) == 1 for sides in side.values())
    assert {next(iter(v)) for v in side.values()} == {"train", "eval"}


def test_workers_give_identical_output(tmp_path):
    make_plugin_dir(tmp_path)
    make_plugin_dir(tmp_path, RAISING_PLUGIN, name="raising.py")
    rule_set = make_rule_set(tmp_path, 'select = ["default"]')
    rows = [record(document_text(i % 250) + (" бум" if i % 97 == 0 else ""), i) for i in range(300)]
    rows.insert(17, "not json")
    src = write_jsonl(tmp_path / "w.jsonl", rows)
    run_clean(_opts(tmp_path, src, rule_set, "w1", eval_fraction=0.1, workers=1))
    run_clean(_opts(tmp_path, src, rule_set, "w2", eval_fraction=0.1, workers=2))
    for name in ("train.jsonl", "eval.jsonl", "rejected.jsonl"):
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w2" / name).read_bytes(), name
    rejected = read_jsonl(tmp_path / "w2" / "rejected.jsonl")
    reasons = [r["findings"][0]["reason"] for r in rejected]
    # lines 250-299 repeat 0-49; line 0 was rejected (a rule raised), so 250 is a first; 291 raises itself
    assert reasons.count("duplicate") == 48 and reasons.count("internal-error") == 4
    report = json.loads((tmp_path / "w2" / "report.json").read_text(encoding="utf-8"))
    assert set(report["seconds_per_check"]) == {"TS101", "TS102", "TS301", "strip", "collapse-spaces"}


def test_dedup_spilled_to_disk_gives_identical_outputs_and_leaves_no_work_file(tmp_path):
    """A tiny [dedup] memory_mb moves representatives to the on-disk store every few records; the outputs must not
    change, and the work file must be gone afterwards."""
    make_plugin_dir(tmp_path)
    rows = [record(document_text(i % 250) + (" иначе" if i % 7 == 0 and i >= 250 else ""), i) for i in range(300)]
    src = write_jsonl(tmp_path / "d.jsonl", rows)
    memory = make_rule_set(tmp_path, 'select = ["default"]\n[dedup]\nmemory_mb = 0', name="memory.toml")
    disk = make_rule_set(tmp_path, 'select = ["default"]\n[dedup]\nmemory_mb = 0.005', name="disk.toml")
    run_clean(_opts(tmp_path, src, memory, "mem", eval_fraction=0.1))
    result = run_clean(_opts(tmp_path, src, disk, "disk", eval_fraction=0.1))
    assert result.summary.dedup_spilled >= 200
    assert result.report["dedup"]["representatives_spilled_to_disk"] == result.summary.dedup_spilled
    for name in ("train.jsonl", "eval.jsonl", "rejected.jsonl"):
        assert (tmp_path / "mem" / name).read_bytes() == (tmp_path / "disk" / name).read_bytes(), name
    reasons = [r["findings"][0]["reason"] for r in read_jsonl(tmp_path / "disk" / "rejected.jsonl")]
    assert reasons.count("duplicate") == 43 and reasons.count("near-duplicate") == 7
    assert not list((tmp_path / "disk").glob(".legalft-dedup-*"))


def test_dedup_work_file_is_deleted_when_the_run_fails(tmp_path, monkeypatch):
    from legal_ft.cleaning import pipeline

    make_plugin_dir(tmp_path)
    src = write_jsonl(tmp_path / "d.jsonl", [record(document_text(i), i) for i in range(40)])
    disk = make_rule_set(tmp_path, 'select = ["default"]\n[dedup]\nmemory_mb = 0.005', name="disk.toml")
    real = pipeline._Decider.outcome
    seen = []

    def failing(self, result):
        seen.append(self.dedup.spilled)
        if len(seen) == 30:
            raise KeyboardInterrupt
        real(self, result)

    monkeypatch.setattr(pipeline._Decider, "outcome", failing)
    with pytest.raises(KeyboardInterrupt):
        run_clean(_opts(tmp_path, src, disk, "x"))
    assert max(seen) > 0  # the store existed when the run broke off
    assert not list((tmp_path / "x").iterdir())  # no work file, no partial output


def test_stats_measures_without_writing(setup, run_cli):
    tmp_path, src, rule_set = setup
    result = run_cli("clean", "--input", str(src), "--rules", str(rule_set), "--stats",
                     "--out", str(tmp_path / "s" / "t.jsonl"))
    assert result.exit_code == 0, result
    assert "TS101" in result.stdout and "chars" in result.stdout and "min_chars=20" in result.stdout
    assert not (tmp_path / "s").exists()


RAISING_NORMALISER = '''
from legal_ft.cleaning.api import Normaliser, hookimpl


class Breaks(Normaliser):
    """Raises on outputs containing «сломай»."""

    name = "breaks"
    order = 5

    def apply(self, record):
        if "сломай" in record.output:
            raise ValueError("cannot normalise")
        if "верни" in record.output:
            return {"output": "a dict"}
        return None


@hookimpl
def legalft_normalisers():
    return [Breaks]
'''


def test_broken_plugins_reject_only_that_record_and_dedup_off_still_splits(tmp_path):
    make_plugin_dir(tmp_path)
    make_plugin_dir(tmp_path, RAISING_NORMALISER, name="breaks.py")
    make_plugin_dir(tmp_path, RAISING_PLUGIN, name="raising.py")
    rule_set = make_rule_set(tmp_path, 'select = ["default"]\n[dedup]\nexact = false\nnear = false')
    rows = [record(document_text(i) + (" сломай" if i == 3 else " верни" if i == 4 else " мусор" if i == 5 else ""), i)
            for i in range(60)]
    rows.append(rows[0])  # not removed: dedup is off
    src = write_jsonl(tmp_path / "n.jsonl", rows)
    s = run_clean(_opts(tmp_path, src, rule_set, eval_fraction=0.3, progress=True)).summary
    assert (s.kept, s.rejected, s.exact_duplicates, s.internal_errors) == (58, 3, 0, 3)
    assert 0 < s.eval < 58
    raised, returned_dict, returned_str = [r["findings"] for r in read_jsonl(tmp_path / "out" / "rejected.jsonl")]
    assert raised == [{"code": "LF000", "rule": "breaks", "reason": "internal-error",
                       "message": "normaliser LF000 breaks raised ValueError: cannot normalise"}]
    assert "apply() returned dict, not a Record or None" in returned_dict[0]["message"]
    assert returned_str[0]["code"] == "TS301" and "returned str, not a Finding" in returned_str[0]["message"]
