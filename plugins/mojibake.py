"""Artefact rule: mojibake that remains after the `fix-mojibake` normaliser — text that could not be repaired with
certainty (bytes lost to U+FFFD, a mixed line, an unknown form)."""

from __future__ import annotations

from dataclasses import dataclass

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.legal.artefacts import MOJIBAKE_FORMS, mojibake_markers

FAMILY = "artefacts"


class Mojibake(Rule):
    """Garbled encoding is left in a field: the cp1251 form (``Р’ Р—Р°РІРѕР»Р¶СЃРєРёР№``), the Mac Roman form
    (``–†—É–∫–æ–≤–æ–¥—Å—Ç–≤–æ``), the Latin-1 form (``Ð¡Ñ``) or U+FFFD replacement characters.

    Bad: ``Р�СЃС‚РµС†: Р�РІР°РЅРѕРІ`` (a byte was lost, so it cannot be repaired with certainty).
    Good: ``Истец: Иванов`` (repaired text, or text that was never mangled).
    """

    code = "LF606"
    name = "mojibake"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        max_markers: int = 2  # a stray «Р°» pair can be real text; more cannot

    def measure(self, doc: Document) -> dict[str, float]:
        return {"mojibake_markers": float(sum(mojibake_markers(doc.output).values()))}

    def check(self, doc: Document) -> list[Finding]:
        findings = []
        for name in ("instruction", "input", "output"):
            text = getattr(doc, name)
            counts = mojibake_markers(text)
            if sum(counts.values()) > self.t.max_markers:
                form = max(counts, key=counts.get)
                pattern = dict(MOJIBAKE_FORMS)[form]
                m = pattern.search(text)
                start = max(0, m.start() - 10) if m else 0
                sample = " ".join(text[start:start + 40].split())
                findings.append(self.finding(form, f"{form} mojibake in the {name} ({counts[form]} marks), e.g. "
                                             f"«{sample}»", name))
        return findings


@hookimpl
def legalft_rules():
    return [Mojibake]
