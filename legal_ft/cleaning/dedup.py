"""Exact and near-duplicate detection over normalised outputs.

Exact: a 16-byte BLAKE2 digest of the output with case and whitespace folded. Near: MinHash over word shingles
with LSH banding, through `rensa` (a Rust MinHash). Measured on 2,000 outputs of ~700 words, 128 permutations,
threshold 0.8, one core: datasketch 2.0 MinHash+LSH 0.69 ms/record, rensa 0.5 RMinHash+RMinHashLSH 0.057 ms/record
(12x faster; shingling in Python, 0.25 ms, is then the larger part). Signatures are computed where the record is
checked (worker processes with --workers); the index and its decisions stay in the parent, in input order, so the
first record of a cluster is always the one kept.

Memory holds only the index: one signature per kept record (~0.6 KB) plus one digest per kept record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import regex

from legal_ft.cleaning.ruleset import DedupSettings

_WORD_RE = regex.compile(r"\w+")
MINHASH_SEED = 20240601


def exact_key(text: str) -> bytes:
    """Identity of an output for exact dedup: case-folded, whitespace-collapsed, hashed."""
    folded = " ".join(text.casefold().split())
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=16).digest()


def shingles(text: str, size: int) -> list[str]:
    words = _WORD_RE.findall(text.casefold())
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[j:] for j in range(size)), strict=False)))


def signature(text: str, settings: DedupSettings) -> Any | None:
    """A MinHash signature of the output's word shingles, or None for an output without words."""
    import rensa

    tokens = shingles(text, settings.shingle_size)
    if not tokens:
        return None
    sig = rensa.RMinHash(num_perm=settings.num_perm, seed=MINHASH_SEED)
    sig.update(tokens)
    return sig


@dataclass(frozen=True, slots=True)
class DedupVerdict:
    """``kind`` is None (first of its kind), "duplicate" or "near-duplicate"; ``of`` is the index of the first."""

    kind: str | None
    of: int | None = None
    similarity: float = 1.0


class Deduplicator:
    """Input-order dedup: the first record of each cluster stays; later ones point back to it."""

    def __init__(self, settings: DedupSettings) -> None:
        self.settings = settings
        self._exact: dict[bytes, int] = {}
        self._signatures: dict[int, Any] = {}
        self._lsh = None
        if settings.near:
            import rensa

            self._lsh = rensa.RMinHashLSH(
                threshold=settings.threshold, num_perm=settings.num_perm, num_bands=settings.num_bands
            )
        self.exact_count = 0
        self.near_count = 0

    def check(self, index: int, key: bytes | None, sig: Any | None) -> DedupVerdict:
        """Decide for record ``index`` (increasing); registers it as a representative when it is new."""
        s = self.settings
        if s.exact and key is not None:
            first = self._exact.get(key)
            if first is not None:
                self.exact_count += 1
                return DedupVerdict("duplicate", first)
        if self._lsh is not None and sig is not None:
            best: tuple[float, int] | None = None
            for candidate in self._lsh.query(sig):
                sim = sig.jaccard(self._signatures[candidate])
                if sim >= s.threshold and (best is None or sim > best[0] or (sim == best[0] and candidate < best[1])):
                    best = (sim, candidate)
            if best is not None:
                self.near_count += 1
                if s.exact and key is not None:
                    self._exact.setdefault(key, best[1])
                return DedupVerdict("near-duplicate", best[1], best[0])
        if s.exact and key is not None:
            self._exact[key] = index
        if self._lsh is not None and sig is not None:
            self._lsh.insert(index, sig)
            self._signatures[index] = sig
        return DedupVerdict(None)
