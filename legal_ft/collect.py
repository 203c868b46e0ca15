"""The collector: the seed's step 1 ("the GUI saves every result to the dataset"), as a small library API.

    from legal_ft.collect import DatasetCollector
    collector = DatasetCollector("C:/legal_assistant")          # the project folder, which holds datasets/
    where = collector.add(instruction, facts, document, {"provider": "openai", "mode": "polish"})
    print(where.label())   # datasets/hybrid_generated/dataset_20250828.jsonl:17

Each call validates the record, then appends exactly one line to
``<root>/datasets/hybrid_generated/dataset_<YYYYMMDD>.jsonl`` (local date) with a single ``write`` on an
``O_APPEND`` descriptor followed by ``fsync``, while holding a `filelock.FileLock` on the sibling
``dataset_<YYYYMMDD>.jsonl.lock`` — so several GUI windows or processes can collect at once without
interleaved or lost lines, and a crash never leaves half a record behind another one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import filelock
import orjson

from legal_ft.errors import InputError
from legal_ft.records import Provenance, Record, RecordError

COLLECTION_DIR = Path("datasets") / "hybrid_generated"
LOCK_TIMEOUT_S = 30.0
_OPEN_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)


@dataclass
class _FileState:
    size: int
    lines: int  # physical lines, counted as readers number them (a last line without "\n" counts)
    ends_with_newline: bool


class DatasetCollector:
    """Appends validated records to today's collection file under ``root`` (the project folder)."""

    def __init__(self, root: str | os.PathLike[str] = ".", *, clock: Callable[[], datetime] = datetime.now,
                 lock_timeout: float = LOCK_TIMEOUT_S) -> None:
        self.root = Path(root)
        self.folder = self.root / COLLECTION_DIR
        self.clock = clock
        self.lock_timeout = lock_timeout
        self._state: dict[Path, _FileState] = {}  # what this collector last saw of each file (skips recounting)

    def path_for(self, when: datetime) -> Path:
        return self.folder / f"dataset_{when:%Y%m%d}.jsonl"

    def add(self, instruction: str, input: str, output: str, metadata: Mapping[str, Any] | None = None,  # noqa: A002
            *, extra: Mapping[str, Any] | None = None) -> Provenance:
        """Validate and append one record; returns where it was written (file and line).

        Raises `legal_ft.records.RecordError` (a ValueError) for an invalid record — a non-string field, an
        empty output, metadata that is not an object — and `InputError` when the file cannot be written.
        Metadata without a ``timestamp`` gets the current time, as the GUI writes it.
        """
        now = self.clock()
        line = self._encode(instruction, input, output, metadata, extra, now)
        path = self.path_for(now)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = filelock.FileLock(str(path) + ".lock", timeout=self.lock_timeout)
            with lock:
                number = self._append(path, line)
        except filelock.Timeout as exc:
            raise InputError(f"could not lock {path} within {self.lock_timeout:g} s",
                             "another process keeps the collection busy; try again") from exc
        except OSError as exc:
            raise InputError(f"cannot append to {path}: {exc.strerror or exc}",
                             "check the folder's permissions and free disk space") from exc
        return Provenance(str(path), number)

    @staticmethod
    def _encode(instruction: str, input: str, output: str, metadata: Mapping[str, Any] | None,  # noqa: A002
                extra: Mapping[str, Any] | None, now: datetime) -> bytes:
        if metadata is not None and not isinstance(metadata, Mapping):
            raise RecordError(f"metadata must be a mapping, got {type(metadata).__name__}")
        obj: dict[str, Any] = {"instruction": instruction, "input": input, "output": output}
        meta = dict(metadata or {})
        meta.setdefault("timestamp", now.isoformat(timespec="microseconds"))
        obj["metadata"] = meta
        for key, value in (extra or {}).items():
            if key not in obj:
                obj[key] = value
        record = Record.from_dict(obj)  # the same rules as reading: strings, metadata an object
        if not record.output.strip():
            raise RecordError("field 'output' is empty")
        try:
            return orjson.dumps(record.to_dict(), option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS)
        except TypeError as exc:
            raise RecordError(f"metadata is not JSON-serialisable: {exc}") from exc

    def _append(self, path: Path, line: bytes) -> int:
        """Append under the lock; returns the line number the record got."""
        fd = os.open(path, _OPEN_FLAGS, 0o666)
        try:
            size = os.fstat(fd).st_size
            state = self._state.get(path)
            if state is None or state.size != size:  # new to us, or another process appended since
                state = _scan(path, size)
            data = line if state.ends_with_newline or size == 0 else b"\n" + line  # never glue onto a torn line
            number = state.lines + 1
            written = 0
            while written < len(data):  # one write() for a regular file; the loop only guards short writes
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
        self._state[path] = _FileState(size + len(data), number, True)
        return number


def _scan(path: Path, size: int) -> _FileState:
    """Count the physical lines of the first ``size`` bytes (streaming) and whether they end with a newline."""
    if size == 0:
        return _FileState(0, 0, True)
    newlines = 0
    last = b""
    with open(path, "rb") as handle:
        remaining = size
        while remaining:
            chunk = handle.read(min(1 << 20, remaining))
            if not chunk:
                break
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
            remaining -= len(chunk)
    ends = last == b"\n"
    return _FileState(size, newlines if ends else newlines + 1, ends)
