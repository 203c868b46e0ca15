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
    """Horizontal grouped bars, one group per line (overall, parts in order, each rule), one bar per system.

    Horizontal, because a strict rule set has two dozen rules: their names stay readable and the figure grows in
    height, not width."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = [s for s in ("base", "adapter", "reference") if s in report["systems"]]
    rules = report["rules"]
    labels = ["all rules (overall)", "parts present, in order", *(f"{r['code']} {r['name']}" for r in rules)]

    def values(system: str) -> list[float]:
        data = report["systems"][system]["scores"]
        rows = [data["pass_rate"], data["parts_in_order"]]
        rows += [data["per_rule"].get(r["code"], {}).get("pass_rate") for r in rules]
        return [0.0 if v is None else 100 * v for v in rows]

    group = 0.8
    height = group / max(len(systems), 1)
    fig_height = 1.4 + 0.12 * len(labels) * max(len(systems), 1)
    fig, ax = plt.subplots(figsize=(8.0, fig_height), dpi=100)
    for k, system in enumerate(systems):
        ys = [i + (k - (len(systems) - 1) / 2) * height for i in range(len(labels))]
        ax.barh(ys, values(system), height, label=SYSTEM_LABELS[system], color=SYSTEM_COLOURS[system])
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()  # overall on top
    ax.set_xlim(0, 100)
    ax.set_xlabel("documents passing, %")
    ax.set_title(f"Rule pass rates — {report['rule_set']} rules, {report['records']} held-out inputs", fontsize=10,
                 pad=22)
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(systems), frameon=False)
    ax.margins(y=0.01)
    ax.grid(axis="x", alpha=0.3)
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
        (f"- rules: `{report['rule_set']}` ({len(report['rules'])} enabled); generated documents are checked as "
         "written (no normalisers)"),
        f"- decoding: {report['generation']['decoding']}, up to {report['generation']['max_new_tokens']} new tokens",
        "",
        "## Summary",
        "",
        head,
        rule,
        row("documents passing every rule", [fmt_pct(get(s, "scores", "pass_rate")) for s in systems]),
        row("reasoning and demand present, in order", [fmt_pct(get(s, "scores", "parts_in_order")) for s in systems]),
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
    by_type = report.get("by_doc_type") or {}
    if by_type:
        lines += [
            "",
            "## Pass rate per document type",
            "",
            "| document type | inputs | " + " | ".join(SYSTEM_LABELS[s] for s in systems) + " |",
            "|---|---:|" + "---:|" * len(systems),
        ]
        for kind, row in by_type.items():
            lines.append(f"| {kind} | {row['documents']} | " + " | ".join(fmt_pct(row.get(s)) for s in systems) + " |")
    lines += ["", "## Most frequent findings", ""]
    for system in systems:
        reasons = get(system, "scores", "top_reasons") or {}
        if reasons:
            listed = ", ".join(f"{k} ({v})" for k, v in list(reasons.items())[:6])
            lines.append(f"- {SYSTEM_LABELS[system]}: {listed}")
        else:
            lines.append(f"- {SYSTEM_LABELS[system]}: none")
    examples = report.get("examples") or []
    if examples:
        lines += ["", "## Examples", ""]
    for example in examples:
        lines += [f"### {example['index']:04d} — {example['source']}", "", "Facts:", "", _quote(example["input"], 600), ""]
        for system in systems:
            failed = example[system]["failed"]
            verdict = "passes every rule" if not failed else "fails " + ", ".join(failed)
            lines += [f"**{SYSTEM_LABELS[system]}** — {verdict}:", "", _fence(example[system]["output"], 1500), ""]
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


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _quote(text: str, limit: int) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in _clip(text.strip(), limit).splitlines()) or "> (empty)"


def _fence(text: str, limit: int) -> str:
    body = _clip(text.strip(), limit) or "(empty)"
    fence = "````" if "```" in body else "```"
    return f"{fence}text\n{body}\n{fence}"


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
