"""Plugin loading: contract checks, one-line errors naming the file, --rules-dir, entry points, the example."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from cleaning_fakes import FAKE_PLUGIN, make_plugin_dir, make_rule_set, read_jsonl, record, write_jsonl

from legal_ft.cleaning.plugins import load_plugins
from legal_ft.errors import PluginError

REPO = Path(__file__).resolve().parent.parent

GOOD_RULE = '''
from dataclasses import dataclass
from legal_ft.cleaning.api import Rule, hookimpl

class R(Rule):
    """{doc}"""
    code = "{code}"
    name = "{name}"
    groups = ("default",)

    @dataclass
    class Thresholds:
        limit: int = 1

    def check(self, doc):
        return []

@hookimpl
def legalft_rules():
    return [R]
'''


def _rule(code: str = "XY101", name: str = "my-rule", doc: str = "A rule.\n\n    Bad: x. Good: y.") -> str:
    return GOOD_RULE.format(code=code, name=name, doc=doc)


def test_loads_rules_and_normalisers_with_origins(tmp_path):
    d = make_plugin_dir(tmp_path)
    (d / "_private.py").write_text("raise RuntimeError('must not be imported')", encoding="utf-8")
    reg = load_plugins([d], builtin=False, entry_points=False)
    assert list(reg.rules) == ["TS101", "TS102", "TS201"]
    assert set(reg.normalisers) == {"strip", "collapse-spaces"}
    assert reg.origins[reg.rules["TS101"]].endswith("fake_rules.py")
    assert reg.find_rule("bad-word").code == "TS102"
    assert reg.find_rule("ts201").name == "needs-demand"


def test_same_file_name_in_two_folders(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "rules.py").write_text(_rule("AA101", "first-rule"), encoding="utf-8")
    (b / "rules.py").write_text(_rule("BB101", "second-rule"), encoding="utf-8")
    reg = load_plugins([a, b], builtin=False, entry_points=False)
    assert set(reg.rules) == {"AA101", "BB101"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (_rule(code="bad1"), "has code 'bad1'"),
        (_rule(name="Not_Kebab"), "has name 'Not_Kebab'"),
        (_rule(code="LF901"), "reserved by the engine"),
        ("import no_such_module_anywhere\n", "failed to import: ModuleNotFoundError"),
        ("def broken(:\n", "failed to import: SyntaxError"),
        (_rule().replace('"""A rule.', '"""').replace('Bad: x. Good: y."""', '"""'), "has no docstring"),
        (_rule().replace("@dataclass\n    class Thresholds:", "class Thresholds:"), "no Thresholds dataclass"),
        (_rule().replace("limit: int = 1", "limit: int"), "threshold 'limit' has no default"),
        (_rule().replace("return [R]", "return [object]"), "is not a Rule subclass"),
        (_rule().replace("return [R]", "return 5"), "returned int"),
        (_rule().replace("def legalft_rules", "def legalft_rulez"), "unknown hook 'legalft_rulez'"),
        (_rule().replace("return [R]", "raise KeyError('x')"), "legalft_rules() raised KeyError"),
        (_rule().replace("def check(self, doc):\n        return []", ""), "does not implement check()"),
    ],
)
def test_contract_violations_are_one_line_naming_the_file(tmp_path, source, expected):
    d = tmp_path / "plugs"
    d.mkdir()
    (d / "broken_rule.py").write_text(source, encoding="utf-8")
    with pytest.raises(PluginError) as info:
        load_plugins([d], builtin=False, entry_points=False)
    line = info.value.one_line()
    assert "broken_rule.py" in line
    assert expected in line
    assert "\n" not in line


def test_duplicate_codes_and_names_are_refused(tmp_path):
    d = tmp_path / "plugs"
    d.mkdir()
    (d / "a.py").write_text(_rule("XY101", "one"), encoding="utf-8")
    (d / "b.py").write_text(_rule("XY101", "two"), encoding="utf-8")
    with pytest.raises(PluginError, match=r"duplicate rule code XY101 \(also in .*a\.py\)"):
        load_plugins([d], builtin=False, entry_points=False)
    (d / "b.py").write_text(_rule("XY102", "one"), encoding="utf-8")
    with pytest.raises(PluginError, match="duplicate rule name 'one'"):
        load_plugins([d], builtin=False, entry_points=False)


def test_broken_plugin_is_one_cli_line(tmp_path, run_cli):
    d = tmp_path / "plugs"
    d.mkdir()
    (d / "oops.py").write_text("1/0\n", encoding="utf-8")
    result = run_cli("rules", "list", "--rules-dir", str(d))
    assert result.exit_code == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: plugin ")
    assert "oops.py failed to import: ZeroDivisionError" in lines[0]
    assert "Traceback" not in result.output


def _install_fake_distribution(root: Path, module_source: str, module: str = "legalft_caps_pkg") -> None:
    """A real installed distribution: a module plus a .dist-info with a `legalft` entry point."""
    (root / f"{module}.py").write_text(module_source, encoding="utf-8")
    info = root / "legalft_caps_pkg-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: legalft-caps-pkg\nVersion: 0.1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[legalft]\ncaps = {module}\n", encoding="utf-8")


def test_installed_entry_point_is_loaded(tmp_path, monkeypatch):
    example = (REPO / "examples" / "custom_rule" / "no_caps_rule.py").read_text(encoding="utf-8")
    _install_fake_distribution(tmp_path, example)
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = load_plugins([], builtin=False, entry_points=True)
    cls = reg.find_rule("all-caps")
    assert cls is not None
    assert "entry point 'caps' (legalft-caps-pkg 0.1.0)" in reg.origins[cls]


def test_broken_entry_point_names_it(tmp_path, monkeypatch):
    _install_fake_distribution(tmp_path, "raise ImportError('missing dependency zzz')\n", module="legalft_broken_pkg")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as info:
        load_plugins([], builtin=False, entry_points=True)
    assert "entry point 'caps'" in info.value.one_line()
    assert "missing dependency zzz" in info.value.one_line()


def test_dropped_in_custom_rule_takes_part_in_clean(tmp_path, run_cli):
    """The README's promise: copy one file into a folder, pass --rules-dir, and it rejects records."""
    make_plugin_dir(tmp_path)
    rules_dir = tmp_path / "my_rules"
    rules_dir.mkdir()
    shutil.copy(REPO / "examples" / "custom_rule" / "no_caps_rule.py", rules_dir)
    rule_set = make_rule_set(tmp_path, 'select = ["TS1*", "custom"]\n[normalisers]\nselect = ["strip"]')
    caps = "ПРОШУ СУД ВЗЫСКАТЬ С ОТВЕТЧИКА ДОЛГ ПО ДОГОВОРУ ПОСТАВКИ И НЕУСТОЙКУ ЗА ПРОСРОЧКУ ОПЛАТЫ"
    normal = "Прошу суд взыскать с ответчика долг по договору поставки и неустойку за просрочку оплаты."
    src = write_jsonl(tmp_path / "in.jsonl", [record(caps, 1), record(normal, 2)])
    out = tmp_path / "out"
    result = run_cli("clean", "--input", str(src), "--rules", str(rule_set), "--rules-dir", str(rules_dir),
                     "--out", str(out / "train.jsonl"), "--eval-out", str(out / "eval.jsonl"),
                     "--rejected", str(out / "rejected.jsonl"), "--report", str(out / "report.json"),
                     "--eval-fraction", "0")
    assert result.exit_code == 0, result
    rejected = read_jsonl(out / "rejected.jsonl")
    assert [r["findings"][0]["rule"] for r in rejected] == ["all-caps"]
    assert rejected[0]["source"]["line"] == 1
    assert len(read_jsonl(out / "train.jsonl")) == 1
    listing = run_cli("rules", "list", "--rules", str(rule_set), "--rules-dir", str(rules_dir))
    assert "XY101" in listing.stdout and "all-caps" in listing.stdout


def test_example_package_declares_the_entry_point():
    text = (REPO / "examples" / "custom_rule" / "package" / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.legalft]' in text
    pkg = REPO / "examples" / "custom_rule" / "package" / "legalft_no_caps" / "__init__.py"
    assert "legalft_rules" in pkg.read_text(encoding="utf-8")


def test_fake_plugin_text_is_valid_python():
    compile(textwrap.dedent(FAKE_PLUGIN), "fake", "exec")
