"""CPU time per built-in normaliser, derived fact (type, citations, sections) and rule, per record.

Prints figures only (no thresholds): which part of `legalft clean` costs what, to see where a custom rule set
spends its time.

    python bench/rules_bench.py --records 1000 --rules strict
"""

from __future__ import annotations

import argparse
import time

from legal_ft.cleaning.api import Document
from legal_ft.cleaning.engine import load_engine
from legal_ft.records import Record, RecordError
from legal_ft.sample import generate_records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--rules", default="strict")
    args = parser.parse_args()

    engine = load_engine(args.rules, entry_points=False)
    records = []
    for obj in generate_records(args.records, seed=args.seed):
        try:
            records.append(Record.from_dict(obj))
        except RecordError:
            continue
    chars = sum(len(r.output) for r in records) / max(len(records), 1)
    timings: dict[str, float] = {}

    for norm in engine.normalisers:
        start = time.process_time()
        for record in records:
            norm.apply(record)
        timings[f"normaliser {norm.name}"] = time.process_time() - start
    docs = [Document(engine.normalise(r)[0]) for r in records]
    for name in ("doc_type", "citations", "sections"):
        start = time.process_time()
        for doc in docs:
            getattr(doc, name)
        timings[f"document.{name}"] = time.process_time() - start
    for rule in engine.rules:
        start = time.process_time()
        for doc in docs:
            rule.check(doc)
        timings[f"rule {rule.code} {rule.name}"] = time.process_time() - start

    total = sum(timings.values())
    print(f"{len(records)} records, {chars:.0f} characters on average, rule set {args.rules!r}")
    for name, seconds in sorted(timings.items(), key=lambda kv: -kv[1]):
        print(f"  {name:40s} {1000 * seconds / len(records):7.3f} ms/record  {100 * seconds / total:5.1f}%")
    print(f"  {'total':40s} {1000 * total / len(records):7.3f} ms/record  ({len(records) / total:.0f} records/s, "
          f"one core, CPU time)")


if __name__ == "__main__":
    main()
