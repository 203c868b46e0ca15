"""Scoring documents with the rule engine that cleans the training data.

A generated document is checked **as written**: the rules run on it, the normalisers do not. The normalisers
exist to repair collected data (strip markdown, cut «Конечно! Вот ваш документ:» chatter, fix mojibake); run on a
model's output they would hide exactly the habits an adapter is meant to lose. The reference outputs in an eval
split were already normalised by `legalft clean`, so checking them as-is is the same treatment.

A document passes when no enabled rule finds anything. Per rule, the pass rate is the share of documents that
rule found nothing in.

«Parts in proper order» (the seed's «логика — последовательность рассуждений») is the share of documents whose
reasoning part and demand part are both present and come in that order: rules LF101 `missing-reasoning`, LF102
`missing-demand` and LF108 `parts-out-of-order` all find nothing. An empty or shapeless document has no parts out
of order, so LF108 alone would call it orderly. Those three rules are measured even when the chosen rule set
leaves one off (LF108 is a strict rule); a rule measured that way does not count towards the overall pass rate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from legal_ft.cleaning.api import Document, Finding, Rule
from legal_ft.records import Record

PARTS_ORDER_CODE = "LF108"
PARTS_CODES = ("LF101", "LF102", PARTS_ORDER_CODE)  # reasoning present, demand present, in that order


@dataclass(frozen=True, slots=True)
class DocumentScore:
    findings: list[Finding]
    parts_in_order: bool | None  # None when LF101/LF102/LF108 are not all available
    doc_type: str | None

    @property
    def passed(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "doc_type": self.doc_type,
            "parts_in_order": self.parts_in_order,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(slots=True)
class RuleRate:
    code: str
    name: str
    failed: int
    documents: int

    @property
    def pass_rate(self) -> float:
        return 1 - self.failed / self.documents if self.documents else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "failed": self.failed, "pass_rate": self.pass_rate}


@dataclass(slots=True)
class SetScore:
    """Pass rates of one set of documents (base model, adapter, or references)."""

    documents: int
    passed: int
    per_rule: dict[str, RuleRate] = field(default_factory=dict)
    parts_in_order: float | None = None
    reasons: Counter[str] = field(default_factory=Counter)  # "LF101 missing-reasoning" -> documents

    @property
    def pass_rate(self) -> float:
        return self.passed / self.documents if self.documents else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "passed": self.passed,
            "pass_rate": self.pass_rate,
            "parts_in_order": self.parts_in_order,
            "per_rule": {code: rate.to_dict() for code, rate in self.per_rule.items()},
            "top_reasons": dict(self.reasons.most_common(10)),
        }


class Scorer:
    """The enabled rules of an engine (`legal_ft.cleaning.engine.load_engine`), plus the parts-order measure."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.rules: list[Rule] = list(engine.rules)
        enabled = {r.code for r in self.rules}
        self.extra_rules: list[Rule] = []  # parts rules the rule set leaves off, run only for the measure
        self.parts_available = True
        for code in PARTS_CODES:
            if code in enabled:
                continue
            cls = engine.registry.rules.get(code)
            if cls is None:
                self.parts_available = False
                continue
            self.extra_rules.append(cls(engine.rule_set.thresholds.get(code)))

    @property
    def parts_rules_enabled(self) -> bool:
        return self.parts_available and not self.extra_rules

    @property
    def rule_codes(self) -> list[tuple[str, str]]:
        return [(r.code, r.name) for r in self.rules]

    def score(self, record: Record) -> DocumentScore:
        doc: Document = self.engine.document(record)
        findings = self.engine.check_document(doc)
        parts: bool | None = None
        if self.parts_available:
            codes = {f.code for f in findings}
            for rule in self.extra_rules:
                try:
                    if list(rule.check(doc) or []):
                        codes.add(rule.code)
                except Exception:  # noqa: BLE001 - a measurement outside the rule set must not stop the eval
                    codes.add(rule.code)
            parts = not any(code in codes for code in PARTS_CODES)
        try:
            kind = doc.type_slug
        except Exception:  # noqa: BLE001
            kind = None
        return DocumentScore(findings=findings, parts_in_order=parts, doc_type=None if kind is None else str(kind))

    def score_many(self, records: Iterable[Record]) -> list[DocumentScore]:
        return [self.score(r) for r in records]

    def summarise(self, scores: Sequence[DocumentScore]) -> SetScore:
        total = len(scores)
        out = SetScore(documents=total, passed=sum(1 for s in scores if s.passed))
        names = dict(self.rule_codes)
        for code, name in self.rule_codes:
            out.per_rule[code] = RuleRate(code, name, 0, total)
        for score in scores:
            for code in {f.code for f in score.findings}:
                if code not in out.per_rule:  # engine-level codes (internal errors)
                    out.per_rule[code] = RuleRate(code, names.get(code, "internal-error"), 0, total)
                out.per_rule[code].failed += 1
            for key in {f"{f.code} {f.rule}" for f in score.findings}:
                out.reasons[key] += 1
        measured = [s.parts_in_order for s in scores if s.parts_in_order is not None]
        out.parts_in_order = sum(measured) / len(measured) if measured else None
        return out
