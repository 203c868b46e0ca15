"""Streaming JSONL reading and atomic writing."""

from legal_ft.io.atomic import atomic_output, ensure_not_input
from legal_ft.io.jsonl import BadLine, JsonlWriter, RejectsWriter, detect_encoding, iter_records, iter_lines

__all__ = [
    "BadLine",
    "JsonlWriter",
    "RejectsWriter",
    "atomic_output",
    "detect_encoding",
    "ensure_not_input",
    "iter_lines",
    "iter_records",
]
