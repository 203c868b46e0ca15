"""Language rule: the document is written in Russian.

Latin text that belongs in a Russian document — brand names, VIN numbers, e-mail addresses, URLs, IMEI — is
removed before measuring, so «Samsung Galaxy S23 (VIN JTNBE40K703123456), e-mail: belova@example.ru» is fine.
Ukrainian is told apart by its own letters (і ї є ґ) and words.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.legal.charcount import count_cyrillic as _count_cyrillic
from legal_ft.legal.charcount import count_latin as _count_latin

FAMILY = "language"
_IGNORED_RE = regex.compile(
    r"(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![A-Z0-9-])(?=[A-Z0-9-]{0,40}\d)[A-Z0-9-]{5,}(?![A-Z0-9-])",
)
_NOT_LATIN_RE = regex.compile(r"[^\p{Latin}]+")
_NOT_CYRILLIC_RE = regex.compile(r"[^\p{Cyrillic}]+")
_ANY_LATIN_RE = regex.compile(r"\p{Latin}")
_LATIN_PHRASE_RE = regex.compile(r"\p{Latin}+(?:[ ,.'-]+\p{Latin}+){2,}")
_UKRAINIAN_LETTER_RE = regex.compile(r"[іїєґІЇЄҐ]")
_UKRAINIAN_WORD_RE = regex.compile(
    r"\b(?:що|це|який|яка|які|якщо|від|або|є|також|відповідно|позивач\w*|відповідач\w*|позовн\w+|стягнути|"
    r"України|цивільн\w+|суду\s+прошу|заява|вимог\w*|грн|гривень)\b",
    regex.IGNORECASE,
)
_UKRAINIAN_LETTERS = "іїєґІЇЄҐ"
# Chinese, Japanese or Korean characters leaking into Russian text — a Qwen-family habit («в течение 10 дней 日 с
# момента», «задолженности并 направить»): a short run of them (a company's name in characters runs longer) or one
# glued to a Cyrillic letter.
_CJK_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]+")
_CYRILLIC_CHAR_RE = regex.compile(r"\p{Cyrillic}")
# A passage of English inside a Russian document: a run of Latin words with no Cyrillic between them, long enough
# and with enough English function words that it is prose, not a company name or a list of brands.
_LATIN_RUN_RE = regex.compile(r"\p{Latin}[\p{Latin}'’-]*(?:[ \t,;:.()\"«»!?–—%/\d-]+\p{Latin}[\p{Latin}'’-]*)+")
_LATIN_WORD_RE = regex.compile(r"\p{Latin}[\p{Latin}'’-]*")
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to in is are was were be been that this these for with by on as it its not which from an has have "
    "had will would shall should may must can or if at".split())


class NotRussian(Rule):
    """The document is not in Russian: English (Latin letters dominate), an English passage inside it (a model
    that switched language for a paragraph; a passage in quotation marks is a quotation and stays), Chinese or
    Japanese characters leaking into the text (a Qwen habit), or Ukrainian (its letters і ї є ґ and words such as
    «позивач», «відповідач», «що»).

    Bad: ``STATEMENT OF CLAIM. The plaintiff requests the court to recover …`` or ``ПОЗОВНА ЗАЯВА … Позивач …``
    Good: ``ИСКОВОЕ ЗАЯВЛЕНИЕ … смартфон Samsung Galaxy S23, e-mail: ivanov@example.ru``
    """

    code = "LF501"
    name = "not-russian"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        max_latin_share: float = 0.3  # of letters, after brands-with-digits, e-mails and URLs are removed
        max_ukrainian_letters: float = 0.005  # і ї є ґ per Cyrillic letter
        max_ukrainian_words: int = 3
        max_english_passage_words: int = 12  # a longer run of Latin words that reads as English prose is a passage
        min_english_function_words: int = 4  # «the», «of», «and» … in that run: prose, not names

    def measure(self, doc: Document) -> dict[str, float]:
        text = doc.output
        if _ANY_LATIN_RE.search(text):
            text = _IGNORED_RE.sub(" ", text)
            latin = _count_latin(text)  # len(_NOT_LATIN_RE.sub("", text))
        else:
            latin = 0
        cyr = _count_cyrillic(text)  # len(_NOT_CYRILLIC_RE.sub("", text))
        ukrainian = len(_UKRAINIAN_LETTER_RE.findall(text)) if any(c in text for c in _UKRAINIAN_LETTERS) else 0
        return {
            "english_passage_words": float(len(self._english_passage(doc.output) or ())) if latin else 0.0,
            "latin_share": latin / max(latin + cyr, 1),
            "ukrainian_letters": ukrainian / max(cyr, 1),
            "ukrainian_words": float(len(_UKRAINIAN_WORD_RE.findall(text))) if ukrainian else 0.0,
        }

    def check(self, doc: Document) -> list[Finding]:
        if not doc.output.strip():
            return []
        m = self.measure(doc)
        if m["latin_share"] > self.t.max_latin_share:
            sample = _LATIN_PHRASE_RE.search(doc.output)
            quoted = f", e.g. «{sample.group(0)[:60]}»" if sample else ""
            return [self.finding("english", f"{m['latin_share']:.0%} of the letters are Latin{quoted}", "output")]
        leak = _cjk_leak(doc.output)
        if leak:
            return [self.finding("cjk-leak", f"Chinese/Japanese/Korean characters inside the Russian text: «{leak}»",
                                 "output")]
        if m["english_passage_words"]:
            words = self._english_passage(doc.output) or []
            return [self.finding("english-passage", f"an English passage of {len(words)} words inside the "
                                 f"document: «{' '.join(words[:10])} …»", "output")]
        if m["ukrainian_letters"] > self.t.max_ukrainian_letters and m["ukrainian_words"] > self.t.max_ukrainian_words:
            words = sorted({w.lower() for w in _UKRAINIAN_WORD_RE.findall(doc.output)})[:4]
            return [self.finding("ukrainian", f"Ukrainian: {m['ukrainian_words']:.0f} Ukrainian words ("
                                 f"{', '.join(f'«{w}»' for w in words)}) and letters і/ї/є/ґ "
                                 f"({m['ukrainian_letters']:.1%} of Cyrillic letters)", "output")]
        return []


    def _english_passage(self, text: str) -> list[str] | None:
        """The words of the first run of Latin words that is English prose, or None."""
        for run in _LATIN_RUN_RE.finditer(text):
            if run.end() - run.start() < 4 * self.t.max_english_passage_words or _quoted(text, run.start(), run.end()):
                continue
            words = _LATIN_WORD_RE.findall(run.group(0))
            if len(words) > self.t.max_english_passage_words and sum(
                    w.lower() in _ENGLISH_FUNCTION_WORDS for w in words) >= self.t.min_english_function_words:
                return words
        return None


def _cjk_leak(text: str) -> str | None:
    """The context of the first leaked CJK run, or None (no CJK at all is the usual case: one cheap scan)."""
    for m in _CJK_RE.finditer(text):
        before, after = text[m.start() - 1:m.start()], text[m.end():m.end() + 1]
        glued = bool(_CYRILLIC_CHAR_RE.match(before) or _CYRILLIC_CHAR_RE.match(after))
        if glued or len(m.group(0)) <= 3:
            return " ".join(text[max(0, m.start() - 25):m.end() + 25].split())
    return None


def _quoted(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands inside quotation marks: a contract clause or a letter quoted in the
    original («7.2. In case of late payment the Licensee shall pay …»), not the model switching language."""
    before = text[:start]
    if before.count("«") > before.count("»") and "»" in text[end:]:
        return True
    return before.count('"') % 2 == 1 and '"' in text[end:]


@hookimpl
def legalft_rules():
    return [NotRussian]
