"""The checkable facts of a case as a lawyer types them and as a document restates them: sums of money, calendar
dates, people's names and companies' names.

Used to compare a record's input (the facts the model was given) with its output (the document it wrote): a small
model readily writes a fluent claim about other parties, another sum or another date, and a model trained on such
pairs learns to ignore the facts it is given. Extraction is deliberately narrow — only forms that are unambiguous
in informal Russian text — so that what is missing from a document is a real omission, not a parsing gap.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

# -------------------------------------------------------------------------------------------------------- money
# «203 334 руб.», «450 000 (четыреста пятьдесят тысяч) рублей», «29 937 руб. 40 коп.», «450 тыс.», «1,2 млн руб.»,
# «85 тысяч», «124 990 ₽». A number needs a currency word or a multiplier after it to count as money.
_GROUPED = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+"
_NUMBER = rf"(?<![\d.,/№-])(?:{_GROUPED}|\d+)(?:[.,]\d+)?(?![.,]?\d)"
_MULTIPLIER = r"(?P<mult>тыс(?:\.|яч[а-яё]*|\b)|млн\.?|миллион[а-яё]*|млрд\.?)"
_CURRENCY = r"(?:руб(?:\.|л[а-яё]*|\b)|р\.|₽)"
_MONEY_RE = re.compile(
    rf"(?P<num>{_NUMBER})[ \u00a0]*(?:\([^()\n]{{1,120}}\)[ \u00a0]*)?"
    rf"(?:{_MULTIPLIER}[ \u00a0]*(?:{_CURRENCY})?|{_CURRENCY})"
    r"(?:[ \u00a0]*(?P<kop>\d{1,2})[ \u00a0]*коп)?",
)  # matched in lower case: `re` is slow with IGNORECASE on Cyrillic
# A number grouped in thousands with nothing glued to it (not a phone «912 345 67 89» or a date).
_BARE_RE = re.compile(rf"(?<![\d.,/№+-])(?<!\d )(?:{_GROUPED})(?![.,]?\d| \d)")
# Any number in a document, money or not: a restated sum may stand in a calculation without its currency
# («180 000 × 0,1 % × 30 = 5 400 руб.»).
_ANY_NUMBER_RE = re.compile(_NUMBER)
_MULTIPLIERS = {"т": 1_000, "м": 1_000_000}


_DROP_SPACES = str.maketrans({" ": None, "\u00a0": None, "\u202f": None, ",": "."})


def _value(number: str) -> float:
    return float(number.translate(_DROP_SPACES))


@dataclass(frozen=True, slots=True)
class Amount:
    """A sum of money in rubles and how exactly it was written: «1,2 млн» means 1 150 000–1 250 000."""

    value: float
    tolerance: float = 0.0
    bare: bool = False  # a grouped number with no currency word («не заплатил — 48 000»): money most likely

    def __str__(self) -> str:
        whole = f"{self.value:,.2f}".replace(",", " ").replace(".", ",")
        return (whole.removesuffix(",00")) + " руб."


def money_amounts(text: str, bare: bool = False) -> list[Amount]:
    """Every sum of money written in ``text``, in order; with ``bare``, also numbers grouped in thousands that have
    no currency word («за два месяца — 48 000»)."""
    if not any(c.isdigit() for c in text):
        return []
    out = []
    lower = text.lower()
    for m in _MONEY_RE.finditer(lower):
        number = m.group("num")
        value, tolerance = _value(number), 0.0
        mult = m.group("mult")
        if mult:
            factor = 1_000_000_000 if mult.startswith("млрд") else _MULTIPLIERS[mult[0]]
            decimals = len(re.split(r"[.,]", number)[1]) if re.search(r"[.,]", number) else 0
            value, tolerance = value * factor, factor * 0.5 * 10 ** -decimals
        if m.group("kop"):
            value += int(m.group("kop")) / 100
        out.append(Amount(round(value, 2), tolerance))
    if bare:
        seen = {a.value for a in out}
        out += [Amount(v, bare=True) for v in (_value(n) for n in _BARE_RE.findall(lower)) if v not in seen]
    return out


def numbers(text: str) -> list[float]:
    """Every number in ``text`` (money or not, a sum with «тыс.» multiplied out), sorted: a restated sum may stand
    in a calculation without its currency («180 000 × 0,1 % × 30 = 5 400 руб.»)."""
    found = set(map(_value, _ANY_NUMBER_RE.findall(text)))
    if "тыс" in text or "млн" in text or "млрд" in text or "миллион" in text or "коп" in text:
        found.update(a.value for a in money_amounts(text))
    return sorted(found)


def written_forms(value: int, text: str = " \u00a0\u202f") -> tuple[str, ...]:
    """How a whole number of rubles is written: «203 334» (a space, a no-break or a narrow no-break space between
    the thousands) or «203334»; only the separators that occur in ``text``."""
    if value < 1000:
        return (str(value),)
    grouped = f"{value:,}"
    return (str(value), *(grouped.replace(",", sep) for sep in (" ", "\u00a0", "\u202f") if sep in text))


def mentions_amount(text: str, amount: Amount) -> bool:
    """Whether ``text`` restates ``amount``: its whole rubles written out, or for a rounded «712 тыс.» any number
    within its rounding."""
    if amount.tolerance:
        return has_number(numbers(text), amount)
    return any(_stands_alone(text, form) for form in written_forms(int(amount.value), text))


def _stands_alone(text: str, form: str) -> bool:
    """Whether ``form`` occurs in ``text`` as a whole number or date, not inside a longer one («9.09.2024» in
    «19.09.2024», «203 334» in «1 203 334»)."""
    at = text.find(form)
    while at >= 0:
        before = text[at - 2:at] if at >= 2 else text[:at]
        end = at + len(form)
        if not (before[-1:].isdigit() or (before[-1:] in " \u00a0\u202f" and before[:1].isdigit())) and not (
                text[end:end + 1].isdigit()):
            return True
        at = text.find(form, at + 1)
    return False


_GENITIVE_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                    "ноября", "декабря")


def mentions_date(text: str, lower: str, date: Date) -> bool:
    """Whether ``text`` (``lower``: the same in lower case) gives ``date`` in one of the forms `dates` reads."""
    d, m, y = date.day, date.month, date.year
    numeric = (f"{d:02d}.{m:02d}.{y}", f"{d}.{m:02d}.{y}", f"{d:02d}.{m:02d}.{y % 100:02d}", f"{d}.{m}.{y}")
    if any(_stands_alone(text, form) for form in numeric):
        return True
    month = _GENITIVE_MONTHS[m - 1]
    return any(f"{day}{sep}{month}{sep2}{y}" in lower for day in (str(d), f"{d:02d}") for sep in (" ", "\u00a0")
               for sep2 in (" ", "\u00a0"))


def has_number(written: list[float], amount: Amount) -> bool:
    """Whether ``written`` (sorted, from `numbers`) holds ``amount`` (whole rubles, or within its rounding)."""
    lo = bisect_left(written, amount.value - max(amount.tolerance, 1.0))
    return lo < len(written) and written[lo] <= amount.value + max(amount.tolerance, 1.0)


# -------------------------------------------------------------------------------------------------------- dates
_MONTHS = ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр")
_NUMERIC_DATE_RE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?![\d]|\.\d)")
_WORD_DATE_RE = re.compile(
    r"(?<!\d)(\d{1,2})[ \u00a0]+(январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]"
    r"|октябр[яь]|ноябр[яь]|декабр[яь])[ \u00a0]+(\d{4})",
)
_MONTH_ANCHORS = ("январ", "феврал", "март", "апрел", "мая", "май", "июн", "июл", "август", "сентябр", "октябр",
                  "ноябр", "декабр")


@dataclass(frozen=True, slots=True)
class Date:
    day: int
    month: int
    year: int

    def __str__(self) -> str:
        return f"{self.day:02d}.{self.month:02d}.{self.year}"


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def dates(text: str) -> set[Date]:
    """Every calendar date written as «12.03.2024», «12.03.24» or «12 марта 2024»."""
    return {date for date, _, _ in calendar_dates(text)}


# What a date belongs to, as the words next to it say: «договор … от 14.02.2025», «расписке от …», «решением … от
# 09.09.2024», «приказ № 45-к от …», «ДТП 09.11.2022», «18.12.2023 купил …», «2 сентября 2023 года заключил договор».
# Each stem names its thing (synonyms share one name).
_DATED_THINGS = (
    ("договор", "договор"), ("расписк", "расписка"), ("решени", "решение"), ("приказ", "приказ"), ("акт ", "акт"),
    ("акта", "акт"), ("актом", "акт"), ("претензи", "претензия"), ("дтп", "дтп"), ("дорожно-транспортн", "дтп"),
    ("авари", "дтп"), ("определени", "определение"), ("постановлени", "постановление"), ("уведомлени", "уведомление"),
    ("полис", "полис"), ("квитанци", "квитанция"), ("доверенност", "доверенность"), ("соглашени", "соглашение"),
    ("счет", "счет"), ("накладн", "накладная"), ("заключени", "заключение"), ("чек", "чек"), ("купил", "покупка"),
    ("приобрел", "покупка"), ("приобретен", "покупка"), ("покупк", "покупка"),
)
_BEFORE_CHARS = 100
_AFTER_CHARS = 60
# A sentence ends at «.», «!», «?» or «;» before a capital — not after an abbreviation such as «г.», «ул.», «д.».
_SENTENCE_END_RE = re.compile(r"(?<![\s.][а-яa-z])(?<![\s.][а-яa-z]{2})[.!?;](?=\s+[А-ЯЁA-Z«])|\n")


def dated_things(text: str) -> list[tuple[str, Date]]:
    """(what, date) for every date in ``text`` with a dated thing (`_DATED_THINGS`) near it in the same sentence."""
    out = []
    for date, start, end in calendar_dates(text):
        thing = thing_near(text, start, end)
        if thing:
            out.append((thing, date))
    return out


def calendar_dates(text: str) -> list[tuple[Date, int, int]]:
    """Every «dd.mm.yyyy» and «2 сентября 2023» date of ``text`` with where it is written."""
    out = []
    for m in _NUMERIC_DATE_RE.finditer(text) if "." in text else ():
        day, month, year = m.groups()
        if 1 <= int(day) <= 31 and 1 <= int(month) <= 12:
            out.append((Date(int(day), int(month), _year(year)), m.start(), m.end()))
    lower = text.lower()
    if any(stem in lower for stem in _MONTH_ANCHORS):
        for m in _WORD_DATE_RE.finditer(lower):
            month = next(i for i, stem in enumerate(_MONTHS, 1) if m.group(2).startswith(stem))
            if 1 <= int(m.group(1)) <= 31:
                out.append((Date(int(m.group(1)), month, int(m.group(3))), m.start(), m.end()))
    return out


def thing_near(text: str, start: int, end: int) -> str | None:
    """The dated thing (`_DATED_THINGS`) nearest to ``text[start:end]`` in its sentence, before or after it."""
    before = text[max(0, start - _BEFORE_CHARS):start].lower().replace("ё", "е")
    cut = [m.end() for m in _SENTENCE_END_RE.finditer(text, max(0, start - _BEFORE_CHARS), start)]
    if cut:
        before = before[cut[-1] - max(0, start - _BEFORE_CHARS):]
    after = text[end:end + _AFTER_CHARS]
    stop = _SENTENCE_END_RE.search(after)
    after = (after[:stop.start()] if stop else after).lower().replace("ё", "е")
    # The nearest thing before the date («договор … от 12.03.2024 и расписка от …»); after it only when there is
    # none before («18.12.2023 купил …»).
    for words, last in ((before, True), (after, False)):
        best: tuple[int, str] | None = None
        for stem, thing in _DATED_THINGS:
            at = words.rfind(stem) if last else words.find(stem)
            distance = len(words) - at if last else at
            if at >= 0 and (best is None or distance < best[0]):
                best = (distance, thing)
        if best:
            return best[1]
    return None


# -------------------------------------------------------------------------------------------------------- names
_UPPER = "А-ЯЁ"
_LOWER = "а-яё"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_PATRONYMIC = rf"[{_UPPER}][{_LOWER}]+(?:вич|вн|ич|ичн|инична)[{_LOWER}]{{0,3}}"
# «Комаров Денис Андреевич» (any case), «Денис Андреевич Комаров», «Комаров Д.А.», «Д.А. Комаров».
_PERSON_RES = (
    (re.compile(rf"(?<![{_UPPER}{_LOWER}])(?P<surname>{_NAME_WORD})[ \u00a0]+(?P<first>{_NAME_WORD})[ \u00a0]+"
                rf"(?P<patronymic>{_PATRONYMIC})(?![{_LOWER}])")),
    (re.compile(rf"(?<![{_UPPER}{_LOWER}])(?P<first>{_NAME_WORD})[ \u00a0]+(?P<patronymic>{_PATRONYMIC})[ \u00a0]+"
                rf"(?P<surname>{_NAME_WORD})(?![{_LOWER}])")),
    (re.compile(rf"(?<![{_UPPER}{_LOWER}])(?P<surname>{_NAME_WORD})[ \u00a0]+(?P<initials>[{_UPPER}]\.[ \u00a0]?"
                rf"(?:[{_UPPER}]\.)?)")),
    (re.compile(rf"(?<![{_UPPER}{_LOWER}.])(?P<initials>[{_UPPER}]\.[ \u00a0]?(?:[{_UPPER}]\.)?)[ \u00a0]?"
                rf"(?P<surname>{_NAME_WORD})(?![{_LOWER}])")),
)


_INITIAL_RE = re.compile(rf"[{_UPPER}]\.")


@dataclass(frozen=True, slots=True)
class Person:
    """A person's name as written, folded (lower case, «ё» as «е»); first name and patronymic when spelled out."""

    surname: str
    first: str | None = None
    patronymic: str | None = None
    initials: str = ""  # «кп» for «К.П.»: the first letters of first name and patronymic

    def __str__(self) -> str:
        if self.initials and not self.first:
            return self.surname.capitalize() + " " + "".join(f"{c.upper()}." for c in self.initials)
        return " ".join(w.capitalize() for w in (self.surname, self.first, self.patronymic) if w)

    def same_person(self, other: Person) -> bool:
        """Whether two mentions may name one person: the same surname (in any case), and no part of the name or
        initial that differs."""
        if not same_word(self.surname, other.surname):
            return False
        for mine, theirs in ((self.first, other.first), (self.patronymic, other.patronymic)):
            if mine and theirs and not same_word(mine, theirs):
                return False
        mine = self.initials or "".join(w[0] for w in (self.first, self.patronymic) if w)
        theirs = other.initials or "".join(w[0] for w in (other.first, other.patronymic) if w)
        return not (mine and theirs) or mine.startswith(theirs) or theirs.startswith(mine)


def fold_word(word: str) -> str:
    return word.casefold().replace("ё", "е")


def people(text: str) -> list[Person]:
    """The people ``text`` names by a full name (surname, first name, patronymic) or a surname with initials."""
    out: list[Person] = []
    taken: list[tuple[int, int]] = []
    full = "вич" in text or "вн" in text or "ичн" in text  # a patronymic
    has_initials = _INITIAL_RE.search(text) is not None
    for pattern, needs_full in zip(_PERSON_RES, (True, True, False, False), strict=True):
        if not (full if needs_full else has_initials):
            continue
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue  # already read as a fuller form
            groups = m.groupdict()
            if groups.get("initials") is not None and fold_word(groups["surname"]) in ORG_FORM_WORDS:
                continue
            taken.append(m.span())
            letters = fold_word("".join(c for c in groups.get("initials") or "" if c.isalpha()))
            out.append(Person(fold_word(groups["surname"]).split("-")[0],  # a double surname by its first half
                              fold_word(groups["first"]) if groups.get("first") else None,
                              fold_word(groups["patronymic"]) if groups.get("patronymic") else None, letters))
    return out


# Case endings of Russian names and words (nominative to prepositional, both genders, both numbers); a word and
# its declined form share all but one of these.
_ENDINGS = frozenset((
    "", "а", "я", "у", "ю", "ы", "и", "е", "о", "й", "ь", "ом", "ем", "ем", "ой", "ей", "ою", "ею", "ым", "им", "ую",
    "юю", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому", "ему", "ых", "их", "ыми", "ими", "ам", "ям", "ами",
    "ями", "ах", "ях", "ии", "ия", "ию", "ий", "ью",
))
_VOWELS = frozenset("аеиоуыэюяь")


def _stems(word: str) -> tuple[str, ...]:
    """The word, and the word without a fleeting vowel before its last consonant («павел» → «павл» as in
    «Павла», «лев» → «лв» as in «Льва»)."""
    if len(word) >= 3 and word[-2] in "ео" and word[-1] not in _VOWELS:
        return word, word[:-2] + word[-1]
    return (word,)


def _declined(a: str, b: str) -> bool:
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    return common >= 2 and a[common:] in _ENDINGS and b[common:] in _ENDINGS


def same_word(a: str, b: str) -> bool:
    """The same name in two grammatical cases: «комаров» / «комарову», «артем» / «артему», «алексей» / «алексея»,
    «илья» / «ильи», «павел» / «павла»; not «данилов» / «данилин», «денис» / «дмитрий», «стройинвест» /
    «стройтрест». Both folded (`fold_word`)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 3:
        return False
    a, b = a.replace("ь", ""), b.replace("ь", "")
    return any(_declined(x, y) for x in _stems(a) for y in _stems(b))


# Words that say what kind of organisation it is, not which one.
_ORG_FORMS = (
    "ооо", "ао", "пао", "зао", "оао", "ип", "нко", "сао", "спао", "мфк", "мкк", "ано", "тсж", "жск", "снт", "гбу",
    "мбу",
    "фгуп", "муп", "гуп", "уфпс", "фгбу", "гку", "мку", "общество", "акционерное", "публичное", "закрытое", "открытое",
    "ограниченной", "ответственностью", "с", "индивидуальный", "предприниматель", "страховое", "компания",
    "товарищество", "собственников", "жилья", "управляющая", "банк", "микрофинансовая", "организация", "филиал",
)
ORG_FORM_WORDS = frozenset(_ORG_FORMS)
_QUOTED_RE = re.compile(r"«([^«»\n]{2,80})»|\"([^\"\n]{2,80})\"")
_ORG_RE = re.compile(
    r"(?<![А-ЯЁа-яё])(?:ООО|АО|ПАО|ЗАО|ОАО|ИП|САО|СПАО|МФК|МКК|АНО|ТСЖ|ЖСК|СНТ|ГБУ|МУП|ГУП|УК|НКО"
    r"|[Оо]бществ[оаеуом]{1,2}[ \u00a0]+с[ \u00a0]+ограниченной[ \u00a0]+ответственностью"
    r"|(?:(?:[Пп]убличн|[Зз]акрыт|[Оо]ткрыт)[а-я]{0,4}[ \u00a0]+)?[Аа]кционерн[а-я]+[ \u00a0]+обществ[оаеуом]{1,2}"
    r"|[Ии]ндивидуальн[а-я]+[ \u00a0]+предпринимател[а-я]+)[ \u00a0]+"
    r"(?:«(?P<quoted>[^«»\n]{2,80})»|\"(?P<dquoted>[^\"\n]{2,80})\""
    r"|(?P<bare>[А-ЯЁA-Z][\w.-]*(?:[ \u00a0][А-ЯЁA-Z][\w.-]*)?))"
)
# Literals one of which every match of `_ORG_RE` holds («АО» also in ПАО, ЗАО, ОАО, САО, СПАО).
_ORG_HINTS = ("ООО", "АО", "ИП", "МФК", "МКК", "АНО", "ТСЖ", "ЖСК", "СНТ", "ГБУ", "МУП", "ГУП", "УК", "НКО", "бществ",
              "кционерн", "редпринимател")
_WORD_RE = re.compile(r"[^\W\d_]+")


def organisation_words(name: str) -> list[str]:
    """The words of a company's name that tell it apart (legal form and generic words left out)."""
    return [w for w in (fold_word(w) for w in _WORD_RE.findall(name)) if w not in ORG_FORM_WORDS and len(w) >= 2]


def organisations(text: str) -> list[list[str]]:
    """The companies ``text`` names with a legal form («ООО «Стройинвест»», «АО Гранит», «ИП Петров»), as the
    words that tell each apart."""
    if not any(hint in text for hint in _ORG_HINTS):
        return []
    out = []
    for m in _ORG_RE.finditer(text):
        words = organisation_words(m.group("quoted") or m.group("dquoted") or m.group("bare"))
        if words:
            out.append(words)
    return out


def words(text: str) -> set[str]:
    """Every word of ``text``, folded."""
    return set(_WORD_RE.findall(text.casefold().replace("ё", "е")))


def mentions_word(folded: str, word: str) -> bool:
    """Whether ``folded`` (lower case, «ё» as «е») holds ``word`` in some grammatical case (`same_word`)."""
    prefix = word[:max(2, min(len(word) - 2, 5))]
    at = folded.find(prefix)
    while at >= 0:
        if at == 0 or not folded[at - 1].isalpha():
            end = at + len(prefix)
            while end < len(folded) and folded[end].isalpha():
                end += 1
            if same_word(word, folded[at:end]):
                return True
        at = folded.find(prefix, at + 1)
    return False


def has_word(vocabulary: set[str], word: str) -> bool:
    return word in vocabulary or any(same_word(word, v) for v in vocabulary if v[:2] == word[:2])
