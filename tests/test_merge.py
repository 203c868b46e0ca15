"""`legalft merge`: order, encodings, malformed lines, duplicates, statistics, advice, and refusals."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import orjson
import pytest

from legal_ft.merge import DUPLICATE_REASON, MergeOptions, merge_datasets
from legal_ft.stats import DatasetStats, LengthHistogram, advise, fold_whitespace

CLAIM = ("В Тверской районный суд г. Москвы\n\nИстец: Иванов И.И.\nОтветчик: ООО «Ромашка»\n\nИСКОВОЕ ЗАЯВЛЕНИЕ\n"
         "о взыскании долга\n\nМОТИВИРОВОЧНАЯ ЧАСТЬ:\nСогласно ст. 309 ГК РФ обязательства исполняются надлежаще.\n\n"
         "РЕЗОЛЮТИВНАЯ ЧАСТЬ:\nПРОШУ СУД: взыскать {n} руб.")
PRETENSION = "ПРЕТЕНЗИЯ\n\nСогласно ст. 18 Закона РФ «О защите прав потребителей»…\n\nТРЕБУЮ: вернуть {n} руб."


def rec(output: str, provider: str = "openai", mode: str = "polish", **extra) -> dict:
    meta = {"local_response": "черновик", "provider": provider, "mode": mode,
            "timestamp": "2025-08-28T23:14:59.007455", "version": "1.0"}
    return {"instruction": "Составь документ.", "input": "Факты дела.", "output": output, "metadata": meta, **extra}


def line(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """Four GUI files: plain UTF-8 (with a malformed line and a duplicate), cp1251+CRLF, BOM, UTF-8+CRLF."""
    d = tmp_path / "datasets" / "hybrid_generated"
    d.mkdir(parents=True)
    (d / "dataset_20250801.jsonl").write_text("\n".join([
        line(rec(CLAIM.format(n=100), rating=5)),
        '{"instruction": "Составь иск", "input": "факты", "output": "ИСКОВОЕ',  # truncated JSON
        line(rec(CLAIM.format(n=200))),
        line(rec("  " + CLAIM.format(n=100).replace("\n", " \n ") + "\n")),  # duplicate of line 1 (whitespace)
    ]) + "\n", encoding="utf-8")
    (d / "dataset_20250802.jsonl").write_bytes(
        (line(rec(PRETENSION.format(n=300), provider="gigachat", mode="hybrid")) + "\r\n"
         + "{'instruction': 'x', 'input': 'y', 'output': 'ПРОШУ'}" + "\r\n"
         + line(rec(PRETENSION.format(n=400), provider="gigachat")) + "\r\n").encode("cp1251"))
    (d / "dataset_20250803.jsonl").write_bytes(
        codecs.BOM_UTF8 + (line(rec(CLAIM.format(n=500))) + "\n" + line(rec(CLAIM.format(n=200))) + "\n").encode())
    (d / "dataset_20250804.jsonl").write_bytes(
        (line(rec(PRETENSION.format(n=600), mode="generate")) + "\r\n"
         + line({"instruction": "a", "input": "b", "output": 7}) + "\r\n").encode("utf-8"))
    (d / "notes.txt").write_text("not a dataset", encoding="utf-8")
    return d


def _outputs(root: Path) -> dict[str, Path]:
    ds = root / "datasets"
    return {"out": ds / "merged_training_dataset.jsonl", "config": ds / "training_config.json",
            "rejects": ds / "merge_rejects.jsonl"}


def test_merge_counts_order_provenance_and_rejects(collection, tmp_cwd, run_cli):
    before = {p.name: p.read_bytes() for p in collection.iterdir()}
    result = run_cli("merge")  # every default: datasets/hybrid_generated → datasets/*, relative to the cwd
    assert result.exit_code == 0, result
    paths = _outputs(tmp_cwd)
    merged = [orjson.loads(x) for x in paths["out"].read_bytes().splitlines()]
    # Name order, line order; the duplicate (line 4 of file 1) and the repeat in file 3 are dropped.
    assert [r["output"][-8:] for r in merged] == [
        CLAIM.format(n=100)[-8:], CLAIM.format(n=200)[-8:], PRETENSION.format(n=300)[-8:],
        PRETENSION.format(n=400)[-8:], CLAIM.format(n=500)[-8:], PRETENSION.format(n=600)[-8:]]
    sources = [(Path(r["metadata"]["source"]["file"]).name, r["metadata"]["source"]["line"]) for r in merged]
    assert sources == [("dataset_20250801.jsonl", 1), ("dataset_20250801.jsonl", 3), ("dataset_20250802.jsonl", 1),
                       ("dataset_20250802.jsonl", 3), ("dataset_20250803.jsonl", 1), ("dataset_20250804.jsonl", 1)]
    assert merged[0]["rating"] == 5 and merged[0]["metadata"]["local_response"] == "черновик"  # unknown fields kept
    assert merged[2]["output"] == PRETENSION.format(n=300)  # the cp1251 file decoded, CR stripped
    # What the user sees: each malformed line as file:line: reason, then the summary.
    f1, f2, f4 = (f"datasets/hybrid_generated/dataset_2025080{i}.jsonl" for i in (1, 2, 4))
    assert f"warning: {f1}:2: not valid JSON" in result.stderr
    assert f"warning: {f2}:2: a Python dict literal, not JSON" in result.stderr
    assert f"warning: {f4}:2: field 'output' must be a string, got number" in result.stderr
    assert "merged 6 records from 4 files" in result.stderr
    assert "2 duplicates dropped, 3 malformed lines" in result.stderr
    assert "Input files" in result.stdout and "cp1251" in result.stdout and "utf-8-sig" in result.stdout
    # The rejects file: malformed lines untouched, duplicates with their reason.
    rejects = [orjson.loads(x) for x in paths["rejects"].read_bytes().splitlines()]
    malformed = [r for r in rejects if "raw" in r]
    assert [(Path(r["source"]["file"]).name, r["source"]["line"]) for r in malformed] == [
        ("dataset_20250801.jsonl", 2), ("dataset_20250802.jsonl", 2), ("dataset_20250804.jsonl", 2)]
    assert malformed[0]["raw"] == '{"instruction": "Составь иск", "input": "факты", "output": "ИСКОВОЕ'
    literal = "{'instruction': 'x', 'input': 'y', 'output': 'ПРОШУ'}"
    assert malformed[1]["raw"].encode(malformed[1]["encoding"]) == literal.encode("cp1251")
    dups = [r for r in rejects if r.get("reason") == DUPLICATE_REASON]
    assert [(Path(r["source"]["file"]).name, r["source"]["line"]) for r in dups] == [
        ("dataset_20250801.jsonl", 4), ("dataset_20250803.jsonl", 2)]
    assert dups[0]["record"]["output"].startswith("  В Тверской")
    # training_config.json: counts, statistics, advice.
    config = json.loads(paths["config"].read_text(encoding="utf-8"))
    assert config["dataset"]["records"] == 6 and config["dataset"]["records_read"] == 8
    assert config["dataset"]["duplicates_dropped"] == 2 and config["dataset"]["malformed_lines"] == 3
    assert [f["encoding"] for f in config["dataset"]["input_files"]] == ["utf-8", "cp1251", "utf-8-sig", "utf-8"]
    stats = config["statistics"]
    assert stats["doc_types"] == {"claim": 3, "pretension": 3}
    assert stats["providers"] == {"openai": 4, "gigachat": 2}
    assert stats["provider_mode"] == {"openai/polish": 3, "gigachat/hybrid": 1, "gigachat/polish": 1,
                                      "openai/generate": 1}
    out_chars = stats["chars"]["output"]
    assert out_chars["min"] == len(PRETENSION.format(n=300)) and out_chars["max"] == len(CLAIM.format(n=100))
    assert out_chars["min"] <= out_chars["p50"] <= out_chars["p95"] <= out_chars["max"]
    advice = config["advice"]
    assert advice["enough_examples"] is False and any("only 6 examples" in w for w in advice["warnings"])
    assert advice["num_train_epochs"] in (3, 4, 5) and advice["max_length"] == 512
    assert config["suggested"] == {"training_args": {"num_train_epochs": advice["num_train_epochs"]},
                                   "data_config": {"max_length": 512}}
    assert "warning: only 6 examples" in result.stderr
    # Inputs untouched; a second run writes the same bytes.
    assert {p.name: p.read_bytes() for p in collection.iterdir()} == before
    first = {k: p.read_bytes() for k, p in paths.items()}
    again = merge_datasets(MergeOptions())  # the same defaults, relative to the same cwd
    assert again.written == 6 and {k: p.read_bytes() for k, p in paths.items()} == first


def test_quiet_prints_one_line(collection, run_cli, tmp_path):
    out = tmp_path / "o"
    result = run_cli("-q", "merge", "--input-dir", str(collection), "--out", str(out / "m.jsonl"),
                     "--config-out", str(out / "c.json"), "--rejects", str(out / "r.jsonl"))
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("merged 6 records from 4 files into")
    assert "1 warning(s) in" in lines[0]


def test_defaults_are_relative_to_the_working_directory(tmp_cwd, run_cli):
    assert run_cli("-q", "sample", "-n", "120").exit_code == 0  # writes datasets/hybrid_generated
    result = run_cli("-q", "merge")
    assert result.exit_code == 0, result
    paths = _outputs(tmp_cwd)
    assert all(p.is_file() for p in paths.values())
    config = json.loads(paths["config"].read_text(encoding="utf-8"))
    assert config["dataset"]["input_dir"] == "datasets/hybrid_generated"
    assert config["statistics"]["doc_type_method"] == "legal_ft.legal.detect"
    assert config["dataset"]["records"] + config["dataset"]["duplicates_dropped"] == 120
    assert config["dataset"]["malformed_lines"] == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input-dir", "missing"], "error: input folder not found: missing — "),
        (["--pattern", "nothing_*.jsonl"], "error: no files matching 'nothing_*.jsonl' in "),
        (["--out", "COLLECTION/dataset_20250801.jsonl"], "error: refusing to write "),
        (["--out", "same.jsonl", "--rejects", "same.jsonl"], "error: --out, --config-out and --rejects must be"),
        (["--tokenizer", "no_such_dir"], "error: no tokenizer.json in no_such_dir"),
    ],
)
def test_user_errors_are_one_line_exit_1(collection, tmp_cwd, run_cli, args, message):
    args = [a.replace("COLLECTION", str(collection)) for a in args]
    if "--input-dir" not in args:
        args = ["--input-dir", str(collection), *args]
    before = {p.name: p.read_bytes() for p in collection.iterdir()}
    result = run_cli("merge", *args)
    assert result.exit_code == 1
    lines = [x for x in result.stderr.splitlines() if x.strip() and not x.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith(message), result
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in collection.iterdir()} == before
    assert not (tmp_cwd / "same.jsonl").exists()


def test_nothing_valid_writes_nothing(tmp_path, run_cli):
    d = tmp_path / "in"
    d.mkdir()
    (d / "dataset_1.jsonl").write_text("{broken\n[1]\n", encoding="utf-8")
    out = tmp_path / "o"
    result = run_cli("merge", "--input-dir", str(d), "--out", str(out / "m.jsonl"), "--config-out",
                     str(out / "c.json"), "--rejects", str(out / "r.jsonl"))
    assert result.exit_code == 1
    assert "error: no valid records in 1 file(s)" in result.stderr
    assert f"{d / 'dataset_1.jsonl'}:2: expected a JSON object" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_remerging_keeps_the_original_provenance(collection, tmp_path):
    first = tmp_path / "first"
    merge_datasets(MergeOptions(collection, out=first / "merged.jsonl", config_out=first / "c.json",
                                rejects=first / "r.jsonl"))
    second = tmp_path / "second"
    result = merge_datasets(MergeOptions(first, pattern="merged.jsonl", out=second / "m.jsonl",
                                         config_out=second / "c.json", rejects=second / "r.jsonl"))
    assert result.written == 6
    rows = [orjson.loads(x) for x in (second / "m.jsonl").read_bytes().splitlines()]
    assert rows[2]["metadata"]["source"] == {"file": str(collection / "dataset_20250802.jsonl"), "line": 1}


def test_tokenizer_gives_exact_token_counts(collection, tmp_path):
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    tok = Tokenizer(WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()
    (tmp_path / "tok").mkdir()
    tok.save(str(tmp_path / "tok" / "tokenizer.json"))
    out = tmp_path / "o"
    result = merge_datasets(MergeOptions(collection, out=out / "m.jsonl", config_out=out / "c.json",
                                         rejects=out / "r.jsonl", tokenizer=tmp_path / "tok"))
    tokens = result.statistics["tokens"]
    assert tokens["method"].startswith("tokenizer:")
    words = len(Whitespace().pre_tokenize_str("Составь документ.\n\nФакты дела.\n" + PRETENSION.format(n=300)))
    assert tokens["min"] == words + 16  # + the chat template's markers


def test_digest_set_finds_only_whole_digests():
    from legal_ft.merge import DigestSet, output_digest

    seen = DigestSet()
    a = bytes([1, 2]) + bytes(range(10, 24))
    b = bytes([1, 2]) + bytes(range(30, 44))
    straddle = bytes([1, 2]) + a[9:16] + b[2:9]  # its tail occurs in the bucket, but not at a digest boundary
    assert seen.add(a) and seen.add(b) and seen.add(straddle)
    assert not seen.add(a) and not seen.add(b) and not seen.add(straddle) and seen.count == 3
    assert output_digest("ПРОШУ  СУД\r\n") == output_digest(" ПРОШУ СУД") != output_digest("ПРОШУ СУДЫ")
    with pytest.raises(ValueError):
        seen.add(b"short")


def test_length_histogram_percentiles_are_close_and_memory_is_bounded():
    hist = LengthHistogram(16)
    values = [(i * 7919) % 10_000 for i in range(20_000)]
    for v in values:
        hist.add(v)
    ordered = sorted(values)
    for p in (50, 90, 95, 99):
        exact = ordered[int(len(ordered) * p / 100) - 1]
        assert abs(hist.percentile(p) - exact) <= 16
    assert hist.percentile(0) == hist.min == 0 and hist.percentile(100) == hist.max == 9999
    assert len(hist.buckets) <= 10_000 // 16 + 1
    assert 0.49 < hist.share_at_most(5000) < 0.51


def test_advice_rules():
    from legal_ft.records import Record

    stats = DatasetStats.create(detect_types=False)
    for i in range(2500):
        stats.add(Record("Составь иск.", "Факты.", "х" * (1000 + i)))
    advice = advise(stats)
    assert advice["enough_examples"] and advice["num_train_epochs"] == 4
    # 95 % of examples are under ~ (3000 + 1019 chars) / 3.2 + 16 tokens → rounded up to 256s.
    assert advice["max_length"] == 1280 and advice["max_length_covers"] >= 0.95
    assert fold_whitespace(" a\u00a0\r\n b\t") == "a b"


def test_doc_types_are_counted_with_the_rules_detector():
    from legal_ft import stats
    from legal_ft.legal.detect import detect_doc_type

    detect, method = stats.doc_type_detector()
    assert method == "legal_ft.legal.detect"
    for text in ("В Арбитражный суд г. Москвы\n\nИСКОВОЕ ЗАЯВЛЕНИЕ", "ПРЕТЕНЗИЯ\nТРЕБУЮ", "Рецепт борща"):
        assert detect(text, "") == detect_doc_type(text, "").value
    assert detect("В Арбитражный суд г. Москвы\n\nИСКОВОЕ ЗАЯВЛЕНИЕ", "") == "arbitration_claim"
    assert detect("Рецепт борща", "") == "unknown"
