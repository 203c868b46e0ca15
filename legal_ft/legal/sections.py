"""The parts of a procedural document: where the header, parties, title, reasoning, demand, attachments and
signature are — found by heading where the document has one, by content where it has none.

Headings vary (see docs/legal_reference.md): the house style «МОТИВИРОВОЧНАЯ ЧАСТЬ» / «РЕЗОЛЮТИВНАЯ ЧАСТЬ», and
the headings real filings use («Обоснование требований», «Обстоятельства дела», «Правовое обоснование»,
«Просительная часть», «На основании изложенного, прошу:», «ПРОШУ:»). Many good documents have none: then the
demand is the request line («прошу …», «ТРЕБУЮ …», «… отказать в удовлетворении …») and the reasoning is the prose
between the opening (header, parties, title) and the demand. Each part records *how* it was found, so rules can
be stricter with one than the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import regex

from legal_ft.legal.charcount import count_letters
from legal_ft.legal.detect import _TITLE_RE
from legal_ft.legal.doctypes import DocType
from legal_ft.legal.fastre import DualPattern, engines_agree

PART_NAMES = ("header", "parties", "title", "reasoning", "demand", "attachments", "signature")
HEADING = "heading"
CONTENT = "content"

_I = regex.IGNORECASE
_HEAD_LINES = 40
# Line-anchored and per-line patterns run through `re` where it agrees with `regex` (legal_ft.legal.fastre).
_LINE_FLAGS = re.IGNORECASE | re.MULTILINE

_HEADER_RE = DualPattern(
    r"^\s*(?:в\s+[^\n]{0,160}?суд|мировому\s+судье|арбитражн\w+\s+суд|[^\n]{0,80}?(?:районн|городск|областн|краев)\w*\s+суд"
    r"|через\s+[^\n]{0,120}?суд|кому\s*:|адресат\s*:|получател\w*\s*:|(?:генеральному\s+)?директор\w*\b|руководител\w+\b"
    r"|начальник\w*\b|председател\w+\b|в\s+(?:ООО|АО|ПАО|ЗАО|ИП|ФГУП|МУП)\b|(?:ООО|АО|ПАО|ЗАО)\s+[«\"]"
    # a company addressed in the dative: «Обществу с ограниченной ответственностью «Нива-Плюс»»
    r"|(?:обществу\s+с\s+ограниченной|(?:публичному\s+|закрытому\s+)?акционерному\s+обществу"
    r"|индивидуальному\s+предпринимателю)\b"
    # a заявление or жалоба to a public authority: «Судебному приставу-исполнителю …», «Прокурору района …»
    r"|судебн\w+\s+пристав\w*|старш\w+\s+судебн\w+\s+пристав\w*|[^\n]{0,60}?прокурор\w*\b|в\s+прокуратур\w*"
    # the financial ombudsman: «Уполномоченному по правам потребителей финансовых услуг», «Финансовому
    # уполномоченному»
    r"|уполномоченн\w+\s+по\s+правам\s+потребителей|финансов\w+\s+уполномоченн\w*"
    # a complaint to a regulator: «В Управление Федеральной службы по надзору …», «В Государственную инспекцию труда»
    r"|в\s+(?:управлени|территориальн\w+\s+отдел|государственн\w+\s+(?:жилищн\w+\s+)?инспекци|инспекци"
    r"|федеральн\w+\s+служб|роспотребнадзор|центральн\w+\s+банк|банк\s+россии)\w*)",
    re.IGNORECASE,
)
_PARTY_RE = DualPattern(
    r"^\s*(?:ист(?:ец|цы|ица)|ответчи(?:к|ки|ца)|взыскатель|должник|заявитель|третье\s+лицо|третьи\s+лица|апеллянт"
    r"|кассатор|податель\s+жалобы|лицо,\s+подающее\s+жалобу|от\s+кого"
    r"|от\s+(?:истца|ответчика|заявителя|взыскателя|должника|третьего\s+лица|административного\s+(?:истца|ответчика))"
    r"|от|отправитель|потребитель|кредитор|потребител\w*\s+финансов\w+\s+услуг\w*|финансов\w+\s+организаци\w*"
    r"|покупатель|заказчик|административн\w+\s+(?:истец|ответчик)|заинтересованн\w+\s+лиц\w+|потерпевш\w+"
    r"|представитель(?:\s+\w+)?)(?:\s+по\s+(?:встречному|первоначальному|основному)\s+иску)?"
    r"(?:\s*\([^()\n]{1,40}\))?\s*:"
    r"|^\s*от\s+(?:[А-ЯЁ][а-яё]+\s+[А-ЯЁ]|(?:ООО|АО|ПАО|ЗАО|ИП|ТСЖ|ТСН|ЖСК|СНТ|НКО|АНО)\b)"
    # a sender who writes for a client: «Адвокат Левин М.Б., действующий в интересах Соколовой Д.А. …»
    r"|^\s*(?:адвокат|представитель)\s+(?-i:[А-ЯЁ][а-яё]+\s+[А-ЯЁ])|^\s*действующ\w*\s+(?:в\s+интересах|от\s+имени)",
    re.IGNORECASE,
)
_REASONING_HEADING_RE = DualPattern(
    r"^[ \t]*(?:(?:\d{1,2}|[IVX]{1,4})\.\s*)?(?:"
    r"(?:мотивировочн\w+|описательн\w+(?:-мотивировочн\w+)?)\s+часть(?:[ \t]*[:.][^\n]*)?"
    r"|(?:обоснование(?:\s+(?:требований|иска|исковых\s+требований|жалобы|ходатайства|возражений|претензии|позиции))?"
    r"|обстоятельства\s+дела|фактические\s+обстоятельства(?:\s+дела)?|правовое\s+обоснование"
    r"|существо\s+(?:спора|требований|претензии|дела)|доводы\s+(?:жалобы|возражений|ответчика|истца)"
    r"|основания\s+(?:иска|жалобы|требований|возражений))[ \t]*[:.]?[ \t]*"
    r")$",
    _LINE_FLAGS,
)
_DEMAND_HEADING_RE = DualPattern(
    r"^[ \t]*(?:(?:\d{1,2}|[IVX]{1,4})\.\s*)?(?:"
    r"(?:резолютивн\w+|просительн\w+)\s+часть(?:[ \t]*[:.][^\n]*)?"
    r"|(?:требования|(?:(?:на\s+основании|с\s+учетом|с\s+учётом|учитывая|в\s+связи\s+с)\s+[^\n]{0,300}?)?"
    r"(?:прошу|просим|требую|требуем|ходатайствую|ходатайствуем"
    # a party speaking of itself, as representatives and companies write: «истец просит суд:», «Покупатель ТРЕБУЕТ:»
    # (only as the line's last word; «как того требует закон» in the facts is no demand)
    r"|просит|требует|ходатайствует)(?:\s+(?:суд|уважаемый\s+суд|вас|\w+\s+суд))?)"
    r"[ \t]*[:.]?[ \t]*"
    r")$",
    _LINE_FLAGS,
)
_DEMAND_VERB = r"(?:прошу|просим|требую|требуем|ходатайствую|ходатайствуем)"
_DEMAND_LINE_RE = DualPattern(
    rf"^[ \t]*(?:(?:на\s+основании|с\s+учетом|с\s+учётом|учитывая|в\s+связи\s+с|руководствуясь)[^\n]{{0,400}}?)?"
    rf"\b{_DEMAND_VERB}\b"
    # a joint motion asks in the third person, often inside its one paragraph: «… стороны просят утвердить
    # мировое соглашение»
    r"|^[^\n]{0,600}?\bстороны\s+(?:совместно\s+)?просят\b",
    _LINE_FLAGS,
)
_RESPONSE_DEMAND_RE = regex.compile(
    r"\b(?:отказать|снизить|оставить\s+без\s+(?:изменения|удовлетворения|рассмотрения)"
    r"|прекратить\s+производство)\b",
    _I,
)
_VERB_RE = regex.compile(rf"\b{_DEMAND_VERB}\b", _I)
# How business pretensions also put their demand («Предлагаем в течение 10 дней перечислить …», «вынуждены
# потребовать …», «Вам необходимо оплатить …»); looked for only in a претензия without a request verb. A bare
# «потребовать» is the statute's words («потребитель вправе … потребовать возврата»), not the sender's demand.
_PRETENSION_DEMAND_RE = regex.compile(
    r"\b(?:предлагаю|предлагаем|вынужден\w*\s+потребовать|(?:вам|вами)\s+(?:необходимо|следует|надлежит)\s+"
    r"(?:\w+\s+){0,10}?(?:оплатить|перечислить|вернуть|возвратить|возместить|погасить|устранить|выплатить|уплатить"
    r"|заменить|передать|поставить))\b",
    _I,
)
_ATTACH_RE = DualPattern(
    r"^[ \t]*(?:приложени[еяй]\w*|перечень\s+(?:прилагаемых\s+)?документов|прилагаем\w+\s+(?:документ|к\s+)\w*)"
    r"(?=[\s:.]|$)",
    _LINE_FLAGS,
)
_SIGN_RE = DualPattern(
    r"_{3,}|/\s*[А-ЯЁ]\.\s*[А-ЯЁ]\.\s*[А-ЯЁ][а-яё]+\s*/|^\s*[А-ЯЁ][а-яё]+\s+[А-ЯЁ]\.\s*[А-ЯЁ]\.\s*$"
    r"|^\s*[А-ЯЁ]\.\s*[А-ЯЁ]\.\s*[А-ЯЁ][а-яё]+\s*$|^\s*(?:подпись|дата)\b|«?\d{1,2}»?\s+[а-я]+\s+\d{4}\s*(?:г\.?|года)?\s*$"
    r"|^\s*\d{2}\.\d{2}\.\d{4}\s*(?:г\.?|года)?\s*$|^\s*с\s+уважением|/\s*подпись\s*/"
    # «12.07.2024            О.С. Лаптева»: a name set off at the end of the line by a wide gap, or after a date
    r"|(?:[ \t]{2,}|\t|^\s*(?:\d{2}\.\d{2}\.\d{4}|«?\d{1,2}»?\s+[а-я]+\s+\d{4})\s*(?:г\.?|года)?\s+)"
    r"(?:[А-ЯЁ]\.\s*[А-ЯЁ]\.\s*[А-ЯЁ][а-яё]+|[А-ЯЁ][а-яё]+\s+[А-ЯЁ]\.\s*[А-ЯЁ]\.)\s*$",
    _LINE_FLAGS,
)
_LETTER_RE = regex.compile(r"\p{L}+")
_NARRATIVE_RE = regex.compile(r"\b(?:был[аио]?|направил\w*|получил\w*|оставил\w*)\b", _I)  # «Претензия была …»
_NAME_RE = regex.compile(r"\p{Lu}\p{Ll}+")
_PART_WORD_RE = regex.compile(r"част", _I)
_LEAD_IN_RE = regex.compile(r"\s*(?:на\s+основании|с\s+уч[её]том|учитывая|в\s+связи\s+с|руководствуясь)", _I)
_SENTENCE_RE = regex.compile(r"\p{L}[^.!?\n]{30,}")


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a document: its span in the output, how it was found and the heading or marker seen."""

    name: str
    start: int
    end: int
    how: str  # "heading" | "content"
    label: str

    @property
    def where(self) -> str:
        return f"output:{self.start}-{self.end}"


@dataclass(frozen=True, slots=True)
class Sections:
    """The parts found in one document (absent parts are None) and the request verb of its demand."""

    parts: dict[str, Part] = field(default_factory=dict)
    demand_verb: str | None = None

    def get(self, name: str) -> Part | None:
        return self.parts.get(name)

    def text(self, source: str, name: str) -> str:
        part = self.parts.get(name)
        return source[part.start:part.end] if part else ""

    @property
    def order(self) -> tuple[str, ...]:
        """Names of the parts found, in the order they start in the document."""
        return tuple(p.name for p in sorted(self.parts.values(), key=lambda p: (p.start, PART_NAMES.index(p.name))))

    header = property(lambda self: self.parts.get("header"))
    parties = property(lambda self: self.parts.get("parties"))
    title = property(lambda self: self.parts.get("title"))
    reasoning = property(lambda self: self.parts.get("reasoning"))
    demand = property(lambda self: self.parts.get("demand"))
    attachments = property(lambda self: self.parts.get("attachments"))
    signature = property(lambda self: self.parts.get("signature"))


def _lines(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((pos, pos + len(body), body))
        pos += len(line)
    return out


def _title(text: str, lines: list[tuple[int, int, str]], agree: bool) -> Part | None:
    head_end = _line_end(text, lines, _HEAD_LINES)
    for m in _TITLE_RE.pick(agree).finditer(text, 0, head_end):
        line = m.group(0).strip()
        if len(line) > 170 or _NARRATIVE_RE.search(line):
            continue
        return Part("title", m.start(), m.end(), HEADING, line)
    return None


def _line_end(text: str, lines: list[tuple[int, int, str]], count: int) -> int:
    """Where the first ``count`` lines end, their line breaks included."""
    if len(lines) <= count:
        return len(text)
    return lines[count][0]


def _block(lines: list[tuple[int, int, str]], pattern: DualPattern, limit: int, name: str, agree: bool) -> Part | None:
    """The run of opening lines (up to ``limit``) that match ``pattern``, with their continuation lines."""
    search, title = pattern.pick(agree).search, _TITLE_RE.pick(agree).match
    header, party = _HEADER_RE.pick(agree).search, _PARTY_RE.pick(agree).search
    first = last = None
    for i, (start, _end, body) in enumerate(lines):
        if start >= limit:
            break
        if search(body):
            if first is None:
                first = i
            last = i
        elif last is not None and i == last + 1 and body.strip() and not title(body):
            # continuation (address, ИНН, phone) of the previous entry
            if not (header(body) or party(body)):
                last = i
    if first is None or last is None:
        return None
    return Part(name, lines[first][0], lines[last][1], CONTENT, lines[first][2].strip()[:80])


def find_sections(text: str, doc_type: DocType = DocType.UNKNOWN) -> Sections:
    """Locate the parts of ``text``; ``doc_type`` decides which request verbs can make up the demand."""
    parts: dict[str, Part] = {}
    if not text.strip():
        return Sections(parts)
    lines = _lines(text)
    agree = engines_agree(text)  # then the `re` forms of the patterns give the same results, faster
    title = _title(text, lines, agree)
    if title:
        parts["title"] = title
    head_limit = title.start if title else (lines[min(len(lines), 15) - 1][1] if lines else 0)
    header = _block(lines, _HEADER_RE, head_limit, "header", agree) if head_limit else None
    if header is None and title is not None:
        header = _addressee(lines, head_limit, agree)
    if header:
        parts["header"] = header
    party_limit = max(head_limit, title.end + 1) if title else head_limit
    parties = _block(lines, _PARTY_RE, party_limit + 600 if title else party_limit, "parties", agree)
    if parties:
        parts["parties"] = parties

    attachments = _attachments_heading(text, title.end if title else 0, agree)
    signature = _signature(lines, agree)
    tail_start = min(p.start for p in (attachments and _part_at("attachments", attachments), signature) if p) \
        if (attachments or signature) else len(text)

    demand, verb = _demand(text, doc_type, title.end if title else 0, tail_start, agree)
    if attachments:
        att_end = signature.start if signature and signature.start > attachments.start() else len(text)
        parts["attachments"] = Part("attachments", attachments.start(), att_end, HEADING, attachments.group(0).strip())
    if signature:
        parts["signature"] = signature

    reasoning = _reasoning(text, parts, demand, tail_start, agree)
    if reasoning:
        parts["reasoning"] = reasoning
    if demand:
        parts["demand"] = demand
    return Sections(parts, verb)


def _attachments_heading(text: str, start: int, agree: bool) -> re.Match[str] | regex.Match | None:
    """The attachments heading: the first one with no demand after it. A list of documents inside the body («Перечень
    документов:» in a motion to add evidence, followed by «ПРОШУ: приобщить …») is not the attachments part."""
    first = None
    demand_line, demand_heading = _DEMAND_LINE_RE.pick(agree).search, _DEMAND_HEADING_RE.pick(agree).search
    for m in _ATTACH_RE.pick(agree).finditer(text, start):
        if first is None:
            first = m
        if not demand_heading(text, m.end()) and not demand_line(text, m.end()):
            return m
    return first


def _addressee(lines: list[tuple[int, int, str]], limit: int, agree: bool) -> Part | None:
    """Opening lines before the parties or the title that name no party: the addressee of a претензия
    («Попову Олегу Олеговичу, г. Самара …») or a court written without «в»."""
    block = []
    title, party = _TITLE_RE.pick(agree).match, _PARTY_RE.pick(agree).search
    for start, end, body in lines:
        if start >= limit or party(body) or title(body):
            break
        if body.strip():
            block.append((start, end, body))
        elif block:
            break
    if not block or len(block) > 6 or any(len(b[2]) > 200 for b in block) \
            or not _NAME_RE.search(block[0][2]):
        return None
    return Part("header", block[0][0], block[-1][1], CONTENT, block[0][2].strip()[:80])


def _part_at(name: str, m: regex.Match | re.Match[str]) -> Part:
    return Part(name, m.start(), m.end(), HEADING, m.group(0).strip())


def _signature(lines: list[tuple[int, int, str]], agree: bool) -> Part | None:
    tail = []  # the last six non-empty lines
    for ln in reversed(lines):
        if ln[2].strip():
            tail.append(ln)
            if len(tail) == 6:
                break
    tail.reverse()
    sign = _SIGN_RE.pick(agree).search
    hits = [ln for ln in tail if len(ln[2].strip()) < 120 and sign(ln[2])]
    if not hits:
        return None
    first = hits[0]
    return Part("signature", first[0], tail[-1][1], CONTENT, first[2].strip()[:80])


def _demand(text: str, doc_type: DocType, start: int, tail_start: int,
            agree: bool) -> tuple[Part | None, str | None]:
    end = tail_start if tail_start > start else len(text)
    heading = None
    for m in _DEMAND_HEADING_RE.pick(agree).finditer(text, start, end):
        if _PART_WORD_RE.search(m.group(0)):
            heading = m  # «РЕЗОЛЮТИВНАЯ / Просительная часть» opens the demand part, whatever follows it
            break
        heading = m  # otherwise the last request heading («ПРОШУ:») before the tail
    if heading is not None:
        # a heading that sits before a reasoning heading is still the demand heading (order is checked by rules)
        verb = _VERB_RE.search(text, heading.start(), end)
        return Part("demand", heading.start(), end, HEADING, heading.group(0).strip()[:80]), \
            (verb.group(0).lower() if verb else None)
    found = None
    for m in _DEMAND_LINE_RE.pick(agree).finditer(text, start, end):
        found = m
        if _LEAD_IN_RE.match(m.group(0)):
            break  # «На основании изложенного … прошу» is the demand; later verb lines belong to it
    if found is None:
        # a request verb inside a sentence in the last two thirds (the demand starts with that sentence)
        found = _VERB_RE.search(text, start + (end - start) // 3, end)
    if found is None and doc_type is DocType.RESPONSE:
        found = _RESPONSE_DEMAND_RE.search(text, start + (end - start) // 3, end)
    if found is None and doc_type is DocType.PRETENSION:
        found = _PRETENSION_DEMAND_RE.search(text, start + (end - start) // 3, end)
    if found is None:
        return None, None
    line_start = text.rfind("\n", 0, found.start()) + 1
    sentence_start = max(text.rfind(c, line_start, found.start()) for c in ".!?") + 1
    if sentence_start > line_start:
        lead = text[sentence_start:found.start()]
        line_start = sentence_start + len(lead) - len(lead.lstrip())
    verb = _VERB_RE.search(text, line_start, found.end())
    line_end = text.find("\n", line_start)
    label = text[line_start:line_end if line_end >= 0 else len(text)].strip()[:80]
    return Part("demand", line_start, end, CONTENT, label), (verb.group(0).lower() if verb else None)


def _reasoning(text: str, parts: dict[str, Part], demand: Part | None, tail_start: int,
               agree: bool) -> Part | None:
    heading = _REASONING_HEADING_RE.pick(agree).search(text)
    if heading is not None:
        end = demand.start if demand and demand.start > heading.start() else tail_start
        if end <= heading.start():
            end = len(text)
        return Part("reasoning", heading.start(), end, HEADING, heading.group(0).strip()[:80])
    opening_end = max((p.end for n, p in parts.items() if n in ("header", "parties", "title")), default=0)
    end = demand.start if demand else tail_start
    if end <= opening_end:
        return None
    body = text[opening_end:end]
    if not _SENTENCE_RE.search(body):
        return None
    lead = len(body) - len(body.lstrip())
    return Part("reasoning", opening_end + lead, end, CONTENT, body.strip()[:80])


def letters(text: str) -> int:
    """How many letters ``text`` holds (the measure of a part's substance, independent of spacing)."""
    return count_letters(text)  # = sum(map(len, _LETTER_RE.findall(text))), by table lookup


def upper_titles(text: str) -> list[tuple[int, int, str]]:
    """(start, end, line) of every title line written in capitals («ИСКОВОЕ ЗАЯВЛЕНИЕ», «ПРЕТЕНЗИЯ»), not counting
    request verbs («ХОДАТАЙСТВУЮ:»). A complete document has at most one (measured: 0 or 1 in every kept record of
    the sample corpus and in every base document)."""
    out = []
    for m in _TITLE_RE.for_text(text).finditer(text):
        word = m.group("title")
        line = m.group(0).strip()
        if word.upper() == word and len(line) <= 120 and not _VERB_RE.search(word):
            out.append((m.start(), m.end(), line))
    return out


def second_document_start(text: str) -> tuple[int, str] | None:
    """Where a second document begins: a capitals title after the first one, with an opening (court or addressee)
    in the lines just before it — two filings glued into one output. None for a single document."""
    titles = upper_titles(text)
    if len(titles) < 2:
        return None
    header = _HEADER_RE.for_text(text).match
    for (_, prev_end, _), (start, _, line) in zip(titles, titles[1:]):
        window_start = max(prev_end, start - 800)
        for ln in text[window_start:start].splitlines():
            if header(ln):
                return start, line
    return None
