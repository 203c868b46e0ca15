"""The eval report: `eval_report.json` (every figure), `eval_report.md` (for reading) and a bar chart PNG.

The Markdown links the chart by relative path, so the folder can be moved or zipped and still opens in any
Markdown viewer (VS Code, GitHub, Obsidian).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from legal_ft.io.atomic import write_bytes_atomic, write_text_atomic

CHART_NAME = "eval_chart.png"
SYSTEM_LABELS = {"base": "base model", "adapter": "base + adapter", "reference": "reference outputs"}
SYSTEM_COLOURS = {"base": "#9e9e9e", "adapter": "#1f77b4", "reference": "#2ca02c"}


def fmt_pct(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{100 * value:.0f}%"


def fmt_num(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "—"
    return f"{value:.{digits}f}"


def write_chart(report: dict[str, Any], path: Path) -> None:
    """Grouped bars: overall pass rate, parts in order, and every rule's pass rate, per system."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = [s for s in ("base", "adapter", "reference") if s in report["systems"]]
    codes = [r["code"] for r in report["rules"]]
    labels = ["overall", "parts in order", *codes]

    def values(system: str) -> list[float]:
        data = report["systems"][system]["scores"]
        rows = [data["pass_rate"], data["parts_in_order"]]
        rows += [data["per_rule"].get(code, {}).get("pass_rate") for code in codes]
        return [float("nan") if v is None else 100 * v for v in rows]

    width = 0.8 / max(len(systems), 1)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.55 * len(labels) * max(len(systems), 1) + 2), 4.2), dpi=110)
    for k, system in enumerate(systems):
        xs = [i + (k - (len(systems) - 1) / 2) * width for i in range(len(labels))]
        ax.bar(xs, values(system), width, label=SYSTEM_LABELS[system], color=SYSTEM_COLOURS[system])
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=8)
    ax.set_ylim(0, 119)  # headroom for the legend above the 100% bars
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("documents passing, %")
    ax.set_title(f"Rule pass rates ({report['rule_set']} rules, {report['records']} held-out inputs)")
    ax.legend(fontsize=8, loc="upper center", ncol=len(systems), frameon=False)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    write_bytes_atomic(path, buffer.getvalue())


def render_markdown(report: dict[str, Any]) -> str:
    systems = [s for s in ("base", "adapter", "reference") if s in report["systems"]]
    head = "| | " + " | ".join(SYSTEM_LABELS[s] for s in systems) + " |"
    rule = "|---|" + "---:|" * len(systems)

    def row(label: str, cells: list[str]) -> str:
        return f"| {label} | " + " | ".join(cells) + " |"

    def get(system: str, *keys: str) -> Any:
        value: Any = report["systems"][system]
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    lines = [
        "# legalft eval report",
        "",
        f"- model: `{report['model']}`" + (f", adapter: `{report['adapter']}`" if report.get("adapter") else ""),
        f"- data: `{report['data']}` — {report['records']} held-out inputs"
        + (f", {report['skipped_lines']} malformed lines skipped" if report["skipped_lines"] else ""),
        f"- rules: `{report['rule_set']}` ({len(report['rules'])} enabled); generated documents are checked as written"
        " (no normalisers)",
        f"- decoding: {report['generation']['decoding']}, up to {report['generation']['max_new_tokens']} new tokens",
        "",
        "## Summary",
        "",
        head,
        rule,
        row("documents passing every rule", [fmt_pct(get(s, "scores", "pass_rate")) for s in systems]),
        row("parts in proper order (LF108)", [fmt_pct(get(s, "scores", "parts_in_order")) for s in systems]),
        row("eval loss on the references", [fmt_num(get(s, "loss", "loss")) for s in systems]),
        row("perplexity on the references", [fmt_num(get(s, "loss", "perplexity"), 2) for s in systems]),
        row(
            f"repeated {report['repetition_n']}-grams, all documents",
            [fmt_pct(get(s, "repetition", "repeated")) for s in systems],
        ),
        row("repeated n-grams inside a document", [fmt_pct(get(s, "repetition", "within_document")) for s in systems]),
        row("stopped by itself (not cut at the limit)", [fmt_pct(get(s, "finished")) for s in systems]),
        "",
        f"![pass rates]({CHART_NAME})",
        "",
        "Loss and perplexity count answer tokens only (the prompt is masked), as training does. A repetition share",
        "well above the references' is the seed's overfitting sign «модель начинает повторять шаблоны».",
        "",
        "## Pass rate per rule",
        "",
        "| rule | name | " + " | ".join(SYSTEM_LABELS[s] for s in systems) + " |",
        "|---|---|" + "---:|" * len(systems),
    ]
    for item in report["rules"]:
        cells = [fmt_pct(get(s, "scores", "per_rule", item["code"], "pass_rate")) for s in systems]
        lines.append(f"| {item['code']} | {item['name']} | " + " | ".join(cells) + " |")
    lines += ["", "## Most frequent findings", ""]
    for system in systems:
        reasons = get(system, "scores", "top_reasons") or {}
        if reasons:
            listed = ", ".join(f"{k} ({v})" for k, v in list(reasons.items())[:6])
            lines.append(f"- {SYSTEM_LABELS[system]}: {listed}")
        else:
            lines.append(f"- {SYSTEM_LABELS[system]}: none")
    if report.get("bad_lines"):
        lines += ["", "## Skipped lines", ""]
        lines += [f"- {label}" for label in report["bad_lines"][:50]]
        if len(report["bad_lines"]) > 50:
            lines.append(f"- … and {len(report['bad_lines']) - 50} more (see eval_report.json)")
    lines += [
        "",
        "## Files",
        "",
        "- `generations.jsonl` — every input with each model's document, its findings and the reference's",
        "- `documents/` — each generated document as a text file (`NNNN_base.txt`, `NNNN_adapter.txt`)",
        "- `eval_report.json` — every figure in this report",
        "",
    ]
    return "\n".join(lines)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def write_report(report: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write the JSON, the Markdown and the chart into ``out_dir``; returns their paths."""
    paths = {
        "json": out_dir / "eval_report.json",
        "markdown": out_dir / "eval_report.md",
        "chart": out_dir / CHART_NAME,
    }
    write_chart(report, paths["chart"])
    write_text_atomic(paths["json"], json.dumps(_json_safe(report), ensure_ascii=False, indent=2) + "\n")
    write_text_atomic(paths["markdown"], render_markdown(report))
    return paths
