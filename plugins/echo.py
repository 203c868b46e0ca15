"""Artefact rule: the output repeats the input (or the instruction) instead of writing a document from it."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl

FAMILY = "artefacts"
_WORD_RE = regex.compile(r"[\p{L}\p{N}]+")


def shingles(text: str, size: int) -> set[tuple[str, ...]]:
    words = _WORD_RE.findall(text)
    if not words:
        return set()
    # Lower-case all words in one call: a space is neither cased nor case-ignorable, so each word is lowered
    # exactly as on its own (str.lower's only context rule, the final sigma, looks no further than the word).
    words = " ".join(words).lower().split(" ")
    if len(words) < size:
        return {tuple(words)}
    return set(zip(*(words[i:] for i in range(size))))


class Echo(Rule):
    """The output is (mostly) a copy of the input or the instruction: most of its word shingles occur there.

    A document may quote the facts it was given; it may not *be* them. ``containment`` is the share of the
    output's word ``shingle_size``-grams found in the input (or the instruction).

    Bad: input ``Истец заключил договор … деньги не вернул.`` → output the same text.
    Good: a claim built from those facts, with header, grounds and demand.
    """

    code = "LF604"
    name = "echo"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        max_containment: float = 0.6
        shingle_size: int = 4

    def measure(self, doc: Document) -> dict[str, float]:
        sources = [shingles(s, self.t.shingle_size) for s in (doc.input, doc.instruction) if s.strip()]
        sources = [s for s in sources if s]
        if not sources:
            return {"containment": 0.0}
        out = shingles(doc.output, self.t.shingle_size)
        if not out:
            return {"containment": 0.0}
        return {"containment": max(len(out & s) / len(out) for s in sources)}

    def check(self, doc: Document) -> list[Finding]:
        c = self.measure(doc)["containment"]
        if c > self.t.max_containment:
            start = " ".join(doc.output.split())[:60]
            return [self.finding("echo", f"{c:.0%} of the output repeats the input/instruction: «{start}…»",
                                 "output")]
        return []


@hookimpl
def legalft_rules():
    return [Echo]
