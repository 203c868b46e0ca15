"""Rule sets: selection by code/name/group/glob, extends, thresholds typed against the rule, errors that help."""

from __future__ import annotations

import pytest
from cleaning_fakes import make_plugin_dir, make_rule_set

from legal_ft.cleaning.engine import EngineSpec, load_engine
from legal_ft.cleaning.plugins import load_plugins
from legal_ft.cleaning.ruleset import available_rule_sets, read_rule_set, resolve_rule_set
from legal_ft.errors import ConfigError


def _resolve(tmp_path, body, name="set.toml"):
    make_plugin_dir(tmp_path)
    path = make_rule_set(tmp_path, body, name=name)
    source = read_rule_set(str(path))
    registry = load_plugins(source.plugin_dirs(), builtin=False, entry_points=False)
    return resolve_rule_set(source, registry)


@pytest.mark.parametrize(
    ("select", "exclude", "enabled"),
    [
        (["default"], [], ["TS101", "TS102"]),
        (["default", "strict"], [], ["TS101", "TS102", "TS201"]),
        (["TS1*"], [], ["TS101", "TS102"]),
        (["needs-demand", "ts101"], [], ["TS101", "TS201"]),
        (["structure"], [], ["TS201"]),
        (["*"], ["words", "TS201"], ["TS101"]),
        (["bad-*"], [], ["TS102"]),
    ],
)
def test_selection(tmp_path, select, exclude, enabled):
    rs = _resolve(tmp_path, f"select = {select!r}\nexclude = {exclude!r}".replace("'", '"'))
    assert rs.enabled == enabled


def test_extends_adds_and_removes_and_overrides_thresholds(tmp_path):
    make_plugin_dir(tmp_path)
    make_rule_set(tmp_path, 'select = ["default"]\n[thresholds.TS101]\nmin_chars = 5\n[dedup]\nthreshold = 0.9',
                  name="base.toml")
    child = tmp_path / "child.toml"
    child.write_text('extends = "base.toml"\nselect = ["strict"]\nexclude = ["bad-word"]\n'
                     '[thresholds.short]\nmin_chars = 50\n[thresholds.TS102]\nwords = ["очень плохо"]\nratio = 1\n'
                     '[split]\neval_fraction = 0.2\n', encoding="utf-8")
    source = read_rule_set(str(child))
    assert [f.name for f in source.files] == ["base", "child"]
    rs = resolve_rule_set(source, load_plugins(source.plugin_dirs(), builtin=False, entry_points=False))
    assert rs.enabled == ["TS101", "TS201"]
    assert rs.thresholds["TS101"].min_chars == 50
    assert rs.thresholds["TS102"].words == ("очень плохо",)  # list → the field's tuple type
    assert rs.thresholds["TS102"].ratio == 1.0 and isinstance(rs.thresholds["TS102"].ratio, float)
    assert rs.dedup.threshold == 0.9 and rs.split.eval_fraction == 0.2
    assert rs.normalisers == ["strip", "collapse-spaces"]  # by order


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('select = ["TS999"]', "'TS999' matches no rule"),
        ('select = ["shrot"]', "did you mean 'short'?"),
        ('select = ["default"]\n[thresholds.TS101]\nmin_chras = 3',
         "has no threshold 'min_chras' — did you mean 'min_chars'?"),
        ('select = ["default"]\n[thresholds.TS101]\nmin_chars = "3"', "must be an integer, got a string"),
        ('select = ["default"]\n[thresholds.TS101]\nmin_chars = 2.5', "must be an integer, got a number"),
        ('select = ["default"]\n[thresholds.TS102]\nenabled_flag = 1', "must be true or false"),
        ('select = ["default"]\n[thresholds.TS102]\nwords = "плохо"', "must be a list"),
        ('select = ["default"]\n[thresholds.shortt]\nmin_chars = 3', "names no rule — did you mean 'short'?"),
        ('selct = ["default"]', "unknown key 'selct' — did you mean 'select'?"),
        ('select = ["default"]\n[dedup]\nthreshhold = 0.5', "did you mean 'threshold'?"),
        ('select = ["default"]\n[dedup]\nnum_perm = 100\nnum_bands = 16', "divisible by num_bands"),
        ('select = ["default"]\n[dedup]\nmemory_mb = -1', "memory_mb must be 0 (never spill) or more"),
        ('select = ["default"]\n[dedup]\nmemory_mb = "lots"', "must be a number, got a string"),
        ('select = ["default"]\n[split]\neval_fraction = 1.5', "eval_fraction must be in [0, 1)"),
        ('select = ["default"]\n[normalisers]\nexclude = ["nope"]', "'nope' matches no normaliser"),
        ('select = "default"', "'select' must be a list of strings"),
        ("select = [", "is not valid TOML"),
    ],
)
def test_mistakes_are_config_errors_with_hints(tmp_path, body, message):
    with pytest.raises(ConfigError) as info:
        _resolve(tmp_path, body)
    assert message in info.value.one_line()
    assert "set.toml" in info.value.one_line() or "TOML" in info.value.one_line() or "matches" in message


def test_unknown_set_name_lists_the_available_ones(run_cli):
    assert {"default", "strict", "lenient"} <= set(available_rule_sets())
    result = run_cli("rules", "list", "--rules", "strcit")
    assert result.exit_code == 1
    assert "unknown rule set 'strcit'" in result.stderr
    assert "did you mean 'strict'?" in result.stderr
    assert "default, lenient, strict" in result.stderr


def test_cycles_are_refused(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="extends itself"):
        read_rule_set(str(tmp_path / "a.toml"))


def test_a_rule_set_saved_by_notepad_reads_and_a_cp1251_one_is_one_clear_error(tmp_path):
    body = '# строгий набор\nextends = "strict"\n[thresholds.LF401]\nmin_chars = 900\n'
    bom = tmp_path / "bom.toml"
    bom.write_text(body, encoding="utf-8-sig")
    assert read_rule_set(str(bom)).files[-1].data["extends"] == "strict"
    ansi = tmp_path / "ansi.toml"
    ansi.write_bytes(body.encode("cp1251"))
    with pytest.raises(ConfigError, match=r"ansi.toml is not UTF-8 text \(byte 2\)") as info:
        read_rule_set(str(ansi))
    assert "UTF-8" in info.value.hint


def test_missing_plugin_dir_and_missing_file(tmp_path):
    path = make_rule_set(tmp_path, 'select = ["default"]', plugin_dirs=("nowhere",))
    with pytest.raises(Exception, match="rules directory not found"):
        load_engine(str(path), builtin=False, entry_points=False)
    with pytest.raises(ConfigError, match="rule set file not found"):
        read_rule_set(str(tmp_path / "absent.toml"))


def test_normalisers_select_and_exclude(tmp_path):
    rs = _resolve(tmp_path, 'select = ["default"]\n[normalisers]\nexclude = ["strip"]')
    assert rs.normalisers == ["collapse-spaces"]
    rs = _resolve(tmp_path, 'select = ["default"]\n[normalisers]\nselect = ["str*"]', name="two.toml")
    assert rs.normalisers == ["strip"]


def test_engine_spec_builds_instances_with_thresholds(tmp_path):
    make_plugin_dir(tmp_path)
    path = make_rule_set(tmp_path, 'select = ["default"]\n[thresholds.TS101]\nmin_chars = 7')
    engine = load_engine(str(path), builtin=False, entry_points=False)
    assert [r.code for r in engine.rules] == ["TS101", "TS102"]
    assert engine.rules[0].t.min_chars == 7
    assert engine.spec == EngineSpec(str(path), (), None, False, False)


@pytest.mark.parametrize("extra", [(), ("--stats",)])
def test_clean_reports_a_mistyped_rule_set_before_a_missing_input(run_cli, tmp_path, extra):
    result = run_cli("clean", "--input", str(tmp_path / "missing.jsonl"), "--rules", "strcit",
                     "--out", str(tmp_path / "o.jsonl"), *extra)
    assert result.exit_code == 1
    assert "unknown rule set 'strcit'" in result.stderr and "did you mean 'strict'?" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = run_cli("clean", "--input", str(tmp_path / "missing.jsonl"), "--rules", "strict",
                     "--out", str(tmp_path / "o.jsonl"), *extra)
    assert result.exit_code == 1 and "input file not found" in result.stderr
