"""Whole text files and piped text (case facts, a document to check) in the encodings Russian Windows produces."""

from __future__ import annotations

import sys
from pathlib import Path

from legal_ft.errors import InputError
from legal_ft.io.jsonl import wide_encoding


def decode_text(data: bytes, what: str = "the text") -> str:
    """Bytes as text: UTF-16/32 when they start with a byte-order mark (Notepad's "Unicode", PowerShell 5's
    ``>``), else UTF-8 (with or without BOM), else Windows-1251 — what ``type file.txt |`` pipes on a Russian
    Windows, whatever the console's own encoding is. ``what`` names the text in the error message."""
    wide = wide_encoding(data[:4])
    if wide:
        try:
            return data.decode(wide)
        except UnicodeDecodeError as exc:
            raise InputError(f"{what}: damaged {wide.upper()} text ({exc.reason})",
                             "save it again as UTF-8 (in Notepad: Save as → Encoding: UTF-8)") from exc
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")  # pragma: no cover - cp1251 decodes every byte but 0x98


def read_text_file(path: Path, what: str, missing_hint: str, label: str | None = None) -> str:
    """A whole text file in any of the encodings `decode_text` reads; ``what`` names it when it is missing,
    ``label`` (default: the path) when it is damaged."""
    if not path.is_file():
        raise InputError(f"{what} not found: {path}", missing_hint)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", "check the file's permissions") from exc
    return decode_text(data, label or str(path))


def read_piped_text(what: str, missing_hint: str, label: str | None = None) -> str:
    """Text piped on stdin (as bytes when the stream has them, so Windows' cp1251 pipes decode); a terminal with
    nothing piped is an error naming ``what``; ``label`` (default: «the WHAT on stdin») names damaged text."""
    stdin = sys.stdin
    if stdin is None or stdin.isatty():
        raise InputError(f"no {what} given", missing_hint)
    buffer = getattr(stdin, "buffer", None)
    return decode_text(buffer.read(), label or f"the {what} on stdin") if buffer is not None else stdin.read()
