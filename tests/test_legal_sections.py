"""Finding the parts of a document by heading and by content."""

from __future__ import annotations

from rule_cases import documents

from legal_ft.legal.detect import detect_doc_type
from legal_ft.legal.doctypes import DocType
from legal_ft.legal.sections import CONTENT, HEADING, PART_NAMES, find_sections


def sections(name):
    doc = documents()[name]
    return doc["text"], find_sections(doc["text"], detect_doc_type(doc["text"], doc["instruction"]))


def test_house_style_headings():
    text, s = sections("claim_house")
    assert s.order == PART_NAMES
    assert s.reasoning.how == HEADING and s.reasoning.label == "МОТИВИРОВОЧНАЯ ЧАСТЬ:"
    assert s.demand.how == HEADING and s.demand.label == "РЕЗОЛЮТИВНАЯ ЧАСТЬ:"
    assert "руководствуясь ст. 131, 132 ГПК РФ" in s.text(text, "demand")
    assert "ст. 131" not in s.text(text, "reasoning")
    assert s.parties.label.startswith("Истец:")
    assert s.demand_verb == "прошу"


def test_real_filing_headings():
    _, s = sections("claim_realheadings")
    assert s.reasoning.label == "Обоснование требований" and s.demand.label == "Просительная часть"
    _, s = sections("arbitration_claim")
    assert s.reasoning.label == "Обстоятельства дела" and s.demand.how == HEADING


def test_documents_without_headings_are_found_by_content():
    text, s = sections("motion_short")
    assert s.reasoning.how == CONTENT and s.demand.how == CONTENT
    assert s.text(text, "demand").startswith("Прошу назначить")
    assert s.attachments is None and s.signature is not None
    _, s = sections("pretension")
    assert s.demand_verb == "требую" and s.header.label.startswith("Генеральному директору")
    assert s.parties.label.startswith("От:")


def test_addressee_without_a_marker_word_is_the_header():
    text = ("Попову Олегу Олеговичу\nг. Самара, ул. Молодёжная, д. 84, кв. 92\n\nот Борисова Алексея Алексеевича\n"
            "г. Самара, ул. Комсомольская, д. 69\n\nПРЕТЕНЗИЯ\n\nВы повредили мой автомобиль. ТРЕБУЮ возместить ущерб.")
    s = find_sections(text, detect_doc_type(text))
    assert s.header.label == "Попову Олегу Олеговичу" and s.parties.label.startswith("от Борисова")


def test_response_demand_without_a_request_verb():
    text = ("ОТЗЫВ НА ИСКОВОЕ ЗАЯВЛЕНИЕ\n\nИстец требует неустойку, однако просрочка возникла по его вине, что "
            "подтверждается перепиской сторон и актом. Неустойка несоразмерна последствиям нарушения.\n\n"
            "В удовлетворении иска следует отказать.")
    s = find_sections(text, detect_doc_type(text))
    assert s.demand is not None and "отказать" in s.text(text, "demand")


def test_parts_out_of_order_are_reported_in_document_order():
    text = ("ИСКОВОЕ ЗАЯВЛЕНИЕ\n\nРЕЗОЛЮТИВНАЯ ЧАСТЬ:\nПРОШУ СУД взыскать 100 руб.\n\nМОТИВИРОВОЧНАЯ ЧАСТЬ:\n"
            "Ответчик не вернул долг, что нарушает ст. 309 ГК РФ и ст. 810 ГК РФ.")
    s = find_sections(text, detect_doc_type(text))
    assert s.order.index("demand") < s.order.index("reasoning")


def test_empty_text():
    s = find_sections("   ")
    assert s.parts == {} and s.order == () and s.demand_verb is None


# -- patterns compiled with the standard library's `re` for speed match exactly what `regex` would -----------------

_TRICKY = [
    "ПРОШУ СУД:\nпрошу суд:\nПрошу Суд :\n  ПРОШУ:  \n1.\nПРОШУ:", "МОТИВИРОВОЧНАЯ\nЧАСТЬ:\nМотивировочная часть.",
    "ЁЛКИН Ё. Ё.\nёлкин ё. ё.\n«12» мая 2024 г.\n12.05.2024\nС уважением,", "Приложения:\nПРИЛОЖЕНИЕ\nприложений нет",
    "В\u00a0Арбитражный\u2007суд\u2028Истец:\u2029Ответчик:", "и\u0306ск ИСКОВОЕ ЗАЯВЛЕНИЕ\u0301\nИСК",
    "IV. ПРОСИТЕЛЬНАЯ ЧАСТЬ\nII. Обоснование требований\nНа основании изложенного, руководствуясь ст. 12 ГК РФ, прошу:",
    "ПРЕТЕНЗИЯ\nТРЕБОВАНИЕ\nтребование о возврате\nЖАЛОБА\nАПЕЛЛЯЦИОННАЯ ЖАЛОБА\nОТЗЫВ на исковое заявление",
    "__________ /И.И. Иванов/\nИванов И.И.\nИ. И. Иванов\nподпись\nДата", "\r\nПРОШУ\r\n", "ǅ ǆ Ǆ ΣΑΣ ß ẞ İ ı K",
]


def _dual_patterns():
    import sys

    from legal_ft.cleaning.plugins import load_plugins
    from legal_ft.legal import detect, sections
    from legal_ft.legal.fastre import DualPattern

    registry = load_plugins(entry_points=False)
    normalisers = sys.modules[registry.normalisers["canonical-headings"].__module__]
    for module in (sections, detect, normalisers):
        for name, value in vars(module).items():
            if isinstance(value, DualPattern):
                yield name, value


def test_fast_patterns_match_as_regex_where_the_engines_agree():
    from legal_ft.legal.fastre import engines_agree
    from legal_ft.sample import generate_records

    texts = list(_TRICKY) + [d["text"] for d in documents().values()]
    texts += [r["output"] for r in generate_records(300, seed=5) if isinstance(r.get("output"), str)]
    texts += [t.upper() for t in texts[:60]] + [t.lower() for t in texts[:60]]
    duals = dict(_dual_patterns())
    assert {"_DEMAND_HEADING_RE", "_REASONING_HEADING_RE", "_TITLE_RE", "_HEADING_RE", "_SIGN_RE"} <= set(duals)
    agreeing = 0
    for name, dual in duals.items():
        for text in texts:
            if not engines_agree(text):
                continue
            agreeing += 1
            got = [(m.span(), m.groups()) for m in dual.fast.finditer(text)]
            want = [(m.span(), m.groups()) for m in dual.exact.finditer(text)]
            assert got == want, (name, text[:120])
            for line in text.splitlines()[:40]:
                assert bool(dual.fast.search(line)) == bool(dual.exact.search(line)), (name, line)
    assert agreeing > 1000


def test_engines_disagree_on_marks_superscripts_and_separators_so_regex_decides_there():
    from legal_ft.legal.detect import _TITLE_RE
    from legal_ft.legal.fastre import engines_agree

    for text in ("ИСКОВОЕ ЗАЯВЛЕНИЕ\u0301", "площадью 45 м²", "a\x1cb", "\u212a", "ſ", "𝐀", "ᲀ"):
        assert not engines_agree(text), repr(text)
    assert engines_agree("ИСКОВОЕ ЗАЯВЛЕНИЕ\nО взыскании 100 руб. «ёлка» Ё №5 — …\t\u00a0")
    # where they disagree the fast form would be wrong: a stress mark is a word character only for `regex`
    text = "ИСКОВОЕ ЗАЯВЛЕНИЕ\u0301"
    assert list(_TITLE_RE.fast.finditer(text)) == [] and len(list(_TITLE_RE.exact.finditer(text))) == 1
    assert len(list(_TITLE_RE.for_text(text).finditer(text))) == 1
    found = find_sections("В Тверской районный суд\nИСКОВОЕ ЗАЯВЛЕНИЕ\u0301\n" + "Текст иска. " * 5, DocType.CLAIM)
    assert found.title is not None


def test_the_disagreement_table_matches_both_engines():
    """Every character on which \\w, \\s or \\d differ, and case-insensitive matching of ASCII and Cyrillic
    letters, agrees with the table (brute force over the letters the patterns are written in)."""
    import re

    import regex

    from legal_ft.legal.fastre import unsafe_table

    table = unsafe_table()
    for cls in (r"\w", r"\s", r"\d", r"\b\w"):
        fast, exact = re.compile(cls), regex.compile(cls, regex.V0)
        for code in range(0x10000):
            if 0xD800 <= code < 0xE000 or table[code]:
                continue
            c = chr(code)
            assert (fast.match(c) is None) == (exact.match(c) is None), (cls, hex(code))
    letters = [chr(c) for c in (*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0x400, 0x500))]
    safe_cased = [chr(c) for c in range(0x10000) if not table[c] and not (0xD800 <= c < 0xE000)
                  and (chr(c).lower() != chr(c) or chr(c).upper() != chr(c))]
    for a in letters:
        fast, exact = re.compile(re.escape(a), re.IGNORECASE), regex.compile(regex.escape(a), regex.IGNORECASE)
        for c in safe_cased:
            assert (fast.fullmatch(c) is None) == (exact.fullmatch(c) is None), (a, c)


def test_party_labels_real_filings_use():
    from legal_ft.legal.sections import _PARTY_RE

    for line in ("Истица: Никитина Е.А.", "Ответчица: Петрова", "Заявитель (истец): Полякова Д.М.",
                 "Истец (взыскатель): ООО «Альфа»", "Кассатор (истец): Зайцева", "Заинтересованное лицо: ГУ МВД",
                 "Потерпевший: Иванов", "Административный ответчик: Управление Росреестра"):
        assert _PARTY_RE.exact.search(line) and _PARTY_RE.fast.search(line), line
    for line in ("Истец заключил договор (копия прилагается): …", "Ответчик (ранее — продавец) не вернул деньги."):
        assert not _PARTY_RE.exact.search(line), line
