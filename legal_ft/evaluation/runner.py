"""`legalft eval`: generate for held-out inputs with the base model and with the adapter, score every document
with the cleaning rules, measure loss on the references and repetition, and write the report.

The base model's documents are generated with the adapter switched off on the same loaded model
(`LoadedModel.base_only`), so the comparison costs one model in memory, not two.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legal_ft.console import console, is_quiet, say, warn
from legal_ft.errors import ConfigError, InputError
from legal_ft.evaluation.repetition import repetition_stats
from legal_ft.evaluation.report import write_report
from legal_ft.evaluation.scoring import DocumentScore, Scorer
from legal_ft.generation.generate import GeneratedDocument, GenerationSettings
from legal_ft.io import BadLine, JsonlWriter, ensure_not_input, iter_records
from legal_ft.records import Record


@dataclass(frozen=True, slots=True)
class EvalOptions:
    model_dir: Path
    data: Path
    adapter_dir: Path | None = None
    rules: str = "strict"
    rules_dirs: tuple[Path, ...] = ()
    limit: int | None = None
    batch_size: int = 4
    max_new_tokens: int = 1024
    out_dir: Path = Path("eval")
    allow_pickle: bool = False
    ngram: int = 4
    max_length: int | None = None  # None: the adapter's training max_length (training_config.json), else 2048
    write_documents: bool = True
    quantization: str | None = None

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be at least 1, got {self.limit}")
        if self.batch_size < 1:
            raise ConfigError(f"--batch-size must be at least 1, got {self.batch_size}")


@dataclass(slots=True)
class EvalResult:
    report: dict[str, Any]
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def judged_system(self) -> str:
        """The system `--fail-under` judges: the adapter when there is one, else the base model."""
        return "adapter" if "adapter" in self.report["systems"] else "base"

    @property
    def judged_pass_rate(self) -> float:
        return float(self.report["systems"][self.judged_system]["scores"]["pass_rate"])


def read_eval_records(path: Path, limit: int | None) -> tuple[list[Record], list[str]]:
    """Valid records (up to ``limit``) and the `file:line: reason` of every malformed line met on the way."""
    records: list[Record] = []
    bad: list[str] = []
    for item in iter_records(path):
        if isinstance(item, BadLine):
            bad.append(item.label())
            warn(f"{item.label()} — skipped")
            continue
        if not item.instruction.strip() and not item.input.strip():
            bad.append(f"{item.where()}: empty instruction and input")
            warn(f"{item.where()}: empty instruction and input — skipped")
            continue
        records.append(item)
        if limit is not None and len(records) >= limit:
            break
    if not records:
        raise InputError(f"{path} has no valid records to evaluate", "pass the eval split `legalft clean` wrote")
    return records, bad


@contextlib.contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[str, int], None]]:
    """A progress bar on stderr; yields ``advance(label, n)``."""
    if not enabled or total == 0:
        yield lambda label, n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,
    )
    task = bar.add_task("generating", total=total)
    with bar:
        yield lambda label, n: bar.update(task, advance=n, description=label)


DEFAULT_MAX_LENGTH = 2048


def training_max_length(adapter_dir: Path | None) -> int | None:
    """``data_config.max_length`` from the ``training_config.json`` `legalft fit` saves beside the adapter, so the
    eval loss is measured on the same token window the adapter was trained on."""
    if adapter_dir is None:
        return None
    import json

    try:
        config = json.loads((Path(adapter_dir) / "training_config.json").read_text(encoding="utf-8"))
        value = config["data_config"]["max_length"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, int) and value > 0 else None


def _tokenizer_dir(model_dir: Path) -> str | None:
    """The model folder when it has tokenizer files (a wrong --model is reported by the model loader instead)."""
    if any((model_dir / name).is_file() for name in ("tokenizer.json", "tokenizer_config.json")):
        return str(model_dir)
    return None


def _system_block(
    documents: list[GeneratedDocument] | None, scores: list[DocumentScore], scorer: Scorer, loss: Any, ngram: int,
    texts: list[str],
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "scores": scorer.summarise(scores).to_dict(),
        "repetition": repetition_stats(texts, ngram).to_dict(),
        "loss": loss.to_dict() if loss is not None else None,
    }
    if documents is not None:
        block["finished"] = sum(d.finished for d in documents) / len(documents) if documents else 0.0
        block["mean_new_tokens"] = sum(d.new_tokens for d in documents) / len(documents) if documents else 0.0
    else:
        block["finished"] = None
    return block


def run_eval(options: EvalOptions) -> EvalResult:
    from legal_ft.cleaning.engine import load_engine
    from legal_ft.evaluation.perplexity import answer_loss
    from legal_ft.generation.generate import generate_batch
    from legal_ft.generation.loader import load_for_inference
    from legal_ft.prompting import render_prompt

    started = time.perf_counter()
    out_dir = options.out_dir
    outputs = [out_dir / n for n in ("eval_report.json", "eval_report.md", "generations.jsonl")]
    ensure_not_input(outputs, [options.data])
    records, bad_lines = read_eval_records(options.data, options.limit)
    # Built before the model, so a bad rule set fails in a moment. The model's tokenizer switches on the token
    # length rule (LF404), as `legalft clean --tokenizer` does.
    scorer = Scorer(load_engine(options.rules, options.rules_dirs, tokenizer_dir=_tokenizer_dir(options.model_dir)))
    say(f"evaluating on {len(records)} held-out inputs from {options.data}")
    loaded = load_for_inference(options.model_dir, options.adapter_dir, allow_pickle=options.allow_pickle,
                                quantization=options.quantization)
    settings = GenerationSettings(max_new_tokens=options.max_new_tokens)
    prompts = [render_prompt(loaded.tokenizer, r.instruction, r.input) for r in records]

    systems = ["base", "adapter"] if loaded.adapter is not None else ["base"]
    generated: dict[str, list[GeneratedDocument]] = {}
    timings: dict[str, float] = {}
    show = not is_quiet() and sys.stderr.isatty()  # a bar in a log file is noise
    with _progress(len(records) * len(systems), show) as advance:
        for system in systems:
            t0 = time.perf_counter()
            scope = loaded.base_only() if system == "base" else contextlib.nullcontext()
            with scope:
                generated[system] = generate_batch(
                    loaded, prompts, settings, batch_size=options.batch_size,
                    on_done=lambda n, s=system: advance(f"generating ({s})", n),
                )
            timings[f"generate_{system}"] = time.perf_counter() - t0
    triples = [(r.instruction, r.input, r.output) for r in records]
    max_length = options.max_length or training_max_length(options.adapter_dir) or DEFAULT_MAX_LENGTH
    losses: dict[str, Any] = {}
    for system in systems:
        t0 = time.perf_counter()
        scope = loaded.base_only() if system == "base" else contextlib.nullcontext()
        with scope:
            losses[system] = answer_loss(loaded, triples, batch_size=options.batch_size, max_length=max_length)
        timings[f"loss_{system}"] = time.perf_counter() - t0

    scores: dict[str, list[DocumentScore]] = {}
    for system in systems:
        scores[system] = scorer.score_many(
            Record(r.instruction, r.input, d.text, provenance=r.provenance) for r, d in zip(records, generated[system])
        )
    scores["reference"] = scorer.score_many(records)

    report: dict[str, Any] = {
        "model": str(options.model_dir),
        "adapter": str(options.adapter_dir) if options.adapter_dir is not None else None,
        "data": str(options.data),
        "records": len(records),
        "skipped_lines": len(bad_lines),
        "bad_lines": bad_lines,
        "rule_set": options.rules,
        "rules_dirs": [str(d) for d in options.rules_dirs],
        "rules": [{"code": c, "name": n} for c, n in scorer.rule_codes],
        "parts_in_order_rules": {"codes": ["LF101", "LF102", "LF108"], "all_enabled": scorer.parts_rules_enabled},
        "generation": {
            "decoding": "greedy",
            "max_new_tokens": options.max_new_tokens,
            "batch_size": options.batch_size,
        },
        "repetition_n": options.ngram,
        "loss_max_length": max_length,
        "systems": {},
    }
    for system in systems:
        report["systems"][system] = _system_block(
            generated[system], scores[system], scorer, losses[system], options.ngram,
            [d.text for d in generated[system]],
        )
    report["systems"]["reference"] = _system_block(
        None, scores["reference"], scorer, None, options.ngram, [r.output for r in records]
    )
    report["by_doc_type"] = _by_doc_type([*systems, "reference"], scores)
    report["examples"] = _examples(records, systems, generated, scores)
    _write_generations(out_dir, records, systems, generated, scores, options.write_documents)
    report["seconds"] = {k: round(v, 2) for k, v in timings.items()}
    report["seconds"]["total"] = round(time.perf_counter() - started, 2)
    paths = write_report(report, out_dir)
    paths["generations"] = out_dir / "generations.jsonl"
    return EvalResult(report=report, paths=paths)


def _by_doc_type(systems: list[str], scores: dict[str, list[DocumentScore]]) -> dict[str, dict[str, Any]]:
    """Pass rates per document type, the type being the reference's (what the input asked for)."""
    kinds = [s.doc_type or "unknown" for s in scores["reference"]]
    out: dict[str, dict[str, Any]] = {}
    for kind in sorted(set(kinds)):
        rows = [i for i, k in enumerate(kinds) if k == kind]
        out[kind] = {"documents": len(rows)}
        for system in systems:
            passed = sum(1 for i in rows if scores[system][i].passed)
            out[kind][system] = passed / len(rows)
    return out


def _examples(
    records: list[Record],
    systems: list[str],
    generated: dict[str, list[GeneratedDocument]],
    scores: dict[str, list[DocumentScore]],
    count: int = 2,
) -> list[dict[str, Any]]:
    """The first few inputs with each model's document and its failed rules, for the readable report."""
    out = []
    for i, record in enumerate(records[:count]):
        item: dict[str, Any] = {"index": i, "source": record.where(), "input": record.input}
        for system in systems:
            item[system] = {"output": generated[system][i].text,
                            "failed": sorted({f.code for f in scores[system][i].findings})}
        item["reference"] = {"output": record.output, "failed": sorted({f.code for f in scores["reference"][i].findings})}
        out.append(item)
    return out


def _write_generations(
    out_dir: Path,
    records: list[Record],
    systems: list[str],
    generated: dict[str, list[GeneratedDocument]],
    scores: dict[str, list[DocumentScore]],
    write_documents: bool,
) -> None:
    with JsonlWriter(out_dir / "generations.jsonl") as writer:
        for i, record in enumerate(records):
            entry: dict[str, Any] = {
                "index": i,
                "source": record.where(),
                "instruction": record.instruction,
                "input": record.input,
            }
            for system in systems:
                doc = generated[system][i]
                entry[system] = {"output": doc.text, "new_tokens": doc.new_tokens, "finished": doc.finished,
                                 **scores[system][i].to_dict()}
            entry["reference"] = {"output": record.output, **scores["reference"][i].to_dict()}
            writer.write(entry)
    if write_documents:
        from legal_ft.export import atomic_dir

        # The folder is replaced as a whole, so no document of an earlier, longer run is left in it.
        with atomic_dir(out_dir / "documents") as tmp:
            for i in range(len(records)):
                for system in systems:
                    (tmp / f"{i:04d}_{system}.txt").write_text(generated[system][i].text + "\n", encoding="utf-8")
