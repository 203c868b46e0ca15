"""The record type: validation reasons, unknown fields kept, provenance carried through."""

from __future__ import annotations

import pytest

from legal_ft.records import Provenance, Record, RecordError

GOOD = {"instruction": "Составь иск.", "input": "Факты.", "output": "ИСКОВОЕ ЗАЯВЛЕНИЕ…"}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ([1, 2], "expected a JSON object, got array"),
        ("строка", "expected a JSON object, got string"),
        (42, "expected a JSON object, got number"),
        ({"input": "a", "output": "b"}, "missing field 'instruction'"),
        ({**GOOD, "output": None}, "field 'output' must be a string, got null"),
        ({**GOOD, "input": 5}, "field 'input' must be a string, got number"),
        ({**GOOD, "output": ["ПРОШУ"]}, "field 'output' must be a string, got array"),
        ({**GOOD, "instruction": True}, "field 'instruction' must be a string, got boolean"),
        ({**GOOD, "metadata": "openai"}, "field 'metadata' must be an object, got string"),
    ],
)
def test_invalid_values_are_refused_with_a_reason(value, reason):
    with pytest.raises(RecordError) as info:
        Record.from_dict(value)
    assert str(info.value) == reason


def test_unknown_fields_are_kept_through_a_round_trip():
    raw = {**GOOD, "rating": 5, "tags": ["иск"], "metadata": {"provider": "openai", "gui_build": "2.1", "extra": {}}}
    record = Record.from_dict(raw)
    assert record.extra == {"rating": 5, "tags": ["иск"]}
    assert record.to_dict() == raw  # no provenance: nothing added, nothing lost
    assert list(record.to_dict())[:3] == ["instruction", "input", "output"]


def test_null_metadata_is_empty_and_omitted():
    record = Record.from_dict({**GOOD, "metadata": None})
    assert record.metadata == {} and "metadata" not in record.to_dict()


def test_provenance_is_written_to_metadata_source_and_read_back_as_origin():
    first = Record.from_dict(GOOD, Provenance("datasets/hybrid_generated/dataset_20250801.jsonl", 7))
    assert first.where() == "datasets/hybrid_generated/dataset_20250801.jsonl:7"
    merged = first.to_dict()
    assert merged["metadata"]["source"] == {"file": "datasets/hybrid_generated/dataset_20250801.jsonl", "line": 7}
    # Read again from the merged file (line 1 there): messages still name the original file and line.
    again = Record.from_dict(merged, Provenance("datasets/merged_training_dataset.jsonl", 1))
    assert again.provenance.file == "datasets/merged_training_dataset.jsonl" and again.provenance.line == 1
    assert again.where() == "datasets/hybrid_generated/dataset_20250801.jsonl:7"
    assert again.to_dict()["metadata"]["source"] == merged["metadata"]["source"]
    assert "source" not in again.to_dict(with_source=False).get("metadata", {})


def test_a_malformed_source_is_not_trusted():
    record = Record.from_dict({**GOOD, "metadata": {"source": {"file": "x.jsonl", "line": True}}}, Provenance("m", 3))
    assert record.where() == "m:3"
    assert Provenance("a.jsonl", 2).label() == "a.jsonl:2" and Record.from_dict(GOOD).where() == "<memory>"


def test_empty_strings_are_records_the_cleaner_judges():
    # Emptiness is a cleaning decision (LF605), not a parse error: the record must reach the rules.
    assert Record.from_dict({"instruction": "", "input": "", "output": ""}).output == ""
