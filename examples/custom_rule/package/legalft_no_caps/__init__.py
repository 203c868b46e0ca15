"""An installable legalft rule plugin: the `legalft` entry point names this module, which implements the hook.

After `pip install ./examples/custom_rule/package`, `legalft rules list` shows XY101 from
"entry point 'no_caps' (legalft-no-caps 0.1.0)". The rule itself is the single-file example.
"""

from __future__ import annotations

from legal_ft.cleaning.api import Rule, hookimpl
from legalft_no_caps.rule import NoCaps


@hookimpl
def legalft_rules() -> list[type[Rule]]:
    return [NoCaps]
