"""LF404 too-many-tokens (needs a tokenizer) and the per-type character thresholds of LF401."""

from __future__ import annotations

import dataclasses

from rule_cases import documents
from test_rules_cases import REGISTRY

from legal_ft.cleaning.api import Document
from legal_ft.records import Record


class WordTokenizer:
    """Stands in for a Hugging Face tokenizer: one token per whitespace-separated word."""

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": list(range(len(text.split())))}


def test_too_many_tokens_only_with_a_tokenizer():
    rule_cls = REGISTRY.rules["LF404"]
    doc = documents()["claim_house"]
    record = Record(doc["instruction"], doc["input"], doc["text"])
    words = len(doc["text"].split())
    assert rule_cls().check(Document(record)) == [] and rule_cls().measure(Document(record)) == {}
    tight = rule_cls(dataclasses.replace(rule_cls.Thresholds(), max_tokens=words - 1))
    (finding,) = tight.check(Document(record, tokenizer=WordTokenizer()))
    assert finding.code == "LF404" and str(words) in finding.message
    roomy = rule_cls(dataclasses.replace(rule_cls.Thresholds(), max_tokens=words))
    assert roomy.check(Document(record, tokenizer=WordTokenizer())) == []
    assert roomy.measure(Document(record, tokenizer=WordTokenizer())) == {"tokens": float(words)}


def test_a_short_motion_is_held_to_the_short_threshold():
    rule = REGISTRY.rules["LF401"]()
    doc = documents()["motion_short"]
    text = doc["text"]
    assert 400 < len(text) < 800
    assert rule.check(Document(Record(doc["instruction"], "", text))) == []
    # the same length written as a claim is too short
    claim = Record("Составь исковое заявление", "", text.replace("ХОДАТАЙСТВО", "ИСКОВОЕ ЗАЯВЛЕНИЕ"))
    assert [f.reason for f in rule.check(Document(claim))] == ["too-short"]
