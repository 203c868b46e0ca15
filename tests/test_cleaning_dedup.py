"""Dedup internals: the compact LSH band table and the near-duplicate decisions built on it."""

from __future__ import annotations

import random

import numpy as np
from cleaning_fakes import document_text

from legal_ft.cleaning.dedup import BandIndex, Deduplicator, exact_key, shingles, signature
from legal_ft.cleaning.ruleset import DedupSettings


def test_band_index_finds_every_value_across_growth():
    index = BandIndex(bands=16, rows=8, capacity=64)
    rng = np.random.default_rng(0)
    digests = rng.integers(0, 2**32, size=(3000, 128), dtype=np.uint64)
    keys = [index.band_keys(d) for d in digests]
    for value, k in enumerate(keys):
        index.insert(k, value)
    assert len(index._keys) > 64  # it grew several times
    for value, k in enumerate(keys):
        assert value in index.query(k)
    other = index.band_keys(rng.integers(0, 2**32, size=128, dtype=np.uint64))
    assert index.query(other) == set()
    # one shared band is enough to be a candidate
    probe = digests[7].copy()
    probe[8:] = rng.integers(0, 2**32, size=120, dtype=np.uint64)
    assert 7 in index.query(index.band_keys(probe))


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
