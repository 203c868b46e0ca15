"""What a clean run counted: the JSON report (`clean_report.json`) and the terminal summary table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from legal_ft.cleaning.api import INTERNAL_ERROR, Finding


@dataclass
class CleanSummary:
    """Counters filled while streaming; only counts, never records, so memory stays flat."""

    read: int = 0  # non-blank lines read
    bad_lines: int = 0
    records: int = 0  # valid records
    kept: int = 0
    train: int = 0
    eval: int = 0
    rejected: int = 0  # records + bad lines written to rejected.jsonl
    rejected_by_rules: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    near_grouped: int = 0
    dedup_spilled: int = 0  # cluster representatives moved to the on-disk work file ([dedup] memory_mb)
    diversified: int = 0
    internal_errors: int = 0
    per_rule: Counter = field(default_factory=Counter)  # code -> findings
    rule_names: dict[str, str] = field(default_factory=dict)  # code -> name
    records_per_rule: Counter = field(default_factory=Counter)  # code -> records with >= 1 finding
    per_reason: Counter = field(default_factory=Counter)
    internal_errors_by_rule: Counter = field(default_factory=Counter)
    per_normaliser: Counter = field(default_factory=Counter)
    kept_by_type: Counter = field(default_factory=Counter)
    rejected_by_type: Counter = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=dict)
    seconds_per_check: dict[str, float] = field(default_factory=dict)  # rule code / normaliser -> seconds

    def count_findings(self, findings: list[Finding]) -> None:
        codes = set()
        for f in findings:
            self.per_rule[f.code] += 1
            self.rule_names.setdefault(f.code, f.rule)
            self.per_reason[f.reason] += 1
            codes.add(f.code)
            if f.reason == INTERNAL_ERROR:
                self.internal_errors += 1
                self.internal_errors_by_rule[f"{f.code} {f.rule}"] += 1
        for code in codes:
            self.records_per_rule[code] += 1

    def to_dict(self) -> dict[str, Any]:
        types = sorted(set(self.kept_by_type) | set(self.rejected_by_type))
        return {
            "counts": {
                "lines_read": self.read,
                "bad_lines": self.bad_lines,
                "records": self.records,
                "kept": self.kept,
                "train": self.train,
                "eval": self.eval,
                "rejected": self.rejected,
                "rejected_by_rules": self.rejected_by_rules,
                "diversified": self.diversified,
                "internal_errors": self.internal_errors,
            },
            "dedup": {
                "exact_duplicates": self.exact_duplicates,
                "near_duplicates": self.near_duplicates,
                "near_grouped": self.near_grouped,
                "representatives_spilled_to_disk": self.dedup_spilled,
            },
            "per_rule": {
                code: {"name": self.rule_names.get(code, ""), "findings": self.per_rule[code],
                       "records": self.records_per_rule[code]}
                for code in sorted(self.per_rule)
            },
            "per_reason": dict(sorted(self.per_reason.items())),
            "internal_errors_by_rule": dict(sorted(self.internal_errors_by_rule.items())),
            "per_doc_type": {t: {"kept": self.kept_by_type[t], "rejected": self.rejected_by_type[t]} for t in types},
            "per_normaliser": dict(sorted(self.per_normaliser.items())),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            # CPU time per rule and normaliser, summed over workers; a Document's shared facts (type, sections,
            # citations) are charged to the first rule that asks for them
            "seconds_per_check": {k: round(v, 3) for k, v in sorted(self.seconds_per_check.items(),
                                                                    key=lambda kv: -kv[1])},
        }


def print_summary(summary: CleanSummary, title: str = "legalft clean") -> None:
    """The terminal summary: totals, rejections per rule, kept/rejected per document type."""
    from rich.table import Table

    from legal_ft.console import console, verbosity

    out = console()
    totals = Table(title=title, show_header=False, title_justify="left")
    totals.add_column("what")
    totals.add_column("count", justify="right")
    totals.add_row("records read", str(summary.records + summary.bad_lines))
    totals.add_row("kept (train / eval)", f"{summary.kept} ({summary.train} / {summary.eval})")
    totals.add_row("rejected", str(summary.rejected))
    if summary.bad_lines:
        totals.add_row("  malformed lines", str(summary.bad_lines))
    totals.add_row("  by rules", str(summary.rejected_by_rules))
    totals.add_row("  exact duplicates", str(summary.exact_duplicates))
    totals.add_row("  near-duplicates", str(summary.near_duplicates))
    if summary.near_grouped:
        totals.add_row("near-duplicates kept, grouped", str(summary.near_grouped))
    if summary.internal_errors:
        totals.add_row("internal errors (rule raised)", str(summary.internal_errors))
    totals.add_row("instructions diversified", str(summary.diversified))
    out.print(totals)
    if verbosity() > 0 and summary.seconds_per_check:
        slow = sorted(summary.seconds_per_check.items(), key=lambda kv: -kv[1])[:8]
        out.print("slowest checks: " + ", ".join(f"{k} {v:.2f}s" for k, v in slow), markup=False)

    if summary.per_rule:
        rules = Table(title="Rejections per rule", title_justify="left")
        rules.add_column("code")
        rules.add_column("rule")
        rules.add_column("records", justify="right")
        for code, n in sorted(summary.records_per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            rules.add_row(code, summary.rule_names.get(code, ""), str(n))
        out.print(rules)

    types = sorted(set(summary.kept_by_type) | set(summary.rejected_by_type))
    if types:
        table = Table(title="Per document type", title_justify="left")
        table.add_column("type")
        table.add_column("kept", justify="right")
        table.add_column("rejected", justify="right")
        for t in types:
            table.add_row(t, str(summary.kept_by_type[t]), str(summary.rejected_by_type[t]))
        out.print(table)
