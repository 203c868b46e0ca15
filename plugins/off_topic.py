"""Topic rules: the output is a legal document at all (LF301), and a procedural one rather than legal-themed
prose — an article about a court case or a consultation answer (LF302).

Both measure vocabulary (legal stems per 100 words, marker phrases of recipes, news, chit-chat, advice, articles
and consultations) and the procedural frame found by `find_sections` (title, header, parties, demand).
"""

from __future__ import annotations

import re as _re
from dataclasses import dataclass

import regex

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.legal.artefacts import AnyOf, Guard
from legal_ft.legal.charcount import count_cyrillic

FAMILY = "topic"
_WORD_RE = regex.compile(r"[\p{L}][\p{L}\-]*")
_LEGAL_RE = regex.compile(
    r"(?<![\p{L}-])(?:суд|судь|судебн|ист(?:ец|ц)|ответчик|взыск|иск|исков|претензи|договор|обязательств|закон|кодекс|стать"
    r"|ст(?![\p{L}-])|гк(?![\p{L}-])|гпк(?![\p{L}-])|апк(?![\p{L}-])|рф(?![\p{L}-])|нк(?![\p{L}-])|тк(?![\p{L}-])"
    r"|коап(?![\p{L}-])|зозпп|требовани|неустойк|ущерб|вред|задолженност|долг|возмещ|ходатайств"
    r"|жалоб|решени|определени|постановлени|прав|норм|юридическ|ответственност|штраф|пошлин|арбитраж|приказ|должник"
    r"|взыскател|кредитор|заявител|потребител|основани|дел[оау](?![\p{L}-])|истребова|доказательств|экспертиз|расписк"
    r"|займ|заём|заемщик|подряд|поставк|аренд|страхов|осаго|возврат|компенсац|процент|оплат|уплат|сумм|руб)"
    r"[\p{L}-]*",
)
# The same vocabulary as literals, to count over the word list: a word (a maximal run of letters and hyphens) is
# legal when it starts with one of the stems, or is one of the whole words (the stems written with a lookahead).
# A run that starts with a hyphen never counts (the lookbehind above). `_LEGAL_RE` stays the definition (tests
# check that both count the same); counting by prefix over the words avoids a second full regex scan.
_LEGAL_PREFIXES = (
    "суд", "судь", "судебн", "истец", "истц", "ответчик", "взыск", "иск", "исков", "претензи", "договор", "обязательств",
    "закон", "кодекс", "стать", "зозпп", "требовани", "неустойк", "ущерб", "вред", "задолженност", "долг", "возмещ",
    "ходатайств", "жалоб", "решени", "определени", "постановлени", "прав", "норм", "юридическ", "ответственност",
    "штраф", "пошлин", "арбитраж", "приказ", "должник", "взыскател", "кредитор", "заявител", "потребител", "основани",
    "истребова", "доказательств", "экспертиз", "расписк", "займ", "заём", "заемщик", "подряд", "поставк", "аренд",
    "страхов", "осаго", "возврат", "компенсац", "процент", "оплат", "уплат", "сумм", "руб",
)
_LEGAL_WORDS = frozenset(("ст", "гк", "гпк", "апк", "рф", "нк", "тк", "коап", "дело", "дела", "делу"))
_TOKEN_RE = regex.compile(r"-?[\p{L}][\p{L}\-]*")  # one per word of `_WORD_RE`, with a hyphen in front kept


# Over the words joined by line breaks: a stem right after a break starts a word; a whole word ends at the next one.
_LEGAL_START_RE = _re.compile("\n(?:" + "|".join(_LEGAL_PREFIXES) + "|(?:" + "|".join(sorted(_LEGAL_WORDS))
                              + ")(?![^\n]))")


def legal_words(lower: str) -> tuple[int, int]:
    """(words, legal words) of lower-case text, as `_WORD_RE` / `_LEGAL_RE` count them."""
    tokens = _TOKEN_RE.findall(lower)
    return len(tokens), len(_LEGAL_START_RE.findall("\n" + "\n".join(tokens)))


_BLANK_LINES_RE = regex.compile(r"^[ \t]*$", regex.MULTILINE)
# Lines that look like program code: a keyword at the start, a code-like ending, or an assignment / arrow.
_CODE_RES = (
    regex.compile(r"^[ \t]*(?:def |class |import |from \S+ import|return\b|print\(|console\.log|function\b|const |"
                  r"let |var |public |private |#include|SELECT\b|INSERT\b|for[ \t]*\(|if[ \t]*\(|[{}][ \t]*$"
                  r"|</?[a-z]+[^>\n]*>[ \t]*$)", regex.MULTILINE),
    regex.compile(r"(?:\)[ \t]*;|\)[ \t]*\{|\b[a-z_]+\([^)\n]*\))[ \t]*$", regex.MULTILINE),
    regex.compile(r"=>|\b[a-z_]+[ \t]*=[ \t]*[\w\"'\[{(]"),
)


# What each code pattern cannot match without (stdlib `re`, a few µs where the `regex` scan costs ~15-20 µs): a line
# starting with an ASCII letter, «#», a brace or «<»; «)» before «;» / «{» or an ASCII letter before «(»; «=».
_CODE_GUARDS = (
    _re.compile(r"^[ \t]*[A-Za-z#{}<]", _re.MULTILINE),
    AnyOf(_re.compile(r"\)[ \t]*[;{]"), _re.compile(r"\((?<=[a-z_]\()")),  # «(» first, then the letter before
    _re.compile(r"="),
)


# A line of Russian prose is not code even when it ends like code («… (ст. 15 ГК РФ);», «(далее — Договор);»):
# a code line has almost no Cyrillic letters outside its string literals and comments.
_LITERALS_RE = _re.compile(r'"[^"\n]*"|\'[^\'\n]*\'|«[^»\n]*»|(?:#|//).*')
_PROSE_CYRILLIC = 4  # Cyrillic letters outside literals that make a line prose


def _is_prose(line: str) -> bool:
    return count_cyrillic(_LITERALS_RE.sub("", line)) >= _PROSE_CYRILLIC


def _code_lines(text: str) -> int:
    starts = {text.rfind("\n", 0, m.start()) + 1 for pattern, guard in zip(_CODE_RES, _CODE_GUARDS, strict=True)
              if guard.search(text) for m in pattern.finditer(text)}
    return sum(1 for start in starts if not _is_prose(text[start:_line_end(text, start)]))


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


_TOPICS: dict[str, regex.Pattern[str]] = {
    "recipe": regex.compile(r"\b(?:рецепт\w*|ингредиент\w*|духовк\w*|выпека\w*|обжар\w*|перемеша\w*|граммов|"
                            r"столов\w+\s+ложк\w*|чайн\w+\s+ложк\w*|тест[оа]\b|фарш\w*|соус\w*|посолит\w*|"
                            r"приятного\s+аппетита|минут\s+на\s+(?:медленном|среднем)\s+огне)\b"),
    "news": regex.compile(r"\b(?:сообщает|сообщил[аи]?|по\s+данным|агентств\w*|журналист\w*|корреспондент\w*|"
                          r"пресс-служб\w*|заявил[аи]?|новост\w*|синоптик\w*|курс\s+(?:доллара|рубля)|матч\w*)\b"),
    "chit-chat": regex.compile(r"\b(?:привет\w*|как\s+дела|как\s+у\s+тебя|погод\w+|выходны\w+|настроени\w*|"
                               r"спасибо\s+за\s+вопрос|отличный\s+вопрос|хорошего\s+дня|смайл\w*)\b"),
    "advice": regex.compile(r"\b(?:совет\w*|лайфхак\w*|способ\w*\s+(?:похудеть|сэкономить|улучшить)|"
                            r"здоровь\w*|трениров\w*|диет\w*|путешеств\w*|отпуск\w*|сон\b|спорт\w*)\b"),
}
_ARTICLE_RE = regex.compile(
    r"\b(?:в\s+(?:этой|данной|нашей)\s+статье|рассмотрим|разбер[её]м|читател\w*|эксперт\w*\s+(?:отмечают|считают|"
    r"поясняют)|как\s+(?:отмечают|пояснил\w*|рассказал\w*)|напомним|по\s+(?:мнению|словам)|стало\s+известно|"
    r"в\s+(?:этом|нашем)\s+материале|судебн\w+\s+практик\w+\s+(?:показывает|складывается)|"
    r"(?:верховный|конституционный)\s+суд\s+(?:рф\s+)?(?:разъяснил|указал|встал|признал|напомнил)|"
    r"история\s+началась|рассказываем|разбираемся|подпис\w+\s+на\s+(?:наш|канал)|"
    r"здравствуйте|добрый\s+день|в\s+вашей\s+ситуации|вы\s+(?:вправе|можете|имеете\s+право)|"
    r"вам\s+(?:следует|необходимо|нужно|стоит)|рекоменду(?:ю|ем)\s+вам|советую|ваш\w*\s+вопрос\w*)\b",
    regex.IGNORECASE,
)

# One anchor per alternative of `_ARTICLE_RE` (see `Guard`: looked up in the folded, space-collapsed text).
_ARTICLE_GUARD = Guard((
    "в этой статье", "в данной статье", "в нашей статье", "рассмотрим", "разберем", "разберём", "читател", "отмечают",
    "считают", "поясняют", "как пояснил", "как рассказал", "напомним", "по мнению", "по словам", "стало известно",
    "в этом материале", "в нашем материале", "показывает", "складывается", "верховный суд", "конституционный суд",
    "история началась", "рассказываем", "разбираемся", "на наш", "на канал", "здравствуйте", "добрый день",
    "в вашей ситуации", "вы вправе", "вы можете", "вы имеете право", "вам следует", "вам необходимо", "вам нужно",
    "вам стоит", "рекомендую вам", "рекомендуем вам", "советую", "вопрос",
))


# Reported speech and case-law references that procedural documents use as well («Как пояснил ответчик …», «По
# мнению истца …», «Верховный Суд РФ разъяснил, что …»): markers of an article only where there is no procedural
# frame, so they never count towards `max_prose_markers`.
_REPORTED_RE = regex.compile(
    r"как\s+(?:пояснил\w*|рассказал\w*)|по\s+(?:мнению|словам)|судебн\w+\s+практик\w+\s+(?:показывает|складывается)"
    r"|(?:верховный|конституционный)\s+суд\s+(?:рф\s+)?(?:разъяснил|указал|встал|признал)",
    regex.IGNORECASE,
)


def _article_markers(doc: Document) -> list[str]:
    return _ARTICLE_RE.findall(doc.output) if _ARTICLE_GUARD.possible(doc.folded) else []


def _prose_markers(markers: list[str]) -> list[str]:
    """The markers a procedural document would not use (reported speech left out)."""
    return [m for m in markers if not _REPORTED_RE.fullmatch(m)]


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def _frame(doc: Document) -> int:
    s = doc.sections
    return sum(p is not None for p in (s.title, s.header, s.parties))


class OffTopic(Rule):
    """The output is not a legal document: a recipe, news, chit-chat, code or everyday advice.

    Measured as legal stems per 100 words (``min_legal_per_100``) and the share of lines that look like code
    (a line that ends like code but is Russian prose outside its quotes — «1. Взыскать … (ст. 15 ГК РФ);» — is not).

    Bad: ``Рецепт борща: возьмите 500 граммов говядины, свеклу …``
    Good: any procedural document — ``ИСКОВОЕ ЗАЯВЛЕНИЕ … Согласно ст. 309 ГК РФ …``
    """

    code = "LF301"
    name = "off-topic"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        min_legal_per_100: float = 4.0  # legal stems per 100 words a legal document reaches
        max_code_share: float = 0.3  # share of non-empty lines that look like program code

    def _core(self, doc: Document) -> dict[str, float]:
        words, legal = legal_words(doc.lower)  # the vocabularies are lower case: no case-folding regex
        lines = doc.output.count("\n") + 1 - len(_BLANK_LINES_RE.findall(doc.output))
        code = _code_lines(doc.output)
        return {"legal_per_100": 100.0 * legal / max(words, 1), "code_share": code / max(lines, 1),
                "words": float(words)}

    @staticmethod
    def _topics(doc: Document) -> dict[str, float]:
        lower = doc.lower
        return {f"{topic}_markers": float(len(pattern.findall(lower))) for topic, pattern in _TOPICS.items()}

    def measure(self, doc: Document) -> dict[str, float]:
        return {**self._core(doc), **self._topics(doc)}

    def check(self, doc: Document) -> list[Finding]:
        if not doc.output.strip():
            return []  # LF605 reports empty outputs
        m = self._core(doc)
        if m["code_share"] > self.t.max_code_share:
            return [self.finding("code", f"{m['code_share']:.0%} of the lines look like program code", "output")]
        if m["legal_per_100"] < self.t.min_legal_per_100:
            m.update(self._topics(doc))  # only to name what it reads like
            topic = max(_TOPICS, key=lambda t: m[f"{t}_markers"])
            reason = topic if m[f"{topic}_markers"] >= 2 else "no-legal-content"
            return [self.finding(reason, f"not a legal document ({m['legal_per_100']:.1f} legal words per 100, "
                                 f"fewer than {self.t.min_legal_per_100:g})"
                                 + (f"; reads like {topic}" if reason == topic else ""), "output")]
        return []


class NotProcedural(Rule):
    """Legal-themed prose that is not a procedural document: an article or blog post about a court case, or a
    consultation answer («Здравствуйте! В вашей ситуации вы вправе …»).

    It has no procedural frame (no title, no header naming a court or addressee, no parties) or reads like an
    article / consultation (``max_prose_markers`` marker phrases or more). Reported speech and case-law references
    that claims use as well («как пояснил ответчик», «по мнению истца», «Верховный Суд РФ разъяснил») are not
    counted in a framed document.

    Bad: ``Верховный суд разъяснил, как взыскать неустойку. Рассмотрим историю, которая началась …``
    Good: ``В … районный суд\\nИстец: …\\nОтветчик: …\\nИСКОВОЕ ЗАЯВЛЕНИЕ …``
    """

    code = "LF302"
    name = "not-procedural"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        max_prose_markers: int = 3  # article / consultation phrases tolerated in a framed document
        min_frame: int = 1  # of title, header, parties

    def measure(self, doc: Document) -> dict[str, float]:
        markers = _article_markers(doc)
        prose = _prose_markers(markers)
        return {"prose_markers": float(len(prose)), "reported_speech": float(len(markers) - len(prose)),
                "frame": float(_frame(doc))}

    def check(self, doc: Document) -> list[Finding]:
        if not doc.output.strip():
            return []
        markers = _article_markers(doc)
        if _frame(doc) < self.t.min_frame:
            what = f"; e.g. «{markers[0]}»" if markers else ""
            return [self.finding("no-procedural-frame", "no title, header or parties: legal prose, not a procedural "
                                 f"document{what}", "output")]
        prose = _prose_markers(markers)
        if len(prose) >= self.t.max_prose_markers:
            return [self.finding("article-style", f"{len(prose)} article / consultation phrases (e.g. «{prose[0]}»)",
                                 "output")]
        return []


@hookimpl
def legalft_rules():
    return [OffTopic, NotProcedural]
