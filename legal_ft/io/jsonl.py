"""Read JSONL as real files come, one line at a time, and write it atomically.

Real collections are UTF-8 with or without a BOM, sometimes Windows-1251, with CRLF line endings, and contain
lines that are not records at all. Reading never repairs: a bad line becomes a `BadLine` (`file:line: reason`)
that callers count and write untouched to a rejects file, and the run goes on.
"""

from __future__ import annotations

import ast
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
_Decoded = tuple[int, bytes, "str | None", "str | None", "str | None"]  # line number, raw, text, encoding, error


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that is not a valid record, kept byte-for-byte with the reason it was refused."""

    file: str
    line: int
    reason: str
    raw: bytes
    encoding: str | None = None  # how the line was decoded ("utf-8", "cp1251", "utf-16"); None if it could not be

    def label(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        """The rejects-file entry: ``raw`` is the line's text exactly as it was (re-encoding it in ``encoding``
        gives the original bytes); a line that was not text at all is kept as ``raw_base64``."""
        out: dict[str, Any] = {"source": {"file": self.file, "line": self.line}, "reason": self.reason}
        if self.encoding == "cp1251":
            out["raw"] = self.raw.decode("cp1251")
            out["encoding"] = "cp1251"
            return out
        if self.encoding in _WIDE_ENCODINGS:  # read through a text decoder: ``raw`` holds the text in UTF-8
            out["raw"] = self.raw.decode("utf-8")
            out["encoding"] = self.encoding
            return out
        try:
            out["raw"] = self.raw.decode("utf-8")
        except UnicodeDecodeError:
            out["raw_base64"] = base64.b64encode(self.raw).decode("ascii")
        return out


# Windows-1251 letters: Cyrillic is 0xC0–0xFF plus Ё/ё (0xA8/0xB8); counting bytes keeps this in C.
_HIGH_BYTES = bytes(range(128, 256))
_NOT_CP1251_CYRILLIC = bytes(b for b in range(256) if not (b >= 0xC0 or b in (0xA8, 0xB8)))


def _cp1251_cyrillic_share(raw: bytes) -> float:
    """Share of Cyrillic letters among the non-ASCII bytes of ``raw`` read as Windows-1251.

    Cyrillic text in cp1251 is mostly letters with a little punctuation («», —, №); other bytes are not.
    (JSON keys are Latin, so the share among all letters would be diluted by them on short records.)
    """
    non_ascii = len(raw) - len(raw.translate(None, _HIGH_BYTES))
    if not non_ascii:
        return 0.0
    return len(raw.translate(None, _NOT_CP1251_CYRILLIC)) / non_ascii


def decode_line(raw: bytes) -> tuple[str | None, str | None, str | None]:
    """Decode one line: ``(text, encoding, error)``.

    UTF-8 first: Windows-1251 Cyrillic is practically never valid UTF-8, so a line that decodes is UTF-8. A line
    that does not decode is refused as damaged UTF-8 when most of its non-ASCII characters are still valid UTF-8
    (one broken byte in a UTF-8 line); otherwise it is taken as cp1251 only when its non-ASCII bytes are mostly
    Cyrillic letters in that encoding. Anything else is refused, never guessed at.
    """
    try:
        return raw.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError as exc:
        start = exc.start
    error = f"not valid UTF-8 text (byte {start}) and not Windows-1251 Cyrillic either"
    lenient = raw.decode("utf-8", errors="replace")
    invalid = lenient.count("\ufffd")
    valid = len(lenient) - len(lenient.encode("ascii", "ignore")) - invalid
    if valid > invalid:  # mostly good UTF-8 with a few broken bytes: damaged, not another encoding
        return None, None, f"damaged UTF-8 text (invalid byte at {start})"
    try:
        text = raw.decode("cp1251")
    except UnicodeDecodeError:
        return None, None, error
    if _cp1251_cyrillic_share(raw) >= 0.6:
        return text, "cp1251", None
    return None, None, error


_WIDE_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE_ENCODINGS = ("utf-16", "utf-32")


def wide_encoding(head: bytes) -> str | None:
    """``utf-32`` or ``utf-16`` when ``head`` starts with that encoding's byte-order mark, else None."""
    return next((name for bom, name in _WIDE_BOMS if head.startswith(bom)), None)


def detect_encoding(path: str | os.PathLike[str]) -> str:
    """Return ``utf-8-sig``, ``utf-8``, ``cp1251``, ``utf-16`` or ``utf-32`` for the file, from its first megabyte.

    Lines are judged one by one (`decode_line`); the file is cp1251 when more of its non-ASCII lines are cp1251
    than UTF-8. `iter_records` decodes line by line anyway, so a mixed file loses nothing. UTF-16 and UTF-32 are
    recognised by their byte-order mark only (Notepad's "Unicode" and Windows PowerShell's ``>`` write UTF-16 with
    one); without the mark they are never guessed at.
    """
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    wide = wide_encoding(head)
    if wide:
        return wide
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    lines = head.split(b"\n")
    if len(head) == _SNIFF_BYTES and len(lines) > 1:
        lines.pop()  # the last line may be cut in the middle of a character
    utf8 = cp1251 = 0
    for raw in lines:
        if raw.isascii():
            continue
        _, encoding, _ = decode_line(raw)
        if encoding == "cp1251":
            cp1251 += 1
        elif encoding == "utf-8":
            utf8 += 1
    return "cp1251" if cp1251 > utf8 else "utf-8"


def iter_lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, bytes, str | None, str | None]]:
    """Yield ``(line_no, raw_bytes, text, decode_error)`` for each non-blank line, streaming.

    ``raw_bytes`` excludes the line ending (LF or CRLF) and a leading BOM; ``text`` is None when the line could
    not be decoded (then ``decode_error`` says why).
    """
    for number, raw, text, _encoding, error in _iter_decoded(Path(path)):
        yield number, raw, text, error


def _iter_decoded(path: Path) -> Iterator[_Decoded]:
    with open(path, "rb") as handle:
        yield from _decode_any(handle, str(path))


def _decode_any(handle: IO[bytes], name: str) -> Iterator[_Decoded]:
    peek = getattr(handle, "peek", None)  # files and sys.stdin.buffer are buffered readers: look without reading
    wide = wide_encoding(peek(4)[:4]) if peek else None
    if wide:
        yield from _decode_wide(handle, wide, name)
    else:
        yield from _decode_stream(handle)


def _decode_wide(handle: IO[bytes], encoding: str, name: str) -> Iterator[_Decoded]:
    """Lines of a UTF-16/32 file (with its byte-order mark), streamed through an incremental decoder; ``raw`` is
    the line's text in UTF-8 (`BadLine.to_dict` writes it back as text, marked with the file's encoding). A file
    that stops decoding part-way is refused whole: its line boundaries can no longer be trusted."""
    import io

    text_stream = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="\n")
    try:
        for number, line in enumerate(text_stream, start=1):
            line = line.rstrip("\r\n")
            if line.strip():  # the strict codecs let no lone surrogate by: every line encodes as UTF-8
                yield number, line.encode("utf-8"), line, encoding, None
    except UnicodeDecodeError as exc:  # found a block ahead of the lines read so far: no line to name
        raise InputError(f"{name} is damaged {encoding.upper()} text ({exc.reason})",
                         "save it again as UTF-8 (in Notepad: Save as → Encoding: UTF-8)") from exc
    finally:
        text_stream.detach()


def _decode_stream(handle: IO[bytes]) -> Iterator[_Decoded]:
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        text, encoding, error = decode_line(raw)
        yield number, raw, text, encoding, error


def _looks_like_python_literal(text: str) -> bool:
    """True when the line is a Python dict literal (single quotes, None/True/False): what `print(dict)` writes."""
    stripped = text.strip()
    if not stripped.startswith("{") or len(stripped) > 10_000_000:
        return False
    try:
        return isinstance(ast.literal_eval(stripped), dict)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def parse_line(file: str, number: int, raw: bytes, text: str, encoding: str | None = "utf-8") -> Record | BadLine:
    """Parse one decoded line into a `Record`, or explain why it is not one."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if _looks_like_python_literal(text):
            return BadLine(file, number, "a Python dict literal, not JSON (single quotes or None/True/False)", raw,
                           encoding)
        return BadLine(file, number, f"not valid JSON ({exc.msg} at column {exc.colno})", raw, encoding)
    try:
        return Record.from_dict(value, Provenance(file, number))
    except RecordError as exc:
        return BadLine(file, number, str(exc), raw, encoding)


def iter_records(path: str | os.PathLike[str], *, display_name: str | None = None) -> Iterator[Record | BadLine]:
    """Stream the file's records; bad lines come out as `BadLine` in their place. Memory stays flat.

    A missing or unreadable file raises `InputError` here, at the call, not at the first ``next()``.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"input file not found: {p}", "check the path")
    if p.is_dir():
        raise InputError(f"{p} is a folder, expected a .jsonl file", "pass the file, or use --input-dir")
    try:
        open(p, "rb").close()  # unreadable files fail here, before the caller writes anything
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}", "check the file's permissions") from exc
    return _records(p, display_name or str(p))


def iter_records_from_stream(stream: IO[bytes], name: str = "<stdin>") -> Iterator[Record | BadLine]:
    """Like `iter_records`, for an open binary stream (e.g. ``sys.stdin.buffer``); ``name`` labels messages."""
    return _from_decoded(_decode_any(stream, name), name)


def _records(path: Path, name: str) -> Iterator[Record | BadLine]:
    return _from_decoded(_iter_decoded(path), name)


def _from_decoded(lines: Iterator[_Decoded],
                  name: str) -> Iterator[Record | BadLine]:
    for number, raw, text, encoding, error in lines:
        if text is None:
            yield BadLine(name, number, error or "undecodable line", raw, None)
            continue
        yield parse_line(name, number, raw, text, encoding)


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
