"""`merge`: the seed's step 2 — join the GUI's daily files into one training file, with statistics and advice.

Reads ``<input_dir>/<pattern>`` in name order (deterministic), streams every line, drops exact duplicates
(the ``output`` compared after whitespace folding; only 16-byte BLAKE2b digests are kept, packed, never texts), sends
malformed lines and dropped duplicates to the rejects file with their reasons, and writes
``merged_training_dataset.jsonl`` (each record's origin in ``metadata.source``) and ``training_config.json``
(statistics and the guide's advice). All three outputs appear atomically, only when the run succeeds.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from legal_ft import __version__
from legal_ft.errors import InputError
from legal_ft.io import BadLine, JsonlWriter, RejectsWriter, detect_encoding, ensure_not_input, iter_records
from legal_ft.io.atomic import write_text_atomic
from legal_ft.records import Record
from legal_ft.stats import DatasetStats, advise, fold_whitespace

DEFAULT_INPUT_DIR = Path("datasets/hybrid_generated")
DEFAULT_PATTERN = "dataset_*.jsonl"
DEFAULT_OUT = Path("datasets/merged_training_dataset.jsonl")
DEFAULT_CONFIG_OUT = Path("datasets/training_config.json")
DEFAULT_REJECTS = Path("datasets/merge_rejects.jsonl")
DUPLICATE_REASON = "exact duplicate: the output equals an earlier record's after whitespace folding"


class DigestSet:
    """The 16-byte digests seen so far, in about 16 bytes each (a Python ``set`` of them costs ~100 bytes each).

    Digests are spread over 65,536 buckets by their first two bytes; a bucket is one ``bytes`` string of the
    remaining 14-byte tails, searched with ``bytes.find`` (C speed; a few dozen bytes per bucket at 1M records).
    """

    _TAIL = 14

    def __init__(self) -> None:
        self._buckets: list[bytes | None] = [None] * 65536
        self.count = 0

    def add(self, digest: bytes) -> bool:
        """Remember ``digest``; True if it was new, False if it had been seen."""
        if len(digest) != 16:
            raise ValueError("DigestSet holds 16-byte digests")
        index = (digest[0] << 8) | digest[1]
        tail = digest[2:]
        bucket = self._buckets[index]
        if bucket is not None:
            pos = bucket.find(tail)
            while pos != -1:
                if pos % self._TAIL == 0:
                    return False
                pos = bucket.find(tail, pos + 1)
            self._buckets[index] = bucket + tail
        else:
            self._buckets[index] = tail
        self.count += 1
        return True


def output_digest(output: str) -> bytes:
    """The duplicate key: BLAKE2b-128 of the output with whitespace folded."""
    return hashlib.blake2b(fold_whitespace(output).encode("utf-8"), digest_size=16).digest()


@dataclass
class MergeOptions:
    """Where to read and write; paths relative to the working directory, as in the seed."""

    input_dir: Path = DEFAULT_INPUT_DIR
    pattern: str = DEFAULT_PATTERN
    out: Path = DEFAULT_OUT
    config_out: Path = DEFAULT_CONFIG_OUT
    rejects: Path = DEFAULT_REJECTS
    tokenizer: Path | None = None  # a folder with tokenizer.json for exact token counts (else chars / 3.2)
    detect_types: bool = True


@dataclass
class FileCounts:
    file: str
    encoding: str
    records: int = 0  # valid records read
    bad_lines: int = 0
    duplicates: int = 0
    written: int = 0


@dataclass
class MergeResult:
    options: MergeOptions
    files: list[FileCounts]
    records_read: int = 0
    bad_lines: int = 0
    duplicates: int = 0
    written: int = 0
    statistics: dict[str, Any] = field(default_factory=dict)
    advice: dict[str, Any] = field(default_factory=dict)

    def one_line(self) -> str:
        o = self.options
        return (f"merged {self.written} records from {len(self.files)} files into {o.out} "
                f"({self.duplicates} duplicates dropped, {self.bad_lines} malformed lines → {o.rejects})")


def find_inputs(input_dir: Path, pattern: str) -> list[Path]:
    """The input files in deterministic (name) order; a clear error when there are none."""
    if not input_dir.exists():
        raise InputError(f"input folder not found: {input_dir}",
                         "pass --input-dir (the GUI saves to datasets/hybrid_generated), or make a demo corpus "
                         "with `legalft sample`")
    if not input_dir.is_dir():
        raise InputError(f"{input_dir} is not a folder", "pass the folder that holds the dataset_*.jsonl files")
    files = sorted((p for p in input_dir.glob(pattern) if p.is_file()), key=lambda p: p.as_posix())
    if not files:
        raise InputError(f"no files matching {pattern!r} in {input_dir}",
                         "check --input-dir and --pattern (the GUI writes dataset_YYYYMMDD.jsonl)")
    return files


def _check_outputs(options: MergeOptions, inputs: list[Path]) -> None:
    outputs = [options.out, options.config_out, options.rejects]
    ensure_not_input(outputs, inputs)
    resolved = [Path(os.path.abspath(p)) for p in outputs]
    if len(set(resolved)) != len(resolved):
        raise InputError("--out, --config-out and --rejects must be three different files",
                         f"got {', '.join(str(p) for p in outputs)}")


def merge_datasets(
    options: MergeOptions | None = None,
    *,
    on_bad_line: Callable[[BadLine], None] | None = None,
) -> MergeResult:
    """Run the merge; ``on_bad_line`` is told about each malformed line as it is found (for the terminal)."""
    options = options or MergeOptions()
    inputs = find_inputs(Path(options.input_dir), options.pattern)
    _check_outputs(options, inputs)
    stats = DatasetStats.create(options.tokenizer, detect_types=options.detect_types)
    seen = DigestSet()
    result = MergeResult(options, [])
    with JsonlWriter(options.out) as merged, RejectsWriter(options.rejects) as rejects:
        for path in inputs:
            counts = FileCounts(str(path), detect_encoding(path))
            result.files.append(counts)
            for item in iter_records(path):
                if isinstance(item, BadLine):
                    counts.bad_lines += 1
                    rejects.write_bad_line(item)
                    if on_bad_line is not None:
                        on_bad_line(item)
                    continue
                counts.records += 1
                if not seen.add(output_digest(item.output)):
                    counts.duplicates += 1
                    rejects.write(_duplicate_entry(item))
                    continue
                merged.write(item)
                stats.add(item)
                counts.written += 1
            result.records_read += counts.records
            result.bad_lines += counts.bad_lines
            result.duplicates += counts.duplicates
            result.written += counts.written
        if result.written == 0:
            raise InputError(
                f"no valid records in {len(inputs)} file(s) matching {options.pattern!r} in {options.input_dir} "
                f"({result.bad_lines} malformed lines)",
                "the lines above say what is wrong with them; nothing was written",
            )
        result.statistics = stats.to_dict()
        result.advice = advise(stats)
        write_text_atomic(options.config_out, json.dumps(_config(result), ensure_ascii=False, indent=2) + "\n")
    return result


def _duplicate_entry(record: Record) -> dict[str, Any]:
    return {
        "source": record.provenance.to_dict() if record.provenance else None,
        "reason": DUPLICATE_REASON,
        "record": record.to_dict(),
    }


def _config(result: MergeResult) -> dict[str, Any]:
    """``training_config.json``: what was merged, its statistics, and the suggested training settings."""
    o = result.options
    advice = result.advice
    return {
        "generated_by": f"legalft {__version__} merge",
        "dataset": {
            "path": str(o.out),
            "records": result.written,
            "records_read": result.records_read,
            "duplicates_dropped": result.duplicates,
            "malformed_lines": result.bad_lines,
            "rejects": str(o.rejects),
            "input_dir": str(o.input_dir),
            "pattern": o.pattern,
            "input_files": [asdict(f) for f in result.files],
        },
        "statistics": result.statistics,
        "advice": advice,
        # In the seed's lora_training_config.json layout, ready to copy over.
        "suggested": {
            "training_args": {"num_train_epochs": advice["num_train_epochs"]},
            "data_config": {"max_length": advice["max_length"]},
        },
    }
