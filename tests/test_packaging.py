"""A non-editable install must carry the bundled plugins/, rules/ and configs/ folders and find them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _bundled_files() -> set[str]:
    wanted = set()
    for name, patterns in {
        "plugins": ["*.py", "cases/*.toml"],
        "rules": ["*.toml"],
        "configs": ["*.json", "*.toml", "profiles/*.json", "profiles/*.toml"],
    }.items():
        for pattern in patterns:
            for path in (ROOT / name).glob(pattern):
                wanted.add(f"legal_ft/_bundled/{name}/{path.relative_to(ROOT / name).as_posix()}")
    return wanted


@pytest.mark.slow
def test_wheel_carries_bundled_folders_and_resources_find_them(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("legalft-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = _bundled_files()
    assert any(n.startswith("legal_ft/_bundled/rules/") for n in expected), "rules/ should not be empty"
    missing = expected - names
    assert not missing, f"wheel lacks {sorted(missing)[:5]}"

    # Unpacked somewhere else, resources resolve to the bundled copies, not to a source checkout.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import legal_ft.resources as r;"
        "print(r.rules_dir()); print(r.plugins_dir()); print(r.configs_dir())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(site)}
    )
    assert out.returncode == 0, out.stderr
    for line in out.stdout.split():
        assert line.startswith(str(site / "legal_ft" / "_bundled")), line
