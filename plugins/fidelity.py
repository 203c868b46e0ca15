"""Consistency rule: the document keeps to the facts it was given (the record's input).

A small model readily writes a fluent, well-formed claim about other parties, another sum or another date than the
lawyer typed — a changed surname or company name, a transposed digit, the sides swapped, or a generic document
that ignores the input. Every other rule passes such a document; a model trained on it learns that the facts in a
request do not matter. Only facts the input states in an unambiguous form are checked (`legal_ft.legal.facts`),
and a document may add what the input leaves out (addresses, ИНН, calculated penalties, invented names where the
input gives none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from legal_ft.cleaning.api import Document, Finding, FlagMeasure, Rule, hookimpl
from legal_ft.legal import facts
from legal_ft.legal.facts import Person, same_word

FAMILY = "consistency"

# «Истец — Комаров Денис Андреевич», «Ответчик: ООО «Ромашка»» in an input that names the sides itself.
_INPUT_SIDE_RE = re.compile(
    r"(?:^|[\n.;,]\s*)(?P<label>истец|истица|ответчик|ответчица|взыскатель|должник)\s*(?:[—–:-]|это)\s*"
    r"(?P<name>[^\n,.;(]{3,120})",
    re.IGNORECASE,
)
_CLAIMANT_LABELS = ("истец", "истица", "взыскатель")
# Who the input speaks for, as its first words: «Наш клиент Ефимов Глеб …», «Клиентка Горбунова …», «Доверитель —
# …», «Кредитор — наш клиент …», «Мы — ООО …», «Я, Петрова Анна, …». That side files a claim, a court-order
# application or a претензия.
# (Further on, «клиент ООО «…» не оплатил» is the author's customer, not the lawyer's.)
_FILER_RE = re.compile(
    r"\A\s*(?:[А-ЯЁа-яё]+\s*[—–:-]\s*)?"
    r"(?:наш(?:а|и)?\s+(?:клиент\w*|доверител\w*|компани\w*)|клиент(?:ка)?|доверител\w*"
    r"|мы(?=\s*[—–-])|я(?=\s*[,—–-]))\s*[—–:,-]?\s*(?P<name>[^\n,;(]{3,120})",
    re.IGNORECASE,
)
_FILER_TYPES = ("claim", "arbitration_claim", "court_order", "pretension")
# A претензия's sender line: what comes before it is the addressee.
_SENDER_LINE_RE = re.compile(r"^[ \t]*от(?:\s+кого)?\b", re.MULTILINE)
# Side lines of a претензия, a жалоба or an appeal: «От: …», «От кого: …», «Кому: …», «Заявитель: …», «Апеллянт
# (ответчик): …». Matched in the lower-case output (`re` is slow with IGNORECASE on Cyrillic).
_SIDE_LINE_RE = re.compile(r"^[ \t]*(?:от|от\s+кого|кому|заявитель|апеллянт)(?:[ \t]*\([^)\n]{0,40}\))?[ \t]*:"
                           r"[ \t]*(?P<name>[^\n]+)",
                           re.MULTILINE)
_INITIALS_RE = re.compile(r"^(?:[а-яе]\.){1,2}$")
_PATRONYMIC_RE = re.compile(r"(?:вич|вн|ичн|инична|ич)[а-я]{0,3}$")  # «Ильич», «Кузьмич» end in «ич»
_QUOTED_RE = re.compile(r"«([^«»\n]{2,80})»")
_HEAD_CHARS = 3000


@dataclass(frozen=True)
class Side:
    """A side of the document as the output names it: a person or a company."""

    text: str  # as written, for the message
    person: Person | None = None
    company: tuple[str, ...] = ()


def _side(name: str) -> Side | None:
    """Read a folded side name («комаров денис андреевич», «ооо ромашка …») as a person or a company."""
    words = name.split()
    if not words:
        return None
    if words[0] in ("ип", "индивидуальный"):  # a sole trader is a person
        words = words[2:] if words[0] == "индивидуальный" else words[1:]
        name = " ".join(words)
        if not words:
            return None
    elif facts.fold_word(words[0]) in facts.ORG_FORM_WORDS:
        company = tuple(facts.organisation_words(name))
        return Side(name, company=company) if company else None
    surname = words[0].split("-")[0]  # a double surname is told apart by its first half
    if len(words) >= 2 and _INITIALS_RE.match(words[1]):
        return Side(name, person=Person(surname, initials=words[1].replace(".", "")))
    if len(words) >= 3 and _PATRONYMIC_RE.search(words[2]) and len(surname) >= 3:
        return Side(name, person=Person(surname, words[1], words[2]))
    return None


def _fold_line(line: str) -> str:
    quoted = _QUOTED_RE.search(line)
    head = re.split(r"[,;(]|\s(?:адрес|проживающ|зарегистрированн|дата|инн|огрн|паспорт|тел)", line, maxsplit=1)[0]
    if quoted and quoted.start() < len(head) + 2:
        head = line[:quoted.end()]
    return " ".join(re.findall(r"[^\W\d_][\w.\-]*", facts.fold_word(head)))[:200]


def output_sides(doc: Document) -> list[Side]:
    """The sides the document names: «Истец:» / «Ответчик:» lines (`Document.party_names`), «От:», «Кому:» and
    «Заявитель:» lines, and — in a document with no side lines, such as a претензия headed «Генеральному
    директору АО «…»» / «от Юдина Аркадия Семёновича» — the people and companies named in its header."""
    claimants, others = doc.party_names
    names = [*claimants, *others]
    head = doc.lower[:_HEAD_CHARS]
    if "от" in head or "кому" in head or "заявител" in head:
        names += [_fold_line(m.group("name")) for m in _SIDE_LINE_RE.finditer(head)]
    sides = [s for s in map(_side, names) if s is not None]
    header = _header(doc)
    if not sides:
        sides = [Side(str(p), person=p) for p in facts.people(header)]
    # Companies in the header are sides too («Лицо, на действия которого подаётся жалоба: ООО «…»»).
    known = {s.company for s in sides}
    sides += [Side(" ".join(c), company=tuple(c)) for c in facts.organisations(header) if tuple(c) not in known]
    return sides


def _header(doc: Document) -> str:
    """The text above the document's title (or its first 1,500 characters)."""
    title = doc.sections.title
    return doc.output[:title.start if title is not None else min(len(doc.output), 1500)]


def _changed_name(person: Person, known: Person) -> bool:
    """``person`` looks like ``known`` with one part of the name changed: the same surname with another first name
    or patronymic, or the same first name and patronymic with another surname (a man and a woman are relatives,
    not one person)."""
    if person.patronymic and known.patronymic and _male(person.patronymic) != _male(known.patronymic):
        return False
    if same_word(known.surname, person.surname):
        return any(mine and theirs and not same_word(mine, theirs)
                   for mine, theirs in ((person.first, known.first), (person.patronymic, known.patronymic)))
    return bool(person.first and person.patronymic and known.first and known.patronymic
                and same_word(known.first, person.first) and same_word(known.patronymic, person.patronymic))



def _key(side: Side | None) -> str | None:
    """The word that tells a side apart: a person's surname, a company's first distinctive word."""
    if side is None:
        return None
    return side.person.surname if side.person else (side.company[0] if side.company else None)


def _filer_key(text: str) -> str | None:
    """The key word of the side the input's author speaks for, written at the start of ``text``."""
    companies = facts.organisations(text[:120])
    if companies and re.match(r"\s*(?:[А-ЯЁ]{2,4}|Общество|Акционерное|Индивидуальный)\b", text):
        return companies[0][0]
    first = re.match(r"\s*([А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)\s+[А-ЯЁ]", text)
    return facts.fold_word(first.group(1)) if first else None


def _pretension_swapped(doc: Document, filer: str) -> str | None:
    """The input's author (the sender of a претензия) named as its addressee and not as its sender."""
    header = _header(doc)
    m = _SENDER_LINE_RE.search(header.lower())
    if m is None or m.start() == 0:
        return None
    addressee, sender = header[:m.start()].casefold().replace("ё", "е"), header[m.start():].casefold().replace("ё", "е")
    if facts.mentions_word(addressee, filer) and not facts.mentions_word(sender, filer):
        return f"the претензия is addressed to «{filer}», the side the input speaks for"
    return None


def _near_date(a: facts.Date, b: facts.Date) -> bool:
    """One slip: a digit of «dd.mm.yyyy» changed or two swapped, or day and month swapped."""
    if a.year == b.year and (a.day, a.month) == (b.month, b.day):
        return True
    return _one_slip(f"{a.day:02d}{a.month:02d}{a.year}", f"{b.day:02d}{b.month:02d}{b.year}")


def _changed_date(output: str, given: str, missing: set[facts.Date], stated: set[facts.Date]) -> str | None:
    """An input date the document leaves out, while the same thing («договор», «решение», «приказ») carries a
    date one slip away from it in the document. Dates of other things are not compared: a claim holds many
    dates a digit apart (a contract on the 14th, a delivery on the 24th)."""
    wanted = [(thing, d) for thing, d in facts.dated_things(given) if d in missing]
    if not wanted:
        return None
    for other, start, end in facts.calendar_dates(output):  # slips first: the thing by a date costs more to read
        if other in stated:
            continue
        for thing, d in wanted:
            if _near_date(d, other) and facts.thing_near(output, start, end) == thing:
                return f"the input's «{thing}» of {d} is dated {other} in the document"
    return None


def _male(patronymic: str) -> bool:
    return "вич" in patronymic


def _significant(value: int) -> int:
    """Digits before the trailing zeros: 3 for «356 000», 2 for «40 000»."""
    return len(str(value).rstrip("0"))


def _is_slip(value: int, other: int, strict: bool = False) -> bool:
    """``other`` is ``value`` with one slip: one digit changed or two neighbouring digits swapped («203 334» /
    «230 334», «87 000» / «78 000») — and more than 1 % off (closer is a rounding, not a slip) — or a zero added
    or lost («48 000» / «480 000»)."""
    if strict and min(_significant(value), _significant(other)) < 3:
        return False  # «40 000» and «50 000» are as likely two sums as one sum with a slip
    if other in (value * 10, value * 100) or value in (other * 10, other * 100):
        return not strict  # a zero added or lost
    return abs(other - value) > 0.01 * value and _one_slip(str(value), str(other))


def _one_slip(a: str, b: str) -> bool:
    """Two digit strings of one length that differ in one digit or in two neighbouring digits swapped."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                              and a[diff[1]] == b[diff[0]])


_SEPARATORS = " \u00a0\u202f"


def _number_at(text: str, start: int, end: int) -> int | None:
    """The whole number written around ``text[start:end]`` (digits, with single spaces between thousands)."""
    while start > 0 and (text[start - 1].isdigit() or (text[start - 1] in _SEPARATORS and start > 1
                                                       and text[start - 2].isdigit())):
        start -= 1
    while end < len(text) and (text[end].isdigit() or (text[end] in _SEPARATORS and end + 1 < len(text)
                                                      and text[end + 1].isdigit())):
        end += 1
    digits = "".join(c for c in text[start:end] if c.isdigit())
    return int(digits) if digits and len(digits) <= 15 else None


def slipped_number(text: str, value: int, strict: bool = False, given: frozenset[int] = frozenset()) -> int | None:
    """A number in ``text`` one slip away from ``value`` (`_is_slip`). A slip inside one group of thousands
    leaves the other groups as written, so only the numbers around those are read — not every number in the
    text. A number the input states itself (``given``) is another sum, not a slip («836 000» and «436 000» when the
    input gives both)."""
    groups = f"{value:,}".split(",")
    for anchor in sorted(set(groups), key=lambda g: (g == "000", -len(g))):
        at = text.find(anchor)
        while at >= 0:
            found = _number_at(text, at, at + len(anchor))
            if found is not None and found not in given and _is_slip(value, found, strict):
                return found
            at = text.find(anchor, at + 1)
    # Two digits swapped across a group boundary («58 700» / «57 800») change two groups: looked up as written.
    digits, boundary = str(value), len(groups[0])
    for cut in range(boundary, len(digits), 3):
        swapped = int(digits[:cut - 1] + digits[cut] + digits[cut - 1] + digits[cut + 1:])
        if swapped not in given and _is_slip(value, swapped, strict) and facts.mentions_amount(text,
                                                                                                facts.Amount(swapped)):
            return swapped
    return None


class FactsMismatch(FlagMeasure, Rule):
    """The document departs from the facts in the record's input: a side the input names is replaced by another
    person or company, a name is changed («Денис Андреевич» → «Дмитрий Андреевич»), the input's sides are swapped
    («Наш клиент Ефимов …» made the defendant), a sum is written with a slip (a digit changed, two swapped, a zero
    added), the date of the same contract, decision or order is written with a slip, or — in a claim, претензия or
    court-order application, which restate the facts — none of the input's sums or none of its dates appears at
    all: the model wrote about another case.

    Checked only against what the input states unambiguously: a document may add addresses, ИНН, calculated
    penalties and totals, and invented names where the input names nobody. Sums below ``min_sum`` are not
    checked; «712 тыс.» matches 712 600 руб.

    Bad: input ``Ответчик — ООО «Стройинвест», долг 203 334 руб.`` → ``Ответчик: ООО «Стройтрест» … взыскать
    230 334 руб.``
    Good: input ``Комаров Денис Андреевич дал в долг Лысенко А.В. 450 тыс.`` → ``Истец: Комаров Денис Андреевич …
    Взыскать с Лысенко Артёма Викторовича 450 000 (четыреста пятьдесят тысяч) рублей``
    """

    code = "LF703"
    name = "facts-mismatch"
    groups = (FAMILY, "strict")

    @dataclass
    class Thresholds:
        min_sum: float = 1000.0  # rubles; smaller sums of the input are not looked for
        check_parties: bool = True
        check_sums: bool = True
        check_dates: bool = True
        # Types that restate the case's facts; an appeal, a response or a motion may leave the input's sums and
        # dates out, so for them only the sides are compared.
        fact_types: tuple[str, ...] = ("claim", "arbitration_claim", "pretension", "court_order")

    def check(self, doc: Document) -> list[Finding]:
        given = doc.input
        if not given.strip() or not doc.output.strip():
            return []
        out: list[Finding] = []
        restates = doc.type_slug in self.t.fact_types
        if self.t.check_parties:
            out += self._parties(doc, given)
        if self.t.check_sums:
            out += self._sums(doc, given, restates)
        if self.t.check_dates:
            out += self._dates(doc, given, restates)
        return out

    # -- sides -----------------------------------------------------------------------------------------------
    def _parties(self, doc: Document, given: str) -> list[Finding]:
        given_people = facts.people(given)
        given_companies = facts.organisations(given)
        if given_people or given_companies:
            sides = output_sides(doc)
            found = self._renamed(doc, sides, given_people) or self._replaced(doc, sides, given, given_people,
                                                                              given_companies)
            if found:
                return [found]
        swapped = self._swapped(doc, given)
        return [self.finding("sides-swapped", swapped, "output")] if swapped else []

    def _renamed(self, doc: Document, sides: list[Side], given: list[Person]) -> Finding | None:
        """A side that is a person of the input with one part of the name changed — unless the document names
        that person in full elsewhere (then the side is someone else: «Иванова Екатерина» suing «Иванов Павел»)."""
        named: list[Person] | None = None
        for side in sides:
            if side.person is None:
                continue
            for known in given:
                if not _changed_name(side.person, known):
                    continue
                if named is None:
                    named = facts.people(doc.output)
                # Initials alone cannot tell «Смирнов Алексей» from «Смирнов Андрей».
                if not any(known.same_person(q) for q in named if q.first or not known.first):
                    return self.finding("name-changed", f"the document names «{side.text}», the input «{known}»",
                                        "output")
        return None

    def _replaced(self, doc: Document, sides: list[Side], given: str, given_people: list[Person],
                  given_companies: list[list[str]]) -> Finding | None:
        """A side the input does not name, while a person or company the input names is nowhere in the document."""
        vocabulary = facts.words(given)
        written = doc.folded.replace("ё", "е")
        absent_people = absent_companies = None
        for side in sides:
            if side.person is not None:
                if not given_people or facts.has_word(vocabulary, side.person.surname):
                    continue
                if absent_people is None:
                    absent_people = [str(p) for p in given_people if not facts.mentions_word(written, p.surname)]
                instead = absent_people
            else:
                if not given_companies or all(facts.has_word(vocabulary, w) for w in side.company):
                    continue
                if absent_companies is None:
                    absent_companies = [" ".join(c) for c in given_companies
                                        if not all(facts.mentions_word(written, w) for w in c)]
                instead = absent_companies
            if instead:
                return self.finding("party-not-in-input", f"the document's side «{side.text}» is not in the input, "
                                    f"and the input's «{instead[0]}» is nowhere in the document", "output")
        return None

    @staticmethod
    def _swapped(doc: Document, given: str) -> str | None:
        """The input's claimant named as the document's defendant (and not as its claimant)."""
        labelled: dict[bool, list[str]] = {True: [], False: []}
        for m in _INPUT_SIDE_RE.finditer(given):
            labelled[m.group("label").casefold() in _CLAIMANT_LABELS].append(facts.fold_word(m.group("name")))
        filer = None
        if not labelled[True] and doc.type_slug in _FILER_TYPES:
            m = _FILER_RE.search(given)
            filer = _filer_key(m.group("name")) if m else None
        if not labelled[True] and filer is None:
            return None
        if doc.type_slug == "pretension":
            return _pretension_swapped(doc, filer) if filer else None
        claimants, others = doc.party_names
        claimant_keys = [k for k in (_key(_side(c)) for c in claimants) if k]
        named = {side: [facts.words(n) for n in names] for side, names in labelled.items()}
        for name in others:
            key = _key(_side(name))
            if key is None:
                continue
            if filer is not None:
                is_claimant = same_word(key, filer)
            else:
                is_claimant = any(facts.has_word(words, key) for words in named[True])
                if any(facts.has_word(words, key) for words in named[False]):
                    continue
            if is_claimant and not any(same_word(k, key) for k in claimant_keys):
                return f"the document's defendant «{name}» is the claimant in the input"
        return None

    # -- sums and dates --------------------------------------------------------------------------------------
    def _sums(self, doc: Document, given: str, restates: bool) -> list[Finding]:
        """A sum of the input written with a slip (any type); in a type that restates the facts, none of them."""
        amounts = list(dict.fromkeys(a for a in facts.money_amounts(given, bare=True) if a.value >= self.t.min_sum))
        if not amounts:
            return []
        missing = [a for a in amounts if not facts.mentions_amount(doc.output, a)]
        stated = frozenset(int(a.value) for a in amounts)
        for a in missing:
            if a.tolerance or (a.bare and not restates):
                continue  # «712 тыс.» may be 712 600 руб. in the document; a bare number in an appeal may be anything
            # A document that need not restate the sums (an appeal, a motion) may hold other sums: only a slip of a
            # distinctive figure counts there.
            near = slipped_number(doc.output, int(a.value), strict=not restates, given=stated)
            if near is not None:
                return [self.finding("sum-changed", f"the input's {a} is written as {facts.Amount(near)}", "output")]
        # Numbers with no currency word may be a mileage or an area: never the only evidence of another case.
        amounts = [a for a in amounts if not a.bare]
        missing = [a for a in missing if not a.bare]
        if restates and missing and len(missing) == len(amounts):
            return [self.finding("sums-not-in-output", "none of the input's sums is in the document ("
                                 + ", ".join(map(str, missing[:3])) + ")", "output")]
        return []

    def _dates(self, doc: Document, given: str, restates: bool) -> list[Finding]:
        """A date of the input written with a slip for the same thing («договор от 14.02.2025» → «договор от
        24.02.2025», any type); in a type that restates the facts, none of the input's dates."""
        wanted = facts.dates(given)
        if not wanted:
            return []
        lower = doc.lower
        missing = sorted((d for d in wanted if not facts.mentions_date(doc.output, lower, d)),
                         key=lambda d: (d.year, d.month, d.day))
        if not missing:
            return []
        changed = _changed_date(doc.output, given, set(missing), wanted)
        if changed:
            return [self.finding("date-changed", changed, "output")]
        if restates and len(missing) == len(wanted):
            return [self.finding("dates-not-in-output", "none of the input's dates is in the document ("
                                 + ", ".join(map(str, missing[:3])) + ")", "output")]
        return []


@hookimpl
def legalft_rules():
    return [FactsMismatch]
