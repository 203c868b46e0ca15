"""LF703 facts-mismatch and the fact extraction under it (`legal_ft.legal.facts`).

The rule cases (plugins/cases/fidelity.toml) edit base documents one fact at a time; here the extraction is tested
as data, and whole written outputs (tests/data/facts_fidelity.toml) are checked with the full strict rule set.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import tomllib

from legal_ft.cleaning.engine import load_engine
from legal_ft.cleaning.plugins import load_plugins
from legal_ft.legal import facts
from legal_ft.legal.facts import Amount, Date, Person
from legal_ft.records import Record

DATA = Path(__file__).parent / "data" / "facts_fidelity.toml"
fidelity = sys.modules[load_plugins(entry_points=False).rules["LF703"].__module__]


@pytest.mark.parametrize(("text", "amounts"), [
    ("долг 203 334 руб., оплатили 101 666 р.", [Amount(203334), Amount(101666)]),
    ("450 000 (четыреста пятьдесят тысяч) рублей", [Amount(450000)]),
    ("проценты 29 937 руб. 40 коп.", [Amount(29937.40)]),
    ("ущерб 85 тысяч, ремонт 712 тыс.", [Amount(85000, 500), Amount(712000, 500)]),
    ("неустойка 1,2 млн руб.", [Amount(1200000, 50000)]),
    ("цена 124\u00a0990 ₽", [Amount(124990)]),
    ("87000р на карту", []),  # «р» glued to the digits with no dot is not a currency we read
    ("договор № 45 от 11.11.2024, 0,1 % в день", []),
    ("ДОЛГ 15 000 РУБ.", [Amount(15000)]),
])
def test_money_amounts(text, amounts):
    assert facts.money_amounts(text) == amounts


@pytest.mark.parametrize(("text", "amount", "found"), [
    ("Взыскать 450 000 руб.", Amount(450000), True),
    ("Взыскать 450000 руб.", Amount(450000), True),
    ("Взыскать 450\u00a0000 руб.", Amount(450000), True),
    ("Взыскать 540 000 руб.", Amount(450000), False),
    ("Взыскать 1 450 000 руб.", Amount(450000), False),
    ("ремонт 712 600 руб.", Amount(712000, 500), False),
    ("ремонт 712 600 руб.", Amount(712000, 1000), True),
    ("неустойка 1 206 000 руб.", Amount(1200000, 50000), True),
])
def test_mentions_amount(text, amount, found):
    assert facts.mentions_amount(text, amount) is found


@pytest.mark.parametrize(("text", "dates"), [
    ("от 12.03.2024 и 1.02.24", {Date(12, 3, 2024), Date(1, 2, 2024)}),
    ("12 марта 2024 года, 3 мая 2023 г.", {Date(12, 3, 2024), Date(3, 5, 2023)}),
    ("дело № 2-3817/2024, п. 5.1.2 договора, ст. 12.13 КоАП", set()),
    ("32.13.2024", set()),
])
def test_dates(text, dates):
    assert facts.dates(text) == dates


@pytest.mark.parametrize(("date", "text", "found"), [
    (Date(12, 3, 2024), "договор от 12 марта 2024 года", True),
    (Date(2, 3, 2024), "договор от 02.03.2024 г.", True),
    (Date(2, 3, 2024), "договор от 2.03.2024", True),
    (Date(2, 3, 2024), "договор от 02.03.24", True),
    (Date(2, 3, 2024), "договор от 03.02.2024", False),
    (Date(9, 9, 2024), "решение от 19.09.2024", False),  # «9.09.2024» inside another date
])
def test_mentions_date(date, text, found):
    assert facts.mentions_date(text, text.lower(), date) is found


@pytest.mark.parametrize(("text", "things"), [
    ("по договору подряда от 12.03.2024 и расписке от 1.02.2024", [("договор", Date(12, 3, 2024)),
                                                                  ("расписка", Date(1, 2, 2024))]),
    ("Решение Ленинского районного суда г. Оренбурга от 28.02.2024", [("решение", Date(28, 2, 2024))]),  # «г.» ends
    ("2 сентября 2023 года заключил договор подряда", [("договор", Date(2, 9, 2023))]),  # no sentence; after it
    ("18.12.2023 купил смартфон", [("покупка", Date(18, 12, 2023))]),
    ("в результате дорожно-транспортного происшествия, произошедшего 07.01.2024", [("дтп", Date(7, 1, 2024))]),
    ("Договор подписан. Деньги ушли 14.02.2025 на карту", []),  # the thing is in another sentence
])
def test_dated_things(text, things):
    assert facts.dated_things(text) == things


@pytest.mark.parametrize(("text", "people"), [
    ("Я, Комаров Денис Андреевич, дал в долг", [Person("комаров", "денис", "андреевич")]),
    ("передал Лысенко Артёму Викторовичу", [Person("лысенко", "артему", "викторовичу")]),
    ("Денис Андреевич Комаров", [Person("комаров", "денис", "андреевич")]),
    ("ответчик Лукин А.И. и И.И. Петров", [Person("лукин", initials="аи"), Person("петров", initials="ии")]),
    ("ООО «Ромашка» и ИП Петров", []),
    ("Сосед сверху затопил квартиру", []),
])
def test_people(text, people):
    assert facts.people(text) == people


@pytest.mark.parametrize(("a", "b", "same"), [
    ("комаров", "комарову", True), ("артем", "артему", True), ("алексей", "алексея", True), ("илья", "ильи", True),
    ("павел", "павла", True), ("лев", "льва", True), ("петр", "петра", True), ("кондратьева", "кондратьевой", True),
    ("данилов", "данилин", False), ("денис", "дмитрий", False), ("стройинвест", "стройтрест", False),
    ("валерьевна", "владимировна", False), ("гончаров", "гончаренко", False), ("транслайт", "транслайн", False),
])
def test_same_word(a, b, same):
    assert facts.same_word(a, b) is same


def test_same_person_needs_every_written_part_to_agree():
    full = Person("смирнов", "алексей", "петрович")
    assert full.same_person(Person("смирнова", "алексея", "петровича"))
    assert full.same_person(Person("смирнов", initials="ап"))
    assert not full.same_person(Person("смирнов", initials="ип"))
    assert not full.same_person(Person("смирнов", "андрей", "петрович"))


@pytest.mark.parametrize(("text", "companies"), [
    ("ООО «Стройинвест» и АО Гранит", [["стройинвест"], ["гранит"]]),
    ("Акционерного общества «Теплоэнерго-Сервис»", [["теплоэнерго", "сервис"]]),
    ("публичного акционерного общества «Сбербанк»", [["сбербанк"]]),
    ("индивидуальному предпринимателю Комарову Денису", [["комарову", "денису"]]),
    ("в магазине М.Видео", []),
])
def test_organisations(text, companies):
    assert facts.organisations(text) == companies


@pytest.mark.parametrize(("text", "value", "strict", "given", "found"), [
    ("взыскать 230 334 руб.", 203334, False, (), 230334),  # two digits swapped
    ("взыскать 57 800 руб.", 58700, False, (), 57800),  # swapped across the thousands
    ("взыскать 480 000 руб.", 48000, False, (), 480000),  # a zero added
    ("взыскать 712 600 руб.", 712000, False, (), None),  # within 1 %: a rounding
    ("взыскать 50 000 руб.", 40000, True, (), None),  # two round sums, where other sums may stand
    ("взыскать 184 500 руб.", 134500, True, (), 184500),
    ("в пределах цены иска — 436 000 руб.", 836000, False, (436000,), None),  # the input's own other sum
])
def test_slipped_number(text, value, strict, given, found):
    assert fidelity.slipped_number(text, value, strict, frozenset(given)) == found


@pytest.fixture(scope="module")
def strict():
    return load_engine("strict", entry_points=False)


def _written() -> dict[str, dict[str, dict[str, str]]]:
    with open(DATA, "rb") as fh:
        return tomllib.load(fh)


WRITTEN = _written()


@pytest.mark.parametrize("name", sorted(WRITTEN["keep"]))
def test_written_faithful_documents_are_kept(strict, name):
    doc = WRITTEN["keep"][name]
    normalised, _, errors = strict.normalise(Record(doc["instruction"], doc["input"], doc["text"]))
    assert not errors
    assert [f.to_dict() for f in strict.check(normalised)] == []


@pytest.mark.parametrize("name", sorted(WRITTEN["bad"]))
def test_written_unfaithful_documents_are_rejected_for_the_facts(strict, name):
    doc = WRITTEN["bad"][name]
    normalised, _, _ = strict.normalise(Record(doc["instruction"], doc["input"], doc["text"]))
    found = [f for f in strict.check(normalised) if f.code == doc["expect"]]
    assert found, doc["defect"]
    assert found[0].reason == doc["reason"]


def test_no_input_means_nothing_to_compare(strict):
    doc = next(iter(WRITTEN["bad"].values()))
    normalised, _, _ = strict.normalise(Record(doc["instruction"], "", doc["text"]))
    assert not [f for f in strict.check(normalised) if f.code == "LF703"]
