"""The standard library's `re` where it is faster, `regex` wherever the two could disagree.

Line-anchored patterns (``^…$`` under MULTILINE) scan a document 3-4x faster with `re` than with `regex`, which has
no line-start optimisation (sample corpus: 19 vs 90 µs per 2.5 KB document for the demand heading). The engines
give ``\\w``, ``\\s``, ``\\d``, ``\\b`` and case-insensitive matching the same meaning on almost every character, but
not all: `regex` counts combining marks (stress marks «а́»), superscripts («м²») and fractions as word characters,
and `re` counts U+001C-U+001F as white space; case folding may differ outside ASCII and Cyrillic. A `DualPattern`
is compiled with both; `engines_agree(text)` (one table lookup per character, ~3 µs for 2.5 KB) says whether the
text holds none of those characters, and only then is the `re` form used. Results are therefore always those of
`regex` (``tests/test_legal_sections.py`` checks both forms and the character table against the engines).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import regex

_BMP = 0x10000
_ASCII_OR_CYRILLIC = re.compile(r"[\x00-\x7f\u0400-\u04ff]")
_table: np.ndarray | None = None


def _build_table() -> np.ndarray:
    """True for every BMP character on which `re` and `regex` may disagree."""
    every = "".join(map(chr, range(_BMP)))
    codes = np.arange(_BMP)
    unsafe = np.zeros(_BMP, dtype=bool)
    for cls in (r"\w", r"\s", r"\d"):
        a = np.frombuffer(re.sub(cls, "\x01", every).encode("utf-16-le", "surrogatepass"), dtype=np.uint16) == 1
        b = np.frombuffer(regex.sub(cls, "\x01", every).encode("utf-16-le", "surrogatepass"), dtype=np.uint16) == 1
        a[1] = re.match(cls, "\x01") is not None
        b[1] = regex.match(cls, "\x01") is not None
        unsafe |= a != b
    cased = np.array([c.lower() != c or c.upper() != c or c.casefold() != c for c in every], dtype=bool)
    outside = np.array([_ASCII_OR_CYRILLIC.match(c) is None for c in every], dtype=bool)
    unsafe |= cased & outside
    unsafe[(codes >= 0xD800) & (codes < 0xE000)] = True  # lone surrogates: leave them to `regex`
    return unsafe


def unsafe_table() -> np.ndarray:
    global _table
    if _table is None:
        _table = _build_table()
    return _table


def engines_agree(text: str) -> bool:
    """Whether `re` and `regex` give the same results on ``text`` for the patterns of this package."""
    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) != 2 * len(text):  # characters beyond the BMP
        return False
    return not unsafe_table()[np.frombuffer(data, dtype=np.uint16)].any()


class DualPattern:
    """One pattern compiled with `re` (``fast``) and with `regex` (``exact``); ``pick`` chooses by
    `engines_agree`. Flags are the stdlib ones (IGNORECASE, MULTILINE, DOTALL) and mean the same in both."""

    _FLAG_MAP = ((re.IGNORECASE, regex.IGNORECASE), (re.MULTILINE, regex.MULTILINE), (re.DOTALL, regex.DOTALL))

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self.fast = re.compile(pattern, flags)
        self.exact = regex.compile(pattern, regex.V0 | sum(b for a, b in self._FLAG_MAP if flags & a))

    def pick(self, agree: bool) -> Any:
        return self.fast if agree else self.exact

    def for_text(self, text: str) -> Any:
        return self.pick(engines_agree(text))
