"""The sample corpus: deterministic, realistic, labelled, and written as the GUI writes it."""

from __future__ import annotations

import codecs
import re
from collections import Counter

import ftfy
import pytest

from legal_ft.io import BadLine, iter_records
from legal_ft.legal.doctypes import DocType
from legal_ft.sample import DEFECTS, KEEP_DEFECTS, MALFORMED_KINDS, generate_records, write_sample

N = 2500


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return list(generate_records(N, seed=11))


def _label(record: dict) -> dict:
    return record["metadata"]["sample"]


def _good(corpus: list[dict]) -> list[dict]:
    return [r for r in corpus if _label(r)["defect"] is None]


def test_deterministic_for_a_seed():
    first = list(generate_records(150, seed=7))
    assert first == list(generate_records(150, seed=7))
    assert first != list(generate_records(150, seed=8))


def test_every_record_has_seed_fields_and_a_valid_label(corpus):
    slugs = {t.value for t in DocType}
    for record in corpus:
        assert set(record) == {"instruction", "input", "output", "metadata"}
        assert all(isinstance(record[k], str) for k in ("instruction", "input", "output"))
        meta = record["metadata"]
        assert {"local_response", "provider", "mode", "timestamp", "version"} <= set(meta)
        label = meta["sample"]
        assert set(label) == {"doc_type", "defect", "expect"}
        assert label["doc_type"] is None or label["doc_type"] in slugs
        assert label["defect"] is None or label["defect"] in DEFECTS
        expected = "keep" if label["defect"] is None or label["defect"] in KEEP_DEFECTS else "reject"
        assert label["expect"] == expected


def test_defect_rate_and_every_category_present(corpus):
    defects = Counter(_label(r)["defect"] for r in corpus)
    share = 1 - defects[None] / len(corpus)
    assert 0.30 <= share <= 0.40
    assert set(DEFECTS) <= set(defects), set(DEFECTS) - set(defects)
    assert all(_label(r)["defect"] is None for r in generate_records(300, seed=1, defect_rate=0.0))


def test_good_documents_cover_all_types_styles_and_lengths(corpus):
    good = _good(corpus)
    types = Counter(_label(r)["doc_type"] for r in good)
    assert set(types) == {t.value for t in DocType} - {"unknown"}
    outputs = [r["output"] for r in good]
    assert any("МОТИВИРОВОЧНАЯ ЧАСТЬ:" in o and "РЕЗОЛЮТИВНАЯ ЧАСТЬ:" in o for o in outputs)
    assert any("Правовое обоснование" in o and "На основании изложенного, прошу:" in o for o in outputs)
    assert any("МОТИВИРОВОЧНАЯ" not in o and "Правовое обоснование" not in o and "ПРОШУ" in o for o in outputs)
    lengths = sorted(len(o) for o in outputs)
    assert lengths[0] >= 850 and lengths[-1] <= 8500
    assert lengths[len(lengths) // 10] < 1500 and lengths[-len(lengths) // 20] > 5000
    drafts = [r["metadata"]["local_response"] for r in good]
    assert all(draft and len(draft) < len(r["output"]) for draft, r in zip(drafts, good))


def test_type_markers(corpus):
    for record in _good(corpus):
        out, kind = record["output"], _label(record)["doc_type"]
        if kind == "motion":
            assert 900 <= len(out) <= 1500, len(out)
            assert "ХОДАТАЙСТВО" in out and "рошу" in out
            assert "МОТИВИРОВОЧНАЯ" not in out and "Правовое обоснование" not in out
        elif kind == "pretension":
            assert "ТРЕБУЮ" in out and "ПРОШУ СУД" not in out and "ПРЕТЕНЗИЯ" in out
        elif kind == "response":
            assert "отказать" in out and ("ОТЗЫВ" in out or "ВОЗРАЖЕНИЯ" in out)
        elif kind == "appeal":
            assert "АПЕЛЛЯЦИОННАЯ ЖАЛОБА" in out and "через" in out and "Дело №" in out
        elif kind == "court_order":
            assert "Взыскатель:" in out and "Должник:" in out and "судебн" in out
        elif kind == "arbitration_claim":
            assert out.startswith("В Арбитражный суд") and "ИНН" in out and "ОГРН" in out
        elif kind == "claim":
            assert "ИСКОВОЕ ЗАЯВЛЕНИЕ" in out and "Истец:" in out and "Ответчик:" in out


# Highest article per act and the dotted articles that exist (docs/legal_reference.md).
_RANGES = {"ГК": 1551, "ГПК": 446, "АПК": 332, "ТК": 424, "СК": 170, "НК": 432}
_DOTTED = {"ГК": {"8.1", "309.1", "309.2"}, "ТК": {"84.1"}, "АПК": {"229.1", "229.2", "229.3"},
           "НК": {"333.19", "333.21", "333.36"}}
_CITE = re.compile(r"ст\.\s*(\d+(?:\.\d+)?)\s+(ГК|ГПК|АПК|ТК|СК|НК) РФ")


def _bad_citations(text: str) -> list[str]:
    bad = []
    for number, act in _CITE.findall(text):
        if "." in number:
            if number not in _DOTTED.get(act, set()):
                bad.append(f"{number} {act}")
        elif not 1 <= int(number) <= _RANGES[act]:
            bad.append(f"{number} {act}")
    return bad


def test_citations_are_real_except_invented(corpus):
    for record in corpus:
        defect = _label(record)["defect"]
        if defect is None:
            assert not _bad_citations(record["output"]), _bad_citations(record["output"])
        elif defect == "invented-citation":
            assert _bad_citations(record["output"]), record["output"][:300]


def test_mojibake_labels_match_what_ftfy_can_repair(corpus):
    seen = Counter()
    for record in corpus:
        defect, out = _label(record)["defect"], record["output"]
        if defect == "mojibake-cp1251":
            original = out.encode("sloppy-windows-1251").decode("utf-8")
            assert ftfy.fix_encoding(out) == original and "Р" in out[:40]
        elif defect == "mojibake-macroman":
            original = out.encode("mac_roman").decode("utf-8")
            assert ftfy.fix_encoding(out) == original and "–" in out[:40]
        elif defect == "mojibake-broken":
            assert "\ufffd" in out
        else:
            continue
        seen[defect] += 1
    assert len(seen) == 3


def test_duplicates_copy_an_earlier_good_record(corpus):
    fold = lambda s: " ".join(s.split())  # noqa: E731
    earlier: dict[str, dict] = {}
    near = 0
    for record in corpus:
        defect = _label(record)["defect"]
        if defect == "duplicate":
            original = earlier[fold(record["output"])]
            assert _label(original)["expect"] == "keep" and original["input"] == record["input"]
        elif defect == "near-duplicate":
            assert fold(record["output"]) not in earlier
            near += 1
        if defect is None:
            earlier[fold(record["output"])] = record
    assert near


def test_no_citation_and_missing_parts(corpus):
    for record in corpus:
        defect, out = _label(record)["defect"], record["output"]
        if defect == "no-citation":
            assert not re.search(r"\bст(?:\.|ат\w+)\s*\d", out)
        elif defect == "missing-demand":
            assert "ПРОШУ" not in out and "ТРЕБУЮ" not in out and "прошу:" not in out
        elif defect == "chatter-wrapped":
            assert out.split("\n", 1)[0].rstrip(":").split()[0] in {"Конечно!", "Конечно,", "Вот", "С", "Отлично,"}
        elif defect == "empty-output":
            assert not out.strip()
        elif defect == "too-long":
            assert len(out) > 40_000
        elif defect == "truncated":
            assert out[-1].isalpha()


def test_write_sample_files_as_the_gui_writes_them(tmp_path):
    summary = write_sample(tmp_path, 300, seed=2)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f.path.name for f in summary.files) and len(names) >= 4
    assert all(re.fullmatch(r"dataset_\d{8}\.jsonl", n) for n in names)
    cp1251 = [f for f in summary.files if f.encoding == "cp1251"][0].path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        cp1251.decode("utf-8")
    assert b"\r\n" in cp1251 and cp1251.decode("cp1251").count("\r\n") == cp1251.count(b"\n")
    bom = [f for f in summary.files if f.encoding == "utf-8-sig"][0].path.read_bytes()
    assert bom.startswith(codecs.BOM_UTF8) and bom.count(codecs.BOM_UTF8) == 1
    escaped = [f for f in summary.files if f.ascii_escaped][0].path.read_bytes()
    assert escaped.isascii()
    # Read back with the project's reader: every record, and the malformed lines as bad lines.
    records, bad = 0, []
    for f in summary.files:
        for item in iter_records(f.path):
            if isinstance(item, BadLine):
                bad.append(item)
            else:
                records += 1
                assert item.metadata["sample"]["expect"] in ("keep", "reject")
    assert records == summary.records == 300
    assert len(bad) == summary.malformed_total == sum(f.malformed for f in summary.files) >= len(MALFORMED_KINDS)
    assert set(summary.malformed) == set(MALFORMED_KINDS) and all(summary.malformed.values())
    reasons = " | ".join(b.reason for b in bad)
    assert "Python dict literal" in reasons and "not valid JSON" in reasons and "missing field" in reasons
    assert "must be a string" in reasons


def test_write_sample_is_deterministic_and_refuses_to_overwrite(tmp_path):
    write_sample(tmp_path / "a", 120, seed=4)
    write_sample(tmp_path / "b", 120, seed=4)
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    from legal_ft.errors import InputError

    with pytest.raises(InputError, match="already exists"):
        write_sample(tmp_path / "a", 120, seed=4)


def test_cli_sample(run_cli, tmp_path):
    out = tmp_path / "raw"
    result = run_cli("sample", "--out", str(out), "-n", "60", "--seed", "3")
    assert result.exit_code == 0, result
    assert "wrote 60 records" in result.stderr
    assert len(list(out.glob("dataset_*.jsonl"))) >= 2
    again = run_cli("sample", "--out", str(out), "-n", "60")
    assert again.exit_code == 1
    assert [l for l in again.stderr.splitlines() if l.strip()] == [
        l for l in again.stderr.splitlines() if l.startswith("error:")
    ]
    assert "--force" in again.stderr and "Traceback" not in again.output
    quiet = run_cli("-q", "sample", "--out", str(out), "-n", "60", "--force")
    assert quiet.exit_code == 0 and quiet.stdout.strip().startswith("wrote 60 records") and not quiet.stderr.strip()
    bad = run_cli("sample", "--out", str(out), "-n", "0")
    assert bad.exit_code == 1 and bad.stderr.startswith("error:")
