"""Artefact rule: the output repeats the input (or the instruction) instead of writing a document from it."""

from __future__ import annotations

from dataclasses import dataclass

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.cleaning.dedup import words_of

FAMILY = "artefacts"


def shingles(words: list[str], size: int) -> set[tuple[str, ...]]:
    """The word ``size``-grams of ``words`` (one shorter gram when there are fewer words)."""
    if not words:
        return set()
    if len(words) < size:
        return {tuple(words)}
    return set(zip(*(words[i:] for i in range(size))))


class Echo(Rule):
    """The output is (mostly) a copy of the input or the instruction: most of its word shingles occur there.

    A document may quote the facts it was given; it may not *be* them. ``containment`` is the share of the
    output's word ``shingle_size``-grams found in the input (or the instruction). Words are those of the
    near-duplicate check (`Document.words`: case-folded ``\\w+`` runs), tokenised once per document.

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

    def _sources(self, doc: Document) -> list[list[str]]:
        return [w for w in (words_of(s) for s in (doc.input, doc.instruction) if s.strip()) if w]

    def _containment(self, doc: Document, sources: list[list[str]]) -> float:
        size = self.t.shingle_size
        out = shingles(doc.words, size)
        if not out:
            return 0.0
        return max(len(out & shingles(s, size)) / len(out) for s in sources)

    def _bound(self, doc: Document, sources: list[list[str]]) -> float:
        """An upper bound of the containment from word sets alone (no shingles built).

        Every shared shingle is a source shingle that starts at an output position whose word the source has, so
        ``shared <= min(source shingles, such positions)``; the output has at least ``distinct words - size + 1``
        distinct shingles (each distinct word begins one, but for the last ``size - 1`` positions)."""
        size = self.t.shingle_size
        words = doc.words
        floor = len(set(words)) - size + 1
        if floor <= 0:
            return 1.0
        bound = 0.0
        for source in sources:
            shared = max(len(source) - size + 1, 1)  # the source's shingles: usually far fewer than the output's
            if shared > self.t.max_containment * floor:
                vocabulary = set(source)
                shared = min(shared, sum(1 for w in words if w in vocabulary))
            bound = max(bound, shared / floor)
        return bound

    def measure(self, doc: Document) -> dict[str, float]:
        sources = self._sources(doc)
        return {"containment": self._containment(doc, sources) if sources else 0.0}

    def check(self, doc: Document) -> list[Finding]:
        sources = self._sources(doc)
        if not sources or self._bound(doc, sources) <= self.t.max_containment:
            return []  # most documents: their words alone show they cannot be a copy
        c = self._containment(doc, sources)
        if c > self.t.max_containment:
            start = " ".join(doc.output.split())[:60]
            return [self.finding("echo", f"{c:.0%} of the output repeats the input/instruction: «{start}…»",
                                 "output")]
        return []


@hookimpl
def legalft_rules():
    return [Echo]
