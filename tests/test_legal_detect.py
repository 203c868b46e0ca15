"""Document-type detection: the title first, then the instruction, then content markers."""

from __future__ import annotations

import pytest
from rule_cases import documents

from legal_ft.legal.detect import detect_doc_type
from legal_ft.legal.doctypes import DocType


@pytest.mark.parametrize("name", sorted(documents()))
def test_base_documents(name):
    doc = documents()[name]
    assert detect_doc_type(doc["text"], doc["instruction"]).value == doc["doc_type"]
    assert detect_doc_type(doc["text"]).value == doc["doc_type"]  # the title alone is enough


@pytest.mark.parametrize("title, expected", [
    ("ИСКОВОЕ ЗАЯВЛЕНИЕ\nо взыскании долга", DocType.CLAIM),
    ("Исковое заявление о защите прав потребителя", DocType.CLAIM),
    ("В Арбитражный суд г. Москвы\n\nИСКОВОЕ ЗАЯВЛЕНИЕ", DocType.ARBITRATION_CLAIM),
    ("ДОСУДЕБНАЯ ПРЕТЕНЗИЯ", DocType.PRETENSION),
    ("ПРЕТЕНЗИЯ\n(досудебная)", DocType.PRETENSION),
    ("ТРЕБОВАНИЕ\nо возврате долга", DocType.PRETENSION),
    ("АПЕЛЛЯЦИОННАЯ ЖАЛОБА", DocType.APPEAL),
    ("Кассационная жалоба", DocType.APPEAL),
    ("ОТЗЫВ НА ИСКОВОЕ ЗАЯВЛЕНИЕ", DocType.RESPONSE),
    ("ВОЗРАЖЕНИЯ на апелляционную жалобу", DocType.RESPONSE),
    ("ХОДАТАЙСТВО\nо назначении экспертизы", DocType.MOTION),
    ("ЗАЯВЛЕНИЕ\nо восстановлении пропущенного процессуального срока", DocType.MOTION),
    ("ЗАЯВЛЕНИЕ о вынесении судебного приказа", DocType.COURT_ORDER),
])
def test_titles(title, expected):
    assert detect_doc_type(f"В Ленинский районный суд г. Омска\n\n{title}\n\nТекст.") is expected


def test_a_sentence_mentioning_a_claim_is_not_a_title():
    text = "Претензия была направлена ответчику 15.05.2024.\nОтвет не получен."
    assert detect_doc_type(text, "Составь ходатайство об отложении заседания") is DocType.MOTION


@pytest.mark.parametrize("instruction, expected", [
    ("Составь исковое заявление о взыскании долга", DocType.CLAIM),
    ("Подготовь иск в арбитражный суд о взыскании неустойки", DocType.ARBITRATION_CLAIM),
    ("Напиши досудебную претензию", DocType.PRETENSION),
    ("Составь апелляционную жалобу", DocType.APPEAL),
    ("Подготовь отзыв на иск", DocType.RESPONSE),
    ("Составь ходатайство о приобщении доказательств", DocType.MOTION),
    ("Заявление о выдаче судебного приказа", DocType.COURT_ORDER),
    ("Расскажи анекдот", DocType.UNKNOWN),
])
def test_instruction_decides_without_a_title(instruction, expected):
    assert detect_doc_type("Текст без заголовка.", instruction) is expected


def test_content_markers():
    assert detect_doc_type("Взыскатель: Иванов\nДолжник: Петров\nПрошу выдать приказ.") is DocType.COURT_ORDER
    assert detect_doc_type("Истец: Иванов\nОтветчик: Петров\nПРОШУ СУД взыскать.") is DocType.CLAIM
    assert detect_doc_type("Вы нарушили договор. ТРЕБУЮ вернуть деньги.") is DocType.PRETENSION
    assert detect_doc_type("Рецепт борща") is DocType.UNKNOWN


def test_other_common_filings():
    assert detect_doc_type("АДМИНИСТРАТИВНОЕ ИСКОВОЕ ЗАЯВЛЕНИЕ\nоб оспаривании решения") is DocType.CLAIM
    assert detect_doc_type("ВСТРЕЧНОЕ ИСКОВОЕ ЗАЯВЛЕНИЕ") is DocType.CLAIM
    assert detect_doc_type("ВОЗРАЖЕНИЯ\nотносительно исполнения судебного приказа") is DocType.RESPONSE
    assert detect_doc_type("ЗАЯВЛЕНИЕ\nоб отмене заочного решения") is DocType.MOTION
    assert detect_doc_type("ЗАЯВЛЕНИЕ\nо взыскании судебных расходов") is DocType.MOTION
