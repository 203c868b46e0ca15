"""The built-in normalisers: what each fixes, what each must leave alone, and idempotence (hypothesis)."""

from __future__ import annotations

import sys

import ftfy
import ftfy.bad_codecs  # noqa: F401
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rule_cases import documents

from legal_ft.cleaning.plugins import load_plugins
from legal_ft.legal.artefacts import mojibake_markers, repair_mojibake
from legal_ft.records import Record

REGISTRY = load_plugins(entry_points=False)
NORMALISERS = sorted(REGISTRY.normalisers.values(), key=lambda c: c.order)
BY_NAME = {cls.name: cls() for cls in NORMALISERS}
DOCS = documents()


def run(name: str, output: str, instruction: str = "Составь иск.", input: str = "") -> str:
    changed = BY_NAME[name].apply(Record(instruction, input, output))
    return output if changed is None else changed.output


def run_all(record: Record) -> Record:
    """The chain as the engine runs it: in order, repeated until nothing changes (whitespace stripped off a
    mojibake run can make it repairable: «\xa0Р’Р°» needs a second pass, found by hypothesis)."""
    for _ in range(8):
        before = record
        for norm in BY_NAME.values():
            changed = norm.apply(record)
            if changed is not None:
                record = changed
        if record == before:
            break
    return record


# -- what ftfy does on the two mojibake forms (the measurement the fix-mojibake docstring reports) -------------
def test_ftfy_measurement():
    text = DOCS["claim_house"]["text"]
    short = "Руководство по обучению"
    # cp1251 (sloppy codec: byte 0x98 kept): ftfy repairs it exactly.
    assert ftfy.fix_encoding(text.encode().decode("sloppy-windows-1251")) == text
    # Mac Roman: ftfy repairs a whole document but leaves a short line alone.
    assert ftfy.fix_encoding(text.encode().decode("mac_roman")) == text
    assert ftfy.fix_encoding(short.encode().decode("mac_roman")) != short
    # Lossy cp1251 (U+FFFD where «И» was): ftfy's result keeps the replacement character.
    lossy = "Истец: Иванов".encode().decode("cp1251", errors="replace")
    assert "\ufffd" in ftfy.fix_encoding(lossy)


@pytest.mark.parametrize("name", sorted(DOCS))
@pytest.mark.parametrize("codec", ["sloppy-windows-1251", "mac_roman"])
def test_fix_mojibake_restores_exactly(name, codec):
    text = DOCS[name]["text"]
    mangled = text.encode().decode(codec)
    assert mojibake_markers(mangled)
    assert run("fix-mojibake", mangled) == text


def test_fix_mojibake_short_macroman_line_and_instruction_field():
    short = "Руководство по обучению"
    rec = BY_NAME["fix-mojibake"].apply(Record(short.encode().decode("mac_roman"), "", "ПРЕТЕНЗИЯ"))
    assert rec is not None and rec.instruction == short


def test_fix_mojibake_repairs_mangled_lines_of_a_mixed_document():
    lines = DOCS["appeal"]["text"].split("\n")
    mixed = list(lines)
    mixed[0] = lines[0].encode().decode("mac_roman")
    mixed[5] = lines[5].encode().decode("sloppy-windows-1251")
    assert run("fix-mojibake", "\n".join(mixed)) == "\n".join(lines)


def test_fix_mojibake_refuses_uncertain_repairs():
    text = DOCS["claim_house"]["text"]
    lossy = text.encode().decode("cp1251", errors="replace")
    assert "\ufffd" in lossy
    assert repair_mojibake(lossy) is None
    assert BY_NAME["fix-mojibake"].apply(Record("и", "", lossy)) is None
    # a mangled phrase inside good Cyrillic on the same line: ftfy repairs part of it — not certain
    mixed = "Истец: Иванов. " + "Ответчик: ООО «Ромашка»".encode().decode("sloppy-windows-1251")
    assert repair_mojibake(mixed) is None


def test_fix_mojibake_leaves_clean_text_alone():
    for doc in DOCS.values():
        assert repair_mojibake(doc["text"]) is None
    assert repair_mojibake("Сёмга и Рёв; ст. 309–310 ГК РФ — «кавычки»; Mötley Crüe café") is None


def test_unicode_nfc():
    assert run("unicode-nfc", "Заи\u0306м и\u0306од") == "Займ йод"
    assert BY_NAME["unicode-nfc"].apply(Record("Иск", "", "Займ")) is None


def test_line_endings_whitespace():
    raw = "\ufeffИСТЕЦ:\u00a0Иванов  \r\nОтветчик:\tПетров\u200b\r\n\r\n\r\n\r\n\r\n\r\nПРОШУ СУД:   \n"
    assert run("line-endings-whitespace", raw) == "ИСТЕЦ: Иванов\nОтветчик:\tПетров\n\n\nПРОШУ СУД:"
    rec = BY_NAME["line-endings-whitespace"].apply(Record(" Составь иск \r\n", "факты\r\n", "Текст"))
    assert rec.instruction == "Составь иск" and rec.input == "факты"


def test_strip_markdown_keeps_words_and_lists():
    raw = ("```\n# **ИСКОВОЕ ЗАЯВЛЕНИЕ**\n**Истец:** Иванов И.И.\n\n* копия договора\n- копия претензии\n"
           "1. Взыскать\n\n| Период | Сумма |\n|---|---|\n| май 2024 | 180 000 руб. |\n"
           "См. [сайт суда](https://sudrf.ru) и `ст. 309`\n---\n________ /И.И. Иванов/\n```")
    assert run("strip-markdown", raw) == (
        "ИСКОВОЕ ЗАЯВЛЕНИЕ\nИстец: Иванов И.И.\n\n- копия договора\n- копия претензии\n1. Взыскать\n\n"
        "Период; Сумма\nмай 2024; 180 000 руб.\nСм. сайт суда (https://sudrf.ru) и ст. 309\n"
        "________ /И.И. Иванов/")


def test_strip_markdown_leaves_documents_alone():
    for doc in DOCS.values():
        assert BY_NAME["strip-markdown"].apply(Record("и", "", doc["text"])) is None


def test_strip_chatter_only_around_a_complete_document():
    doc = DOCS["pretension"]["text"]
    wrapped = f"Конечно! Вот ваш документ:\n\n---\n{doc}\n\nНадеюсь, это поможет!\nЕсли нужно, могу доработать текст."
    assert run("strip-chatter", wrapped) == doc
    # chatter inside stays (LF601 rejects it)
    inside = doc.replace("\n\nНа основании изложенного", "\n\nНадеюсь, это поможет!\n\nНа основании изложенного")
    assert run("strip-chatter", inside) == inside
    # chatter around something that is not a complete document stays
    bare = "Конечно! Вот ваш документ:\n\nИсковое заявление нужно подать в суд.\n\nНадеюсь, это поможет!"
    assert run("strip-chatter", bare) == bare


def test_quotes_and_dashes():
    raw = ('ООО "Ромашка" - ответчик; „Закон“ и “кодекс”; ст. ст. 309—310 ГК РФ; дело № 2-1234/2024; 40-ФЗ; '
           'тел. 123-45-67\n- пункт списка')
    assert run("quotes-dashes", raw) == (
        "ООО «Ромашка» — ответчик; «Закон» и «кодекс»; ст. ст. 309–310 ГК РФ; дело № 2-1234/2024; 40-ФЗ; "
        "тел. 123-45-67\n- пункт списка")


@pytest.mark.parametrize(("raw", "expected"), [
    ("ст. 309 - 310 ГК РФ", "ст. 309–310 ГК РФ"),
    ("ст. ст. 309 — 310 ГК РФ", "ст. ст. 309–310 ГК РФ"),
    ("статьями 309 – 310", "статьями 309–310"),
    ("пп. 1 - 3 п. 2", "пп. 1–3 п. 2"),
    ("ч. 1 - 2 ст. 330", "ч. 1–2 ст. 330"),
    ("ст. 15.25 - 15.27 КоАП РФ", "ст. 15.25–15.27 КоАП РФ"),
    ("за период 21.02.2024 - 20.06.2024.", "за период 21.02.2024–20.06.2024."),
    # not ranges: arithmetic, a date after an article, words after the dash
    ("5000 - 3000 = 2000 руб.", "5000 — 3000 = 2000 руб."),
    ("ст. 12 - 13.01.2024 вынесено", "ст. 12 — 13.01.2024 вынесено"),
    ("ст. 309 - в редакции закона", "ст. 309 — в редакции закона"),
])
def test_spaced_ranges_of_articles_and_dates_become_en_dashes(raw, expected):
    assert run("quotes-dashes", raw) == expected


def test_canonical_headings_only_where_a_heading_exists():
    raw = "Мотивировочная часть.\nтекст\nрезолютивная часть\nпрошу суд:\nПРИЛОЖЕНИЯ\n1. Копия"
    assert run("canonical-headings", raw) == (
        "МОТИВИРОВОЧНАЯ ЧАСТЬ:\nтекст\nРЕЗОЛЮТИВНАЯ ЧАСТЬ:\nПРОШУ СУД:\nПриложения:\n1. Копия")
    plain = DOCS["claim_plain"]["text"]
    assert "МОТИВИРОВОЧНАЯ" not in run("canonical-headings", plain)
    assert run("canonical-headings", "Прошу суд взыскать 100 руб.") == "Прошу суд взыскать 100 руб."


# -- idempotence: cleaning the cleaned output changes nothing ---------------------------------------------------
_FRAGMENTS = [
    "**", "__", "#", "## ", "```", "|", "|---|", "---", "* ", "- ", "— ", " - ", "--", '"', "„", "“", "”", "«", "»",
    "\r\n", "\n", "\n\n\n\n", "  ", "\u00a0", "\ufeff", "\u200b", "[ФИО]", "(url)", "[a](https://x.ru)", "`",
    "Конечно! Вот ваш документ:", "Надеюсь, это поможет!", "МОТИВИРОВОЧНАЯ ЧАСТЬ.", "прошу суд", "Приложения",
    "309—310", "Р’Р°", "–†—É", "и\u0306", "ПРОШУ:", "ст. 309 ГК РФ", "Истец:", "________ /И.И. Иванов/",
]
_text = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=8)), max_size=25).map("".join)


@st.composite
def _realistic(draw):
    doc = DOCS[draw(st.sampled_from(sorted(DOCS)))]["text"]
    lines = doc.split("\n")
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(st.sampled_from(["**", "## ", "* ", "", "> "])) + lines[i] + draw(
            st.sampled_from(["**", "  ", "\r", " - конец", '"x"']))
    text = "\n".join(lines)
    wrap = draw(st.sampled_from(["", "Конечно! Вот ваш документ:\n\n"]))
    tail = draw(st.sampled_from(["", "\n\nНадеюсь, это поможет!"]))
    text = wrap + text + tail
    codec = draw(st.sampled_from([None, None, "mac_roman", "sloppy-windows-1251"]))
    return text.encode().decode(codec) if codec else text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_text, _realistic()))
def test_each_normaliser_is_idempotent(text):
    for norm in BY_NAME.values():
        once = norm.apply(Record(text, text, text))
        if once is None:
            continue
        assert norm.apply(once) is None, norm.name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_text, _realistic()))
@example("\xa0Р’Р°")
def test_the_whole_chain_is_idempotent(text):
    once = run_all(Record(text, text, text))
    assert run_all(once) == once


def test_the_chain_is_idempotent_on_sample_records():
    from legal_ft.records import RecordError
    from legal_ft.sample import generate_records

    for obj in generate_records(150, seed=4):
        try:
            record = Record.from_dict(obj)
        except RecordError:
            continue
        once = run_all(record)
        assert run_all(once) == once, obj.get("metadata", {}).get("sample")


@pytest.mark.parametrize(("raw", "clean"), [
    ("ООО &laquo;Ромашка&raquo;&nbsp;— ответчик", "ООО «Ромашка»\u00a0— ответчик"),
    ("&amp;laquo;двойное&amp;raquo;", "«двойное»"),  # escaped twice on the way
    ("Johnson & Johnson; R&D; &unknown; &#0;", "Johnson & Johnson; R&D; &unknown; &#0;"),  # no entity, or no text
    ("Истец<br>\nОтветчик<br/>Третье лицо", "Истец\nОтветчик\nТретье лицо"),
    ("<ul><li>копия договора</li><li>копия претензии</li></ul>", "\n- копия договора\n- копия претензии\n"),
    ("<table><tr><td>май</td><td>180 000</td></tr></table>", "\n\nмай; 180 000\n\n"),  # white space: order 30
    ("<адрес> и [ФИО]", "<адрес> и [ФИО]"),  # placeholders are LF603's, not tags
])
def test_strip_html(raw, clean):
    n = sys.modules[BY_NAME["strip-html"].__class__.__module__]
    fixed = n.fixpoint(n.strip_html)(raw)  # as the normaliser runs it: until nothing changes
    assert (raw if fixed is None else fixed) == clean
