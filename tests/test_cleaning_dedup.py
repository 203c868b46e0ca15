"""Dedup internals: the compact LSH band table and the near-duplicate decisions built on it."""

from __future__ import annotations

import random

import numpy as np
import pytest
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

    dedup = Deduplicator(DedupSettings(memory_mb=0))  # no budget: the tables grow as they must
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


def _verdicts(texts: list[str], settings: DedupSettings, tmp_path, max_in_memory: int | None):
    with Deduplicator(settings, spill_dir=tmp_path, max_in_memory=max_in_memory) as dedup:
        out = []
        for i, t in enumerate(texts):
            v = dedup.check(exact_key(t), signature(t, settings), (f"f{i % 3}.jsonl", i + 1))
            out.append((v.kind, v.rep, v.of, round(v.similarity, 6)))
        assert list(tmp_path.glob(".legalft-dedup-*")) == ([] if max_in_memory is None else
                                                           [dedup._store.path] if dedup.spilled else [])
        return out, dedup.spilled


def _corpus_with_copies(n: int = 120) -> list[str]:
    rng = random.Random(5)
    texts = [document_text(i, n_words=120) for i in range(n)]
    for i in range(n):  # exact copies, near copies, copies of near copies, all pointing back across the whole run
        j = rng.randrange(len(texts))
        words = texts[j].split()
        kind = i % 3
        if kind == 0:
            texts.append(texts[j].upper())
        elif kind == 1:
            words[rng.randrange(len(words))] = "заменено"
            texts.append(" ".join(words))
        else:
            texts.append(document_text(10_000 + i, n_words=120))
    return texts


def test_spilling_to_disk_changes_no_decision(tmp_path):
    settings = DedupSettings(threshold=0.8)
    texts = _corpus_with_copies()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    in_memory, spilled_none = _verdicts(texts, settings, tmp_path / "a", None)
    spilled, spilled_count = _verdicts(texts, settings, tmp_path / "b", 7)
    assert spilled_none == 0 and spilled_count >= 140  # most representatives were read back from disk
    assert spilled == in_memory
    kinds = [v[0] for v in in_memory]
    assert kinds.count("duplicate") >= 30 and kinds.count("near-duplicate") >= 30
    assert any(v[0] and v[1] < 100 for v in in_memory[200:])  # late copies of early (spilled) records
    assert not list(tmp_path.rglob(".legalft-dedup-*"))  # the work files are gone after close


def test_memory_stays_under_the_budget_however_many_representatives():
    settings = DedupSettings(memory_mb=0.25)
    rng = np.random.default_rng(4)

    class Sig:
        def __init__(self, values):
            self.values = values

        def digest(self):
            return self.values

    with Deduplicator(settings) as dedup:
        peak = 0
        for i in range(3000):
            dedup.check(rng.bytes(16), Sig(rng.integers(0, 2**32, size=128, dtype=np.uint64)), ("f", i))
            peak = max(peak, dedup.memory_bytes)
        assert dedup.representatives == 3000 and dedup.spilled >= 2500
        assert peak <= 0.25 * 2**20, peak
        assert dedup.label(0) == "f:0" and dedup.label(2999) == "f:2999"


def test_unusable_spill_folder_is_one_clear_error(tmp_path):
    from legal_ft.cleaning.dedup_spill import SpillError

    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x", encoding="utf-8")
    dedup = Deduplicator(DedupSettings(), spill_dir=not_a_folder, max_in_memory=1)
    with pytest.raises(SpillError) as err:
        dedup.check(b"k" * 16, None, ("f", 1))
    assert "dedup work file" in err.value.one_line() and "memory_mb" in err.value.one_line()
    dedup.close()
