"""Builds (or reuses) the benchmark city; reports the build time (target: 1,000,000 in < 300 s)."""
from __future__ import annotations

from bench.city import ensure_city


def run(ctx):
    report = ensure_city(ctx.directory, ctx.residents, ctx.seed)
    if report is None:
        yield {"metric": "demo_city_build", "residents": ctx.residents, "reused": True}
    else:
        yield {"metric": "demo_city_build", "residents": ctx.residents, "reused": False, **report, "target_s": 300}
