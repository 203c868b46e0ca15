"""Where the bundled `plugins/`, `rules/` and `configs/` folders live.

In a source checkout (and an editable install) they sit beside `legal_ft/`; a wheel carries them as
`legal_ft/_bundled/<name>`. Code asks here instead of guessing, so any working directory works.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """Return the folder for one of ``plugins``, ``rules`` or ``configs``."""
    if name not in {"plugins", "rules", "configs"}:
        raise ValueError(f"unknown bundled folder {name!r}")
    installed = _PACKAGE_DIR / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def plugins_dir() -> Path:
    return bundled_dir("plugins")


def rules_dir() -> Path:
    return bundled_dir("rules")


def configs_dir() -> Path:
    return bundled_dir("configs")
