"""`madoguchi bench`: runs every bench/bench_*.py and prints one JSON object per line.

    madoguchi bench [--residents 1000000] [--dir var/bench] [--only search,open] [--samples 400]
                    [--ops 10000] [--syncs 50] [--pg postgresql://postgres@127.0.0.1:5432] [--sync-db URL]

The synthetic city is built once into --dir (reused when its size matches: a 1,000,000-resident
build takes a few minutes and its time is reported as the `demo_city_build` figure).
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path

import bench


@dataclass
class BenchContext:
    residents: int
    directory: Path
    samples: int
    seed: int = 1
    ops: int | None = None  # bench_sync: operations pushed (default min(10000, residents // 10))
    syncs: int = 50  # bench_sync: idle incremental syncs timed
    pg: str = ""  # bench_sync: the PostgreSQL server (its registry database is madoguchi_bench_<N> there)
    sync_db: str = ""  # bench_sync: use this registry database instead (loaded unless it holds the city)


def percentiles(values_ms: list[float]) -> dict:
    ordered = sorted(values_ms)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"n": len(ordered), "p50_ms": pick(0.50), "p95_ms": pick(0.95), "p99_ms": pick(0.99), "max_ms": round(ordered[-1], 3)}


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="madoguchi bench")
    p.add_argument("--residents", type=int, default=1_000_000)
    p.add_argument("--dir", default="var/bench")
    p.add_argument("--samples", type=int, default=400)
    p.add_argument("--only", default="", help="comma-separated benchmark names (module names without bench_)")
    p.add_argument("--ops", type=int, default=None, help="sync: operations to push (default min(10000, residents/10))")
    p.add_argument("--syncs", type=int, default=50, help="sync: idle incremental syncs to time")
    p.add_argument("--pg", default="", help="sync: PostgreSQL server URL (default $MADOGUCHI_BENCH_PG or postgresql://postgres@127.0.0.1:5432)")
    p.add_argument("--sync-db", default="", help="sync: registry database URL to use instead of madoguchi_bench_<N>")
    args = p.parse_args([a for a in (argv or []) if a != "--"])
    ctx = BenchContext(
        args.residents, Path(args.dir) / f"city-{args.residents}", args.samples,
        ops=args.ops, syncs=args.syncs, pg=args.pg, sync_db=args.sync_db,
    )
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    for name in names:
        short = name.removeprefix("bench_")
        if wanted and short not in wanted:
            continue
        module = importlib.import_module(f"bench.{name}")
        for record in module.run(ctx):
            emit({"bench": short, **record})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
