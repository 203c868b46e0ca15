"""Artefact rule: markdown formatting left in the document (the `strip-markdown` normaliser removes what it
safely can: bold, headings, fences, tables, links). Numbered and dashed lists are document formatting, not
markdown."""

from __future__ import annotations

from dataclasses import dataclass

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.legal.artefacts import (
    MARKDOWN_ANCHORS,
    MARKDOWN_KINDS,
    MD_RULE_RE,
    MD_RULE_TRIGGER,
)

FAMILY = "artefacts"


def markdown_marks(text: str) -> list[tuple[str, int, int, str]]:
    out = []
    for (kind, pattern), anchors in zip(MARKDOWN_KINDS, MARKDOWN_ANCHORS, strict=True):
        if not any(a in text for a in anchors) or (pattern is MD_RULE_RE and not MD_RULE_TRIGGER.search(text)):
            continue  # cannot match: skip the scan
        out.extend((kind, m.start(), m.end(), m.group(0)) for m in pattern.finditer(text))
    return sorted(out, key=lambda f: f[1])


class Markdown(Rule):
    """Markdown syntax in the output: ``**bold**``, ``## heading``, ````` fences, ``| table |`` rows, ``[link](url)``;
    and HTML tags the `strip-html` normaliser does not know (``<img …>``, ``<script>``).

    Bad: ``## ИСКОВОЕ ЗАЯВЛЕНИЕ\\n**Истец:** Иванов И.И.``
    Good: ``ИСКОВОЕ ЗАЯВЛЕНИЕ\\nИстец: Иванов И.И.\\n1. Взыскать …\\n- копия договора``
    """

    code = "LF607"
    name = "markdown"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        max_marks: int = 0

    def measure(self, doc: Document) -> dict[str, float]:
        return {"markdown_marks": float(len(markdown_marks(doc.output)))}

    def check(self, doc: Document) -> list[Finding]:
        marks = markdown_marks(doc.output)
        if len(marks) > self.t.max_marks:
            kind, s, e, text = marks[0]
            more = f" (and {len(marks) - 1} more)" if len(marks) > 1 else ""
            return [self.finding(kind, f"markdown {kind} «{text.strip()[:60]}»{more}", f"output:{s}-{e}")]
        return []


@hookimpl
def legalft_rules():
    return [Markdown]
