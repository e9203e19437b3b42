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

from app.demo.city import DemoHousehold, generate_city
from app.store.bulk import bulk_load
from app.store.cache import Cache
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
) -> dict:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    households: Iterator[DemoHousehold] = generate_city(residents, seed=seed, today=today)
    if dataset:
        households = _tee_dataset(households, out / DATASET_FILE)
    report: dict = {"residents_requested": residents, "seed": seed, "out": str(out)}
    if cache:
        device_key = load_or_create_device_key(out / DEVICE_KEY_FILE)
        with Cache.create(out, operator_id=operator_id, password=password, device_key=device_key) as c:
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
