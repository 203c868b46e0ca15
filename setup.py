"""Packaging glue that pyproject.toml cannot express on its own.

The user's top-level `plugins/`, `rules/` and `configs/` folders travel inside the wheel as
`legal_ft/_bundled/<name>`, so a non-editable install finds them (see legal_ft/resources.py).
"""

from setuptools import find_packages, setup

BUNDLED = ("plugins", "rules", "configs")

setup(
    packages=find_packages(include=["legal_ft", "legal_ft.*"]) + [f"legal_ft._bundled.{name}" for name in BUNDLED],
    package_dir={f"legal_ft._bundled.{name}": name for name in BUNDLED},
    package_data={
        "legal_ft._bundled.plugins": ["*.py", "cases/*.toml", "cases/*.json", "*.toml"],
        "legal_ft._bundled.rules": ["*.toml"],
        "legal_ft._bundled.configs": ["*.json", "*.toml", "profiles/*.json", "profiles/*.toml"],
    },
)
