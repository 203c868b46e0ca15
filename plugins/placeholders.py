"""Artefact rule: unfilled template placeholders left in the document.

A signature line (``________ /И.О. Фамилия/``) and a date written out in full are what a finished document holds;
``[ФИО истца]``, ``<адрес>``, ``XXX``, ``«___» ______ 20__``, ``____ руб.`` and ``ИНН __________`` are gaps.
"""

from __future__ import annotations

from dataclasses import dataclass

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.legal.artefacts import (
    PLACEHOLDER_ANCHORS,
    PLACEHOLDER_FOLDED,
    PLACEHOLDER_KINDS,
    PLACEHOLDER_TRIGGERS,
)

FAMILY = "artefacts"


def placeholders(text: str) -> list[tuple[str, int, int, str]]:
    """(kind, start, end, text) of every placeholder, in order."""
    found = []
    folded = None
    for (kind, pattern), anchors, trigger, on_folded in zip(PLACEHOLDER_KINDS, PLACEHOLDER_ANCHORS,
                                                            PLACEHOLDER_TRIGGERS, PLACEHOLDER_FOLDED, strict=True):
        if not any(a in text for a in anchors):
            continue  # cannot match: skip the scan
        if trigger is not None:
            if on_folded and folded is None:
                folded = text.casefold()
            if not trigger.search(folded if on_folded else text):
                continue
        found.extend((kind, m.start(), m.end(), m.group(0)) for m in pattern.finditer(text))
    return sorted(found, key=lambda f: f[1])


class Placeholder(Rule):
    """The document still has template gaps: ``[ФИО истца]``, ``<адрес>``, ``XXX``, ``«___» ______ 20__``,
    ``____ руб.``, ``(указать сумму)``.

    Bad: ``Истец: [ФИО истца], проживающий по адресу: <адрес>``
    Good: ``Истец: Смирнов Алексей Петрович …`` and a signature line ``________ /А.П. Смирнов/``.
    """

    code = "LF603"
    name = "placeholder"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        max_placeholders: int = 0

    def measure(self, doc: Document) -> dict[str, float]:
        return {"placeholders": float(len(placeholders(doc.output)))}

    def check(self, doc: Document) -> list[Finding]:
        found = placeholders(doc.output)
        if len(found) > self.t.max_placeholders:
            kind, s, e, text = found[0]
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            return [self.finding(kind, f"unfilled placeholder «{text}»{more}", f"output:{s}-{e}")]
        return []


@hookimpl
def legalft_rules():
    return [Placeholder]
