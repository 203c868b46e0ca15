"""The plugin contract: what a rule, a normaliser and a finding are, and the pluggy hooks that supply them.

A plugin is a Python file (or an installed module in the `legalft` entry-point group) that implements one or
both hooks below and returns classes. A custom rule is one file:

    from dataclasses import dataclass
    from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl

    class NoCaps(Rule):
        \"\"\"The document is written in capitals throughout.

        Bad: ``ПРОШУ СУД ВЗЫСКАТЬ ...`` (every line).  Good: ordinary sentence case with capital headings.
        \"\"\"
        code = "XY101"
        name = "all-caps"
        groups = ("custom",)

        @dataclass
        class Thresholds:
            max_upper_share: float = 0.6

        def measure(self, doc: Document) -> dict[str, float]:
            letters = [c for c in doc.output if c.isalpha()]
            return {"upper_share": sum(c.isupper() for c in letters) / max(len(letters), 1)}

        def check(self, doc: Document) -> list[Finding]:
            share = self.measure(doc)["upper_share"]
            if share > self.t.max_upper_share:
                return [self.finding("all-caps", f"{share:.0%} of letters are capitals")]
            return []

    @hookimpl
    def legalft_rules():
        return [NoCaps]
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import pluggy
import regex

from legal_ft.records import Record

if TYPE_CHECKING:  # pragma: no cover
    from legal_ft.legal.doctypes import DocType

PROJECT_NAME = "legalft"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

RULE_CODE_RE = regex.compile(r"^[A-Z]{2,4}[0-9]{3}$")
RULE_NAME_RE = regex.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
REASON_RE = RULE_NAME_RE
INTERNAL_ERROR = "internal-error"


@dataclass(frozen=True, slots=True)
class Finding:
    """Why a record is rejected: the rule's code and name, a stable reason slug, a readable message and where."""

    code: str
    rule: str
    reason: str
    message: str
    where: str | None = None  # e.g. "output", "output:1520-1610", "instruction"

    def to_dict(self) -> dict[str, Any]:
        out = {"code": self.code, "rule": self.rule, "reason": self.reason, "message": self.message}
        if self.where is not None:
            out["where"] = self.where
        return out


class Document:
    """A record seen by the rules, with derived facts (type, citations, sections) computed once and shared."""

    def __init__(self, record: Record, *, tokenizer: Any = None) -> None:
        self.record = record
        self.tokenizer = tokenizer

    @property
    def instruction(self) -> str:
        return self.record.instruction

    @property
    def input(self) -> str:
        return self.record.input

    @property
    def output(self) -> str:
        return self.record.output

    @cached_property
    def folded(self) -> str:
        """The output case-folded, white space runs as one space (`legal_ft.legal.artefacts.fold`), computed once
        for every rule's cheap "can this pattern match at all" test."""
        from legal_ft.legal.artefacts import fold

        return fold(self.record.output)

    @cached_property
    def words(self) -> list[str]:
        """The output's words (``\\w+`` runs of the case-folded text), tokenised once for the near-duplicate
        signature and the rules that compare word shingles (`legal_ft.cleaning.dedup.words_of`)."""
        from legal_ft.cleaning.dedup import words_of

        return words_of(self.record.output, self.folded)

    @cached_property
    def lower(self) -> str:
        """The output in lower case (vocabulary counts on lower-case patterns)."""
        return self.record.output.lower()

    @cached_property
    def doc_type(self) -> "DocType":
        from legal_ft.legal.detect import detect_doc_type

        return detect_doc_type(self.output, self.instruction)

    @property
    def type_slug(self) -> str:
        """The detected type as its stable slug («claim», «pretension» …), as rule sets and thresholds name it."""
        return getattr(self.doc_type, "value", str(self.doc_type))

    @cached_property
    def citations(self) -> list[Any]:
        from legal_ft.legal.citations import extract_citations

        return extract_citations(self.output)

    @cached_property
    def sections(self) -> Any:
        from legal_ft.legal.sections import find_sections

        return find_sections(self.output, self.doc_type)

    @cached_property
    def party_names(self) -> tuple[list[str], list[str]]:
        """The folded names of the claimant side and of the other side (`legal_ft.legal.parties`)."""
        from legal_ft.legal.parties import parties_by_side

        return parties_by_side(self.output)

    @cached_property
    def token_count(self) -> int | None:
        if self.tokenizer is None:
            return None
        return len(self.tokenizer(self.output, add_special_tokens=False)["input_ids"])


class _Described:
    """Shared metadata of rules and normalisers: name, groups, typed thresholds, documentation."""

    name: ClassVar[str] = ""
    groups: ClassVar[tuple[str, ...]] = ("default",)

    @dataclass
    class Thresholds:
        """Typed, defaulted settings; a rule set's `[thresholds.<code or name>]` table overrides them."""

    def __init__(self, thresholds: Any = None, **overrides: Any) -> None:
        base = thresholds if thresholds is not None else self.Thresholds()
        self.t = dataclasses.replace(base, **overrides) if overrides else base

    @classmethod
    def doc(cls) -> str:
        """The docstring with its indentation removed (as `help()` shows it)."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The docstring's first paragraph on one line."""
        return " ".join(cls.doc().split("\n\n", 1)[0].split())

    @classmethod
    def threshold_fields(cls) -> dict[str, tuple[type | str, Any]]:
        return {f.name: (f.type, f.default) for f in dataclasses.fields(cls.Thresholds)}


class Rule(_Described):
    """Base class of a cleaning rule. Subclasses set `code`, `name`, `groups`, `Thresholds` and `check`."""

    code: ClassVar[str] = ""

    def check(self, doc: Document) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def measure(self, doc: Document) -> Mapping[str, float]:
        """The values this rule decides on, for `legalft clean --stats`; empty when there is nothing to show."""
        return {}

    def finding(self, reason: str, message: str, where: str | None = None) -> Finding:
        return Finding(self.code, self.name, reason, message, where)


class FlagMeasure:
    """For a rule whose verdict is its only measurement (a consistency check with nothing to count): `--stats`
    shows 1.0 under the rule's name where it would report. Listed before `Rule`: ``class X(FlagMeasure, Rule)``."""

    name: ClassVar[str]

    def measure(self, doc: Document) -> Mapping[str, float]:
        return {self.name.replace("-", "_"): float(bool(self.check(doc)))}  # type: ignore[attr-defined]


class Normaliser(_Described):
    """Base class of a fixer that runs before the rules. It must be idempotent: applying it twice changes
    nothing the second time. `order` sorts normalisers (lower runs first)."""

    order: ClassVar[int] = 100

    def apply(self, record: Record) -> Record | None:  # pragma: no cover - abstract
        """Return a changed copy of the record, or None when nothing changed."""
        raise NotImplementedError


class LegalFtHookSpec:
    """The hooks a legalft plugin may implement (each returns classes, not instances)."""

    @hookspec
    def legalft_rules(self) -> list[type[Rule]]:  # pragma: no cover - spec
        """Return the rule classes this plugin provides."""

    @hookspec
    def legalft_normalisers(self) -> list[type[Normaliser]]:  # pragma: no cover - spec
        """Return the normaliser classes this plugin provides."""
