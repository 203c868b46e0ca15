"""Artefact rule: a required field is empty.

``instruction`` and ``output`` must hold text (not only whitespace). ``input`` may be empty: the seed format
(Alpaca-style) allows instruction-only tasks («Составь образец ходатайства об отложении заседания»), so an empty
input is not a defect unless a rule set sets ``require_input = true``.
"""

from __future__ import annotations

from dataclasses import dataclass

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl

FAMILY = "artefacts"


class EmptyField(Rule):
    """The instruction or the output is empty or whitespace only (the input may be empty unless
    ``require_input``).

    Bad: ``{"instruction": "Составь претензию", "input": "…", "output": "   "}``
    Good: ``{"instruction": "Составь претензию", "input": "", "output": "ПРЕТЕНЗИЯ …"}``
    """

    code = "LF605"
    name = "empty-field"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        require_input: bool = False

    def check(self, doc: Document) -> list[Finding]:
        names = ["instruction", "output"] + (["input"] if self.t.require_input else [])
        return [self.finding(f"empty-{name}", f"the {name} is empty", name)
                for name in names if not getattr(doc, name).strip()]


@hookimpl
def legalft_rules():
    return [EmptyField]
