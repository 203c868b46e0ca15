"""Article citations in Russian legal text: extraction into typed `Citation`s and validation against the acts table.

What counts as a citation is a reference to an *article* («ст.», «статья», «ст.ст.», «ст. ст.»), optionally with
its part / point / sub-point / paragraph in front («пп. 4 п. 2 ст. 333.36 НК РФ», «абз. 2 п. 3 ст. 1079 ГК РФ»)
and the act after it (abbreviation, spelled-out name in any case, a federal law by number, or an anaphora such as
«указанного Закона»). Law numbers («№ 40-ФЗ»), plenum resolutions, «№ 6-П» and «п. 42(1) Правил № 354» are not
article citations and are never extracted. One mention of several articles («ст.ст. 309, 310 ГК РФ»,
«ст. ст. 309–310») yields one `Citation` per article written, sharing the mention's span and raw text.

The acts themselves (aliases, article ranges, known dotted articles, confidence) are data in
``configs/legal_acts.toml`` so a user can extend them without touching code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from legal_ft.errors import ConfigError
from legal_ft.resources import configs_dir

ACTS_FILE = "legal_acts.toml"
CONFIDENCE_LEVELS = ("high", "medium", "low")

# Act status of a citation.
KNOWN = "known"  # resolved to an act in the table
UNKNOWN = "unknown"  # names an act that looks like a code abbreviation but is not in the table («ГКК РФ»)
UNLISTED = "unlisted"  # a real-looking law the table does not track (accepted, unchecked)
UNNAMED = "unnamed"  # no act after the article («ст. ст. 309–310»)
UNRESOLVED = "unresolved"  # an anaphora with nothing before it to point at


@dataclass(frozen=True, slots=True)
class Act:
    key: str
    title: str
    kind: str  # "code" | "law"
    max_article: int
    numbering: str  # "plain" | "chapter"
    chapters: tuple[int, int] | None
    dotted: frozenset[str]
    dotted_checked: bool
    confidence: str


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited article. ``act`` is the table key (``"ГК"``) when known; ``act_text`` is the act as written."""

    article: str
    act: str | None
    act_text: str | None
    status: str
    part: str | None  # «ч. 1»
    point: str | None  # «п. 2»
    subpoint: str | None  # «пп. 4»
    paragraph: str | None  # «абз. 2»
    span: tuple[int, int]
    raw: str
    is_range_end: bool = False  # the second number of «309–310»

    @property
    def where(self) -> str:
        return f"output:{self.span[0]}-{self.span[1]}"

    def label(self) -> str:
        """Short human form: «п. 1 ст. 15 ГК»."""
        bits = [f"{k} {v}" for k, v in (("абз.", self.paragraph), ("пп.", self.subpoint), ("п.", self.point),
                                          ("ч.", self.part)) if v]
        bits.append(f"ст. {self.article}")
        if self.act_text:
            bits.append(self.act if self.act and self.status == KNOWN else self.act_text)
        return " ".join(bits)


@dataclass(frozen=True, slots=True)
class CitationProblem:
    """Why a citation is suspect: a stable reason slug and a message quoting the citation."""

    citation: Citation
    reason: str  # unknown-act | article-out-of-range | unknown-dotted-article | chapter-out-of-range
    message: str


class ActsTable:
    """The acts table with its compiled patterns (built once per table file)."""

    def __init__(self, acts: dict[str, Act], act_alternatives: list[tuple[str, str]], anaphora: str,
                 law_numbers: dict[str, str]) -> None:
        self.acts = acts
        self.law_numbers = law_numbers
        self._group_to_key: dict[str, str] = {}
        self._index_cache: dict[regex.Pattern[str], list[tuple[int, str]]] = {}
        parts = []
        for i, (key, pattern) in enumerate(act_alternatives):
            self._group_to_key[f"a{i}"] = key
            parts.append(f"(?P<a{i}>{pattern})")
        known = "|".join(parts)
        # Order matters (leftmost alternative wins at a position): federal law by number, named acts and
        # abbreviations, anaphora, then acts we do not track and finally unknown code-like abbreviations.
        act_re = (
            r"(?P<lawno_act>(?:Федеральн\w*\s+)?(?:[Зз]акон\w*|ФЗ)\s+(?:РФ\s+|Российской\s+Федерации\s+)?"
            r"(?:от\s+\d{1,2}\.\d{1,2}\.\d{4}\s*(?:г(?:ода|\.)?\s*)?)?№\s*(?P<lawno>\d+(?:-\d+)?(?:-ФЗ|-ФКЗ)?)"
            r"(?:\s*[«\"„“][^»\"“”\n]{1,200}[»\"“”])?)"
            rf"|{known}"
            rf"|(?P<anaphora>{anaphora})"
            r"|(?P<unlisted>(?:Федеральн\w*\s+)?(?:[Зз]акон\w*|ФЗ)\s+(?:РФ\s+|Российской\s+Федерации\s+)?"
            r"[«\"„“][^»\"“”\n]{1,200}[»\"“”])"
            r"|(?P<bare>(?:Закон\w*|Кодекс\w*|Федеральн\w+\s+закон\w*)(?!\s*[«\"]))"
            r"|(?P<unknown>[А-ЯЁ][А-ЯЁа-яё]{0,4}[А-ЯЁ]\s+(?:РФ|России|Российской\s+Федерации)"
            # a code misnamed («Гражданского процессуального закона РФ»): the real names matched above first
            r"|(?:Гражданск|Арбитражн|Уголовн|Административн)\w*\s+процессуальн\w+\s+(?!кодекс)[а-яё]+"
            r"(?:\s+(?:РФ|России|Российской\s+Федерации))?)"
        )
        self.act_only_re = regex.compile(rf"(?<![\w-])(?:{known})(?!\w)")
        # The part / point prefix («пп. 4 п. 2») is matched backwards from the article keyword (see
        # `_PREFIX_TAIL_RE`): a pattern that starts with an optional prefix is tried at every character.
        self.mention_re = regex.compile(
            r"(?<![\w.])(?P<kw>ст\.\s*ст\.|ст\.ст\.|ст\.|стать(?:я|и|е|ей|ёй|ю|ями|ях|ям))\s*"
            rf"(?P<nums>{_NUM}(?:{_SEP}{_NUM})*)(?![\d(])"
            rf"(?:,?\s+(?P<act>{act_re})(?!\w))?",
        )

    def key_of(self, match: regex.Match) -> str | None:
        """The act of the first named act group that took part in ``match`` (None: no known act)."""
        regs = match.regs  # spans of every group, (-1, -1) for one that did not take part: no call per group
        for index, key in self._keys_by_index(match.re):
            if regs[index][0] >= 0:
                return key
        return None

    def _keys_by_index(self, pattern: regex.Pattern[str]) -> list[tuple[int, str]]:
        found = self._index_cache.get(pattern)
        if found is None:
            found = self._index_cache[pattern] = [(pattern.groupindex[name], key)
                                                  for name, key in self._group_to_key.items()]
        return found


_NUM = r"\d{1,4}(?:\.\d{1,3})*"
_SEP = r"\s*(?:,\s*|\s+и\s+|\s*[-–—]\s*|\s+по\s+)"
_PREFIX_UNIT = (
    r"(?<![\w.])(?:абз\.|абзац\w*|пп\.|подп\.|подпункт\w*|п\.|пункт\w*|ч\.|част\w*)\s*"
    r"\d{1,3}(?:\.\d{1,3})*(?:\(\d+\))?(?:\s*(?:,|и)\s*\d{1,3}(?!\d))*"
)
_PREFIX_TAIL_RE = regex.compile(rf"(?:{_PREFIX_UNIT}\s*)+$")
_PREFIX_WINDOW = 120
_PREFIX_ITEM_RE = regex.compile(
    r"(?P<kind>абз\.|абзац\w*|пп\.|подп\.|подпункт\w*|п\.|пункт\w*|ч\.|част\w*)\s*(?P<num>\d{1,3}(?:\.\d{1,3})*(?:\(\d+\))?)"
)
_NUMS_RE = regex.compile(rf"(?P<num>{_NUM})(?P<sep>{_SEP})?")
_RANGE_SEP_RE = regex.compile(r"[-–—]|по")
_KIND_RE = regex.compile(r"Закон|ФЗ|закон")


def _expand_dotted(items: Iterable[str], where: str) -> frozenset[str]:
    out: set[str] = set()
    for item in items:
        if "-" in item:
            lo, hi = item.split("-", 1)
            base_lo, _, n_lo = lo.partition(".")
            base_hi, _, n_hi = hi.partition(".")
            if base_lo != base_hi or not n_lo.isdigit() or not n_hi.isdigit():
                raise ConfigError(f"{where}: bad dotted range {item!r}", "write ranges as 153.1-153.11")
            out.update(f"{base_lo}.{n}" for n in range(int(n_lo), int(n_hi) + 1))
        else:
            out.add(item)
    return frozenset(out)


def load_acts(path: Path | None = None) -> ActsTable:
    """Load an acts table (default: the bundled ``configs/legal_acts.toml``); raises `ConfigError` when bad."""
    target = Path(path) if path is not None else configs_dir() / ACTS_FILE
    try:
        stamp = target.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"cannot read the acts table {target}: {exc}",
                          "fix or restore configs/legal_acts.toml") from None
    return _load_acts(str(target), stamp)


@lru_cache(maxsize=4)
def _load_acts(path: str, stamp: int) -> ActsTable:  # stamp: a changed file is read again
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the acts table {path}: {exc}",
                          "fix or restore configs/legal_acts.toml") from None
    acts: dict[str, Act] = {}
    alternatives: list[tuple[str, str]] = []
    abbrevs: list[tuple[str, str]] = []
    law_numbers: dict[str, str] = {}
    for key, spec in data.get("acts", {}).items():
        where = f"{path} [acts.{key}]"
        try:
            confidence = spec.get("confidence", "low")
            if confidence not in CONFIDENCE_LEVELS:
                raise ConfigError(f"{where}: confidence must be one of {CONFIDENCE_LEVELS}", "fix the table")
            chapters = tuple(spec["chapters"]) if "chapters" in spec else None
            acts[key] = Act(
                key=key,
                title=spec["title"],
                kind=spec.get("kind", "code"),
                max_article=int(spec.get("max_article", 0)),
                numbering=spec.get("numbering", "plain"),
                chapters=chapters,  # type: ignore[arg-type]
                dotted=_expand_dotted(spec.get("dotted", []), where),
                dotted_checked=bool(spec.get("dotted_checked", False)),
                confidence=confidence,
            )
        except KeyError as exc:
            raise ConfigError(f"{where}: missing {exc}", "every act needs a title") from None
        for pattern in spec.get("patterns", []):
            try:
                regex.compile(pattern)
            except regex.error as exc:
                raise ConfigError(f"{where}: bad pattern {pattern!r}: {exc}", "fix the regular expression") from None
            alternatives.append((key, pattern))
        abbrevs.extend((key, a) for a in spec.get("abbrev", []))
        law_numbers.update({n: key for n in spec.get("law_numbers", [])})
    # Abbreviations: longest first so that «ГК РФ» wins over «ГК»; spaces match any whitespace.
    for key, abbrev in sorted(abbrevs, key=lambda ka: -len(ka[1])):
        alternatives.append((key, r"\s+".join(regex.escape(w) for w in abbrev.split())))
    anaphora = data.get("anaphora", {}).get("pattern", r"указанн\w+\s+(?P<kind>Закон\w*|Кодекс\w*)")
    return ActsTable(acts, alternatives, anaphora, law_numbers)


DEFAULT_TABLE = load_acts()


def extract_citations(text: str, table: ActsTable | None = None) -> list[Citation]:
    """Every article citation in ``text``, in order of appearance."""
    table = table or DEFAULT_TABLE
    if "ст" not in text:
        return []
    mentions = list(table.mention_re.finditer(text))
    if not mentions:
        return []
    # Acts named anywhere (also outside a citation) are what an anaphora can point back at.
    named: list[tuple[int, str | None]] | None = None
    if any(m.group("anaphora") is not None or m.group("bare") is not None for m in mentions):
        named = [(m.start(), table.key_of(m)) for m in table.act_only_re.finditer(text)]
    out: list[Citation] = []
    for m in mentions:
        act_key, act_text, status = _resolve_act(m, table, named or [])
        if status == UNNAMED and _is_contract_reference(text, m.end()):
            continue
        window_start = max(0, m.start() - _PREFIX_WINDOW)
        tail = _PREFIX_TAIL_RE.search(text, window_start, m.start())
        prefix = tail.group(0) if tail else ""
        start = tail.start() if tail else m.start()
        part = point = subpoint = paragraph = None
        for item in _PREFIX_ITEM_RE.finditer(prefix):
            kind, num = item.group("kind"), item.group("num")
            if kind.startswith("абз"):
                paragraph = num
            elif kind.startswith(("пп", "подп")):
                subpoint = num
            elif kind.startswith("п"):
                point = num
            else:
                part = num
        span = (start, m.end())
        raw = text[start:m.end()].strip()
        previous_sep = ""
        for nm in _NUMS_RE.finditer(m.group("nums")):
            out.append(
                Citation(
                    article=nm.group("num"),
                    act=act_key,
                    act_text=act_text,
                    status=status,
                    part=part,
                    point=point,
                    subpoint=subpoint,
                    paragraph=paragraph,
                    span=span,
                    raw=raw,
                    is_range_end=bool(_RANGE_SEP_RE.search(previous_sep)),
                )
            )
            previous_sep = nm.group("sep") or ""
    return out


_CONTRACT_RE = regex.compile(r"\s*(?:договор|соглашени|контракт|устав|регламент|правил|положени)\w*", regex.IGNORECASE)


def _is_contract_reference(text: str, end: int) -> bool:
    """«п. 5.1 ст. 3 Договора» is a contract clause, not law."""
    return bool(_CONTRACT_RE.match(text, end))


def _resolve_act(
    m: regex.Match, table: ActsTable, named: list[tuple[int, str | None]]
) -> tuple[str | None, str | None, str]:
    act_text = m.group("act")
    if act_text is None:
        return None, None, UNNAMED
    act_text = " ".join(act_text.split())
    if m.group("lawno_act") is not None:
        key = table.law_numbers.get(m.group("lawno"))
        return (key, act_text, KNOWN) if key else (None, act_text, UNLISTED)
    key = table.key_of(m)
    if key is not None:
        return key, act_text, KNOWN
    if m.group("anaphora") is not None or m.group("bare") is not None:
        kind = "law" if _KIND_RE.search(act_text) else "code"
        before = m.start()
        for pos, k in reversed(named):
            if pos < before and k is not None and table.acts[k].kind == kind:
                return k, act_text, KNOWN
        return None, act_text, UNRESOLVED
    if m.group("unlisted") is not None:
        return None, act_text, UNLISTED
    return None, act_text, UNKNOWN


def validate_citation(
    citation: Citation, table: ActsTable | None = None, check_confidence: Iterable[str] = ("high", "medium")
) -> CitationProblem | None:
    """A problem when the act is unknown or the article cannot exist in it; None when it may be real.

    Acts whose table confidence is not in ``check_confidence`` are accepted unchecked.
    """
    table = table or DEFAULT_TABLE
    quoted = f"«{citation.raw}»"
    if citation.status == UNKNOWN:
        return CitationProblem(citation, "unknown-act", f"{quoted}: unknown act «{citation.act_text}»")
    if citation.status != KNOWN or citation.act is None:
        return None
    act = table.acts[citation.act]
    if act.confidence not in set(check_confidence):
        return None
    article = citation.article
    base_text, dot, _ = article.partition(".")
    base = int(base_text)
    if act.numbering == "chapter":
        if not dot:
            return CitationProblem(citation, "article-out-of-range",
                                   f"{quoted}: {act.key} numbers articles as chapter.article, «{article}» is not one")
        lo, hi = act.chapters or (1, 10**6)
        if not lo <= base <= hi:
            return CitationProblem(citation, "chapter-out-of-range",
                                   f"{quoted}: {act.key} has chapters {lo}–{hi}, not {base}")
        return None
    if base < 1 or (act.max_article and base > act.max_article):
        return CitationProblem(citation, "article-out-of-range",
                               f"{quoted}: {act.key} has articles 1–{act.max_article}, not {article}")
    if dot and act.dotted_checked and article not in act.dotted:
        return CitationProblem(citation, "unknown-dotted-article",
                               f"{quoted}: article {article} is not known to exist in {act.key}")
    return None
