"""Fuzzing the engine: whatever the input, every line is either kept or rejected with at least one finding, and
nothing crashes (a rule that raises rejects the record with an internal-error finding instead)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from cleaning_fakes import RAISING_PLUGIN, make_plugin_dir, make_rule_set, read_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legal_ft.cleaning.engine import EngineSpec, load_engine
from legal_ft.cleaning.pipeline import CleanOptions, run_clean
from legal_ft.records import Record

TEXT = st.text(alphabet=st.sampled_from(list("абвгд ПРОШУ суд\n\t\r «»—-.,:;бум плохо XYZ\u00a0\u0301\ufeff{}\"\\")),
               max_size=120) | st.text(max_size=60)
RECORD = st.fixed_dictionaries(
    {"instruction": TEXT, "input": TEXT, "output": TEXT},
    optional={"metadata": st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=2)},
)
JUNK = st.sampled_from(['{"instruction": 1, "input": "", "output": ""}', "[1, 2]", "{'a': 'b'}", "null", "{",
                        '{"instruction": "a", "input": "b"}', '{"instruction": "a", "input": "b", "output": null}'])
LINE = RECORD.map(lambda r: json.dumps(r, ensure_ascii=False)) | JUNK


def _setup(root: Path) -> Path:
    make_plugin_dir(root)
    make_plugin_dir(root, RAISING_PLUGIN, name="raising.py")
    return make_rule_set(root, 'select = ["default", "strict"]\n[dedup]\nshingle_size = 2')


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LINE, min_size=1, max_size=12))
def test_every_line_is_kept_or_rejected_with_a_reason(lines):  # workers > 1: test_cleaning_pipeline
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rule_set = _setup(root)
        src = root / "in.jsonl"
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = root / "out"
        opts = CleanOptions(input=src, out=out / "t.jsonl", eval_out=out / "e.jsonl", rejected=out / "r.jsonl",
                            report=out / "rep.json", eval_fraction=0.3,
                            spec=EngineSpec(str(rule_set), builtin=False, entry_points=False))
        s = run_clean(opts).summary
        kept = read_jsonl(out / "t.jsonl") + read_jsonl(out / "e.jsonl")
        rejected = read_jsonl(out / "r.jsonl")
        non_blank = [i + 1 for i, line in enumerate(lines) if line.strip()]
        seen = sorted([r["metadata"]["source"]["line"] for r in kept] + [r["source"]["line"] for r in rejected])
        assert seen == non_blank
        assert s.kept == len(kept) and s.rejected == len(rejected)
        assert all(r["findings"] and all(f["reason"] and f["code"] for f in r["findings"]) for r in rejected)
        for r in rejected:
            if any(f["reason"] == "internal-error" for f in r["findings"]):
                assert "бум" in r["record"]["output"] or "бум" in r["record"]["output"].replace("\u00a0", " ")


@settings(max_examples=60, deadline=None)
@given(record=RECORD)
def test_engine_process_never_raises(record):
    engine = _engine()
    rec = Record.from_dict(record)
    outcome = engine.process(0, rec)
    assert outcome.passed == (not outcome.findings)
    again = engine.process(0, outcome.record)
    assert again.record.output == outcome.record.output  # normalising is idempotent
    assert again.normalised == []


_ENGINE = None


def _engine():
    global _ENGINE
    if _ENGINE is None:
        root = Path(tempfile.mkdtemp())
        _ENGINE = load_engine(str(_setup(root)), builtin=False, entry_points=False)
    return _ENGINE
