"""Read JSONL as real files come, one line at a time, and write it atomically.

Real collections are UTF-8 with or without a BOM, sometimes Windows-1251, with CRLF line endings, and contain
lines that are not records at all. Reading never repairs: a bad line becomes a `BadLine` (`file:line: reason`)
that callers count and write untouched to a rejects file, and the run goes on.
"""

from __future__ import annotations

import base64
import codecs
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from legal_ft.errors import InputError
from legal_ft.io.atomic import atomic_output
from legal_ft.records import Provenance, Record, RecordError

_SNIFF_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that is not a valid record, kept byte-for-byte with the reason it was refused."""

    file: str
    line: int
    reason: str
    raw: bytes

    def label(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": {"file": self.file, "line": self.line}, "reason": self.reason}
        try:
            out["raw"] = self.raw.decode("utf-8")
        except UnicodeDecodeError:
            out["raw_base64"] = base64.b64encode(self.raw).decode("ascii")
        return out


def detect_encoding(path: str | os.PathLike[str]) -> str:
    """Return ``utf-8-sig``, ``utf-8`` or ``cp1251`` for the file, from its first megabyte.

    UTF-8 is strict enough that valid text almost never decodes by accident; a file that is not UTF-8 but
    reads as mostly Cyrillic in cp1251 is taken as cp1251. Anything else stays UTF-8, and its undecodable
    lines are rejected one by one rather than guessed at.
    """
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    text = head.decode("cp1251", errors="replace")
    letters = [c for c in text if c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if letters and cyrillic / len(letters) > 0.3:
        return "cp1251"
    return "utf-8"


def iter_lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, bytes, str | None, str | None]]:
    """Yield ``(line_no, raw_bytes, text, decode_error)`` for each non-blank line, streaming.

    ``raw_bytes`` excludes the line ending; ``text`` is None when the line could not be decoded.
    """
    encoding = detect_encoding(path)
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and encoding == "utf-8-sig" and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as exc:
                yield number, raw, None, f"not valid {codec} text (byte {exc.start})"
                continue
            yield number, raw, text, None


def _looks_like_python_literal(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith("{'") or "': '" in stripped[:200] or stripped.startswith("{u'")


def parse_line(file: str, number: int, raw: bytes, text: str) -> Record | BadLine:
    """Parse one decoded line into a `Record`, or explain why it is not one."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if _looks_like_python_literal(text):
            return BadLine(file, number, "a Python dict literal, not JSON (single quotes)", raw)
        return BadLine(file, number, f"not valid JSON ({str(exc).split(':')[0]})", raw)
    try:
        return Record.from_dict(value, Provenance(file, number))
    except RecordError as exc:
        return BadLine(file, number, str(exc), raw)


def iter_records(path: str | os.PathLike[str], *, display_name: str | None = None) -> Iterator[Record | BadLine]:
    """Stream the file's records; bad lines come out as `BadLine` in their place. Memory stays flat."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"input file not found: {p}", "check the path")
    if p.is_dir():
        raise InputError(f"{p} is a folder, expected a .jsonl file", "pass the file, or use --input-dir")
    name = display_name or str(p)
    for number, raw, text, error in iter_lines(p):
        if text is None:
            yield BadLine(name, number, error or "undecodable line", raw)
            continue
        yield parse_line(name, number, raw, text)


_DUMP_OPTS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS


def dumps_line(obj: Any) -> bytes:
    """One JSONL line (UTF-8, Cyrillic unescaped, trailing newline)."""
    return orjson.dumps(obj, option=_DUMP_OPTS)


class JsonlWriter:
    """Atomic JSONL writer: use as a context manager; the file appears only when the block ends cleanly."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.count = 0
        self._cm = None
        self._handle: IO[bytes] | None = None

    def __enter__(self) -> "JsonlWriter":
        self._cm = atomic_output(self.path, "wb")
        self._handle = self._cm.__enter__()
        return self

    def write(self, obj: Any) -> None:
        assert self._handle is not None, "use JsonlWriter as a context manager"
        if isinstance(obj, Record):
            obj = obj.to_dict()
        self._handle.write(dumps_line(obj))
        self.count += 1

    def __exit__(self, *exc: Any) -> bool | None:
        assert self._cm is not None
        return self._cm.__exit__(*exc)


class RejectsWriter(JsonlWriter):
    """Rejects file: malformed lines untouched (`raw`), or rejected records with their findings."""

    def write_bad_line(self, bad: BadLine) -> None:
        self.write(bad.to_dict())
