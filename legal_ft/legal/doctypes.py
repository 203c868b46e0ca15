"""The document types legalft knows, with stable slugs used in metadata, rule sets and reports.

Detection (`detect_doc_type`) lives in `legal_ft.legal.detect`; this module only names the types so that every
part of the project (sample generator, rules, trainer, eval) agrees on them.
"""

from __future__ import annotations

from enum import Enum


class DocType(str, Enum):
    CLAIM = "claim"  # исковое заявление, суд общей юрисдикции (ГПК ст. 131-132)
    ARBITRATION_CLAIM = "arbitration_claim"  # исковое заявление в арбитражный суд (АПК ст. 125-126)
    PRETENSION = "pretension"  # досудебная претензия
    APPEAL = "appeal"  # апелляционная (и кассационная, частная) жалоба
    RESPONSE = "response"  # отзыв / возражения на иск или жалобу
    MOTION = "motion"  # ходатайство / заявление о процессуальном действии
    COURT_ORDER = "court_order"  # заявление о вынесении судебного приказа
    UNKNOWN = "unknown"

    @property
    def title_ru(self) -> str:
        return _TITLES[self]


_TITLES = {
    DocType.CLAIM: "исковое заявление",
    DocType.ARBITRATION_CLAIM: "исковое заявление в арбитражный суд",
    DocType.PRETENSION: "досудебная претензия",
    DocType.APPEAL: "апелляционная жалоба",
    DocType.RESPONSE: "отзыв на исковое заявление",
    DocType.MOTION: "ходатайство",
    DocType.COURT_ORDER: "заявление о вынесении судебного приказа",
    DocType.UNKNOWN: "документ",
}
