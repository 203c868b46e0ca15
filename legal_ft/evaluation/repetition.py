"""How much a set of documents repeats itself — the seed's sign of overfitting, «модель начинает повторять шаблоны».

Words are lower-cased ``\\w+`` runs; an n-gram is ``n`` consecutive words. Three shares, all in [0, 1]:

* ``repeated``: of all n-gram occurrences in all documents, the share that repeats one seen before
  (``1 - distinct / total``). An overfit model that writes every document from one template scores high.
* ``within_document``: the same measured inside each document and averaged (a model looping in one document).
* ``cross_document``: of the distinct n-grams, the share that occurs in more than one document.

Legal documents share a lot of boilerplate («На основании изложенного, прошу»), so the numbers mean something
only next to the reference documents' numbers, which the eval report shows beside them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import regex

_WORD = regex.compile(r"\w+")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


@dataclass(frozen=True, slots=True)
class RepetitionStats:
    n: int
    documents: int
    total_ngrams: int
    repeated: float
    within_document: float
    cross_document: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def repetition_stats(texts: Iterable[str], n: int = 4) -> RepetitionStats:
    """Repetition shares of ``texts`` for word ``n``-grams (see the module docstring)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    occurrences: Counter[tuple[str, ...]] = Counter()
    doc_frequency: Counter[tuple[str, ...]] = Counter()
    within: list[float] = []
    documents = 0
    for text in texts:
        documents += 1
        grams = ngrams(words(text), n)
        if not grams:
            continue
        distinct = set(grams)
        within.append(1 - len(distinct) / len(grams))
        occurrences.update(grams)
        doc_frequency.update(distinct)
    total = sum(occurrences.values())
    repeated = 1 - len(occurrences) / total if total else 0.0
    cross = sum(1 for c in doc_frequency.values() if c > 1) / len(doc_frequency) if doc_frequency else 0.0
    return RepetitionStats(
        n=n,
        documents=documents,
        total_ngrams=total,
        repeated=repeated,
        within_document=sum(within) / len(within) if within else 0.0,
        cross_document=cross,
    )
