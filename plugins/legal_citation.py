"""Citation rules: the reasoning cites law, and every cited article can exist in the act it names.

Citations are extracted once per document (`Document.citations`, `legal_ft.legal.citations`) in all the forms the
domain reference lists («ст. 309 ГК РФ», «ст.ст. 309, 310 ГК РФ», «п. 1 ст. 15 ГК РФ», «пп. 4 п. 2 ст. 333.36
НК РФ», «ст. 15 Закона РФ «О защите прав потребителей»», «ч. 2 ст. 12.13 КоАП РФ», «указанного Закона» …); the
acts, their article ranges and known dotted articles are data (``configs/legal_acts.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.legal.citations import validate_citation

FAMILY = "citations"



class NoCitation(Rule):
    """The reasoning cites too few norms of law (``min_citations`` distinct norms — article with its part and
    point, so «п. 1 ст. 12» and «п. 21 ст. 12» are two; strict asks for 2).

    Citations in the demand («руководствуясь ст. 131, 132 ГПК РФ») do not count: the reasoning must ground the
    claim. Short types (a ходатайство) need only ``min_citations_short``.

    Bad: ``Ответчик не вернул долг, это несправедливо. ПРОШУ СУД взыскать долг.``
    Good: ``… Согласно ст. 309 ГК РФ обязательства должны исполняться надлежащим образом; в силу ст. 810 ГК РФ …``
    """

    code = "LF201"
    name = "no-citation"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        min_citations: int = 1
        min_citations_short: int = 1  # used when lower than min_citations, for the short types
        short_types: tuple[str, ...] = ("motion",)

    def _need(self, doc: Document) -> int:
        if doc.type_slug in self.t.short_types:
            return min(self.t.min_citations, self.t.min_citations_short)
        return self.t.min_citations

    def _cited(self, doc: Document) -> set[tuple[str | None, ...]]:
        part = doc.sections.reasoning
        out = set()
        for c in doc.citations:
            if part is None or part.start <= c.span[0] < part.end:
                out.add((c.act or c.act_text, c.article, c.part, c.point, c.subpoint))
        return out

    def measure(self, doc: Document) -> dict[str, float]:
        return {"citations": len(doc.citations), "reasoning_citations": len(self._cited(doc))}

    def check(self, doc: Document) -> list[Finding]:
        n = len(self._cited(doc))
        need = self._need(doc)
        if n < need:
            where = doc.sections.reasoning.where if doc.sections.reasoning else "output"
            found = "no article of law" if n == 0 else f"{n} distinct article{'s' if n > 1 else ''}"
            return [self.finding("too-few-citations" if n else "no-citation",
                                 f"the reasoning cites {found}; at least {need} needed", where)]
        return []


class BadCitation(Rule):
    """A cited article cannot exist: beyond the act's range, a dotted article not known to exist, or an unknown
    act. Acts whose table confidence is not in ``check_confidence`` are not range-checked.

    Bad: ``ст. 1600 ГК РФ`` (the Code ends at 1551), ``ст. 395.1 ГК РФ``, ``ст. 15 ГКК РФ``.
    Good: ``ст. 395 ГК РФ``, ``ст. 333.36 НК РФ``, ``ч. 2 ст. 12.13 КоАП РФ``.
    """

    code = "LF202"
    name = "bad-citation"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        check_confidence: tuple[str, ...] = ("high", "medium")
        unknown_acts: bool = True  # report acts that look like a code abbreviation but are not in the table

    def _problems(self, doc: Document):
        seen = set()
        for c in doc.citations:
            problem = validate_citation(c, check_confidence=self.t.check_confidence)
            if problem is None or (problem.reason == "unknown-act" and not self.t.unknown_acts):
                continue
            key = (c.raw, c.article)
            if key not in seen:
                seen.add(key)
                yield problem

    def measure(self, doc: Document) -> dict[str, float]:
        return {"bad_citations": sum(1 for _ in self._problems(doc))}

    def check(self, doc: Document) -> list[Finding]:
        return [self.finding(p.reason, p.message, p.citation.where) for p in self._problems(doc)]


@hookimpl
def legalft_rules():
    return [NoCitation, BadCitation]
