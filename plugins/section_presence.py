"""Structure rules: a procedural document has a reasoning part and a demand that fit its type (default), and —
for training-grade data — a header, the parties, a title, attachments and its parts in order (strict).

Parts are found by `legal_ft.legal.sections.find_sections` (by heading where there is one, by content where
there is none), so documents without headings, short ходатайства, претензии that say «ТРЕБУЮ» and отзывы that
ask to «отказать» pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from legal_ft.cleaning.api import Document, Finding, FlagMeasure, Rule, hookimpl
from legal_ft.legal.sections import HEADING, letters, second_document_start

FAMILY = "structure"
_COURT_TYPES = {"claim", "arbitration_claim", "appeal", "response", "motion", "court_order"}
_INFINITIVE_RE = regex.compile(r"\b\p{Cyrillic}{2,}(?:ть|ти|чь)(?:ся)?\b", regex.IGNORECASE)
_VERB_RE = regex.compile(r"\b(?:прошу|просим|требую|требуем|ходатайствую|ходатайствуем)\b", regex.IGNORECASE)
_ASK_COURT_RE = regex.compile(r"\b(?:прошу|просим)\s+(?:уважаемый\s+)?суд\b", regex.IGNORECASE)
_DEMAND_FROM_PARTY_RE = regex.compile(r"\bтребу(?:ю|ем)\b", regex.IGNORECASE)
_RESPONSE_OK_RE = regex.compile(
    r"\b(?:отказать|снизить|уменьшить|оставить\s+без\s+(?:изменения|удовлетворения|рассмотрения)"
    r"|прекратить\s+производство|отменить)\b",
    regex.IGNORECASE,
)
_RECOVER_RE = regex.compile(r"\bвзыскать\b", regex.IGNORECASE)
_AGAINST_ACT_RE = regex.compile(
    r"(?:апелляционн|кассационн|частн|надзорн)\w*\s+жалоб"
    r"|жалоб\w*\s+на\s+(?:решени|определени|постановлени|приговор|судебн\w+\s+(?:акт|приказ))",
    regex.IGNORECASE,
)
_HEAD_CHARS = 1500  # where the title says what is complained about
_APPEAL_OK_RE = regex.compile(
    r"\b(?:отменить|изменить|принять\s+(?:по\s+делу\s+)?нов\w+|направить\s+(?:дело\s+)?на\s+новое\s+рассмотрение"
    r"|оставить\s+без\s+изменения|восстановить|признать\s+незаконн\w*|обязать)\b",
    regex.IGNORECASE,
)
_ORDER_OK_RE = regex.compile(r"судебн\w+\s+приказ|\bвзыскать\b", regex.IGNORECASE)
_COURT_IN_HEADER_RE = regex.compile(r"(?<!\p{L})суд", regex.IGNORECASE)  # not «гоСУДарственную»
# A жалоба or заявление may go to a public authority instead of a court: a prosecutor, the police, an inspection,
# the bailiffs' superior, a regulator.
_AUTHORITY_IN_HEADER_RE = regex.compile(
    r"(?<!\p{L})(?:прокур\w*|полици\w*|(?:о|у|гу)?мвд|овд|инспекци\w*|инспектор\w*|пристав\w*|фссп|ифнс|фнс"
    r"|роспотребнадзор\w*|росреестр\w*|роскомнадзор\w*|ростехнадзор\w*|антимонопольн\w*|уфас|фас"
    r"|следствен\w*|гибдд|госавтоинспекци\w*|администраци\w*|министерств\w*|министр\w*|уполномоченн\w*"
    r"|банк\w*\s+россии|центральн\w+\s+банк\w*|финансов\w+\s+уполномоченн\w*|фонд\w*|главе|губернатор\w*"
    r"|мэр\w*|комисси\w*|федеральн\w+\s+служб\w*|надзор\w*)(?!\p{L})",
    regex.IGNORECASE,
)
_AUTHORITY_TYPES = ("appeal", "motion")



def _quote(text: str, limit: int = 60) -> str:
    one = " ".join(text.split())
    return f"«{one[:limit]}{'…' if len(one) > limit else ''}»"


class MissingReasoning(Rule):
    """The document has no reasoning part (facts and legal grounds), or it is too thin to train on.

    Found by heading («МОТИВИРОВОЧНАЯ ЧАСТЬ», «Обоснование требований», «Обстоятельства дела» …) or by content
    (the prose between the opening and the demand).

    Bad: ``ИСКОВОЕ ЗАЯВЛЕНИЕ\\n\\nРЕЗОЛЮТИВНАЯ ЧАСТЬ:\\nПРОШУ СУД: взыскать 100 000 руб.`` (nothing explains why).
    Good: ``ИСКОВОЕ ЗАЯВЛЕНИЕ\\n\\n12.03.2024 стороны заключили договор … Согласно ст. 309 ГК РФ …\\n\\nПРОШУ СУД: …``
    """

    code = "LF101"
    name = "missing-reasoning"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        min_letters: int = 200  # letters of reasoning a document needs
        min_letters_short: int = 80  # … for the short types below (a ходатайство may be 900 characters long)
        short_types: tuple[str, ...] = ("motion", "court_order")

    def _min(self, doc: Document) -> int:
        return self.t.min_letters_short if doc.type_slug in self.t.short_types else self.t.min_letters

    def measure(self, doc: Document) -> dict[str, float]:
        part = doc.sections.reasoning
        return {"reasoning_letters": letters(doc.output[part.start:part.end]) if part else 0}

    def check(self, doc: Document) -> list[Finding]:
        part = doc.sections.reasoning
        if part is None:
            return [self.finding("no-reasoning", "no reasoning part: neither a heading nor facts and grounds "
                                 "before the demand", "output")]
        n = self.measure(doc)["reasoning_letters"]
        need = self._min(doc)
        if n < need:
            return [self.finding("thin-reasoning", f"reasoning part {_quote(part.label)} has {n:.0f} letters, "
                                 f"fewer than {need} for a {doc.type_slug}", part.where)]
        return []


class MissingDemand(Rule):
    """The document has no demand: no request («прошу», «ТРЕБУЮ», «ходатайствую») and no demand heading with
    something asked under it.

    Bad: a claim that ends after its reasoning, or ``РЕЗОЛЮТИВНАЯ ЧАСТЬ:`` with nothing after it.
    Good: ``На основании изложенного, прошу:\\n1. Взыскать с ответчика 180 000 руб.``
    """

    code = "LF102"
    name = "missing-demand"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        min_letters: int = 15  # letters a demand needs besides its heading

    def measure(self, doc: Document) -> dict[str, float]:
        part = doc.sections.demand
        if part is None:
            return {"demand_letters": 0}
        heading = letters(part.label) if part.how == HEADING else 0
        return {"demand_letters": letters(doc.output[part.start:part.end]) - heading}

    def check(self, doc: Document) -> list[Finding]:
        part = doc.sections.demand
        if part is None:
            return [self.finding("no-demand", "no demand: nothing is requested («прошу» / «требую» / a demand "
                                 "heading)", "output")]
        body = doc.output[part.start:part.end]
        n = self.measure(doc)["demand_letters"]
        rest = body[len(part.label):] if part.how == HEADING else body
        if n < self.t.min_letters or not (_VERB_RE.search(rest) or _INFINITIVE_RE.search(rest)):
            return [self.finding("empty-demand", f"demand part {_quote(part.label)} asks for nothing", part.where)]
        return []


class WrongDemandForType(Rule):
    """The demand does not fit the document type.

    A претензия demands from the other side («ТРЕБУЮ», «прошу») and never asks the court («ПРОШУ СУД»); an
    отзыв asks to dismiss («отказать»), reduce under ст. 333 ГК («снизить») or leave unchanged — not to recover
    («взыскать»); a жалоба against a court act or decision (апелляционная, кассационная, частная, «на
    постановление …») asks to set it aside or change it, while one about inaction, to an inspection or a
    prosecutor, asks for a check and is not held to that; a claim asks the court.

    Bad: ``ПРЕТЕНЗИЯ … ПРОШУ СУД: взыскать с ООО «Ромашка» 89 000 руб.``
    Good: ``ПРЕТЕНЗИЯ … ТРЕБУЮ: вернуть 89 000 руб. в течение 10 дней.``
    """

    code = "LF103"
    name = "wrong-demand-for-type"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        check_types: tuple[str, ...] = ("pretension", "response", "appeal", "claim", "arbitration_claim",
                                        "court_order")

    def check(self, doc: Document) -> list[Finding]:
        part = doc.sections.demand
        kind = doc.type_slug
        if part is None or kind not in self.t.check_types:
            return []
        body = doc.output[part.start:part.end]
        where = part.where
        if kind == "pretension":
            m = _ASK_COURT_RE.search(body)
            if m:
                return [self.finding("pretension-asks-court", f"a претензия addresses the other side, not the court: "
                                     f"{_quote(body[m.start():m.end() + 40])}", where)]
        elif kind == "response":
            if _RECOVER_RE.search(body) and not _RESPONSE_OK_RE.search(body):
                return [self.finding("response-recovers", "an отзыв asks to dismiss («отказать»), reduce or leave "
                                     f"unchanged, not to recover: {_quote(body)}", where)]
        elif kind == "appeal":
            # Only a complaint against a court act or a decision must ask to set it aside: a complaint about
            # inaction to an inspection or a prosecutor asks for a check («провести проверку», «привлечь …»).
            if not _APPEAL_OK_RE.search(body) and _AGAINST_ACT_RE.search(doc.output[:_HEAD_CHARS]):
                return [self.finding("appeal-without-reversal", "an апелляционная жалоба asks to set aside or change "
                                     f"the decision («отменить» / «изменить»): {_quote(body)}", where)]
        elif kind in ("claim", "arbitration_claim"):
            if _DEMAND_FROM_PARTY_RE.search(body) and not regex.search(r"\b(?:прошу|просим)\b", body, regex.I):
                return [self.finding("claim-demands-from-party", "a claim asks the court («прошу суд»), it does not "
                                     f"demand («требую»): {_quote(body)}", where)]
        elif kind == "court_order":
            if not _ORDER_OK_RE.search(body):
                return [self.finding("order-without-order", "an application for a court order asks to issue it "
                                     f"(«вынести судебный приказ»): {_quote(body)}", where)]
        return []


class MissingHeader(Rule):
    """The document does not say whom it is addressed to: the court (claims, appeals, отзывы, ходатайства,
    applications) or the addressee (претензии). A жалоба or заявление may be addressed to a public authority
    instead (a prosecutor, the police, an inspection, the bailiffs' superior).

    Bad: a claim that starts with ``ИСКОВОЕ ЗАЯВЛЕНИЕ``.
    Good: ``В Заволжский районный суд г. Твери`` above the parties; ``Генеральному директору ООО «…»`` on a претензия.
    """

    code = "LF104"
    name = "missing-header"
    groups = (FAMILY, "strict")

    @dataclass
    class Thresholds:
        court_types: tuple[str, ...] = tuple(sorted(_COURT_TYPES))

    def check(self, doc: Document) -> list[Finding]:
        part = doc.sections.header
        kind = doc.type_slug
        if part is None:
            whom = "court" if kind in self.t.court_types else "addressee"
            return [self.finding("no-header", f"no header naming the {whom}", "output")]
        if kind in self.t.court_types:
            text = doc.output[part.start:part.end]
            if not _COURT_IN_HEADER_RE.search(text) and not (kind in _AUTHORITY_TYPES
                                                             and _AUTHORITY_IN_HEADER_RE.search(text)):
                return [self.finding("header-without-court", f"the header {_quote(text)} names no court for a {kind}",
                                     part.where)]
        return []


class MissingParties(Rule):
    """The parties are not named (``Истец:`` / ``Ответчик:``, ``Взыскатель:`` / ``Должник:``, ``От: …``).

    Bad: a claim whose opening is only ``В … районный суд``.
    Good: ``Истец: Смирнов Алексей Петрович …\\nОтветчик: Кузнецов Дмитрий Олегович …``
    """

    code = "LF105"
    name = "missing-parties"
    groups = (FAMILY, "strict")

    @dataclass
    class Thresholds:
        pass

    def check(self, doc: Document) -> list[Finding]:
        if doc.sections.parties is None and not (doc.type_slug == "pretension" and letterhead_sender(doc.output)):
            return [self.finding("no-parties", "the parties are not named (e.g. «Истец: …», «Ответчик: …», «От: …»)",
                                 "output")]
        return []


# A business letter names its sender in the letterhead: the company on the first line, its ИНН/ОГРН under it, then
# the addressee («Генеральному директору ООО …»).
_LETTERHEAD_NAME_RE = re.compile(r"(?:ООО|АО|ПАО|ЗАО|ОАО|ИП|Общество|Акционерное|Индивидуальный)\b[^\n]{0,150}$",
                                 re.IGNORECASE)  # «ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «…»» in capitals too
_ADDRESSEE_LINE_RE = re.compile(r"^[ \t]*(?:(?:генеральному\s+)?директор\w*|руководител\w+|кому\b|председател\w+"
                                r"|начальник\w*|управляющ\w+|обществу\b|акционерному\b|индивидуальному\b)",
                                re.IGNORECASE | re.MULTILINE)


def letterhead_sender(text: str) -> bool:
    """Whether a претензия opens with its sender's letterhead (company, then ИНН or ОГРН) before an addressee."""
    lines = text.lstrip().split("\n", 4)
    if not lines or not _LETTERHEAD_NAME_RE.match(lines[0].strip()):
        return False
    if not any("ИНН" in line or "ОГРН" in line for line in lines[1:4]):
        return False
    return _ADDRESSEE_LINE_RE.search(text, 0, min(len(text), 1500)) is not None


class MissingTitle(Rule):
    """The document has no title line saying what it is (``ИСКОВОЕ ЗАЯВЛЕНИЕ``, ``ПРЕТЕНЗИЯ``, ``ХОДАТАЙСТВО`` …).

    Bad: parties followed directly by the facts.
    Good: ``ИСКОВОЕ ЗАЯВЛЕНИЕ\\nо взыскании денежных средств по договору подряда``
    """

    code = "LF106"
    name = "missing-title"
    groups = (FAMILY, "strict")

    @dataclass
    class Thresholds:
        pass

    def check(self, doc: Document) -> list[Finding]:
        if doc.sections.title is None:
            return [self.finding("no-title", "no title line (e.g. «ИСКОВОЕ ЗАЯВЛЕНИЕ», «ПРЕТЕНЗИЯ», «ХОДАТАЙСТВО»)",
                                 "output")]
        return []


class MissingAttachments(Rule):
    """A document type that must list its attachments (ст. 132 ГПК, ст. 126 АПК, ст. 322 ГПК) has no
    ``Приложения:`` list. Ходатайства and отзывы need none.

    Bad: a claim that ends with the demand and the signature.
    Good: ``Приложения:\\n1. Копия договора.\\n2. Квитанция об уплате государственной пошлины.``
    """

    code = "LF107"
    name = "missing-attachments"
    groups = (FAMILY, "strict")

    @dataclass
    class Thresholds:
        types: tuple[str, ...] = ("claim", "arbitration_claim", "appeal", "court_order", "pretension")

    def check(self, doc: Document) -> list[Finding]:
        if doc.type_slug in self.t.types and doc.sections.attachments is None:
            return [self.finding("no-attachments", f"a {doc.type_slug} lists its attachments («Приложения:»)",
                                 "output")]
        return []


class PartsOutOfOrder(Rule):
    """The parts are not in the order a filing uses: title, then reasoning, then demand, then attachments.

    A document signed half-way that then goes on to a (second) demand is out of order too.

    Bad: ``РЕЗОЛЮТИВНАЯ ЧАСТЬ: … МОТИВИРОВОЧНАЯ ЧАСТЬ: …``; ``… прошу взыскать … ________ /Н.А. Белова/ Кроме того,
    … ПРОШУ: …``
    Good: ``МОТИВИРОВОЧНАЯ ЧАСТЬ: … РЕЗОЛЮТИВНАЯ ЧАСТЬ: …``
    """

    code = "LF108"
    name = "parts-out-of-order"
    groups = (FAMILY, "strict")

    @dataclass
    class Thresholds:
        pairs: tuple[str, ...] = ("title<reasoning", "reasoning<demand", "demand<attachments")

    def check(self, doc: Document) -> list[Finding]:
        s = doc.sections
        for pair in self.t.pairs:
            first, _, second = pair.partition("<")
            a, b = s.get(first), s.get(second)
            if a is None or b is None:
                continue
            if first == "reasoning" and a.how != HEADING:
                continue  # reasoning found by content is by definition what precedes the demand
            if a.start > b.start:
                return [self.finding(f"{second}-before-{first}", f"the {second} part {_quote(b.label)} comes before "
                                     f"the {first} part {_quote(a.label)}", b.where)]
        signed = signed_before_demand(doc.output)
        if signed is not None:
            return [self.finding("demand-after-signature", f"the document is signed ({_quote(signed[0])}) and then "
                                 f"goes on to a demand ({_quote(signed[1])})", "output")]
        return []


# A signature with a name («________ /Н.А. Белова/», «____ Белова Н.А.») and a request line that starts a demand.
_NAMED_SIGNATURE_RE = re.compile(r"^[^\n]{0,80}_{3,}[ \t]*/?[ \t]*(?:[А-ЯЁ]\.[ \t]*[А-ЯЁ]\.[ \t]*[А-ЯЁ][а-яё]+"
                                 r"|[А-ЯЁ][а-яё]+[ \t]+[А-ЯЁ]\.[ \t]*[А-ЯЁ]\.)[^\n]*$", re.MULTILINE)
def signed_before_demand(text: str) -> tuple[str, str] | None:
    """(signature line, demand line) when a named signature comes before a request verb: a document signed
    half-way that then argues on and asks again. Signatures together at the end, or attachments after the
    signature, are fine. The signature is looked for from each «___» (a literal the line cannot do without)."""
    pos = text.find("___")
    while pos >= 0:
        start = text.rfind("\n", 0, pos) + 1
        sign = _NAMED_SIGNATURE_RE.match(text, start)
        if sign is not None:
            verb = _VERB_RE.search(text, sign.end())
            if verb is None:
                return None
            line_start = text.rfind("\n", 0, verb.start()) + 1
            line_end = text.find("\n", verb.end())
            return sign.group(0).strip(), text[line_start:line_end if line_end >= 0 else len(text)].strip()
        end = text.find("\n", pos)
        pos = text.find("___", end) if end >= 0 else -1
    return None


class SeveralDocuments(Rule):
    """The output holds two filings glued together: after the first document a second one opens with its own
    header and capitals title («… /А.П. Смирнов/\\n\\nВ … районный суд …\\nИСКОВОЕ ЗАЯВЛЕНИЕ»), as a model does
    when it writes a претензия and then the claim, or «Вариант 1» and «Вариант 2».

    Bad: ``ПРЕТЕНЗИЯ … ТРЕБУЮ … /подпись/\\n\\nВ Заволжский районный суд …\\nИСКОВОЕ ЗАЯВЛЕНИЕ …``
    Good: one document; a heading inside it («ВОЗРАЖЕНИЯ ОТВЕТЧИКА:», «ХОДАТАЙСТВУЮ:») does not open a second one.
    """

    code = "LF109"
    name = "several-documents"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        pass

    def measure(self, doc: Document) -> dict[str, float]:
        return {"second_document": float(second_document_start(doc.output) is not None)}

    def check(self, doc: Document) -> list[Finding]:
        found = second_document_start(doc.output)
        if found is None:
            return []
        start, line = found
        return [self.finding("several-documents", f"a second document begins at «{line[:60]}»",
                             f"output:{start}-{start + len(line)}")]


# Types one request may fairly be answered with: a claim to an arbitrazh court is a claim; a bare «жалоба» to a
# public authority is often titled «ЗАЯВЛЕНИЕ о …».
_SAME_REQUEST = {("claim", "arbitration_claim"), ("arbitration_claim", "claim")}
_BARE_COMPLAINT_RE = regex.compile(r"(?<!(?:онн|астн)\w{0,3}\s)\bжалоб", regex.IGNORECASE)


class TypeMismatch(FlagMeasure, Rule):
    """The output is another kind of document than the instruction asks for: a model asked for a претензия that
    writes the исковое заявление, or asked for a ходатайство that writes an appeal. Trained on such a pair, the
    model learns to ignore what it is asked. Only the output's own title counts, and only an instruction that
    names a type. `legalft clean` leaves this rule out while it replaces instructions (instruction variety picks
    one for the type the output is), so the document is kept with a fitting instruction; with --no-diversify and
    in `legalft eval` it applies.

    Bad: instruction «Составь досудебную претензию …», output titled «ИСКОВОЕ ЗАЯВЛЕНИЕ».
    Good: instruction «Составь возражения на апелляционную жалобу», output titled «ВОЗРАЖЕНИЯ на апелляционную жалобу».
    """

    code = "LF110"
    name = "type-mismatch"
    groups = (FAMILY, "default", "instruction")

    @dataclass
    class Thresholds:
        pass

    def check(self, doc: Document) -> list[Finding]:
        from legal_ft.legal.detect import requested_doc_type, title_doc_type

        asked = requested_doc_type(doc.instruction)
        if asked is None:
            return []
        detected = doc.doc_type  # the title's type when there is a title (shared with the other rules)
        if detected is asked or (asked.value, getattr(detected, "value", "")) in _SAME_REQUEST:
            return []
        written = title_doc_type(doc.output)
        if written is None or written is asked or (asked.value, written.value) in _SAME_REQUEST:
            return []
        if asked.value == "appeal" and written.value == "motion" and _BARE_COMPLAINT_RE.search(doc.instruction):
            return []
        return [self.finding("type-mismatch", f"the instruction asks for: {asked.title_ru} "
                             f"({_quote(doc.instruction)}); the output is: {written.title_ru}", "output")]


_FROM_CLAIMANT_RE = regex.compile(r"\bвзыскать\s+со?\s+(?:административн\w+\s+)?(?:истц\w*|истиц\w*)\b",
                                  regex.IGNORECASE)
_RECOVER_FROM_RE = regex.compile(r"\bвзыскать\s+со?\s+(?-i:(?P<who>\p{Lu}\p{Ll}+))", regex.IGNORECASE)


# The first word of a company's name: its legal form, abbreviated or written out (an НКО is no business).
_COMMERCIAL_FORMS = "ооо|ао|пао|зао|оао|ип|общество|акционерное|публичное|индивидуальный|закрытое|открытое"
_ORG_FORM_RE = re.compile(rf"^(?:{_COMMERCIAL_FORMS}|нко)$")


def _surname_stem(name: str) -> str | None:
    """The stem of a person's surname («королев андрей викторович» → «королев»), None for an organisation."""
    words = name.split()
    if not words or _ORG_FORM_RE.match(words[0]) or len(words[0]) < 4:
        return None
    return words[0][:-1] if words[0][-1] in "аяоеиыуюь" else words[0]


# A претензия's sender line («От: ООО «СтройМонтаж»», «от Иванова И.И.») and what identifies a party: a «name» in
# quotation marks, an ИНН.
_SENDER_LINE_RE = re.compile(r"^[ \t]*(?:от|от\s+кого)\b[ \t]*:?[ \t]*(?P<rest>[^\n]*)", re.IGNORECASE | re.MULTILINE)
_QUOTED_NAME_RE = re.compile(r"«([^«»\n]{2,80})»")
_INN_RE = re.compile(r"\bИНН[ \t:№]*(\d{10}|\d{12})\b")


_FORMS = (("публичн", "ПАО"), ("закрыт", "ЗАО"), ("открыт", "ОАО"), ("акционерн", "АО"), ("ограниченн", "ООО"),
          ("индивидуальн", "ИП"), ("пао", "ПАО"), ("зао", "ЗАО"), ("оао", "ОАО"), ("ооо", "ООО"), ("ао", "АО"),
          ("ип", "ИП"))


def _organisations(text: str) -> set[tuple[str | None, str]]:
    """(legal form, name) of each «name» in ``text``: ООО «Инфотех» and ПАО «Инфотех» are two companies."""
    out = set()
    for m in _QUOTED_NAME_RE.finditer(text):
        before = text[max(0, m.start() - 60):m.start()].rsplit("\n", 1)[-1].casefold()
        words = regex.findall(r"\p{L}+", before)[-5:]
        form = next((f for key, f in _FORMS for w in words if w == key or (len(key) > 3 and w.startswith(key))),
                    None)
        out.add((form, m.group(1).casefold()))
    return out


def sender_is_addressee(text: str) -> str | None:
    """What identifies a претензия's addressee (the lines before «От:») and its sender (the «От:» line and the two
    after it) as one party, or None: the same ИНН when both give one (it decides), else the same company —
    legal form and «name»."""
    m = _SENDER_LINE_RE.search(text, 0, min(len(text), 2000))
    if m is None or m.start() == 0:
        return None
    addressee = text[:m.start()]
    lines = text[m.start():].split("\n", 3)
    first = lines[0] if m.group("rest").strip() else "\n".join(lines[:2])
    sender_block = "\n".join(lines[:3])
    sender_inns, addressee_inns = set(_INN_RE.findall(sender_block)), set(_INN_RE.findall(addressee))
    if sender_inns and addressee_inns:
        same_inn = sender_inns & addressee_inns
        return f"ИНН {sorted(same_inn)[0]}" if same_inn else None
    same = _organisations(first) & _organisations(addressee)
    if same:
        form, name = sorted(same, key=str)[0]
        return f"{form or ''} «{name}»".strip()
    return None


class PartyConfusion(FlagMeasure, Rule):
    """The model mixed up the sides: the same name is given as the claimant (истец, взыскатель) and as the
    defendant (ответчик, должник), or a claim asks to recover from the claimant («Взыскать с истца …», «Взыскать с
    Сорокиной Е.П.» when Сорокина is the plaintiff). A model trained on such documents confuses who owes whom.

    A претензия sent by a company to itself (the same «name» or ИНН for addressee and sender) is the same mistake.

    Bad: ``Истец: Королёв Андрей Викторович … Ответчик: Королёв Андрей Викторович``
    Good: ``Истец: Королёва Мария … Ответчик: Королёв Андрей`` (relatives may share a surname; the names differ).
    """

    code = "LF111"
    name = "party-confusion"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        pass

    def check(self, doc: Document) -> list[Finding]:
        text = doc.output
        if doc.type_slug == "pretension":
            same = sender_is_addressee(text)
            if same:
                return [self.finding("addressed-to-sender", f"the претензия is sent by and to the same party ({same})",
                                     "output")]
            return []
        head = doc.folded[:3000]
        if ("истец" not in head and "истица" not in head and "взыскател" not in head) or ":" not in text[:3000]:
            return []
        claimants, others = doc.party_names
        both = sorted(set(claimants) & set(others))
        if both:
            return [self.finding("same-party-both-sides", f"«{both[0]}» is named on both sides (claimant and "
                                 "defendant)", "output")]
        if doc.type_slug not in ("claim", "arbitration_claim", "court_order"):
            return []
        demand = doc.sections.text(text, "demand")
        m = _FROM_CLAIMANT_RE.search(demand)
        if m:
            return [self.finding("recovers-from-claimant",
                                 f"the demand recovers from the claimant: {_quote(m.group(0))}", "output")]
        stems = {_surname_stem(n) for n in claimants} - {None}
        other_stems = {_surname_stem(n) for n in others} - {None}
        for m in _RECOVER_FROM_RE.finditer(demand):
            who = m.group("who").casefold().replace("ё", "е")
            if any(who.startswith(stem) for stem in stems) and not any(who.startswith(st) for st in other_stems):
                return [self.finding("recovers-from-claimant", f"the demand recovers from the claimant: "
                                     f"{_quote(m.group(0))}", "output")]
        return []


# Commercial parties (arbitrazh jurisdiction, АПК ст. 27) and courts of general jurisdiction.
_COMMERCIAL_RE = re.compile(rf"^(?:{_COMMERCIAL_FORMS})\b")
_GENERAL_COURT_RE = regex.compile(r"мировому\s+судье|мирово\w+\s+суд\w+|районн\w+\s+суд|городско\w+\s+суд"
                                  r"|(?<!\p{L})(?:краево\w+|областно\w+)\s+суд", regex.IGNORECASE)
_ARBITRAZH_IN_HEADER_RE = regex.compile(r"арбитражн", regex.IGNORECASE)


class WrongCourt(FlagMeasure, Rule):
    """A claim between two businesses (companies or individual entrepreneurs on both sides: an economic dispute,
    АПК РФ ст. 27) addressed to a court of general jurisdiction — a мировой судья or a районный суд. A model that
    learns from it mixes up ГПК and АПК procedure.

    Bad: ``Мировому судье судебного участка № 4 … Истец: ООО «ТомскПромСнаб» … Ответчик: ООО «Северная Мебельная
    Фабрика» … ИСКОВОЕ ЗАЯВЛЕНИЕ о взыскании задолженности по договору поставки``
    A consumer's claim (a person under the consumer protection law) addressed to an arbitrazh court is the
    mirror mistake.

    Good: the same claim «В Арбитражный суд Томской области»; a consumer's claim against ООО before a мировой судья.
    """

    code = "LF112"
    name = "wrong-court"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        pass

    def check(self, doc: Document) -> list[Finding]:
        if doc.type_slug not in ("claim", "arbitration_claim"):
            return []
        header = doc.sections.text(doc.output, "header") or doc.output[:400]
        court = _GENERAL_COURT_RE.search(header)
        if court is None or _ARBITRAZH_IN_HEADER_RE.search(header):
            return self._consumer_in_arbitrazh(doc)
        claimants, others = doc.party_names
        if claimants and others and _COMMERCIAL_RE.match(claimants[0]) and _COMMERCIAL_RE.match(others[0]):
            return [self.finding("arbitrazh-dispute", f"a dispute between two businesses goes to an arbitrazh court, "
                                 f"not to {_quote(court.group(0))}", "output")]
        return []

    def _consumer_in_arbitrazh(self, doc: Document) -> list[Finding]:
        """A consumer's claim (a person, not an entrepreneur, under the consumer protection law) addressed to an
        arbitrazh court: consumer disputes belong to courts of general jurisdiction (ГПК ст. 22, 29 ч. 7)."""
        header = doc.sections.text(doc.output, "header") or doc.output[:400]
        if not _ARBITRAZH_IN_HEADER_RE.search(header) or "потребител" not in doc.folded:
            return []
        claimants, _ = doc.party_names
        if claimants and not _COMMERCIAL_RE.match(claimants[0]) and len(claimants[0].split()) >= 2:
            return [self.finding("consumer-dispute-in-arbitrazh", "a consumer's claim goes to a court of general "
                                 "jurisdiction, not to an arbitrazh court", "output")]
        return []


@hookimpl
def legalft_rules():
    return [MissingReasoning, MissingDemand, WrongDemandForType, MissingHeader, MissingParties, MissingTitle,
            MissingAttachments, PartsOutOfOrder, SeveralDocuments, TypeMismatch, PartyConfusion, WrongCourt]
