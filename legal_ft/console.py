"""Terminal output that never crashes on a console that cannot show Cyrillic.

Windows consoles (cp866, cp1251 with odd fonts) and `PYTHONIOENCODING=ascii` pipes cannot encode every
character we print. Instead of a UnicodeEncodeError mid-run, characters the stream cannot encode are
transliterated (Cyrillic to Latin, typographic punctuation to ASCII) and anything left becomes `?`.
"""

from __future__ import annotations

import codecs
import io
import sys
from typing import TextIO

from rich.console import Console

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
    "«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "−": "-",
    "…": "...", "№": "No.", "\u00a0": " ", "×": "x", "≈": "~", "→": "->", "←": "<-", "✓": "+", "✗": "x",
    "•": "*", "█": "#", "━": "-", "─": "-", "│": "|", "┃": "|",
}

ERROR_HANDLER = "legalft-translit"


def transliterate_char(ch: str, in_caps: bool = False) -> str:
    """Latin for one character; ``in_caps`` makes `Ш` inside a capitalised word `SH` rather than `Sh`."""
    low = ch.lower()
    if low in _TRANSLIT:
        out = _TRANSLIT[low]
        if ch == low or not out:
            return out
        return out.upper() if in_caps else out.capitalize()
    return "?"


def _translit_errors(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object
    out = []
    for i in range(exc.start, exc.end):
        neighbours = text[max(i - 1, 0) : i] + text[i + 1 : i + 2]
        in_caps = any(c.isalpha() and c.isupper() for c in neighbours)
        out.append(transliterate_char(text[i], in_caps))
    return "".join(out), exc.end


try:
    codecs.lookup_error(ERROR_HANDLER)
except LookupError:
    codecs.register_error(ERROR_HANDLER, _translit_errors)


def make_stream_safe(stream: TextIO) -> TextIO:
    """Make ``stream`` transliterate what its encoding cannot show instead of raising."""
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower()
    if codecs.lookup(encoding).name == "utf-8":
        return stream
    if isinstance(stream, io.TextIOWrapper):
        try:
            stream.reconfigure(errors=ERROR_HANDLER)
            return stream
        except (AttributeError, ValueError, io.UnsupportedOperation):
            pass
    return stream


def install_safe_streams() -> None:
    sys.stdout = make_stream_safe(sys.stdout)
    sys.stderr = make_stream_safe(sys.stderr)


_consoles: dict[str, Console] = {}


def console(stderr: bool = False) -> Console:
    """A rich console bound to the current (safe) stdout/stderr; recreated when the stream changes."""
    key = "err" if stderr else "out"
    stream = sys.stderr if stderr else sys.stdout
    cached = _consoles.get(key)
    if cached is None or cached.file is not stream:
        cached = Console(file=stream, highlight=False, soft_wrap=True)
        _consoles[key] = cached
    return cached


# -v/-q: 0 = normal, <0 quiet (only errors and the one result line), >0 verbose (debug details).
_verbosity = 0


def set_verbosity(level: int) -> None:
    global _verbosity
    _verbosity = level


def verbosity() -> int:
    return _verbosity


def is_quiet() -> bool:
    return _verbosity < 0


def say(message: str, *, level: int = 0) -> None:
    """Print a status line to stderr unless the user asked for less output than ``level`` needs."""
    if _verbosity >= level:
        console(stderr=True).print(message, markup=False)


def warn(message: str) -> None:
    """Warnings are shown even with -q: they are about the user's data."""
    console(stderr=True).print(f"warning: {message}", markup=False, style="yellow")
