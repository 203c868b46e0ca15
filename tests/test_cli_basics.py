"""The CLI shell: version, help, one-line errors, and output on consoles that cannot show Cyrillic."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def test_version(run_cli):
    result = run_cli("--version")
    assert result.exit_code == 0
    assert "legalft, version" in result.stdout


def test_help_lists_commands(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    assert "Usage: legalft" in result.stdout


def test_unknown_option_is_one_line_exit_1(run_cli):
    result = run_cli("--no-such-flag")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: No such option")
    assert "--help" in lines[0]
    assert "Traceback" not in result.output


def test_unknown_command(run_cli):
    result = run_cli("frobnicate")
    assert result.exit_code == 1
    assert "No such command" in result.stderr


@pytest.mark.parametrize("encoding", ["ascii", "cp866", "cp1251", "latin-1"])
def test_cyrillic_on_limited_console_does_not_crash(encoding):
    """Printing Cyrillic to a console that cannot show it transliterates instead of raising."""
    code = (
        "from legal_ft.console import install_safe_streams, console\n"
        "install_safe_streams()\n"
        "print('Исковое заявление «ПРОШУ СУД» — №5')\n"
        "console().print('Ходатайство ✓')\n"
    )
    env = dict(os.environ, PYTHONIOENCODING=encoding)
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    text = proc.stdout.decode(encoding)
    assert "Traceback" not in proc.stderr.decode("utf-8", "replace")
    if encoding in ("ascii", "latin-1"):
        assert "Iskovoe zayavlenie" in text
        assert "PROSHU SUD" in text
    else:
        assert "Исковое заявление" in text


def test_transliteration_keeps_case():
    from legal_ft.console import transliterate_char

    assert transliterate_char("Ж") == "Zh"
    assert transliterate_char("ж") == "zh"
    assert transliterate_char("\u4e2d") == "?"


def test_quiet_and_verbose_work_after_the_command_too(run_cli, tmp_path):
    from legal_ft.console import verbosity

    result = run_cli("sample", "--out", str(tmp_path / "s"), "-n", "5", "-q")
    assert result.exit_code == 0, result
    assert verbosity() == -1
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    result = run_cli("sample", "--out", str(tmp_path / "s2"), "-n", "5")
    assert result.exit_code == 0
    assert verbosity() == 0  # the group resets it on every run
