"""A complete custom legalft rule in one file.

Use it by putting this file in a folder and naming the folder:

    legalft clean --rules strict --rules-dir my_rules        # takes part in the run
    legalft rules show XY101 --rules-dir my_rules            # its documentation

A rule is on when the rule set selects it. Its group "default" makes every set that selects "default" (all the
built-in ones) turn it on; its thresholds can be set in a rule set:

    [thresholds.XY101]          # or [thresholds.all-caps]
    max_upper_share = 0.5
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl

_LETTERS = regex.compile(r"\p{L}")


class NoCaps(Rule):
    """The document is written in capitals throughout.

    A model that shouts in every line was trained on (or copies) text typed with Caps Lock; headings such as
    «ИСКОВОЕ ЗАЯВЛЕНИЕ» or «ПРОШУ СУД:» alone are fine.

    Bad:  ``ПРОШУ СУД ВЗЫСКАТЬ С ОТВЕТЧИКА ДОЛГ ПО ДОГОВОРУ ПОСТАВКИ ...`` (every line in capitals).
    Good: ``ПРОШУ СУД:\\n1. Взыскать с ответчика задолженность по договору поставки ...``
    """

    code = "XY101"  # 2-4 capital letters + 3 digits, unique
    name = "all-caps"  # kebab-case, unique
    groups = ("default", "custom")  # selectable by group in a rule set

    @dataclass
    class Thresholds:
        max_upper_share: float = 0.6  # share of capital letters above which the output is rejected
        min_letters: int = 40  # too little text to judge below this

    def measure(self, doc: Document) -> dict[str, float]:
        """What `legalft clean --stats` shows: the share of capital letters."""
        letters = _LETTERS.findall(doc.output)
        upper = sum(1 for c in letters if c.isupper())
        return {"upper_share": upper / len(letters) if letters else 0.0, "letters": float(len(letters))}

    def check(self, doc: Document) -> list[Finding]:
        m = self.measure(doc)
        if m["letters"] >= self.t.min_letters and m["upper_share"] > self.t.max_upper_share:
            return [self.finding("all-caps", f"{m['upper_share']:.0%} of the letters are capitals", "output")]
        return []


@hookimpl
def legalft_rules() -> list[type[Rule]]:
    return [NoCaps]
