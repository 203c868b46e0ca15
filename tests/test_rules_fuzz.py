"""No built-in rule or normaliser raises, whatever the text (hypothesis)."""

from __future__ import annotations

import pytest
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


_RUN_CHARS = list("_*#|[]<>{}()«»\"'.,:;-–—\t \n0123456789аАXХ@/+=~`№§") + ["Р’", "–†", "ст. ", "п. 1 ", "прошу ",
                                                                         "ИСТЕЦ:\n", "\r\n", "| a ", "**a", "[ФИО] "]


@pytest.mark.parametrize("unit", _RUN_CHARS + [u + " " for u in "_*#|[<{(«\"-–Х@"])
def test_long_runs_are_rejected_in_linear_time(unit):
    """Long runs of one character (or a short unit) are garbage; every regex must scan them linearly — a
    quadratic pattern turns this test (20 000 characters each) from milliseconds into minutes."""
    text = unit * (20000 // len(unit))
    record = Record("Составь исковое заявление", text[:2000], text)
    for cls in NORMALISERS:
        record = cls().apply(record) or record
    doc = Document(record)
    findings = [f for rule in RULES for f in rule.check(doc)]
    assert findings
