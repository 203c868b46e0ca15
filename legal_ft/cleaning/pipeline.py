"""The clean run: stream records → normalise → rules → dedup → instruction variety → split → atomic outputs.

Normalising and checking (the costly part) runs in the parent or, with ``workers > 1``, in a process pool over
chunks of records with a bounded number of chunks in flight (memory stays flat however large the input). Results
come back in input order, so dedup, variety and the split run in the parent exactly as in a one-process run:
the output is byte-identical whatever the worker count.
"""

from __future__ import annotations

import collections
import dataclasses
import multiprocessing
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legal_ft.cleaning.api import Finding
from legal_ft.cleaning.dedup import Deduplicator, DedupVerdict
from legal_ft.cleaning.engine import Engine, EngineSpec, Outcome, init_worker, work_chunk
from legal_ft.cleaning.instructions import diversify, original_instruction
from legal_ft.cleaning.plugins import ENGINE_CODES
from legal_ft.cleaning.report import CleanSummary
from legal_ft.cleaning.split import goes_to_eval
from legal_ft.cleaning.stats import MeasureStats
from legal_ft.errors import ConfigError
from legal_ft.io import BadLine, JsonlWriter, RejectsWriter, ensure_not_input, iter_records
from legal_ft.io.atomic import write_bytes_atomic
from legal_ft.records import Record

CHUNK_SIZE = 128
PROGRESS_MIN_BYTES = 2 << 20
# `--workers auto`: a worker costs ~1-2 s to start (spawn on Windows imports everything again) and ~75 MB; below
# this input size one process finishes about as soon (8 MB ≈ 1,500 documents of 5 KB ≈ 10 s on one core).
AUTO_WORKERS_MIN_BYTES = 8 << 20
AUTO_WORKERS_MAX = 8


def auto_workers(path: Path) -> int:
    """One process for a small input; otherwise one per usable core, at most `AUTO_WORKERS_MAX`."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return 1  # the run reports the missing input itself
    if size < AUTO_WORKERS_MIN_BYTES:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may use (containers, taskset)
    except (AttributeError, OSError):  # Windows, macOS
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_WORKERS_MAX))


@dataclass
class CleanOptions:
    input: Path
    out: Path = Path("datasets/clean_training_dataset.jsonl")
    eval_out: Path = Path("datasets/clean_eval_dataset.jsonl")
    rejected: Path = Path("datasets/rejected.jsonl")
    report: Path = Path("datasets/clean_report.json")
    spec: EngineSpec = field(default_factory=EngineSpec)
    eval_fraction: float | None = None  # None: the rule set's [split] eval_fraction
    seed: int = 0
    diversify: bool = True
    workers: int = 1
    progress: bool = False


@dataclass
class CleanResult:
    summary: CleanSummary
    report: dict[str, Any]
    engine: Engine


# -- reading and processing ------------------------------------------------------------------------------------
Item = Record | BadLine


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[tuple[int, Item]]]:
    chunk: list[tuple[int, Item]] = []
    for index, item in enumerate(items):
        chunk.append((index, item))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _process_local(engine: Engine, items: Iterable[Item], measure: bool) -> Iterator[Outcome | BadLine]:
    for index, item in enumerate(items):
        if isinstance(item, BadLine):
            yield item
        else:
            yield engine.process(index, item, measure=measure)


def _process_chunk_mixed(args: tuple[list[tuple[int, Item]], bool]) -> tuple[list[Outcome | BadLine], Counter]:
    chunk, measure = args
    records = [(i, r) for i, r in chunk if not isinstance(r, BadLine)]
    outcomes, seconds = work_chunk((records, measure))
    done = iter(outcomes)
    return [item if isinstance(item, BadLine) else next(done) for _, item in chunk], seconds


def _process_pool(engine: Engine, items: Iterable[Item], workers: int, measure: bool
                  ) -> Iterator[Outcome | BadLine]:
    """Order-preserving pool with back-pressure: at most ``4 * workers`` chunks are read ahead. The workers'
    time per rule is added to the parent engine's counters."""
    ctx = multiprocessing.get_context("spawn" if sys.platform == "win32" else "forkserver")
    with ctx.Pool(workers, initializer=init_worker, initargs=(engine.spec,)) as pool:
        pending: collections.deque = collections.deque()

        def collect() -> list[Outcome | BadLine]:
            results, seconds = pending.popleft().get()
            engine.seconds.update(seconds)
            return results

        for chunk in _chunks(items, CHUNK_SIZE):
            pending.append(pool.apply_async(_process_chunk_mixed, ((chunk, measure),)))
            if len(pending) >= 4 * workers:
                yield from collect()
        while pending:
            yield from collect()


def process_stream(engine: Engine, items: Iterable[Item], workers: int, measure: bool = False
                   ) -> Iterator[Outcome | BadLine]:
    if workers <= 1:
        return _process_local(engine, items, measure)
    return _process_pool(engine, items, workers, measure)


# -- outputs ---------------------------------------------------------------------------------------------------
def _bad_line_entry(bad: BadLine) -> dict[str, Any]:
    entry = bad.to_dict()
    entry["findings"] = [Finding("LF001", ENGINE_CODES["LF001"], "malformed-record", bad.reason).to_dict()]
    return entry


def _rejected_entry(outcome: Outcome, findings: list[Finding]) -> dict[str, Any]:
    original = outcome.original
    had_source = "source" in original.metadata
    return {
        "source": original.provenance.to_dict() if original.provenance else None,
        "read_at": f"{original.provenance.file}:{original.provenance.line}" if original.provenance else None,
        "doc_type": outcome.doc_type,
        "findings": [f.to_dict() for f in findings],
        "record": original.to_dict(with_source=had_source),
    }


class _Progress:
    """A rich progress bar over input lines on stderr; a no-op when disabled."""

    def __init__(self, path: Path, enabled: bool) -> None:
        self.bar = None
        self.seen = 0
        if not enabled:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from legal_ft.console import console

        total = _count_lines(path)
        self.bar = Progress(TextColumn("cleaning"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=console(stderr=True), transient=True)
        self.task = self.bar.add_task("clean", total=total)
        self.bar.start()

    def update(self, line: int) -> None:
        if self.bar is not None:
            self.seen += 1
            if self.seen % 256 == 0:
                self.bar.update(self.task, completed=line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            n += block.count(b"\n")
    return n


def show_progress_for(path: Path) -> bool:
    from legal_ft.console import is_quiet

    try:
        big = path.stat().st_size >= PROGRESS_MIN_BYTES
    except OSError:
        return False
    return big and not is_quiet() and sys.stderr.isatty()


# -- the run ---------------------------------------------------------------------------------------------------
class _Decider:
    """The parent's side of a run, one result at a time in input order: dedup, variety, split, writing."""

    def __init__(self, opts: CleanOptions, engine: Engine, eval_fraction: float, writers: tuple[Any, Any, Any]):
        self.opts = opts
        self.eval_fraction = eval_fraction
        self.train, self.evals, self.rejects = writers
        self.summary = CleanSummary()
        self.dedup = Deduplicator(engine.rule_set.dedup, spill_dir=Path(opts.out).resolve().parent)
        self.group_mode = engine.rule_set.dedup.near and engine.rule_set.dedup.near_action == "group"
        self.group_side = bytearray()  # representative number -> 1 if on the eval side (grouped mode only)

    def bad_line(self, bad: BadLine) -> None:
        s = self.summary
        s.read += 1
        s.bad_lines += 1
        s.rejected += 1
        self.rejects.write(_bad_line_entry(bad))

    def outcome(self, result: Outcome) -> None:
        s = self.summary
        s.read += 1
        s.records += 1
        s.per_normaliser.update(result.normalised)
        doc_type = result.doc_type or "unknown"
        findings = result.findings
        verdict = None
        if findings:
            s.rejected_by_rules += 1
        else:
            origin = result.record.provenance.origin if result.record.provenance else ("<memory>", result.index)
            verdict = self.dedup.check(result.key, result.sig, origin)
            if verdict.kind == "duplicate" or (verdict.kind == "near-duplicate" and not self.group_mode):
                s.exact_duplicates += verdict.kind == "duplicate"
                s.near_duplicates += verdict.kind == "near-duplicate"
                findings = [_duplicate_finding(verdict)]
        if findings:
            s.count_findings(findings)
            s.rejected += 1
            s.rejected_by_type[doc_type] += 1
            self.rejects.write(_rejected_entry(result, findings))
            return
        record = result.record
        if self.opts.diversify:
            s.diversified += diversify(record, _variety_type(record, doc_type), self.opts.seed)
        if verdict is not None and verdict.kind == "near-duplicate":  # grouped: the representative's side
            s.near_grouped += 1
            to_eval = bool(self.group_side[verdict.rep])
        else:
            to_eval = goes_to_eval(result.key, self.opts.seed, self.eval_fraction)
            if self.group_mode and verdict is not None:
                self.group_side.append(to_eval)
        if to_eval:
            self.evals.write(record)
            s.eval += 1
        else:
            self.train.write(record)
            s.train += 1
        s.kept += 1
        s.kept_by_type[doc_type] += 1


def run_clean(opts: CleanOptions, engine: Engine | None = None) -> CleanResult:
    """Clean ``opts.input`` into the train/eval/rejected files and the report; all four appear atomically."""
    started = time.perf_counter()
    if opts.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {opts.workers}", "e.g. --workers 2")
    outputs = [opts.out, opts.eval_out, opts.rejected, opts.report]
    if len({Path(p).resolve() for p in outputs}) != len(outputs):
        raise ConfigError("two outputs share one path",
                          "give --out, --eval-out, --rejected and --report distinct paths")
    ensure_not_input(outputs, [opts.input])
    if engine is None:  # a wrong --rules is reported first: it is the cheaper fix
        engine = Engine.from_spec(clean_spec(opts))
    _check_input(opts.input)
    eval_fraction = engine.rule_set.split.eval_fraction if opts.eval_fraction is None else opts.eval_fraction
    if not 0.0 <= eval_fraction < 1.0:
        raise ConfigError(f"--eval-fraction must be in [0, 1), got {eval_fraction}", "e.g. --eval-fraction 0.05")
    progress = _Progress(opts.input, opts.progress)
    t_started = time.perf_counter()
    try:
        with JsonlWriter(opts.out) as train, JsonlWriter(opts.eval_out) as evals, RejectsWriter(opts.rejected) as rej:
            decider = _Decider(opts, engine, eval_fraction, (train, evals, rej))
            with decider.dedup:  # deletes its on-disk work file, if it made one, however the run ends
                for result in process_stream(engine, iter_records(opts.input), opts.workers):
                    if isinstance(result, BadLine):
                        decider.bad_line(result)
                        progress.update(result.line)
                    else:
                        decider.outcome(result)
                        if result.original.provenance is not None:
                            progress.update(result.original.provenance.line)
                decider.summary.dedup_spilled = decider.dedup.spilled
            summary = decider.summary
            summary.timings = {"startup": t_started - started, "clean": time.perf_counter() - t_started}
            summary.timings["total"] = time.perf_counter() - started
            summary.seconds_per_check = dict(engine.take_seconds())
            report = build_report(opts, engine, summary, eval_fraction)
            write_bytes_atomic(opts.report, _pretty_json(report))
    finally:
        progress.close()
    return CleanResult(summary, report, engine)


INSTRUCTION_GROUP = "instruction"  # rules about the instruction, moot when instruction variety replaces it


def clean_spec(opts: CleanOptions) -> EngineSpec:
    """The engine for a clean run: while instructions are replaced by ones for the output's type (instruction
    variety), rules that judge the original instruction against the output (LF110 type-mismatch) are left out:
    the record is kept and gets a fitting instruction instead of being lost."""
    if not opts.diversify or INSTRUCTION_GROUP in opts.spec.skip_groups:
        return opts.spec
    return dataclasses.replace(opts.spec, skip_groups=(*opts.spec.skip_groups, INSTRUCTION_GROUP))


def _check_input(path: Path) -> None:
    """Fail before loading plugins (iter_records would only notice on the first read)."""
    from legal_ft.errors import InputError

    if not path.exists():
        raise InputError(f"input file not found: {path}", "check the path, or run `legalft merge` first")
    if path.is_dir():
        raise InputError(f"{path} is a folder, expected a .jsonl file", "pass the merged .jsonl file")


def _variety_type(record: Record, doc_type: str) -> str:
    """On a second run the instruction is already a paraphrase: detect the type from the original instead."""
    if original_instruction(record) == record.instruction:
        return doc_type
    try:
        from legal_ft.legal.detect import detect_doc_type

        return str(getattr(detect_doc_type(record.output, original_instruction(record)), "value", doc_type))
    except Exception:  # noqa: BLE001
        return doc_type


def _duplicate_finding(verdict: DedupVerdict) -> Finding:
    if verdict.kind == "duplicate":
        return Finding("LF901", "duplicate", "duplicate", f"exact duplicate of {verdict.of}", "output")
    return Finding("LF902", "near-duplicate", "near-duplicate",
                   f"near-duplicate of {verdict.of} (similarity {verdict.similarity:.2f})", "output")


def build_report(opts: CleanOptions, engine: Engine, summary: CleanSummary, eval_fraction: float) -> dict[str, Any]:
    report = {
        "input": str(opts.input),
        "outputs": {"train": str(opts.out), "eval": str(opts.eval_out), "rejected": str(opts.rejected)},
        "rule_set": engine.rule_set.to_dict(),
        "options": {"eval_fraction": eval_fraction, "seed": opts.seed, "diversify": opts.diversify,
                    "workers": opts.workers, "tokenizer": engine.spec.tokenizer_dir},
        "rules_left_out": _rules_left_out(engine),
        "plugins": engine.registry.sources,
        **summary.to_dict(),
    }
    total = summary.timings.get("clean", 0.0)
    if total > 0:
        size = opts.input.stat().st_size if opts.input.exists() else 0
        report["throughput"] = {"records_per_s": round(summary.read / total, 1),
                                "mb_per_s": round(size / total / 1e6, 2)}
    return report


def _rules_left_out(engine: Engine) -> dict[str, str]:
    """Rules the rule set turns on that this run left out, and why (`clean_spec`)."""
    running = {rule.code for rule in engine.rules}
    out = {}
    for code in engine.rule_set.enabled:
        if code not in running:
            groups = ", ".join(sorted(set(engine.registry.rules[code].groups) & set(engine.spec.skip_groups)))
            out[code] = f"group {groups}: instructions are replaced"
    return out


def _pretty_json(obj: Any) -> bytes:
    import orjson

    return orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS)


def run_stats(input_path: Path, spec: EngineSpec, workers: int = 1, progress: bool = False
              ) -> tuple[MeasureStats, Engine, int]:
    """Measure every enabled rule's values over the input without deciding or writing anything."""
    engine = Engine.from_spec(spec)
    _check_input(input_path)
    stats = MeasureStats()
    bad = 0
    bar = _Progress(input_path, progress)
    try:
        for result in process_stream(engine, iter_records(input_path), workers, measure=True):
            if isinstance(result, BadLine):
                bad += 1
                continue
            if result.measures is not None:
                stats.add(result.measures)
            if result.original.provenance is not None:
                bar.update(result.original.provenance.line)
    finally:
        bar.close()
    return stats, engine, bad
