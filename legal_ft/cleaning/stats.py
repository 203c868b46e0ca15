"""`legalft clean --stats`: the distribution of every value the enabled rules measure, to choose thresholds
before deciding anything (the data-juicer "analyzer" idea)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

QUANTILES = (0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0)


@dataclass
class MeasureStats:
    """Values per (rule code, measure name), kept to compute quantiles at the end."""

    values: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    records: int = 0

    def add(self, measures: dict[str, dict[str, float]]) -> None:
        self.records += 1
        for code, metrics in measures.items():
            for name, value in metrics.items():
                self.values[(code, name)].append(value)

    def table(self) -> list[dict[str, Any]]:
        rows = []
        for (code, name), vals in sorted(self.values.items()):
            arr = np.asarray(vals, dtype=np.float64)
            qs = np.quantile(arr, QUANTILES) if arr.size else [float("nan")] * len(QUANTILES)
            rows.append({"code": code, "measure": name, "n": int(arr.size),
                         **{f"q{int(q * 100)}": float(v) for q, v in zip(QUANTILES, qs, strict=True)},
                         "mean": float(arr.mean()) if arr.size else float("nan")})
        return rows


def print_stats(stats: MeasureStats, engine: Any) -> None:
    from rich.table import Table

    from legal_ft.console import console

    table = Table(title=f"Measured values over {stats.records} records (rule set {engine.rule_set.name})",
                  title_justify="left")
    for col in ("code", "rule", "measure", "n", "min", "p5", "p25", "median", "p75", "p95", "max"):
        text = col in ("code", "rule", "measure")
        table.add_column(col, justify="left" if text else "right", overflow="fold", no_wrap=not text)
    names = {r.code: r for r in engine.rules}
    shown: list[str] = []
    for row in stats.table():
        rule = names.get(row["code"])
        if rule is not None and row["code"] not in shown:
            shown.append(row["code"])
        table.add_row(row["code"], rule.name if rule else "", row["measure"], str(row["n"]),
                      *(_fmt(row[k]) for k in ("q0", "q5", "q25", "q50", "q75", "q95", "q100")))
    if not stats.values:
        console().print("no enabled rule measures anything")
        return
    console().print(table)
    console().print("Thresholds in this rule set:", markup=False)
    for code in shown:
        values = ", ".join(f"{k}={v}" for k, v in dataclasses.asdict(names[code].t).items()) or "(none)"
        console().print(f"  {code} {names[code].name}: {values}", markup=False)


def _fmt(value: float) -> str:
    if value != value:  # nan
        return "-"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"
