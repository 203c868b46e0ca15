"""Who the sides of a filing are: the names after «Истец:», «Ответчик:», «Взыскатель:», «Должник:».

Several rules ask (LF111 party-confusion, LF112 wrong-court); `Document.party_names` reads them once per record.
"""

from __future__ import annotations

import re

import regex

# «Истец: Королёв Андрей Викторович,» — the label of a side and the name after it (or on the next line).
_SIDE_RE = re.compile(  # stdlib `re`: a plain line-anchored scan, several times faster than `regex` here
    r"^[ \t]*(?P<label>(?:административн\w+\s+)?(?:истец|истица|ответчик|ответчица)|взыскатель|должник)"
    r"[ \t]*(?:\([^)\n]{0,40}\))?[ \t]*:[ \t]*(?P<name>[^\n]*)(?:\n[ \t]*(?P<next>[^\n]*))?",
    re.IGNORECASE | re.MULTILINE,
)
_CLAIMANT_LABELS = ("истец", "истица", "взыскатель")
_NAME_WORD_RE = regex.compile(r"[\p{L}][\p{L}.\-]*")
HEAD_CHARS = 3000  # where the sides are named


def _side_name(m: re.Match[str]) -> str:
    """The name after a side's label, folded: «Общество … «СибФасадСтрой»,» and «ООО «СибФасадСтрой»» differ,
    but the same person written twice is the same string."""
    name = m.group("name").strip() or (m.group("next") or "").strip()
    following = (m.group("next") or "").strip()
    if m.group("name").strip() and "«" not in name and following[:1].islower():
        name += " " + following  # «Истец: Общество с ограниченной» / «ответственностью «УралМеталлСнаб»»
    name = regex.split(r"[,;(]|\s(?:адрес|проживающ|зарегистрированн|дата|ИНН|ОГРН|паспорт)", name, maxsplit=1)[0]
    words = _NAME_WORD_RE.findall(name.casefold().replace("ё", "е"))
    return " ".join(words[:10])


def parties_by_side(text: str) -> tuple[list[str], list[str]]:
    """The names given for the claimant side (истец, взыскатель) and the other side (ответчик, должник)."""
    claimants, others = [], []
    for m in _SIDE_RE.finditer(text, 0, min(len(text), HEAD_CHARS)):
        name = _side_name(m)
        if len(name.replace(" ", "")) < 5:
            continue
        label = m.group("label").casefold().split()[-1]
        (claimants if label in _CLAIMANT_LABELS else others).append(name)
    return claimants, others
