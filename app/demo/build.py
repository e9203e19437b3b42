"""`madoguchi demo-city`: write the synthetic city as a terminal cache and/or a registry dataset.

The dataset (city.jsonl.gz, one household a line) is what the registry's loader reads; the cache is
a real encrypted terminal cache with a demo operator slot and a device slot (device.key beside it).
Everything in it is synthetic: no real person's data.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import time
from pathlib import Path
from typing import Iterator

import multiprocessing
import os
import shutil
from queue import Full

from app.demo.city import BLOCK_RESIDENTS, DemoHousehold, city_blocks, generate_city
from app.store.bulk import RowLoader, Rows, build_rows, bulk_load
from app.store.cache import Cache
from app.store.database import CacheIncomplete, CacheMissing
from app.store.keys import load_or_create_device_key
from app.store.register_store import delta_row
from domain.codec import household_to_dict, resident_to_dict

DATASET_FILE = "city.jsonl.gz"
DEVICE_KEY_FILE = "device.key"


def household_record(h: DemoHousehold) -> dict:
    """One dataset line: the household, its members' records and the history that made them."""
    return {
        "household": household_to_dict(h.household),
        "members": [resident_to_dict(r) for r in h.members],
        "changes": [
            {
                "id": c.change_id,
                "reason": c.reason.code,
                "occurred_on": c.occurred_on.to_storage(),
                "notified_on": c.notified_on.isoformat(),
                "residents": [
                    {k: v for k, v in delta_row(0, d).items() if k != "change_seq"} for d in c.residents
                ],
            }
            for c in h.changes
        ],
    }


def _tee_dataset(households: Iterator[DemoHousehold], path: Path) -> Iterator[DemoHousehold]:
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3) as f:
        for h in households:
            f.write(json.dumps(household_record(h), ensure_ascii=False, separators=(",", ":")))
            f.write("\n")
            yield h
    tmp.replace(path)


def _put(queue, item) -> None:
    """Hands an item to the parent; gives up when the parent has gone (killed build)."""
    while True:
        try:
            queue.put(item, timeout=1)
            return
        except Full:
            if not multiprocessing.parent_process().is_alive():
                raise SystemExit("parent gone") from None


def _row_worker(residents: int, seed: int, today: dt.date, block_residents: int, blocks: list[int], queue) -> None:
    """Generates the given blocks of the city and sends each block's rows to the parent."""
    try:
        for block in blocks:
            households = generate_city(residents, seed=seed, today=today, blocks=[block], block_residents=block_residents)
            _put(queue, (block, build_rows(households)))
        _put(queue, None)
    except Exception as exc:  # reported to the parent, which stops the build
        _put(queue, exc)
        raise


def _parallel_rows(residents: int, seed: int, today: dt.date, parts: int, block_residents: int) -> Iterator[Rows]:
    """Rows of the city block by block, in block order, built by `parts` worker processes."""
    ctx = multiprocessing.get_context("spawn")
    blocks = list(range(city_blocks(residents, block_residents)))
    queues = [ctx.Queue(maxsize=2) for _ in range(parts)]
    workers = [
        ctx.Process(target=_row_worker, args=(residents, seed, today, block_residents, blocks[k::parts], queues[k]), daemon=True)
        for k in range(parts)
    ]
    for w in workers:
        w.start()
    try:
        for block in blocks:
            item = queues[block % parts].get()
            if isinstance(item, BaseException):
                raise RuntimeError("demo-city worker failed") from item
            got, rows = item
            assert got == block, (got, block)
            yield rows
    finally:
        for w in workers:
            w.join(timeout=10)
            if w.is_alive():
                w.terminate()


def ensure_demo_city(directory: Path, *, residents: int, seed: int, today: dt.date, operator_id: str, password: str) -> dict | None:
    """Builds the demo cache in `directory` unless a complete one is there; returns the build
    report, or None when the existing city was kept. A build that was cut off is started over."""
    directory = Path(directory)
    try:
        Cache.open_as_operator(directory, operator_id, password).close()
        return None
    except (CacheMissing, CacheIncomplete):
        if directory.exists():
            shutil.rmtree(directory)
    return build_demo_city(
        directory, residents=residents, seed=seed, operator_id=operator_id, password=password,
        dataset=False, cache=True, today=today,
    )


def build_demo_city(
    out: Path,
    *,
    residents: int,
    seed: int,
    operator_id: str,
    password: str,
    dataset: bool,
    cache: bool,
    today: dt.date,
    workers: int | None = None,
    block_residents: int = BLOCK_RESIDENTS,
) -> dict:
    """Builds the city into `out`. With more than one CPU and no dataset to write, rows are built
    by `workers` processes (default: the CPU count, at most 4) while this one inserts them."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    households: Iterator[DemoHousehold] = generate_city(residents, seed=seed, today=today, block_residents=block_residents)
    if dataset:
        households = _tee_dataset(households, out / DATASET_FILE)
    report: dict = {"residents_requested": residents, "seed": seed, "out": str(out)}
    if cache:
        device_key = load_or_create_device_key(out / DEVICE_KEY_FILE)
        workers = workers if workers is not None else min(4, os.cpu_count() or 1)
        with Cache.create(out, operator_id=operator_id, password=password, device_key=device_key) as c:
            if workers > 1 and not dataset and city_blocks(residents, block_residents) > 1:
                with RowLoader(c) as loader:
                    for rows in _parallel_rows(residents, seed, today, workers, block_residents):
                        loader.add(rows)
                stats = loader.stats
            else:
                stats = bulk_load(c, households)
        report.update(
            households=stats.households,
            records=stats.residents,
            changes=stats.changes,
            load_seconds=round(stats.load_seconds, 1),
            index_seconds=round(stats.index_seconds, 1),
            cache_mib=round((out / "cache.db").stat().st_size / 2**20, 1),
        )
    else:
        count = sum(len(h.members) for h in households)
        report.update(records=count)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report
