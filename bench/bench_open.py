"""Opening the cache: unwrap the data key, prove it on the file, check the migration head (≤ 300 ms)."""
from __future__ import annotations

import time

from app.cli import DEMO_OPERATOR, DEMO_PASSWORD
from app.demo.build import DEVICE_KEY_FILE
from app.store.cache import Cache
from bench.city import ensure_city
from bench.run import percentiles


def run(ctx):
    ensure_city(ctx.directory, ctx.residents, ctx.seed)
    for how in ("operator", "device"):
        times = []
        for _ in range(15):
            t0 = time.perf_counter()
            if how == "operator":
                cache = Cache.open_as_operator(ctx.directory, DEMO_OPERATOR, DEMO_PASSWORD)
            else:
                cache = Cache.open_with_device(ctx.directory, (ctx.directory / DEVICE_KEY_FILE).read_bytes())
            with cache.engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM meta").scalar()
            times.append((time.perf_counter() - t0) * 1000)
            cache.close()
        yield {"metric": f"cache_open_{how}", "residents": ctx.residents, **percentiles(times), "target_ms": 300}
