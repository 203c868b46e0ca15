"""Consistency rule: a calculation written out in the document does not add up.

Claims and претензии carry their own arithmetic — a penalty «180 000 руб. × 0,1 % × 30 дн. = 5 400 руб.», interest
per period, «долг + неустойка = итого». Small models get the result wrong while the layout looks right, and a model
trained on such documents learns to write wrong sums with confidence. Only an expression written out in full is
checked: numbers joined by + − × / (with % and units such as руб., дн.) and a written result after «=».
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl

FAMILY = "consistency"

# A number as Russian documents write it: «180 000», «2 522,95», «1 500 000.00», «0,1», «366» (not part of a date,
# a case number or a code: no digit, dot or slash glued before it).
_NUMBER = r"(?<![\d.,\-№])(?<!\d[ \u00a0\u202f])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,]\d+)?(?![.,]?\d)"
_UNIT = r"(?:[ \u00a0]*(?:руб(?:\.|л[а-яё]*)?|₽|коп\.?|дн(?:\.|[а-яё]+)?|д\.|мес(?:\.|яц[а-яё]*)?|лет|год[а-яё]*))?"
_LABEL = r"(?:[ \u00a0]*\([^()\n=]{1,60}\))?"  # «120 000 руб. (основной долг)»
_TERM = rf"{_NUMBER}(?:[ \u00a0]*%)?{_UNIT}{_LABEL}{_UNIT}"
# Operators: × * · ∙ ⋅ / + always; x/х, «:» and minus signs only with spaces around them (else «3х2,5» cable,
# «309-310», «ставка 19 %: …»). A spaced em dash is prose («за 2025 год — 48 000 × …»), not a minus.
_OP = r"(?:[ \u00a0]*[×*·∙⋅/+][ \u00a0]*|[ \u00a0]+[xх:−–-][ \u00a0]+)"
# The whole expression: it may not start right after an operator (the tail of «… × 1/300 × 2 × 272» is no
# expression of its own).
_NOT_AFTER_OPERATOR = r"(?<![×*·∙⋅/+=][ \u00a0]*)(?<![ \u00a0][xх:−–-][ \u00a0]*)"
_EXPRESSION_RE = regex.compile(
    rf"{_NOT_AFTER_OPERATOR}(?P<expr>{_TERM}(?:{_OP}{_TERM})+)[ \u00a0]*=[ \u00a0]*(?P<result>{_NUMBER})"
    r"(?P<percent>[ \u00a0]*%)?")
_OPERATOR_CHARS = frozenset("×*·∙⋅/+xх:−–-")
_LABEL_RE = regex.compile(r"\([^()\n=]{1,60}\)")
_PIECE_RE = regex.compile(rf"(?P<num>{_NUMBER})(?P<pct>[ \u00a0]*%)?|(?P<op>{_OP})")


def _number(text: str) -> float:
    return float(re.sub(r"[ \u00a0\u202f]", "", text).replace(",", "."))


def evaluate(expression: str) -> float | None:
    """The value of a written-out expression (× and / before + and −), or None when it cannot be read."""
    sums: list[float] = []  # finished additive terms, signed
    sign, product, pending = 1.0, None, "*"
    # A label names a term and holds no operand: «26 000 руб. (130% от 20 000 руб.)».
    expression = _LABEL_RE.sub(" ", expression)
    for m in _PIECE_RE.finditer(expression):
        if m.group("num") is not None:
            value = _number(m.group("num")) / (100.0 if m.group("pct") else 1.0)
            if product is None:
                product = value
            elif pending == "/":
                if value == 0:
                    return None
                product /= value
            else:
                product *= value
        else:
            op = m.group("op").strip()
            if op in "+−–-":
                if product is None:
                    return None
                sums.append(sign * product)
                sign, product = (1.0 if op == "+" else -1.0), None
            else:
                pending = "/" if op in "/:" else "*"
                continue
        pending = "*"
    if product is None:
        return None
    sums.append(sign * product)
    return sum(sums)


@dataclass(frozen=True)
class Miscalculation:
    written: str
    computed: float
    result: float
    start: int
    end: int


_BASE_CONTEXT = 400
_MIN_BASE = 1000.0
_CONTEXT_NUMBER_RE = regex.compile(_NUMBER)


def _base_stated_above(text: str, start: int, computed: float, result: float, rel_tolerance: float) -> bool:
    """A calculation per period under a base written once above it: «Расчет процентов на сумму 750 000 руб.:» then
    «36 дн. x 21% / 366 = 15 491,80 руб.» — the result is the expression times a sum written just before."""
    if not computed or abs(result) <= abs(computed):
        return False
    base = result / computed
    if base < _MIN_BASE:
        return False  # a factor of 1.13 is a wrong product, not a sum of money left out
    for m in _CONTEXT_NUMBER_RE.finditer(text, max(0, start - _BASE_CONTEXT), start):
        written = _number(m.group(0))
        if written and abs(written - base) <= max(1.0, rel_tolerance * written):
            return True
    return False


def miscalculations(text: str, rel_tolerance: float, abs_tolerance: float) -> list[Miscalculation]:
    if "=" not in text:
        return []
    out = []
    for m in _EXPRESSION_RE.finditer(text):
        expr = m.group("expr")
        if not any(ch in _OPERATOR_CHARS for ch in expr):
            continue
        computed = evaluate(expr)
        if computed is None:
            continue
        result = _number(m.group("result"))
        floor = abs_tolerance
        if m.group("percent"):  # «1 000 000 : 2 500 000 = 40 %»: a share, judged to half a percentage point
            result, floor = result / 100.0, 0.005
        if abs(computed - result) > max(floor, rel_tolerance * abs(result)) \
                and not _base_stated_above(text, m.start(), computed, result, rel_tolerance):
            out.append(Miscalculation(" ".join(m.group(0).split()), computed, result, m.start(), m.end()))
    return out


class BadArithmetic(Rule):
    """A calculation in the document does not add up: the written result of an expression differs from its value
    (rounding of the last kopeck or ruble is allowed).

    Bad: ``120 000 руб. (основной долг) + 30 000 руб. (неустойка) = 250 000 руб.``
    Good: ``180 000 × 19 % × 27 / 366 = 2 522,95 руб.``
    """

    code = "LF701"
    name = "bad-arithmetic"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        rel_tolerance: float = 0.005  # of the written result: per-period rounding in long calculations
        abs_tolerance: float = 1.0  # rubles (or units): rounding to whole rubles

    def measure(self, doc: Document) -> dict[str, float]:
        return {"miscalculations": float(len(miscalculations(doc.output, self.t.rel_tolerance,
                                                             self.t.abs_tolerance)))}

    def check(self, doc: Document) -> list[Finding]:
        found = miscalculations(doc.output, self.t.rel_tolerance, self.t.abs_tolerance)
        if not found:
            return []
        first = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        value = f"{first.computed:,.2f}".replace(",", " ").replace(".", ",")
        return [self.finding("miscalculation", f"«{first.written[:90]}»: the expression gives {value}{more}",
                             f"output:{first.start}-{first.end}")]


# «Цена иска: 150 000 руб.» (no qualifier such as «по требованию о …» between the words and the colon), and money
# in the demand: «180 000 руб.», «180 000 (сто восемьдесят тысяч) рублей», «3 185 073,60 руб.».
_PRICE_RE = regex.compile(rf"цена\s+иска[ \t]*:?[ \t]*(?P<amount>{_NUMBER})[ \t]*(?:руб|₽)", regex.IGNORECASE)
_MONEY_RE = regex.compile(rf"(?P<amount>{_NUMBER})[ \u00a0]*(?:\([^()\n]{{1,120}}\)[ \u00a0]*)?(?:руб|₽)",
                          regex.IGNORECASE)
# Demand lines whose sums are not part of the price (ГПК ст. 91, АПК ст. 103): costs, moral harm, the consumer fine.
_NOT_PRICE_RE = regex.compile(r"пошлин|расход|издерж|моральн|штраф|представител|экспертиз|почтов|юридическ\w+\s+услуг",
                              regex.IGNORECASE)
_INCLUDING_RE = regex.compile(r"в\s+том\s+числе|из\s+них|включая", regex.IGNORECASE)
# The base of a running penalty is no sum demanded: «неустойку, начисляемую на сумму долга 2 460 000 руб. …», «3 %
# от 186 000 руб. за каждый день»; nor is its cap: «но не более 186 000 руб.».
_BASE_BEFORE_RE = regex.compile(r"(?:(?:на|от|с)\s+сумм\w*(?:\s+\w+){0,2}|%\s*(?:в\s+день\s+)?от|не\s+более|не\s+свыше"
                                r"|не\s+превышающ\w*|в\s+пределах)\s*$", regex.IGNORECASE)


def demanded_money(demand: str) -> float:
    """The money a demand asks to recover that counts towards the claim's price (its «взыскать» lines, costs,
    moral harm and fines left out; of a line with «в том числе» only the total)."""
    total = 0.0
    for line in demand.split("\n"):
        if "взыскать" not in line.casefold() or _NOT_PRICE_RE.search(line):
            continue
        amounts = [_number(m.group("amount")) for m in _MONEY_RE.finditer(line)
                   if not _BASE_BEFORE_RE.search(line, max(0, m.start() - 40), m.start())]
        if amounts:
            total += amounts[0] if _INCLUDING_RE.search(line) else sum(amounts)
    return total


class ClaimPriceMismatch(Rule):
    """The claim's stated price («Цена иска») is far below the money its demand asks for — a digit dropped or a
    figure from another calculation. Only a gross gap counts (the demand asks for more than ``max_ratio`` times the
    price): costs, moral harm and the consumer fine are left out of the demand's sum, and a price may include
    claims that are not money.

    Bad: ``Цена иска: 150 000 руб. … 1. Взыскать с ответчика задолженность в размере 1 500 000 руб.``
    Good: ``Цена иска: 180 000 руб. … 1. Взыскать с ответчика 180 000 руб. 2. Взыскать расходы по уплате пошлины.``
    """

    code = "LF702"
    name = "claim-price-mismatch"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        max_ratio: float = 2.0  # demanded money / stated price (valid claims in the labelled set: at most 1.05)

    def _figures(self, doc: Document) -> tuple[float, float] | None:
        text = doc.output
        if "цена иска" not in doc.folded[:3000]:
            return None
        head = text[:3000]
        starts = [i for i in (head.find("Цена иска"), head.find("ЦЕНА ИСКА"), head.find("цена иска")) if i >= 0]
        price = _PRICE_RE.match(text, min(starts)) if starts else _PRICE_RE.search(head)
        if price is None:
            return None
        return _number(price.group("amount")), demanded_money(doc.sections.text(text, "demand"))

    def measure(self, doc: Document) -> dict[str, float]:
        figures = self._figures(doc)
        return {"demand_to_price": figures[1] / figures[0] if figures and figures[0] else 0.0}

    def check(self, doc: Document) -> list[Finding]:
        figures = self._figures(doc)
        if not figures or figures[0] <= 0 or figures[1] <= self.t.max_ratio * figures[0]:
            return []
        price, asked = (f"{x:,.2f}".replace(",", " ").replace(".", ",") for x in figures)
        return [self.finding("price-below-demand", f"«Цена иска» is {price} руб., but the demand asks for {asked} руб.",
                             "output")]


@hookimpl
def legalft_rules():
    return [BadArithmetic, ClaimPriceMismatch]
