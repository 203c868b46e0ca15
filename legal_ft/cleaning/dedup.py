"""Exact and near-duplicate detection over normalised outputs.

Exact: a 16-byte BLAKE2 digest of the output with case and whitespace folded. Near: MinHash over word shingles
(`rensa`, a Rust MinHash) with LSH banding. Measured on 2,000 outputs of ~700 words, 128 permutations, threshold
0.8, one core: datasketch 2.0 MinHash+LSH 0.69 ms/record, rensa 0.5 RMinHash+RMinHashLSH 0.057 ms/record (12x
faster; shingling in Python, 0.15-0.25 ms, is then the larger part). rensa's LSH index however holds ~2.1 KB per
record, so the bands live in `BandIndex`, a flat numpy table of 32-bit keys (~0.2 KB per record), and the exact
keys in another (`IntTable`, 8-byte keys, ~20 bytes per record instead of ~150 in a dict of bytes).

Signatures are computed where the record is checked (worker processes with --workers); the index and its decisions
stay in the parent, in input order, so the first record of a cluster is always the one kept.

Memory holds only the index (see `Deduplicator`): about 0.4 KB per kept record (exact table ~20 B, bands ~210 B,
8-bit signatures 128 B plus growth slack, origin 12 B), measured in ``tests/test_cleaning_dedup.py``, and only up
to ``[dedup] memory_mb``; beyond it, representatives move to a SQLite file (`dedup_spill`), so memory is flat.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import regex

from legal_ft.cleaning.dedup_spill import SpillStore
from legal_ft.cleaning.ruleset import DedupSettings

_WORD_RE = regex.compile(r"\w+")
MINHASH_SEED = 20240601


def exact_key(text: str, folded: str | None = None) -> bytes:
    """Identity of an output for exact dedup: case-folded, whitespace-collapsed, hashed. ``folded``: that form
    when the caller has it already (`Document.folded`)."""
    if folded is None:
        folded = " ".join(text.casefold().split())
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=16).digest()


def words_of(text: str, folded: str | None = None) -> list[str]:
    """The words of the case-folded text; ``folded``: that text with white space collapsed (changes no word)."""
    return _WORD_RE.findall(text.casefold() if folded is None else folded)


def shingles(text: str, size: int, folded: str | None = None, words: list[str] | None = None) -> list[str]:
    if words is None:
        words = words_of(text, folded)
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[j:] for j in range(size)), strict=False)))


def signature(text: str, settings: DedupSettings, folded: str | None = None,
              words: list[str] | None = None) -> Any | None:
    """A MinHash signature of the output's word shingles, or None for an output without words. ``words``: the
    output's `words_of` when the caller has them (`Document.words`)."""
    import rensa

    tokens = shingles(text, settings.shingle_size, folded, words)
    if not tokens:
        return None
    sig = rensa.RMinHash(num_perm=settings.num_perm, seed=MINHASH_SEED)
    sig.update(tokens)
    return sig


class IntTable:
    """A multimap of non-zero integer keys to uint32 values in two flat numpy arrays (open addressing, linear
    probing, load at most 2/3): ``key bytes + 4`` bytes a slot, where a Python dict spends ~100 bytes an entry.
    The state that grows with the corpus lives in tables like this one."""

    def __init__(self, dtype: Any = np.uint64, capacity: int = 1 << 14) -> None:
        self._dtype = np.dtype(dtype)
        self._keys = np.zeros(capacity, dtype=self._dtype)
        self._vals = np.zeros(capacity, dtype=np.uint32)
        self._count = 0

    @property
    def nbytes(self) -> int:
        return self._keys.nbytes + self._vals.nbytes

    @property
    def count(self) -> int:
        return self._count

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        return (keys & self._dtype.type(len(self._keys) - 1)).astype(np.int64)

    def query(self, keys: np.ndarray) -> set[int]:
        """Every value stored under any of ``keys``."""
        found: set[int] = set()
        mask = len(self._keys) - 1
        pos, want = self._slots(keys), keys
        while pos.size:
            here = self._keys[pos]
            hit = here == want
            if hit.any():
                found.update(self._vals[pos[hit]].tolist())
            go = here != 0  # past hits and other keys; an empty slot ends the probe
            pos, want = (pos[go] + 1) & mask, want[go]
        return found

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (key, value) pair, as a key array and a value array."""
        used = self._keys != 0
        return self._keys[used], self._vals[used]

    def insert(self, keys: np.ndarray, value: int) -> None:
        if 3 * (self._count + len(keys)) > 2 * len(self._keys):
            self._grow()
        mask = len(self._keys) - 1
        for key, slot in zip(keys.tolist(), self._slots(keys).tolist(), strict=True):
            while self._keys[slot] != 0:
                slot = (slot + 1) & mask
            self._keys[slot] = key
            self._vals[slot] = value
        self._count += len(keys)

    def _grow(self) -> None:
        used = self._keys != 0
        keys, vals = self._keys[used], self._vals[used]
        self._keys = np.zeros(2 * len(self._keys), dtype=self._dtype)
        self._vals = np.zeros(len(self._keys), dtype=np.uint32)
        mask = len(self._keys) - 1
        pos = self._slots(keys)
        pending = np.arange(len(keys))
        while pending.size:  # place, per free slot, the first entry that wants it; the rest probe on
            p = pos[pending]
            free = self._keys[p] == 0
            slots, first = np.unique(p[free], return_index=True)
            chosen = pending[free][first]
            self._keys[slots] = keys[chosen]
            self._vals[slots] = vals[chosen]
            placed = np.zeros(len(keys), dtype=bool)
            placed[chosen] = True
            pending = pending[~placed[pending]]
            occupied = self._keys[pos[pending]] != 0
            pos[pending[occupied]] = (pos[pending[occupied]] + 1) & mask


class BandIndex:
    """LSH buckets for MinHash signatures (an `IntTable` of 32-bit band keys).

    A signature of ``bands * rows`` values is cut into ``bands`` rows; two signatures that agree on a whole band
    are candidates. rensa's own `RMinHashLSH` keeps about 2.1 KB per indexed record (measured, 128 permutations,
    16 bands); this table keeps 8 bytes per band at a load of at most 2/3, about 0.2-0.4 KB per record. A 32-bit
    band key that collides only adds a candidate, which the signature check then turns down.
    """

    def __init__(self, bands: int, rows: int, capacity: int = 1 << 14) -> None:
        self.bands = bands
        self.rows = rows
        rng = np.random.default_rng(MINHASH_SEED)
        self._mult = rng.integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
        self._salt = rng.integers(1, 2**63, size=bands, dtype=np.uint64)
        self._table = IntTable(np.uint32, capacity)

    @property
    def nbytes(self) -> int:
        return self._table.nbytes

    def band_keys(self, digest: np.ndarray) -> np.ndarray:
        """One non-zero 32-bit key per band of a uint64 digest of ``bands * rows`` values."""
        with np.errstate(over="ignore"):
            h = (digest.reshape(self.bands, self.rows) * self._mult).sum(axis=1, dtype=np.uint64) + self._salt
            h ^= h >> np.uint64(31)
            h *= np.uint64(0x9E3779B97F4A7C15)
            h ^= h >> np.uint64(29)
        keys = (h ^ (h >> np.uint64(32))).astype(np.uint32)
        keys[keys == 0] = 1
        return keys

    def query(self, keys: np.ndarray) -> set[int]:
        """Every value stored under any of ``keys`` (the representatives sharing at least one band)."""
        return self._table.query(keys)

    def insert(self, keys: np.ndarray, value: int) -> None:
        self._table.insert(keys, value)

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        return self._table.items()


def _exact_slot_key(key: bytes) -> np.ndarray:
    """The exact-dedup table's key: the digest's first 8 bytes as a non-zero uint64 (two different outputs share
    it with probability ~n²/2⁶⁵: 3·10⁻⁸ for a million records)."""
    value = int.from_bytes(key[:8], "little") or 1
    return np.array([value], dtype=np.uint64)


_CHANCE = 1.0 / 256  # two different 8-bit values agree by chance this often


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity from two 8-bit-truncated MinHash signatures (b-bit minwise hashing)."""
    agree = float(np.count_nonzero(a == b)) / len(a)
    return max(0.0, (agree - _CHANCE) / (1.0 - _CHANCE))


@dataclass(frozen=True, slots=True)
class DedupVerdict:
    """``kind`` is None (a new representative), "duplicate" or "near-duplicate"; ``rep`` numbers the cluster's
    representative (its first record) and ``of`` says where that record came from (`file:line`)."""

    kind: str | None
    rep: int
    of: str = ""
    similarity: float = 1.0


class Deduplicator:
    """Input-order dedup: the first record of each cluster stays; later ones point back to it.

    State per representative, kept compact because it is the only thing that grows with the corpus: its exact key
    (`IntTable`), its LSH bands (`BandIndex`), the low 8 bits of each signature value to verify LSH candidates
    (b-bit minwise hashing, Li & König 2010: unequal values agree by chance once in 256, which `_similarity`
    corrects) and its origin as a file number and a line.

    Memory is capped by ``[dedup] memory_mb``: when the representatives in memory reach that much, they move in one
    bulk write to a `SpillStore` on disk (in ``spill_dir``) and memory starts over; lookups then ask both tiers.
    Decisions are the same with or without spilling. Use as a context manager (or call `close`) so the work file
    is deleted.
    """

    def __init__(self, settings: DedupSettings, spill_dir: Path | None = None, max_in_memory: int | None = None
                 ) -> None:
        self.settings = settings
        self.spill_dir = Path(spill_dir) if spill_dir is not None else Path(tempfile.gettempdir())
        if max_in_memory is None and settings.memory_mb > 0:
            max_in_memory = max(1, int(settings.memory_mb * 2**20) // bytes_per_representative(settings))
        self.max_in_memory = max_in_memory  # None: never spill
        self._files: list[str] = []
        self._file_ids: dict[str, int] = {}
        self._store: SpillStore | None = None
        self._base = 0  # representatives below this number live in the store
        self._reset_memory()

    def _reset_memory(self) -> None:
        """An empty in-memory tier; with a budget its tables are sized for it at once, so they never grow (no
        doubling copies) and `memory_bytes` stays under the budget (np.zeros pages cost nothing until used)."""
        s, most = self.settings, self.max_in_memory
        self._exact = IntTable(np.uint64, _capacity(2 * most) if most else 1 << 14)  # exact key -> representative
        self._rep_file = array("I")
        self._rep_line = array("Q")
        self._sigs = np.zeros((most or 0 if s.near else 0, s.num_perm), dtype=np.uint8)
        self._bands = (BandIndex(s.num_bands, s.num_perm // s.num_bands,
                                 _capacity(most * s.num_bands) if most else 1 << 14) if s.near else None)

    def __enter__(self) -> Deduplicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @property
    def representatives(self) -> int:
        return self._base + len(self._rep_line)

    @property
    def spilled(self) -> int:
        """Representatives moved to disk so far."""
        return self._base

    @property
    def memory_bytes(self) -> int:
        """The in-memory tier's arrays (what grows with the corpus until it spills)."""
        bands = self._bands.nbytes if self._bands is not None else 0
        return (self._exact.nbytes + bands + self._sigs.nbytes + self._rep_file.itemsize * len(self._rep_file)
                + self._rep_line.itemsize * len(self._rep_line))

    def label(self, rep: int) -> str:
        if rep >= self._base:
            file_id, line = self._rep_file[rep - self._base], self._rep_line[rep - self._base]
        else:
            assert self._store is not None
            file_id, line = self._store.origin(rep)
        return f"{self._files[file_id]}:{line}"

    def _signature_of(self, rep: int) -> np.ndarray:
        if rep >= self._base:
            return self._sigs[rep - self._base]
        assert self._store is not None
        return self._store.signature(rep)

    def check(self, key: bytes | None, sig: Any | None, origin: tuple[str, int]) -> DedupVerdict:
        """Decide for the next record in input order; a new one becomes a representative."""
        s = self.settings
        exact = _exact_slot_key(key) if s.exact and key is not None else None
        if exact is not None:
            reps = self._exact.query(exact)
            if self._store is not None:
                reps |= self._store.exact(exact)
            if reps:
                rep = min(reps)
                return DedupVerdict("duplicate", rep, self.label(rep))
        band_keys = compact = None
        if self._bands is not None and sig is not None:
            digest = np.asarray(sig.digest(), dtype=np.uint64)
            compact = digest.astype(np.uint8)
            band_keys = self._bands.band_keys(digest)
            candidates = self._bands.query(band_keys)
            if self._store is not None:
                candidates |= self._store.bands(band_keys)
            best: tuple[float, int] | None = None
            for candidate in sorted(candidates):
                sim = _similarity(self._signature_of(candidate), compact)
                if sim >= s.threshold and (best is None or sim > best[0]):
                    best = (sim, candidate)
            if best is not None:
                if exact is not None:
                    self._exact.insert(exact, best[1])  # an exact copy of this one is a copy of the cluster
                    self._spill_when_full()
                return DedupVerdict("near-duplicate", best[1], self.label(best[1]), best[0])
        rep = self._add(origin)
        if exact is not None:
            self._exact.insert(exact, rep)
        if band_keys is not None and compact is not None and self._bands is not None:
            row = rep - self._base
            if row >= len(self._sigs):  # grow by half: the signatures are the largest part of the state
                grown = np.zeros((max(1024, len(self._sigs) * 3 // 2, row + 1), s.num_perm), dtype=np.uint8)
                grown[: len(self._sigs)] = self._sigs
                self._sigs = grown
            self._sigs[row] = compact
            self._bands.insert(band_keys, rep)
        self._spill_when_full()
        return DedupVerdict(None, rep)

    def _spill_when_full(self) -> None:
        most = self.max_in_memory
        if most is not None and (len(self._rep_line) >= most or self._exact.count >= 2 * most):
            self._spill()

    def _spill(self) -> None:
        """Move every in-memory representative to the store and start memory over."""
        if self._store is None:
            self._store = SpillStore(self.spill_dir)
        count = len(self._rep_line)
        bands = self._bands.items() if self._bands is not None else (np.zeros(0, np.uint32), np.zeros(0, np.uint32))
        sigs = self._sigs[:count] if self._bands is not None else None
        self._store.add(self._exact.items(), bands, self._base, self._rep_file.tolist(), self._rep_line.tolist(),
                        sigs)
        self._base += count
        self._reset_memory()

    def _add(self, origin: tuple[str, int]) -> int:
        file, line = origin
        file_id = self._file_ids.get(file)
        if file_id is None:
            file_id = self._file_ids[file] = len(self._files)
            self._files.append(file)
        self._rep_file.append(file_id)
        self._rep_line.append(line)
        return self._base + len(self._rep_line) - 1


def bytes_per_representative(settings: DedupSettings) -> int:
    """What one in-memory representative costs at most in the tables `_reset_memory` sizes for a budget: its
    8-bit signature, its origin (12 B), its band slots and two exact slots at the lowest load (1/3)."""
    return settings.num_perm + 12 + 3 * 8 * settings.num_bands + 2 * 3 * 12


def _capacity(entries: int) -> int:
    """The power-of-two slot count that holds ``entries`` at a load of at most 2/3."""
    return max(16, 1 << math.ceil(math.log2(entries * 3 / 2 + 1)))
