"""The on-disk tier of the dedup state: representatives that no longer fit the memory budget.

`Deduplicator` keeps the newest representatives in compact numpy tables and, when they reach ``[dedup]
memory_mb``, moves them here in one bulk write, so memory stays flat however many records a run keeps (the same
idea as datatrove's disk-backed dedup stages, in one pass). A SQLite file (stdlib, no server, works on Windows)
holds three tables: exact keys, LSH band keys and, per representative, its origin and 8-bit signature. Its page
cache is capped, so it adds a few MB of memory at most; the file sits in the output folder (not a RAM-backed /tmp)
and is deleted when the run ends, whatever way it ends.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

import numpy as np

from legal_ft.errors import LegalFtError

CACHE_KIB = 4096  # SQLite page cache: the store's whole share of memory
BATCH = 32_768  # rows per executemany when spilling
_SCHEMA = """
CREATE TABLE exact (k INTEGER NOT NULL, rep INTEGER NOT NULL, PRIMARY KEY (k, rep)) WITHOUT ROWID;
CREATE TABLE bands (k INTEGER NOT NULL, rep INTEGER NOT NULL, PRIMARY KEY (k, rep)) WITHOUT ROWID;
CREATE TABLE reps (rep INTEGER PRIMARY KEY, file INTEGER NOT NULL, line INTEGER NOT NULL, sig BLOB);
"""


class SpillError(LegalFtError):
    """The dedup work file could not be created, written or read (disk full, no permission)."""


def _signed(keys: np.ndarray) -> np.ndarray:
    """SQLite integers are signed 64-bit: store a uint64 key by its bit pattern."""
    return np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64)


class SpillStore:
    """Representatives moved out of memory; queried for every record that reaches dedup once it exists."""

    def __init__(self, folder: Path) -> None:
        folder = Path(folder)
        try:
            fd, name = tempfile.mkstemp(prefix=".legalft-dedup-", suffix=".sqlite", dir=folder)
            os.close(fd)
        except OSError as exc:
            raise SpillError(f"cannot create the dedup work file in {folder}: {exc.strerror or exc}",
                             "free disk space or allow writing there, or raise [dedup] memory_mb") from exc
        self.path = Path(name)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.executescript(
                f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
                f"PRAGMA temp_store=FILE; PRAGMA cache_size=-{CACHE_KIB};" + _SCHEMA
            )
        except sqlite3.Error as exc:
            self._unlink()
            raise self._error("create", exc) from exc

    def _error(self, doing: str, exc: Exception) -> SpillError:
        return SpillError(f"cannot {doing} the dedup work file {self.path}: {exc}",
                          "free disk space in the output folder, or raise [dedup] memory_mb")

    def add(self, exact: tuple[np.ndarray, np.ndarray], bands: tuple[np.ndarray, np.ndarray],
            first_rep: int, files: list[int], lines: list[int], sigs: np.ndarray | None) -> None:
        """Append one batch of representatives ``first_rep, first_rep + 1, …`` with their keys (key array,
        representative array) and signatures (one row each, or None without near dedup)."""
        try:
            self._db.execute("BEGIN")
            self._insert_pairs("exact", _signed(exact[0]), exact[1])
            self._insert_pairs("bands", bands[0].astype(np.int64), bands[1])
            rows = ((first_rep + i, f, ln, None if sigs is None else sigs[i].tobytes())
                    for i, (f, ln) in enumerate(zip(files, lines, strict=True)))
            self._db.executemany("INSERT INTO reps VALUES (?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error("write", exc) from exc

    def _insert_pairs(self, table: str, keys: np.ndarray, reps: np.ndarray) -> None:
        """Insert in key order (B-tree appends, not random page writes) and in slices, so the Python integers made
        for SQLite never add more than a few MB at once."""
        order = np.argsort(keys, kind="stable")
        for start in range(0, len(order), BATCH):
            part = order[start:start + BATCH]
            self._db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?, ?)",
                                 zip(keys[part].tolist(), reps[part].tolist(), strict=True))

    def exact(self, key: np.ndarray) -> set[int]:
        return self._reps("SELECT rep FROM exact WHERE k = ?", _signed(key).tolist())

    def bands(self, keys: np.ndarray) -> set[int]:
        marks = ",".join("?" * len(keys))
        return self._reps(f"SELECT rep FROM bands WHERE k IN ({marks})", keys.tolist())

    def _reps(self, sql: str, params: list[int]) -> set[int]:
        try:
            return {row[0] for row in self._db.execute(sql, params)}
        except sqlite3.Error as exc:
            raise self._error("read", exc) from exc

    def origin(self, rep: int) -> tuple[int, int]:
        return self._row("SELECT file, line FROM reps WHERE rep = ?", rep)

    def signature(self, rep: int) -> np.ndarray:
        return np.frombuffer(self._row("SELECT sig FROM reps WHERE rep = ?", rep)[0], dtype=np.uint8)

    def _row(self, sql: str, rep: int) -> tuple:
        try:
            row = self._db.execute(sql, (rep,)).fetchone()
        except sqlite3.Error as exc:
            raise self._error("read", exc) from exc
        if row is None:  # only a bug can ask for a representative that was never written
            raise KeyError(rep)
        return row

    def close(self) -> None:
        try:
            self._db.close()
        finally:
            self._unlink()

    def _unlink(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass
