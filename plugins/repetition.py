"""Artefact rule: degenerate repetition — the loops a small model falls into (a paragraph, a demand item or a
phrase written over and over), which a model trained on them learns to write.

Modelled on the Gopher repetition filters (Rae et al. 2021; datatrove's ``GopherRepetitionFilter``), adapted to
legal documents, which are formulaic («взыскать с ответчика в пользу истца …») and repeat party names: repeated
long lines, a span written back to back (found in the same pass over word 10-grams as the share of repeated
passages), and that share with a limit well above what complete documents reach (29 hand-written documents and
442 kept sample records: at most 0.37) and below what loops reach (0.5). Gopher's «most frequent 4-gram» share is
left out: a four-word company name mentioned twenty times reaches it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.legal.sections import HEADING

FAMILY = "artefacts"
_LIST_MARK_RE = re.compile(r"^\s*(?:\d{1,3}[.)]|[-–—•*])\s*")  # «3. Взыскать …» repeats «2. Взыскать …»
_MARK_STARTS = frozenset("-–—•*")


def repeated_lines(text: str, min_chars: int) -> tuple[int, int, int, str]:
    """(lines of at least ``min_chars`` characters, how many repeat an earlier one, the most copies of one line,
    that line); lines compare case-folded and without their list number or dash."""
    counts: Counter[str] = Counter()
    for line in text.splitlines():
        body = line.strip()
        if body[:1] in _MARK_STARTS or body[:1].isdecimal():  # only then can the list mark match
            body = _LIST_MARK_RE.sub("", body).strip()
        body = body.casefold()
        if len(body) >= min_chars:
            counts[body] += 1
    if not counts:
        return 0, 0, 0, ""
    line, most = counts.most_common(1)[0]
    total = sum(counts.values())
    return total, total - len(counts), most, line


@dataclass(frozen=True, slots=True)
class Passages:
    """What one pass over the word ``n``-grams finds: the share of characters inside an n-gram seen before, and the
    longest back-to-back repetition («X X X …» of a ``period``-word span, ``copies`` times, from word ``start``)."""

    repeated_share: float
    period: int = 0
    copies: int = 0
    start: int = 0


_GRAM_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier of the n-gram hash


def repeated_passages(words: list[str], n: int = 10) -> Passages:
    """One pass: each n-gram is compared with its previous occurrence. Repeated n-grams at consecutive positions,
    each ``d`` words after its previous occurrence, are a span of period ``d`` written back to back: ``run`` such
    positions cover ``run + n - 1 + d`` words, ``(run + n - 1) // d + 1`` copies.

    The previous occurrences come from a 64-bit hash of each n-gram, sorted (numpy; ~6x faster than a dict of word
    tuples); every pair the hashes pair up is confirmed word for word, and the exact pass takes over in the
    vanishingly rare case of a collision, so the result is always that of comparing the words themselves."""
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    total = int(lengths.sum())
    if total == 0 or len(words) <= n:
        return Passages(0.0)
    m = len(words) - n + 1
    ids = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)
    grams = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            grams = grams * _GRAM_BASE + ids[k:k + m]
    order = np.argsort(grams, kind="stable")  # equal hashes keep their positions in order
    same = grams[order[1:]] == grams[order[:-1]]
    if not same.any():
        return Passages(0.0)
    previous = np.full(m, -1, dtype=np.int64)
    previous[order[1:][same]] = order[:-1][same]
    positions = np.flatnonzero(previous >= 0)
    pairs = list(zip(positions.tolist(), previous[positions].tolist()))
    if any(words[i:i + n] != words[j:j + n] for i, j in pairs):
        return _repeated_passages_exact(words, n)
    covered = np.zeros(len(words) + 1, dtype=np.int32)
    covered[positions] += 1
    covered[positions + n] -= 1
    share = int(lengths[np.cumsum(covered[:-1]) > 0].sum()) / total
    best = (0, 0, 0)  # copies, period, start
    run = run_d = 0
    last = -2
    for i, j in pairs:
        d = i - j
        if run and i == last + 1 and d == run_d:
            run += 1
        else:
            run, run_d = 1, d
        last = i
        copies = (run + n - 1) // d + 1
        if copies > best[0]:
            best = (copies, d, i - run + 1 - d)
    return Passages(share, best[1], best[0], best[2])


def _repeated_passages_exact(words: list[str], n: int) -> Passages:
    """`repeated_passages` over a dict of word tuples: the definition, and the fallback on a hash collision."""
    total = sum(map(len, words))
    if total == 0 or len(words) <= n:
        return Passages(0.0)
    last: dict[tuple[str, ...], int] = {}
    covered = bytearray(len(words))
    best = (0, 0, 0)  # copies, period, start
    run = run_d = 0
    for i, gram in enumerate(zip(*(words[j:] for j in range(n)))):
        j = last.get(gram)
        last[gram] = i
        if j is None:
            run = 0
            continue
        covered[i:i + n] = b"\x01" * n
        d = i - j
        if run and d == run_d:
            run += 1
        else:
            run, run_d = 1, d
        copies = (run + n - 1) // d + 1
        if copies > best[0]:
            best = (copies, d, i - run + 1 - d)
    share = sum(len(w) for w, c in zip(words, covered) if c) / total
    return Passages(share, best[1], best[0], best[2])


class Repetition(Rule):
    """The output loops: a long line repeated (``max_line_copies``), repeated lines taking too large a share
    (``max_repeated_lines``), a span of words written back to back ``min_loop_copies`` times or more over at least
    ``min_loop_words`` words, or repeated passages of 10+ words covering ``max_repeated_passages`` of the text.

    A name or formula that recurs through a document («ООО Торговый дом «Восток»», «взыскать с ответчика в пользу
    истца») is no loop; the same words written back to back are.

    Bad: ``… Согласно ст. 309 ГК РФ обязательства должны исполняться надлежащим образом …`` written twelve times;
    ``2. Взыскать госпошлину.\\n3. Взыскать госпошлину.\\n…``; «в соответствии с условиями договора в соответствии с
    условиями договора в соответствии с …».
    A demand item written twice asks for the same thing twice («1. Взыскать … 180 000 руб.» … «3. Взыскать …
    180 000 руб.»).
    Good: a claim whose demand items differ, even if each starts «Взыскать с ответчика в пользу истца …».
    """

    code = "LF608"
    name = "repetition"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        min_line_chars: int = 40  # shorter lines («Приложения:», a signature) may repeat
        max_line_copies: int = 2  # copies of one long line
        max_repeated_lines: float = 0.2  # share of long lines that repeat an earlier one
        min_loop_copies: int = 3  # back-to-back copies of a span that make a loop …
        min_loop_words: int = 20  # … when they cover this many words
        max_repeated_passages: float = 0.45  # share in repeated 10-word passages (Gopher: 0.10; legal formulas recur)

    def measure(self, doc: Document) -> dict[str, float]:
        lines, repeats, copies, _ = repeated_lines(doc.output, self.t.min_line_chars)
        passages = repeated_passages(doc.words)
        return {"line_copies": float(copies), "repeated_lines": repeats / max(lines, 1),
                "loop_copies": float(passages.copies), "loop_words": float(passages.copies * passages.period),
                "repeated_passages": passages.repeated_share}

    def check(self, doc: Document) -> list[Finding]:
        t = self.t
        lines, repeats, copies, line = repeated_lines(doc.output, t.min_line_chars)
        if copies > t.max_line_copies or (lines and repeats / lines > t.max_repeated_lines):
            return [self.finding("repeated-lines", f"{repeats} of {lines} lines repeat earlier ones; «{line[:60]}» "
                                 f"{copies} times", "output")]
        p = repeated_passages(doc.words)
        if p.copies >= t.min_loop_copies and p.copies * p.period >= t.min_loop_words:
            span = " ".join(doc.words[p.start:p.start + p.period])
            return [self.finding("repeated-phrase", f"«{span[:60]}» written {p.copies} times in a row", "output")]
        if p.repeated_share > t.max_repeated_passages:
            return [self.finding("repeated-passages", f"{p.repeated_share:.0%} of the text repeats passages of 10+ "
                                 "words", "output")]
        twice = repeated_demand_item(doc, t.min_line_chars)
        if twice:
            return [self.finding("repeated-demand-item", f"the demand asks twice for «{twice[:70]}»", "output")]
        return []


_ITEM_NUMBER_RE = re.compile(r"^[ \t]*(?:\d{1,2}[.)]|[-–—•])[ \t]*")


def repeated_demand_item(doc: Document, min_chars: int) -> str | None:
    """An item of the demand written twice (numbered differently): «1. Взыскать … 180 000 руб.» and «3. Взыскать …
    180 000 руб.» ask the court for the same money twice."""
    demand = doc.sections.text(doc.output, "demand")
    if not demand:
        return None
    part = doc.sections.demand
    if part.how == HEADING:
        # A loop may write the whole demand block twice («ПРОШУ: 1. … 2. …» and again «ПРОШУ: 1. … 2. …»); the
        # demand part is the last one, so read from the first copy of its heading.
        first = doc.output.rfind("\n" + part.label, 0, part.start)
        while first >= 0:
            earlier = doc.output.rfind("\n" + part.label, 0, first)
            if earlier < 0:
                break
            first = earlier
        if first >= 0:
            demand = doc.output[first:part.end]
    seen: set[str] = set()
    for line in demand.split("\n"):
        item = " ".join(_ITEM_NUMBER_RE.sub("", line).split()).rstrip(".;").casefold()
        if len(item) < min_chars:
            continue
        if item in seen:
            return item
        seen.add(item)
    return None


@hookimpl
def legalft_rules():
    return [Repetition]
