"""Finding the parts of a document by heading and by content."""

from __future__ import annotations

from rule_cases import documents

from legal_ft.legal.detect import detect_doc_type
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
