"""Whole text files and piped text (case facts, a document to check) in the encodings Russian Windows produces."""

from __future__ import annotations

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
