"""Patterns for what a model (or transport) leaves in a document that does not belong there: chatter, refusals,
markdown, unfilled placeholders and mojibake — shared by the normalisers that remove what can be removed safely
and the rules that reject what remains, so both agree on what they see.

Mojibake, measured with ftfy 6.3.1 on Russian procedural text (script kept in the test-suite as
``test_normalisers.py::test_ftfy_measurement``):

* cp1251 form (UTF-8 bytes decoded as Windows-1251, «Р’ Р—Р°РІРѕР»Р¶СЃРєРёР№»): ``ftfy.fix_encoding`` repairs it
  exactly when the mangling used the "sloppy" codec that keeps byte 0x98 (the second byte of «И», «Ш» …). When the
  mangling replaced undefined bytes (Python's strict ``cp1251`` with ``errors="replace"``), the text holds
  U+FFFD and ftfy returns «�стец» — not certain, so we refuse it.
* Mac Roman form (the seed guide's «–†—É–∫–æ–≤–æ–¥—Å—Ç–≤–æ»): ftfy repairs whole documents (enough evidence), but not
  short strings such as a single line («–†—É–∫–æ–≤–æ–¥—Å—Ç–≤–æ –ø–æ –æ–±—É—á–µ–Ω–∏—é» comes back unchanged), so we
  also try the
  explicit plan ``encode("macroman") → decode("utf-8")`` on the whole text and line by line.
* Mixed text (one mangled phrase inside good Cyrillic): ftfy's ``decode_inconsistent_utf8`` repairs some runs and
  leaves others («РћРћРћ» stays), so the result still has markers and is refused.

A repair is accepted only when the result is clean (no mojibake markers, no U+FFFD, no C1 controls, mostly
Cyrillic letters) and it re-encodes consistently: undoing the plan on the result gives back the input exactly.
"""

from __future__ import annotations

import re as _re
from functools import lru_cache
from typing import Any, Protocol

import ftfy
import ftfy.bad_codecs  # noqa: F401 - registers the sloppy-windows-* codecs
import regex

# ---------------------------------------------------------------------------------------------------- chatter
# Lines a chat model puts before a document.
CHATTER_LEAD_RE = regex.compile(
    r"^\W{0,3}(?:конечно|разумеется|безусловно|хорошо|отлично|с\s+удовольствием|вот\s+(?:ваш|ваше|ваша|пример|проект"
    r"|готов|составленн|образец|вариант|улучшенн|исправленн|доработанн|обновл[её]нн|переработанн|итогов|окончательн"
    r"|полн\w+\s+(?:текст|версия|вариант)|(?:\w+\s+){1,3}(?:вариант|верси|текст|документ|проект|образец|шаблон))"
    r"|ниже\s+(?:представлен|приведен|привожу|вы\s+найдете)|ниже\s*[—–-]\s|предлагаю\s+(?:вам\s+)?"
    r"(?:следующий|вариант|проект)|давайте\s+составим|я\s+подготовил\w*|подготовил\w*\s+для\s+вас"
    r"|sure|certainly|here\s+is"
    # «Вот исковое заявление в арбитражный суд:» — no document opens with «Вот …:»
    r"|вот\s+(?=[^\n]{0,200}:[ \t]*$)"
    # «Заявление о вынесении судебного приказа (…) — готовый текст:» announces the text that follows
    r"|(?=[^\n]{0,200}[—–-]\s*(?:готов\w+\s+(?:текст|вариант|документ)|текст\s+документа|образец|шаблон)\s*:[ \t]*$))"
    r"\w*(?:(?<=\W)|\b)[^\n]{0,200}$",
    regex.IGNORECASE,
)
# Lines a chat model puts after a document.
CHATTER_TRAIL_RE = regex.compile(
    r"^\W{0,3}(?:надеюсь,?\s+(?:это|этот|данн|мой)|если\s+(?:у\s+вас\s+(?:есть|возникнут)|(?:вам\s+)?(?:нужн|потребуется)|хотите"
    r"|необходимо\s+(?:внести|доработать|что-то))|обращайтесь|дайте\s+знать|удачи|желаю\s+(?:успеха|удачи)|могу\s+(?:также|помочь"
    r"|доработать|адаптировать)|готов\s+(?:помочь|доработать|ответить)|не\s+забудьте\s+(?:заполнить|подставить|указать)"
    r"|обратите\s+внимание[:,]|(?:совет|важно|рекомендаци[яи]|подсказка|полезно\s+знать)\s*:|примечание\s*:\s*(?:данн|этот|документ|текст|образец|шаблон)"
    r"|рекомендую\s+(?:также\s+)?(?:проконсультироваться|обратиться\s+к\s+юрист)|hope\s+this\s+helps"
    # the same in English, after a Russian document: «Note: This document is a template and should be reviewed …»
    r"|note\s*:|disclaimer\s*:|please\s+note|i\s+hope|let\s+me\s+know|feel\s+free|good\s+luck"
    r"|this\s+(?:document|template|draft|text|letter|claim|complaint)\s+(?:is|was|has|should|must|may|can)\b"
    # remarks about the text itself: «Этот документ составлен …», «В этом исковом заявлении я изложил …»
    # («Настоящий документ составлен в двух экземплярах» is the document's own sentence and stays.)
    r"|(?:этот|данный)\s+(?:документ|текст|шаблон|образец|проект)\s+(?:был\s+)?(?:(?:составлен|подготовлен)\s+"
    r"(?:в\s+соответствии|с\s+уч[её]том|на\s+основе|по\s+вашему|для\s+вас)|сгенерирован|носит\s+(?:рекомендательн|"
    r"информационн|примерн)|является\s+(?:примером|образцом|шаблоном)|можно\s+(?:использовать|адаптировать|доработать)"
    r"|(?:следует|необходимо|рекомендуется)\s+(?:проверить|адаптировать|доработать|дополнить))"
    r"|документ\s+(?:был\s+)?(?:сгенерирован|создан\s+(?:автоматически|нейросетью|ии))"
    r"|в\s+(?:этом|данном)\s+(?:документе|тексте|проекте|исковом\s+заявлении|заявлении|претензии|жалобе|ходатайстве"
    r"|отзыве)\s+я\s+)\w*(?:(?<=\W)|\b)[^\n]{0,300}$",
    regex.IGNORECASE,
)
# Chatter that gives the game away wherever it stands.
CHATTER_ANYWHERE_RE = regex.compile(
    r"\b(?:как\s+(?:языковая\s+модель|ии|искусственный\s+интеллект|ai|ии-ассистент|нейросеть)\b|я\s+(?:—|-|–)?\s*(?:языковая"
    r"\s+модель|ии-ассистент|искусственный\s+интеллект|нейросеть|чат-бот)|as\s+an\s+ai|as\s+a\s+language\s+model"
    r"|generated\s+by\s+(?:an?\s+)?(?:ai|language\s+model|chatbot)|ai\s+assistant"
    r"|сгенерирован\w*\s+(?:автоматически|нейросетью|искусственным\s+интеллектом|ии\b)"
    r"|вот\s+ваш\w*\s+(?:документ|заявлени|иск|претензи|жалоб|ходатайств|отзыв)\w*\s*:|надеюсь,?\s+это\s+поможет"
    r"|(?:^|\n)\W{0,3}конечно[!,]\s+вот\b"
    r"|я\s+(?:составил|подготовил|написал|сформулировал)\w*\s+(?:(?:этот|данный|это|ваш)\w*\s+)?(?:документ|текст"
    r"|шаблон|образец|проект\s+документа|раздел)\w*\s+(?:по|для\s+вас|на\s+основе|с\s+уч[её]том)\b"
    r"|(?:если\s+)?хотите,?\s+(?:чтобы\s+)?я\s+(?:могу\s+)?\w+|(?:хороший|отличный)\s+вопрос"
    r"|напишите,?\s+(?:пожалуйста,?\s+)?(?:больше|подробн)\w*"
    r"|я\s+бы\s+(?:рекомендовал|посоветовал|предложил|добавил|уточнил)\w*|если\s+они\s+у\s+вас\s+есть"
    r"|адаптируйте\s+(?:его|её|ее|документ|текст|шаблон|раздел)|по\s+общему\s+шаблону"
    r"|замените\s+(?:\w+\s+){0,3}на\s+(?:ваши|свои|актуальные|реальные)"
    r"|рекомендуется\s+проверить\s+(?:этот\s+|данный\s+)?(?:документ|текст)"
    r"|проконсультируйтесь\s+с\s+(?:практикующим\s+)?(?:юристом|адвокатом))",
    regex.IGNORECASE,
)

# ------------------------------------------------------------------------------------------------ model markup
# What a chat model's own format leaves in a collected answer: a Qwen3-style reasoning block («<think>…</think>»,
# empty in non-thinking mode) and chat-template special tokens. Trained on, the adapter would learn to write them
# inside the answer, where the chat template already puts its own.
THINK_BLOCK_RE = regex.compile(r"\A\s*<think>.*?</think>\s*", regex.DOTALL)
SPECIAL_TOKEN_RE = regex.compile(  # a role name after its opening token goes with it
    r"<\|start_header_id\|>\s*assistant\s*<\|end_header_id\|>|<\|im_start\|>[ \t]*assistant\b"
    r"|<\|(?:im_start|im_end|im_sep|endoftext|end_of_text|begin_of_text|eot_id|eom_id|start_header_id|end_header_id"
    r"|end|assistant|user|system|pad)\|>|</?s>|\[/?INST\]",
    regex.IGNORECASE,
)
SPECIAL_TOKEN_EDGES_RE = regex.compile(
    r"\A(?:\s*(?:" + SPECIAL_TOKEN_RE.pattern + r"))+\s*|\s*(?:(?:" + SPECIAL_TOKEN_RE.pattern + r")\s*)+\Z",
    regex.IGNORECASE,
)
MODEL_MARKUP_RE = regex.compile(r"</?think>|" + SPECIAL_TOKEN_RE.pattern, regex.IGNORECASE)


def markup_possible(text: str) -> bool:
    """Whether ``text`` can hold model markup at all: every reasoning block and special token starts with «<» or
    «[» (an `in` test, far cheaper than the scan)."""
    return "<" in text or "[" in text


def strip_model_markup(text: str) -> str:
    """``text`` without a leading reasoning block and without special tokens at its start and end, when a text
    remains; markup inside the text is left for the rule to reject."""
    if not markup_possible(text):
        return text
    out = text
    m = THINK_BLOCK_RE.match(out)
    if m and out[m.end():].strip():
        out = out[m.end():]
    stripped = SPECIAL_TOKEN_EDGES_RE.sub("", out)
    return stripped if stripped.strip() else out


REFUSAL_RE = regex.compile(
    r"\b(?:(?:извините|простите|к\s+сожалению)[,!]?\s+(?:но\s+)?я\s+не\s+(?:могу|в\s+состоянии|буду|имею\s+возможности)"
    r"\s+(?:\w+\s+)?(?:помочь|составить|подготовить|выполнить|написать|предоставить|дать|создать|консультировать)"
    r"|я\s+не\s+могу\s+(?:помочь|составить|подготовить|выполнить|написать|предоставить|дать)\s+(?!ответчик|истц|суд)"
    r"|не\s+могу\s+выполнить\s+(?:эту|ваш|данн)\w*\s+(?:просьбу|запрос|задачу)"
    r"|я\s+не\s+(?:являюсь\s+)?юрист\w*\s+и\s+не\s+могу|это\s+противоречит\s+(?:моим|правилам)"
    r"|произошла\s+ошибка\s+при\s+(?:генерации|обработке|формировании)|попробуйте\s+(?:повторить\s+)?(?:запрос\s+)?позже"
    r"|i\s+(?:can(?:no|')t|am\s+unable\s+to)\s+(?:help|assist|provide|write)|i'?m\s+sorry,?\s+but)",
    regex.IGNORECASE,
)



def fold(text: str) -> str:
    """Case-folded text with every run of white space as one space: what the guards below look in."""
    return " ".join(text.casefold().split())


class Trigger(Protocol):
    """A cheap test a pattern cannot match without: false means the pattern's scan can be skipped."""

    def search(self, text: str) -> Any: ...


class AnyOf:
    """Several triggers tried one after another; each keeps `re`'s literal-prefix scan, which one alternation of
    them loses."""

    def __init__(self, *parts: Trigger) -> None:
        self.parts = parts

    def search(self, text: str) -> bool:
        return any(p.search(text) for p in self.parts)


class Substrings:
    """Any of some literal strings."""

    def __init__(self, *needles: str) -> None:
        self.needles = needles

    def search(self, text: str) -> bool:
        return any(n in text for n in self.needles)


class Reversed:
    """A pattern whose literal comes last, searched backwards: `reverse_pattern` of it over the reversed text. Only
    for patterns without anchors, lookarounds or back-references, whose reversal is again a regular expression of
    the reversed strings (`reverse_pattern` refuses the rest)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.backward = _re.compile(reverse_pattern(pattern))

    def search(self, text: str) -> bool:
        return self.backward.search(text[::-1]) is not None


def reverse_pattern(pattern: str) -> str:
    """The regular expression of the reversed strings, for the small pattern language of the triggers: literals,
    escapes such as ``\\d``, ``[…]`` classes, ``(?:…|…)`` groups and the quantifiers ``* + ?`` (greedy)."""
    items = _parse_sequence(pattern, 0, top=True)[0]
    return _render_reversed(items)


def _parse_sequence(p: str, i: int, top: bool = False) -> tuple[list[Any], int]:
    """Alternatives (lists of atoms) up to the closing parenthesis (or the end at the top level)."""
    alternatives: list[list[tuple[Any, str]]] = [[]]  # (atom or nested alternatives, quantifier)
    while i < len(p):
        c = p[i]
        if c == ")":
            if top:
                raise ValueError(f"unbalanced ')' in {p!r}")
            return alternatives, i + 1
        if c == "|":
            alternatives.append([])
            i += 1
            continue
        if c == "(":
            if not p.startswith("(?:", i):
                raise ValueError(f"only (?:…) groups can be reversed: {p!r}")
            inner, i = _parse_sequence(p, i + 3)
            atom: Any = inner
        elif c == "[":
            j = i + 1
            j += p.startswith("^", j)
            j += p.startswith("]", j)  # a «]» first in the class is a literal
            while j < len(p) and p[j] != "]":
                j += 2 if p[j] == "\\" else 1
            if j >= len(p):
                raise ValueError(f"unterminated character class in {p!r}")
            atom, i = p[i:j + 1], j + 1
        elif c == "\\":
            if p[i + 1:i + 2] in ("A", "Z", "z", "G") or p[i + 1:i + 2].isdigit():
                raise ValueError(f"anchors and back-references cannot be reversed: {p!r}")
            atom, i = p[i:i + 2], i + 2
        elif c in "^$.{}":
            raise ValueError(f"{c!r} is not supported in a reversed pattern: {p!r}")
        else:
            atom, i = c, i + 1
        quantifier = ""
        if i < len(p) and p[i] in "*+?":
            quantifier, i = p[i], i + 1
            if i < len(p) and p[i] in "?+":
                raise ValueError(f"lazy or possessive quantifiers are not supported: {p!r}")
        alternatives[-1].append((atom, quantifier))
    if not top:
        raise ValueError(f"unbalanced '(' in {p!r}")
    return alternatives, i


def _render_reversed(alternatives: list[list[Any]]) -> str:
    out = []
    for seq in alternatives:
        parts = []
        for atom, quantifier in reversed(seq):
            text = f"(?:{_render_reversed(atom)})" if isinstance(atom, list) else atom
            parts.append(text + quantifier)
        out.append("".join(parts))
    return "|".join(out)


class Guard:
    """A cheap necessary condition for a case-insensitive pattern: literal anchors (``in`` tests, C speed) looked
    up in the folded text (`fold`). When none is there the pattern cannot match and its costly full scan is
    skipped; otherwise the pattern runs as before, so results never change.

    Why an anchor is necessary: case folding maps every character that matches a lower-case letter
    case-insensitively onto that letter (``İ`` onto ``i`` + U+0307, so no anchor has an ``i`` followed by another
    character), and ``str.split`` breaks at every character `regex`'s ``\\s`` matches, so ``\\s+`` in the pattern is
    one space in the folded text. Anchors are chosen per alternative of the pattern (tests/test_rules_guards.py
    checks them over the rule cases and a sample corpus)."""

    def __init__(self, anchors: tuple[str, ...]) -> None:
        self.anchors = anchors
        self._anchor_set = frozenset(anchors)
        _ANCHORS.add(anchors)

    def possible(self, folded: str) -> bool:
        return not self._anchor_set.isdisjoint(_ANCHORS.found(folded))


class _AnchorIndex:
    """Every guard's anchors in one Aho-Corasick automaton (`ahocorasick_rs`, Rust): one pass over a document
    finds the anchors of all guards (~16 µs for 87 anchors in 2.5 KB, where 87 ``in`` tests cost ~88 µs). The
    anchors found in the last text asked about are kept, since every guard asks about the same folded output."""

    def __init__(self) -> None:
        self._anchors: list[str] = []
        self._automaton: Any = None
        self._last: tuple[str, frozenset[str]] | None = None

    def add(self, anchors: tuple[str, ...]) -> None:
        new = [a for a in anchors if a and a not in self._anchors]
        if new:
            self._anchors.extend(new)
            self._automaton = None
            self._last = None

    def found(self, text: str) -> frozenset[str]:
        last = self._last
        if last is not None and last[0] is text:
            return last[1]
        if self._automaton is None:
            import ahocorasick_rs

            self._automaton = ahocorasick_rs.AhoCorasick(self._anchors)
        anchors = self._anchors
        hits = frozenset(anchors[i] for i, _, _ in self._automaton.find_matches_as_indexes(text, overlapping=True))
        self._last = (text, hits)
        return hits


_ANCHORS = _AnchorIndex()


CHATTER_ANYWHERE_GUARD = Guard((
    "generated by", "ai assistant", "сгенерирован",
    "языковая модель", "искусственный интеллект", "нейросеть", "ии-ассистент", "чат-бот", "как ии", "как ai",
    "as an ai", "as a language model", "вот ваш", "это поможет", "конечно! вот", "конечно, вот", "я составил",
    "я подготовил", "я написал", "я сформулировал", "хотите", "хороший вопрос", "отличный вопрос", "напишите",
    "я бы рекомендовал", "я бы посоветовал", "я бы предложил", "я бы добавил", "я бы уточнил", "если они у вас есть",
    "адаптируйте", "по общему шаблону", "замените", "рекомендуется проверить", "проконсультируйтесь",
))
REFUSAL_GUARD = Guard((
    "извините", "простите", "к сожалению", "я не могу", "не могу выполнить", "и не могу", "противоречит моим",
    "противоречит правилам", "произошла ошибка", "попробуйте", "cannot", "can't", "unable to", "sorry",
))

# --------------------------------------------------------------------------------------------------- markdown
MD_BOLD_RE = regex.compile(r"(?<![*_])(\*\*|__)(?=[^\s_*])([^\n]+?)(?<=[^\s_*])\1(?![*_])")
MD_ITALIC_RE = regex.compile(r"(?<![*\w])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![*\w])")
MD_HEADING_RE = regex.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(?P<text>[^\n]*?)[ \t]*#*[ \t]*$", regex.MULTILINE)
MD_FENCE_RE = regex.compile(r"^[ \t]*(?:```|~~~)[^\n]*$", regex.MULTILINE)
MD_TABLE_ROW_RE = regex.compile(r"^[ \t]*\|(?P<cells>[^\n]*\|)[ \t]*$", regex.MULTILINE)
MD_TABLE_SEP_RE = regex.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$",
                                 regex.MULTILINE)
MD_RULE_RE = regex.compile(r"^[ \t]*(?:-[ \t]*){3,}$|^[ \t]*(?:\*[ \t]*){3,}$", regex.MULTILINE)
MD_LINK_RE = regex.compile(r"\[(?P<text>[^\[\]\n]+)\]\((?P<url>(?:https?://|www\.|mailto:)[^)\s]+)\)")
MD_CODE_RE = regex.compile(r"`(?P<text>[^`\n]+)`")
MD_BULLET_RE = regex.compile(r"^(?P<indent>[ \t]*)[*+][ \t]+(?=\S)", regex.MULTILINE)
MD_QUOTE_RE = regex.compile(r"^[ \t]*>[ \t]?", regex.MULTILINE)

# HTML formatting tags (a web interface's answer); `strip-html` removes the common ones, LF607 rejects the rest.
HTML_TAG_RE = regex.compile(
    r"</?(?:a|b|i|u|p|br|hr|div|span|strong|em|font|small|sup|sub|ul|ol|li|h[1-6]|table|thead|tbody|tr|td|th"
    r"|blockquote|pre|code|img|style|script|html|body|head)(?:\s[^<>\n]*)?/?>",
    regex.IGNORECASE,
)

# Each kind of markdown the rule reports, with the pattern that finds it.
MARKDOWN_KINDS: tuple[tuple[str, regex.Pattern[str]], ...] = (
    ("bold", MD_BOLD_RE),
    ("heading", MD_HEADING_RE),
    ("code-fence", MD_FENCE_RE),
    ("table", MD_TABLE_SEP_RE),
    ("table", MD_TABLE_ROW_RE),
    ("link", MD_LINK_RE),
    ("inline-code", MD_CODE_RE),
    ("rule", MD_RULE_RE),
    ("html", HTML_TAG_RE),
)

# Substrings each kind cannot match without (any one of them), aligned with MARKDOWN_KINDS: a kind whose anchors
# are all absent is not scanned for.
MARKDOWN_ANCHORS: tuple[tuple[str, ...], ...] = (
    ("**", "__"), ("#",), ("```", "~~~"), ("---",), ("|",), ("](",), ("`",), ("-", "*"), ("<",),
)
# A horizontal rule needs three dashes (or stars) with only spaces or tabs between: dashes are everywhere in
# documents, three in a row like that are not (stdlib `re`, a few µs).
MD_RULE_TRIGGER = _re.compile(r"-[ \t]*-[ \t]*-|\*[ \t]*\*[ \t]*\*")

# ------------------------------------------------------------------------------------------------ placeholders
PLACEHOLDER_KINDS: tuple[tuple[str, regex.Pattern[str]], ...] = (
    ("bracketed", regex.compile(r"\[(?=[^\[\]\n]{0,80}?\p{Cyrillic})[^\[\]\n]{2,80}\](?!\()")),
    ("angle", regex.compile(r"<(?=[^<>\n]{0,60}?\p{Cyrillic})[^<>\n]{2,60}>")),
    ("braces", regex.compile(r"\{\{?[^{}\n]{1,60}\}\}?")),
    # «ХХХ № 0123456789» is a real series of an ОСАГО policy, not a gap.
    ("masked", regex.compile(r"(?<!\w)(?:[XХxх]{3,}(?!\s*№?\s*\d{7,})|[XХ]{2,}(?:[.\-/][XХ0]{2,})+|№\s*[XХ]{2,}"
                             r"|00\.00\.(?:0000|\d{4})|N-?ск\w+|г\.\s?N)(?!\w)")),
    ("blank-date", regex.compile(r"«[ \t]*(?<!_)_+[ \t]*»[ \t]*(?<!_)_{2,}[ \t]*(?:20|19)?_*|\b(?:20|19)_{1,2}\b"
                                 r"|\d{1,2}[ \t]+(?<!_)_{3,}[ \t]+20\d\d")),
    ("blank-amount", regex.compile(r"(?<!_)_{2,}[ \t]*(?:руб|рубл|₽|коп|%)")),
    ("blank-field", regex.compile(
        r"(?<!\w)(?:ИНН|ОГРН|КПП|БИК|паспорт\w*|тел\.?|телефон|адрес|дело\s+№|№\s*дела|сумм\w+|дата)[ \t]*[:№]?[ \t]*"
        r"_{3,}+(?![ \t]*/)",
        regex.IGNORECASE)),
    ("instruction", regex.compile(
        r"\((?:(?:примечание|комментарий)\s*:\s*)?"  # «(Примечание: здесь укажите …)» is the model's note
        r"(?:(?:указать|укажите|вставить|вставьте|заполнить|заполните|впишите|уточните|добавьте"
        r"|здесь\s+(?:можно|нужно|следует|необходимо|укажите|указать|впишите|вставьте|добавьте)"
        r"|при\s+необходимости\s+(?:укажите|добавьте|дополните))[^()\n]{0,120}"
        # a bare field name where its value belongs: «(ФИО ответчика)», «(адрес)», «(сумма долга)»; not a label after
        # a figure («20 000 руб. (сумма займа)»), a value («(адрес: г. Краснодар, …)») or a remark («(адрес указан
        # в исковом заявлении)»)
        r"|(?<!\d[ \t\u00a0]*(?:руб\w*\.?|₽|коп\.?)?[ \t\u00a0]*\()"
        r"(?:ФИО|Ф\.И\.О\.|дата|адрес|сумма|наименование)(?![ \t]*:)"
        r"(?![ \t]+(?:указан|приведен|приведён|см\.|известен|неизвестен|не[ \t]+известен))"
        r"(?:[ \t]+[^\W\d][^\s()]*){0,4}[ \t]*)"
        r"\)", regex.IGNORECASE)),
)

# Substrings each kind cannot match without (any one of them), aligned with PLACEHOLDER_KINDS. «masked» needs two
# of X/Х/x/х in a row: with no X, Х or Latin x in the text that can only be «хх».
PLACEHOLDER_ANCHORS: tuple[tuple[str, ...], ...] = (
    ("[",), ("<",), ("{",), ("X", "Х", "x", "хх", "00.00.", "N"), ("_",), ("_",), ("_",), ("(",),
)
# Behind the anchors, for the kinds whose anchor is common in finished documents (a signature line «____»), a
# cheap test the kind cannot match without (`\S` stands for `regex`'s `\w`, never white space); the blank-field
# one runs on the case-folded text. None: the anchors are all. Each part starts with a literal, so `re` jumps from
# one occurrence of it to the next (a pattern that starts with a class or an alternation is tried at every
# position: 60-130 µs per 2.5 KB document instead of 2-10); a part whose literal comes last is searched in the
# reversed text with the reversed pattern, which matches somewhere exactly when the pattern does.
PLACEHOLDER_TRIGGERS: tuple[Trigger | None, ...] = (
    None, None, None, None,
    AnyOf(Substrings("20_", "19_"), _re.compile(r"«[ \t]*_+[ \t]*»"), Reversed(r"\d[ \t]+___")),
    _re.compile(r"__[ \t]*(?:руб|₽|коп|%)"),
    Reversed(r"(?:инн|огрн|кпп|бик|паспорт|тел|адрес|дело\s+№|№\s*дела|сумм|дата)\S*[ \t]*[:№]?[ \t]*___"),
    None,
)
PLACEHOLDER_FOLDED = (False, False, False, False, False, False, True, False)

# ---------------------------------------------------------------------------------------------------- mojibake
# «ё», «Ё» and «« after «Р»/«С» occur in real words («Сёмга», «Рёв», «С«…») — left out of the markers.
_CP1251_TAIL = bytes(range(0x80, 0xC0)).decode("sloppy-windows-1251").translate({ord(c): None for c in "ёЁ«"})
_MACROMAN_TAIL = bytes(range(0x80, 0xC0)).decode("mac_roman")
_LATIN1_TAIL = bytes(range(0x80, 0xC0)).decode("latin-1")
MOJIBAKE_FORMS: tuple[tuple[str, regex.Pattern[str]], ...] = (
    ("cp1251", regex.compile(f"[РС][{regex.escape(_CP1251_TAIL)}]")),
    ("macroman", regex.compile(f"[–—][{regex.escape(_MACROMAN_TAIL)}]")),
    ("latin1", regex.compile(f"[ÐÑ][{regex.escape(_LATIN1_TAIL)}]")),
    ("replacement", regex.compile("\ufffd")),
)
_C1_RE = regex.compile(r"[\x80-\x9f]")
_LETTER_RE = regex.compile(r"\p{L}+")
_CYRILLIC_RE = regex.compile(r"\p{Cyrillic}+")


_ANY_MOJIBAKE_RE = regex.compile("|".join(f"(?:{p.pattern})" for _, p in MOJIBAKE_FORMS))


def mojibake_markers(text: str) -> dict[str, int]:
    """How many mojibake marks of each form ``text`` holds (empty dict: none)."""
    return dict(_markers(text))


@lru_cache(maxsize=16)
def _markers(text: str) -> tuple[tuple[str, int], ...]:
    # Cached: the `fix-mojibake` normaliser and rule LF606 look at the same fields of the same record.
    if not _ANY_MOJIBAKE_RE.search(text):
        return ()
    out = []
    for form, pattern in MOJIBAKE_FORMS:
        n = len(pattern.findall(text))
        if n:
            out.append((form, n))
    return tuple(out)


def _clean_cyrillic(text: str) -> bool:
    if mojibake_markers(text) or _C1_RE.search(text):
        return False
    letters = sum(map(len, _LETTER_RE.findall(text)))
    return letters == 0 or sum(map(len, _CYRILLIC_RE.findall(text))) / letters >= 0.5


def _apply(text: str, plan: list[tuple[str, str]]) -> str | None:
    try:
        return ftfy.apply_plan(text, plan)
    except (UnicodeError, LookupError, ValueError):
        return None


def _reverse(plan: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    out = []
    for step, arg in reversed(plan):
        if step == "encode":
            out.append(("decode", arg))
        elif step == "decode":
            out.append(("encode", arg))
        else:
            return None  # ftfy's heuristic steps (restore_byte_a0 …) are not exactly reversible
    return out


def _certain(original: str, repaired: str | None, plan: list[tuple[str, str]]) -> bool:
    if repaired is None or repaired == original or not _clean_cyrillic(repaired):
        return False
    back = _reverse(plan)
    return back is not None and _apply(repaired, back) == original


_PLANS = ([("encode", "sloppy-windows-1251"), ("decode", "utf-8")], [("encode", "macroman"), ("decode", "utf-8")],
          [("encode", "latin-1"), ("decode", "utf-8")])


def repair_mojibake(text: str) -> str | None:
    """The repaired text when the repair is certain; None when there is nothing to repair or it is not certain."""
    if not mojibake_markers(text):
        return None
    fixed, plan = ftfy.fix_encoding_and_explain(text)
    if _certain(text, fixed, list(plan or [])):
        return fixed
    for plan in _PLANS:
        if _certain(text, _apply(text, plan), plan):
            return _apply(text, plan)
    # Line by line: a file where some lines were mangled and others not (each line repaired with certainty).
    lines = text.split("\n")
    if len(lines) > 1:
        out = []
        for line in lines:
            if not mojibake_markers(line):
                out.append(line)
                continue
            for plan in _PLANS:
                candidate = _apply(line, plan)
                if _certain(line, candidate, plan):
                    out.append(candidate)  # type: ignore[arg-type]
                    break
            else:
                return None
        return "\n".join(out)
    return None
