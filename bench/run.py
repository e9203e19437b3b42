"""`madoguchi bench`: runs every bench/bench_*.py and prints one JSON object per line.

    madoguchi bench [--residents 1000000] [--dir var/bench] [--only search,open] [--samples 400]

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
    args = p.parse_args([a for a in (argv or []) if a != "--"])
    ctx = BenchContext(args.residents, Path(args.dir) / f"city-{args.residents}", args.samples)
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
