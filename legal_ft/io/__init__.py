"""Streaming JSONL reading and atomic writing."""

from legal_ft.io.atomic import atomic_output, ensure_not_input, write_bytes_atomic, write_text_atomic
from legal_ft.io.jsonl import (
    BadLine,
    JsonlWriter,
    RejectsWriter,
    decode_line,
    detect_encoding,
    iter_lines,
    iter_records,
    iter_records_from_stream,
    wide_encoding,
)

__all__ = [
    "BadLine",
    "JsonlWriter",
    "RejectsWriter",
    "atomic_output",
    "decode_line",
    "detect_encoding",
    "ensure_not_input",
    "iter_lines",
    "iter_records",
    "iter_records_from_stream",
    "write_bytes_atomic",
    "wide_encoding",
    "write_text_atomic",
]
