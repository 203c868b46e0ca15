"""Artefact rules: model chatter left in the output (LF601) and refusals (LF602).

The `strip-chatter` normaliser removes chatter lines before and after a complete document; what these rules see
is chatter that remains — inside the document or instead of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.legal.artefacts import (
    CHATTER_ANYWHERE_GUARD,
    CHATTER_ANYWHERE_RE,
    CHATTER_LEAD_RE,
    CHATTER_TRAIL_RE,
    REFUSAL_GUARD,
    REFUSAL_RE,
    fold,
)

FAMILY = "artefacts"


# The line patterns, applied to every line of a text in one scan.
_LINE_RES = tuple(regex.compile(r"^[ \t]*(?:" + p.pattern.rstrip("$") + r")[ \t]*$", p.flags | regex.MULTILINE)
                  for p in (CHATTER_LEAD_RE, CHATTER_TRAIL_RE))


_NONEMPTY_LINE_RE = regex.compile(r"^[ \t]*\S[^\n]*", regex.MULTILINE)
EDGE_LINES = 3  # opening and closing chatter sits in the first / last lines


# `regex`'s \s (Python's str.isspace differs on U+001C-U+001F): what `_NONEMPTY_LINE_RE` cannot start with.
_SPACE_CHARS = frozenset("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                         "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _nonempty(line: str) -> bool:
    """Whether ``line`` matches `_NONEMPTY_LINE_RE`: after spaces and tabs, a character that is not white space."""
    rest = line.lstrip(" \t")
    return bool(rest) and rest[0] not in _SPACE_CHARS


def _edges(text: str) -> tuple[int, int]:
    """End of the first EDGE_LINES non-empty lines, start of the last EDGE_LINES (as `_NONEMPTY_LINE_RE` finds
    lines; only the lines at both ends are looked at, not the whole text)."""
    head: list[tuple[int, int]] = []
    pos = 0
    while pos <= len(text) and len(head) < EDGE_LINES:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        if _nonempty(text[pos:end]):
            head.append((pos, end))
        pos = end + 1
    if not head:
        return 0, len(text)
    tail: list[int] = []
    end = len(text)
    while end >= 0 and len(tail) < EDGE_LINES:
        start = text.rfind("\n", 0, end) + 1
        if _nonempty(text[start:end]):
            tail.append(start)
        end = start - 1
    return head[-1][1], tail[-1]


def chatter_spans(text: str, folded: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, text) of chatter: unmistakable phrases anywhere, opening lines («Конечно! Вот …») among the
    first lines and closing lines («Надеюсь, это поможет») among the last — a document's own «Обратите внимание,
    что …» in the middle is not chatter. ``folded``: ``fold(text)`` (`Document.folded`) when the caller has it."""
    if CHATTER_ANYWHERE_GUARD.possible(fold(text) if folded is None else folded):
        spans = [(m.start(), m.end(), m.group(0)) for m in CHATTER_ANYWHERE_RE.finditer(text)]
    else:
        spans = []
    head_end, tail_start = _edges(text)
    for line_re, lo, hi in ((_LINE_RES[0], 0, head_end), (_LINE_RES[1], tail_start, len(text))):
        for m in line_re.finditer(text, lo, hi):
            if not any(s < m.end() and m.start() < e for s, e, _ in spans):
                spans.append((m.start(), m.end(), m.group(0).strip()))
    return sorted(spans)


class ModelChatter(Rule):
    """The output holds a chat model's talk rather than only the document: «Как языковая модель…», «Конечно! Вот
    ваш документ:», «Надеюсь, это поможет» inside the document or instead of it.

    Bad: ``ИСКОВОЕ ЗАЯВЛЕНИЕ … Как языковая модель, я не могу гарантировать … ПРОШУ СУД …``
    Good: the document alone (chatter around a complete document is stripped by the `strip-chatter` normaliser).
    """

    code = "LF601"
    name = "model-chatter"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        max_chatter: int = 0  # chatter phrases tolerated

    def measure(self, doc: Document) -> dict[str, float]:
        return {"chatter": float(len(chatter_spans(doc.output, doc.folded)))}

    def check(self, doc: Document) -> list[Finding]:
        spans = chatter_spans(doc.output, doc.folded)
        if len(spans) > self.t.max_chatter:
            s, e, text = spans[0]
            more = f" (and {len(spans) - 1} more)" if len(spans) > 1 else ""
            return [self.finding("chatter", f"model chatter in the output: «{' '.join(text.split())[:80]}»{more}",
                                 f"output:{s}-{e}")]
        return []


class Refusal(Rule):
    """The model refused or apologised instead of writing the document.

    Bad: ``Извините, но я не могу составить исковое заявление без полного описания обстоятельств.``
    Good: the document itself.
    """

    code = "LF602"
    name = "refusal"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        pass

    def check(self, doc: Document) -> list[Finding]:
        m = REFUSAL_RE.search(doc.output) if REFUSAL_GUARD.possible(doc.folded) else None
        if m:
            return [self.finding("refusal", f"the model refused: «{m.group(0)}»", f"output:{m.start()}-{m.end()}")]
        return []


@hookimpl
def legalft_rules():
    return [ModelChatter, Refusal]
