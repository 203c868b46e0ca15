"""No built-in rule or normaliser raises, whatever the text (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_normalisers import _realistic, _text
from test_rules_cases import NORMALISERS, REGISTRY

from legal_ft.cleaning.api import Document, Finding
from legal_ft.records import Record

RULES = [cls() for cls in REGISTRY.rules.values()]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_text, _realistic()), st.sampled_from(["", "Составь претензию", "Составь отзыв на иск"]))
def test_rules_never_raise(text, instruction):
    record = Record(instruction, text[:50], text)
    for cls in NORMALISERS:
        record = cls().apply(record) or record
    doc = Document(record)
    for rule in RULES:
        for finding in rule.check(doc):
            assert isinstance(finding, Finding) and finding.code == rule.code
        for value in rule.measure(doc).values():
            assert isinstance(value, (int, float))
