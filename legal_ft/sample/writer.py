"""`write_sample`: the generated records as the assistant's GUI leaves them on disk.

One ``dataset_YYYYMMDD.jsonl`` file per day of the records' timestamps. To exercise readers the way real
collections do, when there are enough files: the second is Windows-1251 with CRLF line endings, the third starts
with a UTF-8 BOM, the fourth has ASCII-escaped JSON (Python's ``json.dumps`` default); malformed lines (truncated
JSON, a Python dict literal, a missing field, a non-string field) are mixed in, at least one of each kind.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from legal_ft.errors import InputError
from legal_ft.io.atomic import atomic_output
from legal_ft.sample.generator import DEFAULT_DEFECT_RATE, generate_records, sample_days

MALFORMED_KINDS = ("truncated-json", "python-literal", "missing-field", "non-string-field")


@dataclass(slots=True)
class SampleFile:
    path: Path
    encoding: str  # "utf-8", "utf-8-sig" (BOM) or "cp1251"
    newline: str  # "\n" or "\r\n"
    ascii_escaped: bool = False
    records: int = 0
    malformed: int = 0


@dataclass(slots=True)
class SampleSummary:
    out_dir: Path
    files: list[SampleFile]
    records: int = 0
    malformed: Counter = field(default_factory=Counter)  # kind -> lines
    defects: Counter = field(default_factory=Counter)  # defect name ("none" for good records) -> records
    expect: Counter = field(default_factory=Counter)  # "keep" / "reject" -> records

    @property
    def malformed_total(self) -> int:
        return sum(self.malformed.values())


def _malformed_line(rng: random.Random, record: dict[str, Any], kind: str, ascii_only: bool) -> str:
    core = {k: record[k] for k in ("instruction", "input", "output")}  # malformed lines carry no metadata
    if kind == "truncated-json":
        text = json.dumps(core, ensure_ascii=ascii_only)
        return text[: max(10, int(len(text) * rng.uniform(0.2, 0.8)))]
    if kind == "python-literal":
        return ascii(core) if ascii_only else repr(core)
    if kind == "missing-field":
        core.pop(rng.choice(("instruction", "input", "output")))
        return json.dumps(core, ensure_ascii=ascii_only)
    name = rng.choice(("input", "output"))
    core[name] = rng.choice((None, 12345, ["ПРОШУ СУД", "взыскать"], {"text": core[name][:80]}))
    return json.dumps(core, ensure_ascii=ascii_only)


def write_sample(
    out_dir: str | os.PathLike[str],
    n: int,
    seed: int = 0,
    *,
    defect_rate: float = DEFAULT_DEFECT_RATE,
    malformed_rate: float = 0.01,
    overwrite: bool = False,
) -> SampleSummary:
    """Write ``n`` generated records (deterministic for ``seed``) into ``out_dir`` as daily GUI files.

    Existing ``dataset_*.jsonl`` files with the same names are refused unless ``overwrite`` (a user's real
    collection must never be overwritten by sample data). Malformed lines come on top of the ``n`` records.
    Records stream straight to the files, so memory stays flat for any ``n``.
    """
    if n < 1:
        raise InputError(f"-n must be at least 1, got {n}", "ask for one record or more")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder", "choose a folder for --out")
    days = [d.strftime("%Y%m%d") for d in sample_days(n)]
    specs = [SampleFile(out / f"dataset_{day}.jsonl", "utf-8", "\n") for day in days]
    if len(specs) >= 2:
        specs[1].encoding, specs[1].newline = "cp1251", "\r\n"
    if len(specs) >= 3:
        specs[2].encoding = "utf-8-sig"
    if len(specs) >= 4:
        specs[3].ascii_escaped = True
    if not overwrite:
        clash = [f.path for f in specs if f.path.exists()]
        if clash:
            raise InputError(f"{clash[0]} already exists", "choose an empty --out folder, or pass --force to overwrite")
    index_of = {day: i for i, day in enumerate(days)}

    rng = random.Random(f"malformed-{seed}")
    want_malformed = max(len(MALFORMED_KINDS), round(n * malformed_rate)) if malformed_rate > 0 else 0
    # Which record positions get a malformed line after them: every kind at least once, spread over the files.
    slots = sorted(rng.sample(range(n), min(want_malformed, n)))
    kinds = {slot: MALFORMED_KINDS[i % len(MALFORMED_KINDS)] for i, slot in enumerate(slots)}
    summary = SampleSummary(out, [])
    handles: dict[int, IO[bytes]] = {}
    with contextlib.ExitStack() as stack:

        def handle_for(index: int) -> IO[bytes]:
            if index not in handles:
                handles[index] = stack.enter_context(atomic_output(specs[index].path, "wb"))
                if specs[index].encoding == "utf-8-sig":
                    handles[index].write(codecs.BOM_UTF8)
            return handles[index]

        for position, record in enumerate(generate_records(n, seed, defect_rate=defect_rate)):
            _count(summary, record)
            index = index_of[record["metadata"]["timestamp"][:10].replace("-", "")]
            spec = specs[index]
            text = json.dumps(record, ensure_ascii=True) if spec.ascii_escaped else orjson.dumps(record).decode()
            entries: list[tuple[str, str | None]] = [(text, None)]
            if position in kinds:
                entries.append((_malformed_line(rng, record, kinds[position], spec.ascii_escaped), kinds[position]))
            for line, kind in entries:
                target = index
                if spec.encoding == "cp1251" and not _encodable(line, "cp1251"):
                    target = index + 1 if index + 1 < len(specs) else 0  # the neighbouring UTF-8 file takes it
                tspec = specs[target]
                codec = "cp1251" if tspec.encoding == "cp1251" else "utf-8"
                handle_for(target).write((line + tspec.newline).encode(codec))
                if kind is None:
                    tspec.records += 1
                else:
                    tspec.malformed += 1
                    summary.malformed[kind] += 1
    summary.files = [specs[i] for i in sorted(handles)]
    summary.records = sum(f.records for f in summary.files)
    return summary


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _count(summary: SampleSummary, record: dict[str, Any]) -> None:
    label = record["metadata"]["sample"]
    summary.defects[label["defect"] or "none"] += 1
    summary.expect[label["expect"]] += 1
