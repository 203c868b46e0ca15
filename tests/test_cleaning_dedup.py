"""Dedup internals: the compact LSH band table and the near-duplicate decisions built on it."""

from __future__ import annotations

import random

import numpy as np
from cleaning_fakes import document_text

from legal_ft.cleaning.dedup import BandIndex, Deduplicator, IntTable, exact_key, shingles, signature
from legal_ft.cleaning.ruleset import DedupSettings


def test_band_index_finds_every_value_across_growth():
    index = BandIndex(bands=16, rows=8, capacity=64)
    rng = np.random.default_rng(0)
    digests = rng.integers(0, 2**32, size=(3000, 128), dtype=np.uint64)
    keys = [index.band_keys(d) for d in digests]
    for value, k in enumerate(keys):
        index.insert(k, value)
    assert index.nbytes > 64 * 8 * 8  # it grew several times (8 bytes a slot)
    for value, k in enumerate(keys):
        assert value in index.query(k)
    other = index.band_keys(rng.integers(0, 2**32, size=128, dtype=np.uint64))
    assert index.query(other) == set()
    # one shared band is enough to be a candidate
    probe = digests[7].copy()
    probe[8:] = rng.integers(0, 2**32, size=120, dtype=np.uint64)
    assert 7 in index.query(index.band_keys(probe))


def test_int_table_is_a_multimap_of_64_bit_keys_across_growth():
    table = IntTable(np.uint64, capacity=16)
    rng = np.random.default_rng(1)
    keys = rng.integers(1, 2**63, size=500, dtype=np.uint64)
    for value, key in enumerate(keys):
        table.insert(np.array([key]), value)
    table.insert(np.array([keys[3]]), 9999)  # a second value under one key
    assert all(table.query(np.array([key])) >= {value} for value, key in enumerate(keys))
    assert table.query(np.array([keys[3]])) == {3, 9999}
    assert table.query(np.array([np.uint64(2**63 + 5)])) == set()
    assert table.nbytes <= 1024 * 12  # 500 keys at a load of at most 2/3: 1,024 slots of 12 bytes


def test_dedup_state_per_representative_stays_small():
    """Exact keys, LSH bands and b-bit signatures: well under 1 KB per representative (a dict of bytes keys alone
    cost ~150 bytes an entry)."""
    from legal_ft.cleaning.ruleset import DedupSettings

    dedup = Deduplicator(DedupSettings())
    rng = np.random.default_rng(2)
    n = 20_000

    class Sig:
        def __init__(self, values):
            self.values = values

        def digest(self):
            return self.values

    for i in range(n):
        key = rng.bytes(16)
        dedup.check(key, Sig(rng.integers(0, 2**32, size=dedup.settings.num_perm, dtype=np.uint64)), ("f", i))
    state = dedup._exact.nbytes + dedup._bands.nbytes + dedup._sigs.nbytes + 12 * n
    assert dedup.representatives == n
    assert state / n < 700, state / n


def _jaccard(a: str, b: str, k: int = 5) -> float:
    x, y = set(shingles(a, k)), set(shingles(b, k))
    return len(x & y) / len(x | y)


def test_near_duplicates_by_estimated_similarity():
    settings = DedupSettings(threshold=0.8)
    dedup = Deduplicator(settings)
    rng = random.Random(3)
    texts = [document_text(i, n_words=200) for i in range(200)]
    for i, t in enumerate(texts):
        assert dedup.check(exact_key(t), signature(t, settings), ("a.jsonl", i + 1)).kind is None
    close = texts[10].split()
    close[100] = "заменено"
    close = " ".join(close)  # true Jaccard ≈ 0.95
    far = " ".join(w if rng.random() > 0.3 else "иное" for w in texts[20].split())  # Jaccard well below 0.8
    verdict = dedup.check(exact_key(close), signature(close, settings), ("b.jsonl", 1))
    assert verdict.kind == "near-duplicate" and verdict.of == "a.jsonl:11"
    assert abs(verdict.similarity - _jaccard(close, texts[10])) < 0.1
    assert _jaccard(far, texts[20]) < 0.5
    assert dedup.check(exact_key(far), signature(far, settings), ("b.jsonl", 2)).kind is None
    exact = texts[30].upper().replace(" ", "  ")
    assert dedup.check(exact_key(exact), signature(exact, settings), ("b.jsonl", 3)).of == "a.jsonl:31"
    assert dedup.representatives == 201
