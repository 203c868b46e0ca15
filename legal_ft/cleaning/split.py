"""Deterministic train/eval split.

A record's side is a seeded hash of its cluster representative's exact key (the normalised output), so the split
does not depend on input order or worker count, the same record lands on the same side in every run, and a
near-duplicate group (see `[dedup] near_action = "group"`) always falls on one side with its representative.
"""

from __future__ import annotations

import hashlib

_SCALE = float(1 << 64)


def eval_score(key: bytes, seed: int) -> float:
    """A uniform number in [0, 1) for ``key``; a record goes to eval when it is below the eval fraction."""
    digest = hashlib.blake2b(key, digest_size=8, key=f"split:{seed}".encode("ascii")).digest()
    return int.from_bytes(digest, "big") / _SCALE


def goes_to_eval(key: bytes | None, seed: int, fraction: float) -> bool:
    if key is None or fraction <= 0.0:
        return False
    return eval_score(key, seed) < fraction
