"""Which kind of procedural document a model output is.

The document's own title decides first («ИСКОВОЕ ЗАЯВЛЕНИЕ», «ПРЕТЕНЗИЯ», «ХОДАТАЙСТВО» …, in any case, on a line of
its own near the top); without a title the instruction that asked for it («Составь претензию …»); then content
markers (``Взыскатель:`` / ``Должник:``, «ПРОШУ СУД», «ТРЕБУЮ»). An исковое заявление is an arbitration claim when
its header names an arbitrazh court (or the instruction asks for one).
"""

from __future__ import annotations

import re

import regex

from legal_ft.legal.doctypes import DocType
from legal_ft.legal.fastre import DualPattern

_HEAD_CHARS = 2500

# A title: at the start of a short line, optionally with «о …»/«на …» after it. A line-anchored scan: `re` where it
# agrees with `regex` (legal_ft.legal.fastre).
_TITLE_RE = DualPattern(
    r"^[ \t]*(?P<title>"
    r"(?P<appeal>(?:апелляционн|кассационн|частн)\w*\s+жалоб\w*|жалоб\w*)"
    r"|(?P<response>отзыв\w*|возражени[ея]\w*)"
    r"|(?P<order>заявлени\w*\s+о\s+(?:вынесении|выдаче)\s+судебного\s+приказа)"
    r"|(?P<claim>(?:уточн[её]нн\w+\s+|встречн\w+\s+|административн\w+\s+)?исков\w+\s+заявлени\w*"
    r"|(?:встречн\w+\s+)?иск\b)"
    # «ОБРАЩЕНИЕ» to the financial ombudsman (ст. 25 ФЗ-123) is the pre-trial step of insurance disputes
    r"|(?P<pretension>(?:досудебн\w+\s+)?претензи\w*|требовани\w*(?=\s*(?:$|о\s|об\s|\())"
    r"|обращени[ея](?=\s*(?:$|о\s|об\s)))"
    r"|(?P<motion>ходатайств\w*|заявлени\w*(?=\s+(?:о|об)\s|\s*\(\s*ходатайств))"  # «ЗАЯВЛЕНИЕ (ХОДАТАЙСТВО)»
    r")(?=[\s:.(]|$)[^\n]{0,160}$",
    re.IGNORECASE | re.MULTILINE,
)
_NARRATIVE_RE = regex.compile(r"\b(?:был[аио]?|направил\w*|получил\w*|оставил\w*)\b", regex.I)
_ARBITRAZH_RE = regex.compile(r"Арбитражн\w+\s+суд|\bАС\s+г\.|\bИНН\b[^\n]*\bОГРН\b", regex.IGNORECASE)
_ARBITRAZH_COURT_RE = regex.compile(r"Арбитражн\w+\s+суд", regex.IGNORECASE)

_INSTRUCTION_RULES: tuple[tuple[regex.Pattern[str], DocType], ...] = tuple(
    (regex.compile(p, regex.IGNORECASE), t)
    for p, t in (
        (r"судебн\w+\s+приказ", DocType.COURT_ORDER),
        (r"апелляц|кассац|частн\w+\s+жалоб|\bжалоб", DocType.APPEAL),
        (r"отзыв|возражени", DocType.RESPONSE),
        (r"претензи|досудебн\w+\s+требовани", DocType.PRETENSION),
        (r"ходатайств|заявлени\w+\s+о\s+(?:восстановлении|отложении|обеспечении|назначении|приобщении|истребовании)",
         DocType.MOTION),
        (r"арбитраж\w*\s+суд|в\s+арбитраж|исков\w+\s+заявлени\w+\s+в\s+арбитраж", DocType.ARBITRATION_CLAIM),
        (r"исков|\bиск\b|\bиска\b", DocType.CLAIM),
    )
)

_CONTENT_RULES: tuple[tuple[regex.Pattern[str], DocType], ...] = (
    (regex.compile(r"^\s*Взыскатель\s*:.*?^\s*Должник\s*:", regex.MULTILINE | regex.DOTALL | regex.IGNORECASE),
     DocType.COURT_ORDER),
    (regex.compile(r"судебн\w+\s+приказ", regex.IGNORECASE), DocType.COURT_ORDER),
    (regex.compile(r"^\s*(?:Истец|Ответчик)\s*:", regex.MULTILINE | regex.IGNORECASE), DocType.CLAIM),
    (regex.compile(r"ПРОШУ\s+СУД|прошу\s+суд\b", regex.IGNORECASE), DocType.CLAIM),
    (regex.compile(r"\bТРЕБУ(?:Ю|ЕМ)\b"), DocType.PRETENSION),
)


def _title_type(head: str) -> DocType | None:
    for m in _TITLE_RE.for_text(head).finditer(head):
        line = m.group(0).strip()
        # A title is short and not an ordinary sentence («Претензия была направлена …» is not a title).
        if len(line) > 170 or _NARRATIVE_RE.search(line):
            continue
        for name, doc_type in (("appeal", DocType.APPEAL), ("response", DocType.RESPONSE),
                               ("order", DocType.COURT_ORDER), ("claim", DocType.CLAIM),
                               ("pretension", DocType.PRETENSION), ("motion", DocType.MOTION)):
            if m.group(name):
                return doc_type
    return None


def title_doc_type(output: str) -> DocType | None:
    """The type the output's own title names («ПРЕТЕНЗИЯ», «ИСКОВОЕ ЗАЯВЛЕНИЕ» …), or None without a title."""
    return _title_type(output[:_HEAD_CHARS])


# What an instruction asks for: the type word that comes first («Составь возражения на апелляционную жалобу» asks
# for возражения, not a жалоба; «Составь претензию перед подачей иска» for a претензия).
_REQUEST_RE = regex.compile(
    r"(?P<court_order>(?:заявлени\w*\s+о\s+(?:вынесении|выдаче)\s+)?судебн\w+\s+приказ)"
    r"|(?P<response>отзыв|возражени)"
    r"|(?P<appeal>апелляционн\w*\s+жалоб|кассационн\w*\s+жалоб|частн\w+\s+жалоб|\bжалоб)"
    r"|(?P<pretension>претензи|досудебн\w+\s+требовани)"
    r"|(?P<motion>ходатайств|заявлени\w*\s+об?\s)"  # «заявление о/об …», as a title reads (court orders aside)
    r"|(?P<claim>исков\w*\s+заявлени|\bиск\b|\bиска\b|\bисков\w*)",
    regex.IGNORECASE,
)


def requested_doc_type(instruction: str) -> DocType | None:
    """The document type an instruction asks for (its first type word), or None when it names none."""
    m = _REQUEST_RE.search(instruction or "")
    if m is None:
        return None
    kind = DocType(m.lastgroup)
    if kind is DocType.CLAIM and _ARBITRAZH_RE.search(instruction):
        return DocType.ARBITRATION_CLAIM
    return kind


def detect_doc_type(output: str, instruction: str = "") -> DocType:
    """The document type of ``output`` (helped by ``instruction``); `DocType.UNKNOWN` when nothing says."""
    head = output[:_HEAD_CHARS]
    found = _title_type(head)
    if found is None:
        for pattern, doc_type in _INSTRUCTION_RULES:
            if pattern.search(instruction or ""):
                found = doc_type
                break
    if found is None:
        for pattern, doc_type in _CONTENT_RULES:
            if pattern.search(head if doc_type is not DocType.CLAIM else output):
                found = doc_type
                break
    if found is None:
        return DocType.UNKNOWN
    if found is DocType.CLAIM and (_ARBITRAZH_COURT_RE.search(head[:800]) or
                                   _ARBITRAZH_RE.search(instruction or "")):
        return DocType.ARBITRATION_CLAIM
    return found
