"""Citation extraction and validation against the acts table (configs/legal_acts.toml)."""

from __future__ import annotations

import pytest

from legal_ft.errors import ConfigError
from legal_ft.legal.citations import (
    KNOWN,
    UNKNOWN,
    UNLISTED,
    UNNAMED,
    UNRESOLVED,
    extract_citations,
    load_acts,
    validate_citation,
)


def cites(text: str) -> list[tuple]:
    return [(c.act, c.article, c.part, c.point, c.subpoint, c.paragraph) for c in extract_citations(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("согласно ст. 309 ГК РФ", [("ГК", "309", None, None, None, None)]),
        ("ст.ст. 309, 310 ГК РФ", [("ГК", "309", None, None, None, None), ("ГК", "310", None, None, None, None)]),
        ("ст. ст. 309–310 ГК РФ", [("ГК", "309", None, None, None, None), ("ГК", "310", None, None, None, None)]),
        ("статьями 309 и 310 Гражданского кодекса Российской Федерации",
         [("ГК", "309", None, None, None, None), ("ГК", "310", None, None, None, None)]),
        ("п. 1 ст. 15 ГК РФ", [("ГК", "15", None, "1", None, None)]),
        ("ч. 1 ст. 98 ГПК РФ", [("ГПК", "98", "1", None, None, None)]),
        ("пп. 4 п. 2 ст. 333.36 НК РФ", [("НК", "333.36", None, "2", "4", None)]),
        ("абз. 2 п. 3 ст. 1079 ГК РФ", [("ГК", "1079", None, "3", None, "2")]),
        ("ст. 15 Закона РФ «О защите прав потребителей»", [("ЗоЗПП", "15", None, None, None, None)]),
        ("ч. 2 ст. 12.13 КоАП РФ", [("КоАП", "12.13", "2", None, None, None)]),
        ("ст. 16.1 Федерального закона от 25.04.2002 № 40-ФЗ «Об ОСАГО»", [("ОСАГО", "16.1", None, None, None, None)]),
        ("пункта 1 статьи 810 Гражданского кодекса РФ", [("ГК", "810", None, "1", None, None)]),
        ("ст. 13 Закона об ОСАГО", [("ОСАГО", "13", None, None, None, None)]),
        ("ст. 46 Конституции РФ", [("Конституция", "46", None, None, None, None)]),
        ("ст. 131 Арбитражного процессуального кодекса РФ", [("АПК", "131", None, None, None, None)]),
        ("предусмотренной статьёй 15 ГК РФ", [("ГК", "15", None, None, None, None)]),
        ("предусмотренной статьей 15 ГК РФ", [("ГК", "15", None, None, None, None)]),
        ("ч.ч. 1, 2 ст. 98 ГПК РФ", [("ГПК", "98", None, None, None, None)]),
    ],
)
def test_citation_forms(text, expected):
    assert cites(text) == expected


def test_citation_carries_span_raw_and_range_end():
    text = "Согласно ст. ст. 309–310 ГК РФ обязательства исполняются."
    first, second = extract_citations(text)
    assert text[first.span[0]:first.span[1]].strip() == first.raw == "ст. ст. 309–310 ГК РФ"
    assert not first.is_range_end and second.is_range_end
    assert first.where == f"output:{first.span[0]}-{first.span[1]}"
    assert first.label() == "ст. 309 ГК"


@pytest.mark.parametrize("text", [
    "Закон РФ от 07.02.1992 № 2300-1", "Федеральный закон № 40-ФЗ", "№ 395-1",
    "постановление Пленума Верховного Суда РФ от 24.03.2016 № 7",
    "постановление Конституционного Суда РФ от 10.03.2017 № 6-П", "п. 42(1) Правил № 354",
    "п. 5.1 ст. 3 договора", "ст. 7 Договора поставки",
])
def test_not_citations(text):
    assert extract_citations(text) == []


def test_anaphora_resolves_to_the_last_act_of_its_kind():
    text = ("В силу ст. 18 Закона РФ «О защите прав потребителей» и ст. 309 ГК РФ … Согласно ст. 22 указанного "
            "Закона срок — десять дней, а по ст. 310 названного Кодекса отказ не допускается.")
    got = [(c.act, c.article, c.status) for c in extract_citations(text)]
    assert got == [("ЗоЗПП", "18", KNOWN), ("ГК", "309", KNOWN), ("ЗоЗПП", "22", KNOWN), ("ГК", "310", KNOWN)]
    (lonely,) = extract_citations("Согласно ст. 22 указанного Закона срок — десять дней.")
    assert lonely.status == UNRESOLVED and lonely.act is None


def test_statuses_of_unnamed_unlisted_and_unknown_acts():
    assert extract_citations("ст. ст. 309–310.")[0].status == UNNAMED
    (unlisted,) = extract_citations("ст. 8 Федерального закона «Об обществах с ограниченной ответственностью»")
    assert unlisted.status == UNLISTED and validate_citation(unlisted) is None
    (unknown,) = extract_citations("ст. 15 ГКК РФ")
    assert unknown.status == UNKNOWN


@pytest.mark.parametrize("text, reason", [
    ("ст. 1600 ГК РФ", "article-out-of-range"),
    ("ст. 447 ГПК РФ", "article-out-of-range"),
    ("ст. 333 АПК РФ", "article-out-of-range"),
    ("ст. 47 Закона РФ «О защите прав потребителей»", "article-out-of-range"),
    ("ст. 395.1 ГК РФ", "unknown-dotted-article"),
    ("ст. 153.12 ГПК РФ", "unknown-dotted-article"),
    ("ст. 15 ГКК РФ", "unknown-act"),
    ("ч. 1 ст. 33.1 КоАП РФ", "chapter-out-of-range"),
    ("ст. 20 КоАП РФ", "article-out-of-range"),
])
def test_invalid_citations(text, reason):
    (c,) = extract_citations(text)
    problem = validate_citation(c)
    assert problem is not None and problem.reason == reason
    assert f"«{c.raw}»" in problem.message


@pytest.mark.parametrize("text", [
    "ст. 1551 ГК РФ", "ст. 446 ГПК РФ", "ст. 332 АПК РФ", "ст. 424 ТК РФ", "ст. 361 УК РФ", "ст. 170 СК РФ",
    "ст. 46 Закона РФ «О защите прав потребителей»", "ст. 8.1 ГК РФ", "ст. 153.11 ГПК РФ", "ст. 229.6 АПК РФ",
    "ст. 312.1 ТК РФ", "ст. 26.2 ЗоЗПП", "ст. 14.1 Закона об ОСАГО", "ст. 333.42 НК РФ", "ст. 346.11 НК РФ",
    "ч. 1 ст. 20.25 КоАП РФ", "ст. 102 ЗК РФ",
])
def test_valid_citations(text):
    (c,) = extract_citations(text)
    assert c.status == KNOWN and validate_citation(c) is None


def test_confidence_levels_are_configurable():
    (c,) = extract_citations("ст. 150 ЗК РФ")  # ЗК is «low»: not range-checked by default
    assert validate_citation(c) is None
    assert validate_citation(c, check_confidence=("high", "medium", "low")).reason == "article-out-of-range"
    (c,) = extract_citations("ст. 500 НК РФ")  # НК is «medium»
    assert validate_citation(c, check_confidence=("high",)) is None


def test_a_custom_acts_table(tmp_path):
    path = tmp_path / "acts.toml"
    path.write_text('[acts."ЛК"]\ntitle = "Лесной кодекс"\nabbrev = ["ЛК РФ"]\nmax_article = 108\n'
                    'confidence = "high"\n', encoding="utf-8")
    table = load_acts(path)
    (c,) = extract_citations("ст. 120 ЛК РФ", table)
    assert validate_citation(c, table).reason == "article-out-of-range"
    bad = tmp_path / "bad.toml"
    bad.write_text('[acts."X"]\nconfidence = "sure"\ntitle = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="confidence"):
        load_acts(bad)
    with pytest.raises(ConfigError):
        load_acts(tmp_path / "missing.toml")
