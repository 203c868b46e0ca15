"""Reading JSONL as real files come, and writing outputs atomically."""

from __future__ import annotations

import base64
import codecs
import json
import os
import stat

import orjson
import pytest

from legal_ft.errors import InputError
from legal_ft.io import (
    BadLine,
    JsonlWriter,
    RejectsWriter,
    atomic_output,
    detect_encoding,
    ensure_not_input,
    iter_records,
    iter_records_from_stream,
)
from legal_ft.io.atomic import write_text_atomic
from legal_ft.records import Record

REC = {"instruction": "Составь претензию.", "input": "Продавец не вернул деньги.",
       "output": "ПРЕТЕНЗИЯ\nТРЕБУЮ: вернуть"}


def _line(obj=REC) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _read(path):
    items = list(iter_records(path))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, BadLine)]


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        ("plain.jsonl", (_line() + "\n" + _line() + "\n").encode("utf-8"), "utf-8"),
        ("bom.jsonl", codecs.BOM_UTF8 + (_line() + "\n" + _line()).encode("utf-8"), "utf-8-sig"),
        ("crlf.jsonl", (_line() + "\r\n" + _line() + "\r\n").encode("utf-8"), "utf-8"),
        ("win.jsonl", (_line() + "\r\n" + _line() + "\r\n").encode("cp1251"), "cp1251"),
        ("escaped.jsonl", (json.dumps(REC) + "\n" + json.dumps(REC) + "\n").encode("ascii"), "utf-8"),
        # Notepad's "Unicode" / Windows PowerShell's `>`: UTF-16 LE with a BOM and CRLF; and the other wide forms
        ("notepad.jsonl", (_line() + "\r\n" + _line() + "\r\n").encode("utf-16"), "utf-16"),
        ("be.jsonl", codecs.BOM_UTF16_BE + (_line() + "\n" + _line()).encode("utf-16-be"), "utf-16"),
        ("wide.jsonl", (_line() + "\n" + _line() + "\n").encode("utf-32"), "utf-32"),
    ],
)
def test_encodings_and_line_endings_read_identically(tmp_path, name, data, encoding):
    path = tmp_path / name
    path.write_bytes(data)
    assert detect_encoding(path) == encoding
    records, bad = _read(path)
    assert bad == []
    assert [r.to_dict(with_source=False) for r in records] == [REC, REC]
    assert [r.provenance.line for r in records] == [1, 2]
    assert path.read_bytes() == data  # inputs are never modified


def test_a_mixed_file_decodes_each_line_by_its_own_encoding(tmp_path):
    path = tmp_path / "mixed.jsonl"
    other = {**REC, "output": "Пётр Фёдоров, Сёмин — №5 «ООО»"}  # ё after a capital forms valid UTF-8 pairs in cp1251
    path.write_bytes((_line() + "\n").encode() + (_line(other) + "\r\n").encode("cp1251"))
    records, bad = _read(path)
    assert bad == [] and records[1].output == other["output"]


def test_every_kind_of_bad_line_is_reported_with_file_line_reason_and_kept_raw(tmp_path):
    lines = [
        _line(),  # 1 good
        _line()[:40],  # 2 truncated JSON
        repr(REC),  # 3 Python dict literal (single quotes)
        '{"instruction": "a", "input": "b", "output": None}',  # 4 Python literal with None
        _line({"instruction": "a", "output": "b"}),  # 5 missing field
        _line({**REC, "output": 12}),  # 6 non-string field
        "[1, 2, 3]",  # 7 not an object
        "",  # 8 blank: skipped, but numbering goes on
        _line({**REC, "metadata": ["x"]}),  # 9 metadata not an object
        _line(),  # 10 good
    ]
    path = tmp_path / "dataset_20250801.jsonl"
    raw_lines = [line.encode("utf-8") for line in lines]
    damaged = "ИСКОВОЕ ЗАЯВЛЕНИЕ".encode()
    raw_lines.append(b'{"instruction": "' + damaged[:5] + damaged[6:] + b'"}')  # 11 damaged UTF-8
    path.write_bytes(b"\n".join(raw_lines) + b"\n")
    records, bad = _read(path)
    assert [r.provenance.line for r in records] == [1, 10]
    labels = [b.label() for b in bad]
    name = str(path)
    assert labels[0].startswith(f"{name}:2: not valid JSON (")
    assert labels[1] == f"{name}:3: a Python dict literal, not JSON (single quotes or None/True/False)"
    assert labels[2] == f"{name}:4: a Python dict literal, not JSON (single quotes or None/True/False)"
    assert labels[3] == f"{name}:5: missing field 'input'"
    assert labels[4] == f"{name}:6: field 'output' must be a string, got number"
    assert labels[5] == f"{name}:7: expected a JSON object, got array"
    assert labels[6] == f"{name}:9: field 'metadata' must be an object, got array"
    assert labels[7] == f"{name}:11: damaged UTF-8 text (invalid byte at 21)"
    # The rejects file keeps each line exactly as it was.
    rejects = tmp_path / "rejects.jsonl"
    with RejectsWriter(rejects) as writer:
        for b in bad:
            writer.write_bad_line(b)
    entries = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert [e["source"]["line"] for e in entries] == [2, 3, 4, 5, 6, 7, 9, 11]
    for entry in entries[:-1]:
        assert entry["raw"].encode("utf-8") == raw_lines[entry["source"]["line"] - 1]
        assert entry["reason"]
    assert base64.b64decode(entries[-1]["raw_base64"]) == raw_lines[10]


def test_bad_lines_of_a_cp1251_crlf_file_are_kept_in_their_encoding(tmp_path):
    path = tmp_path / "win.jsonl"
    bad_line = "{'instruction': 'Составь иск', 'output': 'ПРОШУ СУД'}"
    path.write_bytes((_line() + "\r\n" + bad_line + "\r\n").encode("cp1251"))
    records, bad = _read(path)
    assert len(records) == 1 and bad[0].label().endswith(":2: a Python dict literal, not JSON "
                                                        "(single quotes or None/True/False)")
    entry = bad[0].to_dict()
    assert entry["encoding"] == "cp1251" and entry["raw"] == bad_line
    assert entry["raw"].encode("cp1251") == bad_line.encode("cp1251")  # untouched: no CR, no re-quoting


def test_missing_folder_inputs_fail_at_the_call(tmp_path):
    with pytest.raises(InputError, match="input file not found"):
        iter_records(tmp_path / "nope.jsonl")  # no next() needed: callers catch it before writing anything
    with pytest.raises(InputError, match="is a folder"):
        iter_records(tmp_path)


def test_a_bad_line_of_a_utf16_file_is_kept_as_its_text(tmp_path):
    bad_line = "{'output': 'ПРЕТЕНЗИЯ', 'input': None}"
    path = tmp_path / "notepad.jsonl"
    path.write_bytes((_line() + "\r\n" + bad_line + "\r\n").encode("utf-16"))
    records, bad = _read(path)
    assert len(records) == 1 and bad[0].line == 2 and "Python dict literal" in bad[0].reason
    entry = bad[0].to_dict()
    assert entry["encoding"] == "utf-16" and entry["raw"] == bad_line


def test_a_damaged_utf16_file_is_refused_with_the_line_and_a_hint(tmp_path):
    path = tmp_path / "cut.jsonl"
    data = (_line() + "\n" + _line() + "\n").encode("utf-16")
    path.write_bytes(data + b"\x00\xd8" + "x".encode("utf-16-le"))  # a lone high surrogate on line 3
    items = iter_records(path)
    with pytest.raises(InputError, match=r"cut.jsonl is damaged UTF-16 text \(illegal UTF-16 surrogate\)") as info:
        list(items)
    assert "UTF-8" in info.value.hint


def test_a_utf16_stream_is_read_too(tmp_path):
    import io

    stream = io.BufferedReader(io.BytesIO((_line() + "\r\n").encode("utf-16")))
    items = list(iter_records_from_stream(stream, "<stdin>"))
    assert [i.to_dict(with_source=False) for i in items] == [REC]
    assert items[0].provenance.line == 1


def test_unknown_fields_survive_reading_and_writing(tmp_path):
    source = tmp_path / "in.jsonl"
    obj = {**REC, "rating": 4, "metadata": {"provider": "gigachat", "custom": {"a": [1, 2]}}}
    source.write_text(_line(obj) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with JsonlWriter(out) as writer:
        for record in iter_records(source):
            writer.write(record)
    assert writer.count == 1
    written = orjson.loads(out.read_bytes())
    assert written["rating"] == 4 and written["metadata"]["custom"] == {"a": [1, 2]}
    assert written["metadata"]["source"] == {"file": str(source), "line": 1}
    assert "Составь" in out.read_text(encoding="utf-8")  # Cyrillic written as text, not \\u escapes


def test_atomic_output_leaves_nothing_half_written(tmp_path):
    target = tmp_path / "merged.jsonl"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        with JsonlWriter(target) as writer:
            writer.write(REC)
            raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["merged.jsonl"]  # the temporary file is gone
    with atomic_output(tmp_path / "new" / "file.txt", "w", encoding="utf-8") as handle:
        handle.write("готово")
    assert (tmp_path / "new" / "file.txt").read_text(encoding="utf-8") == "готово"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_atomic_output_gets_normal_permissions(tmp_path):
    fresh = tmp_path / "fresh.json"
    write_text_atomic(fresh, "{}")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # not mkstemp's private 0600
    kept = tmp_path / "kept.json"
    kept.write_text("x")
    kept.chmod(0o640)
    write_text_atomic(kept, "{}")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


def test_output_over_an_input_is_refused(tmp_path):
    source = tmp_path / "dataset_1.jsonl"
    source.write_text(_line() + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="refusing to write"):
        ensure_not_input([tmp_path / "." / "dataset_1.jsonl"], [source])
    link = tmp_path / "alias.jsonl"
    link.symlink_to(source)
    with pytest.raises(InputError, match="refusing to write") as info:
        ensure_not_input([link], [source])
    assert "inputs are never modified" in info.value.hint
    hard = tmp_path / "hard.jsonl"
    os.link(source, hard)
    with pytest.raises(InputError):
        ensure_not_input([hard], [source])
    ensure_not_input([tmp_path / "other.jsonl"], [source])


def _merged_input(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"instruction": "Составь претензию.", "input": "", "output": "ПРЕТЕНЗИЯ " * 80},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    return src


@pytest.mark.parametrize(("failure", "expected"), [
    ("replace-locked", "permission denied — check the folder's permissions; on Windows close the file"),
    ("fsync-disk-full", "the disk is full — free disk space"),
])
def test_an_output_that_cannot_be_written_is_one_line_and_the_old_file_stays(run_cli, tmp_path, monkeypatch,
                                                                              failure, expected):
    import errno

    from legal_ft.io import atomic

    src = _merged_input(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "train.jsonl").write_text("old\n", encoding="utf-8")
    if failure == "replace-locked":
        def locked(a, b):
            raise PermissionError(errno.EACCES, "Permission denied", str(b))
        monkeypatch.setattr(atomic.os, "replace", locked)
    else:
        def full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(atomic.os, "fsync", full)
    result = run_cli("clean", "--input", str(src), "--out", str(out / "train.jsonl"), "--eval-out",
                     str(out / "eval.jsonl"), "--rejected", str(out / "rejected.jsonl"), "--report",
                     str(out / "report.json"))
    assert result.exit_code == 1, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("error: cannot write ") and expected in line, line
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert (out / "train.jsonl").read_text(encoding="utf-8") == "old\n"  # the previous output is untouched
    assert sorted(p.name for p in out.iterdir()) == ["train.jsonl"]  # no temporary or partial files
