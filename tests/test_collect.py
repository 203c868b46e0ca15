"""The collector: validated, locked, fsynced appends; safe across processes; `legalft collect`."""

from __future__ import annotations

import json
import multiprocessing
from datetime import datetime
from pathlib import Path

import filelock
import orjson
import pytest

from legal_ft.collect import DatasetCollector
from legal_ft.errors import InputError
from legal_ft.io import BadLine, iter_records
from legal_ft.records import Record, RecordError

DAY = datetime(2025, 8, 28, 23, 14, 59, 7455)
DOC = "ПРЕТЕНЗИЯ\n\nСогласно ст. 18 Закона РФ «О защите прав потребителей»…\n\nТРЕБУЮ: вернуть 5 000 руб."


def _collector(root: Path, **kw) -> DatasetCollector:
    return DatasetCollector(root, clock=lambda: DAY, **kw)


def test_add_appends_one_line_and_returns_its_provenance(tmp_path):
    collector = _collector(tmp_path)
    first = collector.add("Составь претензию.", "Продавец не вернул деньги.", DOC,
                          {"provider": "openai", "mode": "polish", "local_response": "черновик"})
    second = collector.add("Составь претензию.", "Другие факты.", DOC + " Срок — 10 дней.", extra={"rating": 5})
    path = tmp_path / "datasets" / "hybrid_generated" / "dataset_20250828.jsonl"
    assert (first.file, first.line) == (str(path), 1) and (second.file, second.line) == (str(path), 2)
    records = list(iter_records(path))
    assert all(isinstance(r, Record) for r in records) and len(records) == 2
    assert records[0].output == DOC and records[0].metadata["provider"] == "openai"
    assert records[0].metadata["timestamp"] == "2025-08-28T23:14:59.007455"  # filled in as the GUI writes it
    assert records[1].extra == {"rating": 5}
    assert path.read_bytes().count(b"\n") == 2  # newlines inside documents are escaped: one record, one line
    assert (path.parent / "dataset_20250828.jsonl.lock").exists()


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("a", "b", "   \n"), "field 'output' is empty"),
        (("a", "b", 42), "field 'output' must be a string, got number"),
        ((None, "b", "c"), "field 'instruction' must be a string, got null"),
        (("a", "b", "c", ["provider"]), "metadata must be a mapping, got list"),
        (("a", "b", "c", {"tags": {"иск", "долг"}}), "metadata is not JSON-serialisable"),
    ],
)
def test_invalid_records_are_refused_and_nothing_is_written(tmp_path, args, reason):
    with pytest.raises(RecordError, match=reason):
        _collector(tmp_path).add(*args)
    assert not list((tmp_path / "datasets" / "hybrid_generated").glob("*.jsonl"))


def test_a_torn_last_line_is_not_glued_to_and_outside_appends_are_counted(tmp_path):
    collector = _collector(tmp_path)
    collector.add("a", "b", DOC)
    path = collector.path_for(DAY)
    with open(path, "ab") as handle:  # another writer crashed mid-line
        handle.write(b'{"instruction": "x", "inp')
    where = collector.add("a", "b", DOC + " 2")
    assert where.line == 3
    with open(path, "ab") as handle:  # another process appended two lines meanwhile
        handle.write((json.dumps({"instruction": "i", "input": "", "output": "o"}) + "\n").encode() * 2)
    assert collector.add("a", "b", DOC + " 3").line == 6
    items = list(iter_records(path))
    assert [type(i).__name__ for i in items] == ["Record", "BadLine", "Record", "Record", "Record", "Record"]
    assert [i.provenance.line for i in items if isinstance(i, Record)] == [1, 3, 4, 5, 6]
    assert items[1].line == 2 and isinstance(items[1], BadLine)


def _worker(root: str, worker: int, count: int) -> list[tuple[int, int]]:
    collector = DatasetCollector(root, clock=lambda: DAY)
    out = []
    for i in range(count):
        where = collector.add(f"Составь иск {worker}-{i}.", "Факты " * 50, DOC * 3, {"worker": worker, "i": i})
        out.append((worker * 1000 + i, where.line))
    return out


def test_parallel_processes_lose_and_tear_nothing(tmp_path):
    workers, each = 4, 50
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.starmap(_worker, [(str(tmp_path), w, each) for w in range(workers)])
    path = tmp_path / "datasets" / "hybrid_generated" / "dataset_20250828.jsonl"
    lines = path.read_bytes().splitlines()
    assert len(lines) == workers * each
    parsed = [orjson.loads(line) for line in lines]  # every line is whole, valid JSON
    by_line = {n: obj for n, obj in enumerate(parsed, 1)}
    returned = [pair for result in results for pair in result]
    assert sorted(line for _, line in returned) == list(range(1, workers * each + 1))
    for ident, line in returned:  # each returned provenance points at that very record
        meta = by_line[line]["metadata"]
        assert meta["worker"] * 1000 + meta["i"] == ident


def test_a_held_lock_times_out_with_a_clear_error(tmp_path):
    collector = _collector(tmp_path, lock_timeout=0.2)
    collector.folder.mkdir(parents=True)
    with filelock.FileLock(str(collector.path_for(DAY)) + ".lock"):
        with pytest.raises(InputError, match="could not lock"):
            collector.add("a", "b", DOC)


def test_cli_collect_from_file_and_stdin(tmp_path, run_cli):
    source = tmp_path / "export.jsonl"
    source.write_bytes("\r\n".join([
        json.dumps({"instruction": "a", "input": "b", "output": DOC, "metadata": {"provider": "gigachat"}},
                   ensure_ascii=False),
        "{'instruction': 'a'}",
        json.dumps({"instruction": "a", "input": "b", "output": ""}),
        json.dumps({"instruction": "a", "input": "b", "output": DOC + " 2"}, ensure_ascii=False),
    ]).encode("cp1251"))
    root = tmp_path / "proj"
    result = run_cli("collect", str(source), "--root", str(root))
    assert result.exit_code == 0, result
    assert f"warning: {source}:2: a Python dict literal, not JSON" in result.stderr
    assert f"warning: {source}:3: field 'output' is empty" in result.stderr
    assert "appended 2 records to" in result.stderr and "2 invalid lines skipped" in result.stderr
    files = list((root / "datasets" / "hybrid_generated").glob("dataset_*.jsonl"))
    assert len(files) == 1
    rows = [orjson.loads(x) for x in files[0].read_bytes().splitlines()]
    assert [r["output"] for r in rows] == [DOC, DOC + " 2"] and rows[0]["metadata"]["provider"] == "gigachat"

    piped = run_cli("-q", "collect", "-", "--root", str(root), input=source.read_bytes())
    assert piped.exit_code == 0 and piped.stdout.startswith("appended 2 records to") and piped.stderr == ""
    assert len(files[0].read_bytes().splitlines()) == 4

    refused = run_cli("collect", str(files[0]), "--root", str(root))  # would append to the file it reads
    assert refused.exit_code == 1 and refused.stderr.startswith("error: refusing to write")

    junk = tmp_path / "junk.jsonl"
    junk.write_text("[1]\n", encoding="utf-8")
    nothing = run_cli("collect", str(junk), "--root", str(root))
    assert nothing.exit_code == 1 and "error: no valid records in" in nothing.stderr
    missing = run_cli("collect", str(tmp_path / "nope.jsonl"), "--root", str(root))
    assert missing.exit_code == 1 and missing.stderr.startswith("error: input file not found")
