"""Benchmark `legalft merge` on generated corpora of 50k and 200k records: records/s and peak memory.

    python bench/merge_bench.py                       # 50k and 200k records (≈0.3 GB and ≈1.2 GB of JSONL)
    python bench/merge_bench.py --sizes 20000 80000   # quicker
    python bench/merge_bench.py --keep /tmp/corpora   # reuse generated corpora between runs

Each corpus is written with `legal_ft.sample.write_sample` (the GUI-like files: cp1251/CRLF, BOM, ASCII-escaped,
malformed lines, ~4 % exact duplicates). Each merge runs `legal_ft.merge.merge_datasets` in its own subprocess, so
its peak resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) belongs to that merge alone. Figures are
printed, never asserted; "per CPU-s" divides by the merge's CPU time, which a busy shared machine distorts
less than wall time. Memory should stay nearly flat as the corpus grows: the merge streams records and keeps
only 16-byte digests for duplicate detection (about 100 bytes per distinct output).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from legal_ft.merge import MergeOptions, merge_datasets
corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
result = merge_datasets(MergeOptions(corpus, out=out / "merged.jsonl", config_out=out / "training_config.json",
                                     rejects=out / "merge_rejects.jsonl"))
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
peak = usage.ru_maxrss
peak_mb = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
print(json.dumps({{"read": result.records_read, "bad": result.bad_lines, "dups": result.duplicates,
                  "written": result.written, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb}}))
"""

_BASELINE = r"""
import json, resource, sys
sys.path.insert(0, {root!r})
import legal_ft.merge, legal_ft.legal.detect  # the same imports, no work: the interpreter's own footprint
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"peak_mb": peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024}}))
"""


def _corpus(base: Path, n: int, seed: int) -> tuple[Path, float, int]:
    from legal_ft.sample import write_sample

    folder = base / f"corpus_{n}"
    if folder.is_dir() and any(folder.glob("dataset_*.jsonl")):
        return folder, 0.0, sum(p.stat().st_size for p in folder.glob("dataset_*.jsonl"))
    start = time.perf_counter()
    write_sample(folder, n, seed)
    seconds = time.perf_counter() - start
    return folder, seconds, sum(p.stat().st_size for p in folder.glob("dataset_*.jsonl"))


def _run(code: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 200_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="Folder to keep (and reuse) the generated corpora.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    base = args.keep or Path(tempfile.mkdtemp(prefix="legalft_merge_bench_"))
    base.mkdir(parents=True, exist_ok=True)
    baseline = _run(_BASELINE.format(root=str(ROOT)))["peak_mb"]
    print(f"interpreter + imports alone: {baseline:.0f} MB peak")
    print(f"{'records':>9} {'corpus MB':>10} {'sample s':>9} {'merge s':>8} {'records/s':>10} {'per CPU-s':>10} "
          f"{'MB/s':>6} {'peak MB':>8} {'dups':>6} {'bad':>5}")
    try:
        for n in args.sizes:
            corpus, gen_s, size = _corpus(base, n, args.seed)
            out = base / f"out_{n}"
            out.mkdir(exist_ok=True)
            r = _run(_CHILD.format(root=str(ROOT)), str(corpus), str(out))
            rate = (r["read"] + r["bad"]) / r["seconds"]
            cpu_rate = (r["read"] + r["bad"]) / r["cpu"]  # wall rates suffer on a shared machine; CPU time less
            print(f"{n:>9} {size / 1e6:>10.0f} {gen_s:>9.1f} {r['seconds']:>8.1f} {rate:>10.0f} {cpu_rate:>10.0f} "
                  f"{size / 1e6 / r['seconds']:>6.1f} {r['peak_mb']:>8.0f} {r['dups']:>6} {r['bad']:>5}")
            shutil.rmtree(out, ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
