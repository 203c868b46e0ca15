"""Benchmark `legalft clean --rules strict` against a floor, on a generated corpus.

    python bench/clean_bench.py                      # 100k records of ~5 KB (≈500 MB), 1 and 2 workers, 50k vs 100k
    python bench/clean_bench.py --records 20000      # quicker

The floor is the least any cleaner must do, measured in the same run on the same file: read the lines, parse
them with orjson, scan each whole output with 20 compiled regexes (`findall`), and drop exact duplicates by hash.
Every measurement runs in its own process so its peak memory belongs to it alone. Figures are printed, never
asserted. "peak MB" is the main process's ru_maxrss; "all processes MB" the largest sum of resident memory over
the process and its workers, sampled every 0.5 s.

Targets: clean ≥ half the floor's records/s on one core; near-linear scaling with --workers; peak memory under
500 MB at 100k records and flat from 50k to 100k.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

FLOOR_PATTERNS = [
    r"ст\.\s*\d+", r"ГК\s+РФ", r"ГПК\s+РФ", r"АПК\s+РФ", r"ПРОШУ", r"(?i)на основании изложенного",
    r"(?i)исковое заявление", r"(?i)претензи", r"(?i)истец", r"(?i)ответчик", r"\[[^\]]{1,40}\]", r"<[^>]{1,40}>",
    r"(?i)как языковая модель", r"(?i)конечно!", r"\*\*", r"^#+\s", r"Р[ЃЎ]", r"\d{2}\.\d{2}\.\d{4}", r"№\s*\d+",
    r"(?i)приложени[ея]",
]

_SENTENCES = [
    "Между истцом и ответчиком {d} был заключён договор поставки № {n}, по условиям которого ответчик обязался "
    "оплатить товар в течение {k} дней.",
    "Истец надлежащим образом исполнил свои обязательства, что подтверждается универсальным передаточным "
    "документом № {n} от {d}.",
    "Ответчик обязательство по оплате не исполнил, задолженность составляет {m} руб.",
    "В соответствии со ст. 309 ГК РФ обязательства должны исполняться надлежащим образом в соответствии с "
    "условиями обязательства и требованиями закона.",
    "Согласно ст. 310 ГК РФ односторонний отказ от исполнения обязательства не допускается.",
    "В силу п. 1 ст. 330 ГК РФ неустойкой признаётся определённая законом или договором денежная сумма.",
    "Претензия истца от {d} оставлена ответчиком без ответа, что подтверждает соблюдение досудебного порядка "
    "(ч. 5 ст. 4 АПК РФ).",
    "Размер неустойки за период с {d} составляет {m} руб., расчёт прилагается.",
    "В соответствии со ст. 395 ГК РФ на сумму долга подлежат начислению проценты за пользование чужими "
    "денежными средствами.",
    "Судебные расходы подлежат взысканию с ответчика на основании ст. 110 АПК РФ.",
]


def make_document(rng: random.Random, target_chars: int) -> str:
    head = (f"В Арбитражный суд города Москвы\nИстец: ООО «Альфа-{rng.randrange(10**6)}», ИНН {rng.randrange(10**10)}\n"
            f"Ответчик: ООО «Бета-{rng.randrange(10**6)}», ИНН {rng.randrange(10**10)}\n"
            f"Цена иска: {rng.randrange(10**4, 10**7)} руб.\n\nИСКОВОЕ ЗАЯВЛЕНИЕ\nо взыскании задолженности\n\n")
    body: list[str] = []
    size = len(head)
    while size < target_chars - 600:
        date = f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.20{rng.randrange(18, 25)}"
        s = rng.choice(_SENTENCES).format(d=date, n=rng.randrange(1, 999), k=rng.randrange(5, 60),
                                          m=rng.randrange(10**4, 10**7))
        body.append(s)
        size += len(s) + 1
    tail = ("\n\nНа основании изложенного, руководствуясь ст. 309, 310, 330 ГК РФ, ст. 125, 126 АПК РФ,\n\nПРОШУ СУД:\n"
            f"1. Взыскать с ответчика задолженность в размере {rng.randrange(10**4, 10**7)} руб.\n"
            "2. Взыскать с ответчика расходы по уплате государственной пошлины.\n\n"
            "Приложения:\n1. Копия договора.\n2. Копия претензии.\n3. Расчёт неустойки.\n\n"
            f"Представитель истца ________ /А.Б. Иванов/\n{rng.randrange(1, 29):02d}.05.2024")
    return head + " ".join(body) + tail


def generate_corpus(path: Path, n: int, size: int, seed: int = 0) -> None:
    """~n records of ~size characters; uses the project's sample generator when it is there."""
    import orjson

    rng = random.Random(seed)
    try:
        from legal_ft.sample import generate_records  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - not there yet: our own legal-looking generator
        generate_records = None
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        if generate_records is not None:
            for i, rec in enumerate(generate_records(n, seed=seed)):
                if i >= n:
                    break
                fh.write(orjson.dumps(rec) + b"\n")
        else:
            for i in range(n):
                rec = {"instruction": "Составь исковое заявление по фактическим обстоятельствам дела.",
                       "input": f"Поставка товара, долг {rng.randrange(10**6)} руб., дело {i}",
                       "output": make_document(rng, size)}
                fh.write(orjson.dumps(rec) + b"\n")
    tmp.replace(path)


def peak_mb() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / 2**20


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def run_floor(path: Path) -> dict:
    import orjson
    import regex

    patterns = [regex.compile(p, regex.M) for p in FLOOR_PATTERNS]
    seen: set[bytes] = set()
    n = hits = dups = 0
    t0, c0 = time.perf_counter(), cpu_seconds()
    with open(path, "rb") as fh:
        for line in fh:
            rec = orjson.loads(line)
            out = rec["output"]
            for p in patterns:  # a full scan per pattern, as a rule that counts or collects matches does
                hits += len(p.findall(out))
            key = hashlib.blake2b(out.encode("utf-8"), digest_size=16).digest()
            if key in seen:
                dups += 1
            else:
                seen.add(key)
            n += 1
    return {"records": n, "seconds": time.perf_counter() - t0, "cpu_seconds": cpu_seconds() - c0,
            "peak_mb": peak_mb(), "hits": hits}


def run_clean_once(path: Path, workers: int, rules: str, out_dir: Path, profile: bool = False) -> dict:
    from legal_ft.cleaning.engine import EngineSpec
    from legal_ft.cleaning.pipeline import CleanOptions, run_clean

    opts = CleanOptions(input=path, out=out_dir / "train.jsonl", eval_out=out_dir / "eval.jsonl",
                        rejected=out_dir / "rejected.jsonl", report=out_dir / "report.json",
                        spec=EngineSpec(rules), workers=workers)
    t0, c0 = time.perf_counter(), cpu_seconds()
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        result = run_clean(opts)
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    else:
        result = run_clean(opts)
    s = result.summary
    return {"records": s.read, "seconds": time.perf_counter() - t0, "cpu_seconds": cpu_seconds() - c0,
            "peak_mb": peak_mb(), "kept": s.kept, "rejected": s.rejected}


def _tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and all its descendants (forkserver and pool workers included), Linux /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields.get("PPid", "0").strip() or 0)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total = 0
    for pid in rss:
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p == root:
            total += rss[pid]
    return total / 1024


def measure(kind: str, path: Path, workers: int = 1, rules: str = "strict", out_dir: Path | None = None) -> dict:
    cmd = [sys.executable, __file__, "--_measure", kind, "--_path", str(path), "--workers", str(workers),
           "--rules", rules, "--_out", str(out_dir or path.parent / f"out_{kind}_{workers}")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree_peak = 0.0
    while proc.poll() is None:
        if sys.platform.startswith("linux"):
            tree_peak = max(tree_peak, _tree_rss_mb(proc.pid))
        time.sleep(0.5)
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["tree_peak_mb"] = tree_peak
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--size", type=int, default=5000,
                    help="characters per output (our own generator only; legal_ft.sample sets its own lengths)")
    ap.add_argument("--rules", default="strict")
    ap.add_argument("--workers", type=int, default=2, help="the worker count to compare with one (1: skip)")
    ap.add_argument("--dir", type=Path, default=HERE / "out")
    ap.add_argument("--profile", action="store_true", help="cProfile one single-worker run on the small corpus")
    ap.add_argument("--_measure", help=argparse.SUPPRESS)
    ap.add_argument("--_path", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--_out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._measure:
        if args._measure == "floor":
            result = run_floor(args._path)
        else:
            result = run_clean_once(args._path, args.workers, args.rules, args._out, profile=args._measure == "profile")
        print(json.dumps(result))
        return

    args.dir.mkdir(parents=True, exist_ok=True)
    full = args.dir / f"corpus_{args.records}_{args.size}.jsonl"
    half = args.dir / f"corpus_{args.records // 2}_{args.size}_half.jsonl"
    if not full.exists():
        t0 = time.perf_counter()
        generate_corpus(full, args.records, args.size)
        print(f"generated {full} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if not half.exists():
        with open(full, "rb") as src, open(half, "wb") as dst:
            for i, line in enumerate(src):
                if i >= args.records // 2:
                    break
                dst.write(line)
    mb = full.stat().st_size / 1e6
    if args.profile:
        measure("profile", half, 1, args.rules)
        return

    rows = []
    floor = measure("floor", full)
    rows.append(("floor (read+parse+20 regexes+hash dedup)", floor, mb))
    one = measure("clean", full, 1, args.rules)
    rows.append((f"clean --rules {args.rules}, 1 worker", one, mb))
    many = None
    if args.workers > 1:
        many = measure("clean", full, args.workers, args.rules)
        rows.append((f"clean --rules {args.rules}, {args.workers} workers", many, mb))
    half_run = measure("clean", half, 1, args.rules)
    rows.append((f"clean --rules {args.rules}, 1 worker, half corpus", half_run, half.stat().st_size / 1e6))

    print(f"corpus: {args.records} records, {mb:.0f} MB ({mb * 1e6 / args.records / 1000:.1f} KB/record), "
          f"cpu count {os.cpu_count()}")
    print(f"{'run':55} {'records/s':>10} {'MB/s':>8} {'rec/CPU-s':>10} {'peak MB':>8} {'all processes MB':>17}")
    for name, r, size_mb in rows:
        print(f"{name:55} {r['records'] / r['seconds']:10.0f} {size_mb / r['seconds']:8.1f} "
              f"{r['records'] / r['cpu_seconds']:10.0f} {r['peak_mb']:8.0f} {r['tree_peak_mb']:17.0f}")
    print("(rec/CPU-s counts the main process only: with workers most of the CPU time is theirs)")
    ratio = (one["records"] / one["cpu_seconds"]) / (floor["records"] / floor["cpu_seconds"])
    print(f"clean/floor records per CPU-second on one core: {ratio:.2f} (target >= 0.5)")
    if many is not None:
        print(f"speed-up with {args.workers} workers: {one['seconds'] / many['seconds']:.2f}x "
              f"(near-linear: close to {args.workers})")
    print(f"peak memory 50% → 100% corpus: {half_run['peak_mb']:.0f} → {one['peak_mb']:.0f} MB (target < 500, flat)")
    print(f"kept {one['kept']}, rejected {one['rejected']}")


if __name__ == "__main__":
    main()
