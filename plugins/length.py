"""Length rules: too short or too long to be a useful training document (characters, per document type, and
tokens when a tokenizer is configured), and truncation — a document cut mid-sentence or before its demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.legal.sections import _SIGN_RE

FAMILY = "length"



class TooShort(Rule):
    """The output is shorter than a complete document of its type can be (``min_chars``; ``min_chars_short`` for
    the short types — a ходатайство can be 900 characters, a судебный приказ application, a претензия or
    возражения on one page a little more).

    Bad: ``ИСКОВОЕ ЗАЯВЛЕНИЕ. Прошу взыскать долг.``
    Good: a claim with header, parties, facts, grounds, demand and attachments (1 500+ characters).
    """

    code = "LF401"
    name = "too-short"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        min_chars: int = 800
        min_chars_short: int = 400
        short_types: tuple[str, ...] = ("motion", "court_order", "pretension", "response")

    def measure(self, doc: Document) -> dict[str, float]:
        return {"chars": float(len(doc.output.strip()))}

    def check(self, doc: Document) -> list[Finding]:
        n = len(doc.output.strip())
        if n == 0:
            return []  # LF605
        need = self.t.min_chars_short if doc.type_slug in self.t.short_types else self.t.min_chars
        if n < need:
            return [self.finding("too-short", f"{n} characters, fewer than {need} for a {doc.type_slug}", "output")]
        return []


class TooLong(Rule):
    """The output is longer than a training document should be (``max_chars``): usually repeated text, several
    documents glued together or a model that did not stop.

    Bad: one claim repeated five times (40 000 characters).
    Good: a complete claim of 2 000–10 000 characters.
    """

    code = "LF402"
    name = "too-long"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        max_chars: int = 20000

    def measure(self, doc: Document) -> dict[str, float]:
        return {"chars": float(len(doc.output))}

    def check(self, doc: Document) -> list[Finding]:
        n = len(doc.output)
        if n > self.t.max_chars:
            return [self.finding("too-long", f"{n} characters, more than {self.t.max_chars}", "output")]
        return []


_TERMINAL = ".!?:;»)\"”…/"
_OPEN_END_RE = regex.compile(
    r"(?:[,\-–—(«]|\b(?:и|в|во|с|со|на|по|к|о|об|от|до|за|из|для|что|как|или|а|но|при|не|суд|ст\.|п\.|ч\.|№"
    r"|копи[яи]|оригинал|выписк[аи]|справк[аи]))\s*$",  # an attachment item cut before its object: «3. Копия»
    regex.IGNORECASE,
)
_LIST_ITEM_RE = regex.compile(r"^\s*(?:\d{1,2}[.)]|[-–—•])\s+\S")
_CONTACT_END_RE = regex.compile(
    r"(?:(?<!\S)(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\d+])\+?\d[\d ()-]{6,}\d)$")
_TAIL_CHARS = 300  # the end of a (possibly very long) last line is what decides
# «М.П.» (место печати) under an organisation's signature: the seal's place, not a cut-off «п.»
_SEAL_LINE_RE = regex.compile(r"\n[ \t]*\(?[ \t]*М\.?[ \t]*П\.?[ \t]*\)?[ \t]*$", regex.IGNORECASE)


class Truncated(Rule):
    """The document is cut off: it stops mid-sentence (a long last line without final punctuation, or ending on a
    comma, a preposition or «ст.»), leaves a «quotation» open, or ends before its demand and signature.

    Bad: ``… Согласно ст. 309 ГК РФ обязательства должны исполняться надлежащим образом в соответствии с``
    Good: ``… ПРОШУ СУД: взыскать 180 000 руб.\\n\\nПриложения: …\\n«20» июня 2024 г. ________ /А.П. Смирнов/``
    """

    code = "LF403"
    name = "truncated"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        min_open_line_chars: int = 60  # a last line this long without final punctuation is cut off

    def measure(self, doc: Document) -> dict[str, float]:
        text = doc.output.rstrip()
        last = text.rsplit("\n", 1)[-1].strip() if text else ""
        return {"last_line_chars": float(len(last)), "open_quotes": float(text.count("«") - text.count("»")),
                "open_at_end": float(text.rfind("«") > text.rfind("»"))}

    def check(self, doc: Document) -> list[Finding]:
        text = doc.output.rstrip()
        if not text:
            return []
        if text[-1] in ".)Пп" and (seal := _SEAL_LINE_RE.search(text, max(0, text.rfind("\n")))):
            text = text[: seal.start()].rstrip()
        last = text.rsplit("\n", 1)[-1].strip()
        where = f"output:{len(text) - len(last)}-{len(text)}"
        last = last[-_TAIL_CHARS:]
        tail = f"«…{last[-50:]}»"
        if not _SIGN_RE.exact.search(last):
            if _OPEN_END_RE.search(last):
                return [self.finding("mid-sentence", f"ends mid-sentence: {tail}", where)]
            if last[-1] not in _TERMINAL and len(last) >= self.t.min_open_line_chars and not _LIST_ITEM_RE.match(last) \
                    and not _CONTACT_END_RE.search(last):
                return [self.finding("mid-sentence", f"the last line has no final punctuation: {tail}", where)]
        if text.rfind("«") > text.rfind("»"):
            # The text ends inside a quotation. Unbalanced quotes earlier are no cut: Russian nested names are
            # often written with one closing mark («ООО «СЗ «Новые Кварталы»).
            return [self.finding("open-quote", f"a «quotation» is left open at the end: {tail}", where)]
        s = doc.sections
        framed = doc.type_slug != "unknown" and (s.title or s.header)
        if framed and s.signature is None and s.attachments is None:
            if s.demand is None:
                return [self.finding("ends-before-demand", f"ends before the demand and signature: {tail}", where)]
            if last[-1] not in _TERMINAL:  # with nothing after it, even a demand item ends with «.» or «;»
                return [self.finding("mid-sentence", f"the demand breaks off: {tail}", where)]
        return []


class TooManyTokens(Rule):
    """The output has more tokens than training sequences hold (``max_tokens``); acts only when ``legalft clean``
    is given a tokenizer (``--tokenizer``).

    Bad: a 12 000-token claim for a 4 096-token training window.
    Good: a claim of 1 500 tokens.
    """

    code = "LF404"
    name = "too-many-tokens"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        max_tokens: int = 4096

    def measure(self, doc: Document) -> dict[str, float]:
        n = doc.token_count
        return {} if n is None else {"tokens": float(n)}

    def check(self, doc: Document) -> list[Finding]:
        n = doc.token_count
        if n is not None and n > self.t.max_tokens:
            return [self.finding("too-many-tokens", f"{n} tokens, more than {self.t.max_tokens}", "output")]
        return []


@hookimpl
def legalft_rules():
    return [TooShort, TooLong, Truncated, TooManyTokens]
