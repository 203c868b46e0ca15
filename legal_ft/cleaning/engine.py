"""The per-record part of cleaning: normalise, then run every enabled rule on a shared `Document`.

`Engine` is what other commands use to score text with the same rules (`load_engine("strict").check(record)`).
It is built from an `EngineSpec` — plain, picklable settings — so worker processes rebuild the same engine.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from legal_ft.cleaning.api import INTERNAL_ERROR, Document, Finding, Normaliser, Rule
from legal_ft.cleaning.dedup import exact_key, signature
from legal_ft.cleaning.plugins import PluginRegistry, load_plugins
from legal_ft.cleaning.ruleset import ResolvedRuleSet, read_rule_set, resolve_rule_set
from legal_ft.records import Record

NORMALISED_KEY = "normalised"
ENGINE_CODE = "LF000"
MAX_NORMALISE_PASSES = 4


@dataclass(frozen=True)
class EngineSpec:
    """Everything needed to build an engine, in a form that pickles to worker processes."""

    rules: str = "default"  # a set name or a .toml path
    rules_dirs: tuple[str, ...] = ()
    tokenizer_dir: str | None = None
    builtin: bool = True
    entry_points: bool = True
    skip_groups: tuple[str, ...] = ()  # rules in these groups are left out of this run (see `run_clean`)


@dataclass(slots=True)
class Outcome:
    """One record after normalisation and checking (what a worker sends back)."""

    index: int
    original: Record
    record: Record
    findings: list[Finding]
    normalised: list[str]  # normalisers that changed something in this run
    doc_type: str | None = None
    key: bytes | None = None
    sig: Any = None
    measures: dict[str, dict[str, float]] | None = None

    @property
    def passed(self) -> bool:
        return not self.findings


@dataclass
class Engine:
    spec: EngineSpec
    registry: PluginRegistry
    rule_set: ResolvedRuleSet
    rules: list[Rule] = field(default_factory=list)
    normalisers: list[Normaliser] = field(default_factory=list)
    tokenizer: Any = None
    seconds: Counter = field(default_factory=Counter)  # rule code / normaliser name -> time spent

    # -- building ----------------------------------------------------------------------------------------------
    @classmethod
    def from_spec(cls, spec: EngineSpec) -> "Engine":
        source = read_rule_set(spec.rules)
        dirs = [*source.plugin_dirs(), *(Path(d).resolve() for d in spec.rules_dirs)]
        registry = load_plugins(dirs, builtin=spec.builtin, entry_points=spec.entry_points)
        resolved = resolve_rule_set(source, registry)
        resolved.plugin_dirs = dirs
        tokenizer = _load_tokenizer(spec.tokenizer_dir) if spec.tokenizer_dir else None
        rules = [registry.rules[code](resolved.thresholds[code]) for code in resolved.enabled
                 if not set(registry.rules[code].groups) & set(spec.skip_groups)]
        normalisers = [registry.normalisers[name]() for name in resolved.normalisers]
        return cls(spec, registry, resolved, rules, normalisers, tokenizer)

    # -- per record --------------------------------------------------------------------------------------------
    def normalise(self, record: Record) -> tuple[Record, list[str], list[Finding]]:
        """Apply the normalisers in order; returns the new record, the names that changed it, and errors."""
        changed: list[str] = []
        current = record
        # Each normaliser is idempotent, but one can expose work for an earlier one (whitespace stripped off a
        # mojibake run makes it repairable): repeat the chain until nothing changes, so cleaning twice is a no-op.
        # A normaliser is a pure function of the record: one that left the record unchanged is not asked again
        # while its input is still the same object (in the usual case nothing changes and one pass is all).
        unchanged_input: list[Record | None] = [None] * len(self.normalisers)
        for _ in range(MAX_NORMALISE_PASSES):
            changed_in_pass = False
            for i, norm in enumerate(self.normalisers):
                if unchanged_input[i] is current:
                    continue
                t0 = perf_counter()
                try:
                    result = norm.apply(current)
                    if result is not None and not isinstance(result, Record):
                        raise TypeError(f"apply() returned {type(result).__name__}, not a Record or None")
                except Exception as exc:  # noqa: BLE001 - a broken normaliser rejects the record, not the run
                    return current, changed, [_internal_error(ENGINE_CODE, norm.name, "normaliser", exc)]
                finally:
                    self.seconds[norm.name] += perf_counter() - t0
                if result is not None and _differs(result, current):
                    if norm.name not in changed:
                        changed.append(norm.name)
                    current = result
                    changed_in_pass = True
                else:
                    unchanged_input[i] = current
            if not changed_in_pass:
                break
        if changed:
            previous = current.metadata.get(NORMALISED_KEY)
            names = list(previous) if isinstance(previous, list) else []
            names += [n for n in changed if n not in names]
            current = dataclasses.replace(current, metadata={**current.metadata, NORMALISED_KEY: names})
        return current, changed, []

    def document(self, record: Record) -> Document:
        return Document(record, tokenizer=self.tokenizer)

    def check_document(self, doc: Document) -> list[Finding]:
        findings: list[Finding] = []
        seconds = self.seconds
        for rule in self.rules:
            t0 = perf_counter()
            try:
                found = rule.check(doc)
                if found:
                    found = list(found)
                    for f in found:
                        if not isinstance(f, Finding):
                            raise TypeError(f"check() returned {type(f).__name__}, not a Finding")
                    findings.extend(found)
            except Exception as exc:  # noqa: BLE001 - reported as a finding naming the rule
                findings.append(_internal_error(rule.code, rule.name, "rule", exc))
            seconds[rule.code] += perf_counter() - t0
        return findings

    def take_seconds(self) -> Counter:
        """Time spent per rule code / normaliser name since the last call (a Document's shared facts are
        charged to the first rule that asks for them)."""
        taken, self.seconds = self.seconds, Counter()
        return taken

    def check(self, record: Record) -> list[Finding]:
        """Findings for an already-normalised record (used to score generated documents)."""
        return self.check_document(self.document(record))

    def measure_document(self, doc: Document) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for rule in self.rules:
            try:
                values = rule.measure(doc)
            except Exception:  # noqa: BLE001 - stats are best effort; the check step reports errors
                continue
            if values:
                out[rule.code] = {k: float(v) for k, v in values.items()}
        return out

    def process(self, index: int, record: Record, *, measure: bool = False) -> Outcome:
        """Normalise and check one record; compute its dedup key and signature when it passes."""
        normalised, changed, errors = self.normalise(record)
        out = Outcome(index, record, normalised, errors, changed)
        if errors:
            return out
        doc = self.document(normalised)
        if measure:
            out.measures = self.measure_document(doc)
            return out
        out.findings = self.check_document(doc)
        try:
            out.doc_type = _slug(doc.doc_type)
        except Exception:  # noqa: BLE001 - detection failing must not lose the record; rules report it
            out.doc_type = None
        if out.passed:
            dedup = self.rule_set.dedup
            folded = doc.folded  # shared with the rules' guards: case-folded, white space collapsed
            out.key = exact_key(normalised.output, folded)  # also the record's identity for the split
            if dedup.near:
                out.sig = signature(normalised.output, dedup, folded, doc.words)
        return out

    def process_many(self, items: Sequence[tuple[int, Record]], measure: bool = False) -> list[Outcome]:
        return [self.process(i, r, measure=measure) for i, r in items]


def _slug(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def _differs(a: Record, b: Record) -> bool:
    return (a.instruction, a.input, a.output, a.metadata, a.extra) != (b.instruction, b.input, b.output, b.metadata,
                                                                         b.extra)


def _internal_error(code: str, name: str, kind: str, exc: BaseException) -> Finding:
    text = str(exc).strip().splitlines()
    detail = f": {text[0][:200]}" if text else ""
    return Finding(code, name, INTERNAL_ERROR, f"{kind} {code} {name} raised {type(exc).__name__}{detail}")


def _load_tokenizer(path: str) -> Any:
    from legal_ft.errors import InputError

    p = Path(path)
    if not p.is_dir():
        raise InputError(f"tokenizer folder not found: {p}", "pass a model or tokenizer folder to --tokenizer")
    try:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(str(p))
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot load a tokenizer from {p}: {type(exc).__name__}: {exc}",
                         "the folder needs tokenizer.json / tokenizer_config.json") from exc


def load_engine(rules: str = "default", rules_dirs: Sequence[str | Path] = (), tokenizer_dir: str | None = None,
                **kwargs: Any) -> Engine:
    """Build the engine for a rule set; the entry point for other commands (eval scores with the same rules)."""
    return Engine.from_spec(EngineSpec(str(rules), tuple(str(d) for d in rules_dirs), tokenizer_dir, **kwargs))


# Worker-process state: one engine per process, built once by the pool initializer.
_worker_engine: Engine | None = None


def init_worker(spec: EngineSpec) -> None:
    global _worker_engine
    _worker_engine = Engine.from_spec(spec)


def work_chunk(args: tuple[list[tuple[int, Record]], bool]) -> tuple[list[Outcome], Counter]:
    """Process one chunk in a worker; returns the outcomes and the time spent per rule on them."""
    items, measure = args
    assert _worker_engine is not None, "init_worker was not called"
    outcomes = _worker_engine.process_many(items, measure=measure)
    return outcomes, _worker_engine.take_seconds()
