"""Every built-in rule against its pass/fail cases (``plugins/cases/<family>.toml``), and the catalogue contract."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rule_cases import documents, load_cases

from legal_ft.cleaning.api import Document, Finding, REASON_RE
from legal_ft.cleaning.plugins import load_plugins
from legal_ft.records import Record

REGISTRY = load_plugins(entry_points=False)
NORMALISERS = sorted(REGISTRY.normalisers.values(), key=lambda c: c.order)
CATALOGUE = {
    "section_presence": {"LF101": ("missing-reasoning", "default"), "LF102": ("missing-demand", "default"),
                         "LF103": ("wrong-demand-for-type", "default"), "LF104": ("missing-header", "strict"),
                         "LF105": ("missing-parties", "strict"), "LF106": ("missing-title", "strict"),
                         "LF107": ("missing-attachments", "strict"), "LF108": ("parts-out-of-order", "strict"),
                         "LF109": ("several-documents", "default"), "LF110": ("type-mismatch", "default"),
                         "LF111": ("party-confusion", "default"), "LF112": ("wrong-court", "default")},
    "legal_citation": {"LF201": ("no-citation", "default"), "LF202": ("bad-citation", "default")},
    "off_topic": {"LF301": ("off-topic", "default"), "LF302": ("not-procedural", "default")},
    "length": {"LF401": ("too-short", "default"), "LF402": ("too-long", "default"), "LF403": ("truncated", "default"),
               "LF404": ("too-many-tokens", "default")},
    "language": {"LF501": ("not-russian", "default")},
    "chatter": {"LF601": ("model-chatter", "default"), "LF602": ("refusal", "default")},
    "placeholders": {"LF603": ("placeholder", "default")},
    "echo": {"LF604": ("echo", "default")},
    "fields": {"LF605": ("empty-field", "default")},
    "mojibake": {"LF606": ("mojibake", "default")},
    "markdown": {"LF607": ("markdown", "default")},
    "repetition": {"LF608": ("repetition", "default")},
    "model_markup": {"LF609": ("model-markup", "default")},
    "arithmetic": {"LF701": ("bad-arithmetic", "default"), "LF702": ("claim-price-mismatch", "default")},
    "fidelity": {"LF703": ("facts-mismatch", "strict")},
}


def family_rules(family: str) -> list[type]:
    return [cls for cls in REGISTRY.rules.values() if Path(REGISTRY.origins[cls]).stem == family]


def normalise(record: Record) -> Record:
    for cls in NORMALISERS:
        changed = cls().apply(record)
        if changed is not None:
            record = changed
    return record


def run_family(family: str, record: Record, strict: bool, thresholds: dict) -> list[Finding]:
    findings: list[Finding] = []
    doc = Document(record)
    for cls in family_rules(family):
        if "strict" in cls.groups and not strict:
            continue
        overrides = thresholds.get(cls.code, {})
        rule = cls(dataclasses.replace(cls.Thresholds(), **overrides)) if overrides else cls()
        findings.extend(rule.check(doc))
    return findings


CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.family}:{c.id}" for c in CASES])
def test_case(case):
    record = Record(case.instruction, case.input, case.text)
    if case.normalise:
        record = normalise(record)
    findings = run_family(case.family, record, case.strict, case.thresholds)
    assert sorted({f.code for f in findings}) == sorted(case.expect), [f.to_dict() for f in findings]
    if case.reason:
        assert findings[0].reason == case.reason, findings[0].to_dict()
    for f in findings:
        assert REASON_RE.match(f.reason) and f.message and f.where


def test_every_rule_has_a_pass_and_a_fail_case():
    by_family: dict[str, list] = {}
    for c in CASES:
        by_family.setdefault(c.family, []).append(c)
    for family, codes in CATALOGUE.items():
        cases = by_family.get(family, [])
        assert any(not c.expect for c in cases), f"{family}: no pass case"
        for code in codes:
            if code == "LF404":
                continue  # needs a tokenizer: tests/test_rules_length.py
            assert any(code in c.expect for c in cases), f"{family}: no fail case for {code}"


def test_catalogue_codes_names_groups_and_files():
    for family, codes in CATALOGUE.items():
        found = {cls.code: cls for cls in family_rules(family)}
        assert set(found) == set(codes), family
        for code, (name, group) in codes.items():
            cls = found[code]
            assert cls.name == name
            assert cls.groups[:2] == (cls.groups[0], group) and cls.groups[0]  # then optional extra groups
            doc = cls.doc()
            assert "Bad:" in doc and "Good:" in doc, code
            assert dataclasses.is_dataclass(cls.Thresholds)
    assert [c.name for c in NORMALISERS] == ["unicode-nfc", "fix-mojibake", "line-endings-whitespace",
                                            "strip-model-markup", "strip-html", "strip-markdown", "strip-chatter",
                                            "quotes-dashes", "canonical-headings"]
    assert [c.order for c in NORMALISERS] == [10, 20, 30, 35, 38, 40, 50, 60, 70]


@pytest.mark.parametrize("name", sorted(documents()))
def test_base_documents_pass_every_rule_strict(name):
    """The must-keep documents (no headings, short ходатайство, претензия with ТРЕБУЮ, отзыв with «отказать»)."""
    from legal_ft.legal.detect import detect_doc_type

    doc = documents()[name]
    record = normalise(Record(doc["instruction"], doc["input"], doc["text"]))
    assert detect_doc_type(record.output, record.instruction).value == doc["doc_type"]
    findings = []
    for family in CATALOGUE:
        findings += run_family(family, record, strict=True, thresholds={"LF201": {"min_citations": 2}})
    assert findings == []


def test_measure_exposes_numbers_for_stats():
    doc = documents()["claim_house"]
    d = Document(Record(doc["instruction"], doc["input"], doc["text"]))
    for cls in REGISTRY.rules.values():
        values = cls().measure(d)
        assert all(isinstance(v, (int, float)) for v in values.values()), cls.code


def test_thresholds_are_set_from_a_rule_set_file(tmp_path):
    """Typed thresholds (tuples, ints, floats, bools) come through a rule set's TOML tables."""
    from legal_ft.cleaning.engine import load_engine

    path = tmp_path / "mine.toml"
    path.write_text(
        'extends = "default"\n[thresholds.LF202]\ncheck_confidence = ["high", "medium", "low"]\n'
        '[thresholds.missing-reasoning]\nshort_types = ["motion"]\nmin_letters = 150\n'
        '[thresholds.LF501]\nmax_latin_share = 0.5\n[thresholds.LF605]\nrequire_input = true\n',
        encoding="utf-8",
    )
    engine = load_engine(str(path), entry_points=False)
    rules = {rule.code: rule for rule in engine.rules}
    assert rules["LF202"].t.check_confidence == ("high", "medium", "low")
    assert rules["LF101"].t.short_types == ("motion",) and rules["LF101"].t.min_letters == 150
    assert rules["LF501"].t.max_latin_share == 0.5 and rules["LF605"].t.require_input is True
    doc = documents()["claim_house"]
    record = Record(doc["instruction"], "", doc["text"] + "\n\nСм. ст. 150 ЗК РФ.")
    codes = {f.code for f in engine.check(record)}
    assert codes == {"LF202", "LF605"}
