"""`madoguchi bench --only sync` at a tiny size: a registry process on PostgreSQL, a first sync into
an empty encrypted cache, idle syncs, and operations pushed and confirmed — one JSON line each."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.support.postgres import postgres_server, postgres_url  # noqa: F401  (fixtures)


def _bench(tmp_path, db_url: str, *extra: str) -> dict[str, dict]:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "bench", "--only", "sync", "--residents", "2000", "--dir", str(tmp_path),
         "--sync-db", db_url, *extra],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(r["bench"] == "sync" for r in records)
    return {r["metric"]: r for r in records}


def test_bench_sync_prints_its_figures_and_reuses_the_registry_database(tmp_path, postgres_url):
    got = _bench(tmp_path, postgres_url, "--ops", "200", "--syncs", "10")
    assert list(got) == ["registry_load", "first_sync", "sync_idle", "push_operations", "sync_bench_wall"]

    load = got["registry_load"]
    assert load["reused"] is False and load["records"] >= 2000 and load["seconds"] > 0

    first = got["first_sync"]
    assert first["residents"] == 2000 and first["records"] == load["records"]
    assert first["seconds"] > 0 and first["residents_per_s"] > 0
    assert first["client_peak_rss_mib"] > 0 and first["registry_peak_rss_mib"] > 0
    assert first["target_s"] == 120

    idle = got["sync_idle"]
    assert idle["n"] == 10 and 0 < idle["p50_ms"] <= idle["p95_ms"] <= idle["p99_ms"] <= idle["max_ms"]
    assert idle["median_ms"] > 0 and idle["target_p95_ms"] == 50

    push = got["push_operations"]
    assert push["ops"] == 200 and push["verdicts"] == {"confirmed": 200}
    assert push["requests"] == 2 and push["batch"] == 100
    assert push["ops_per_s"] > 0 and push["target_ops_per_s"] == 500
    assert 0 < push["per_op_p95_ms"] < push["request_p95_ms"]
    assert push["request_p50_ms"] <= push["request_p95_ms"] <= push["request_max_ms"]

    assert got["sync_bench_wall"]["seconds"] > 0

    # The loaded registry is kept: a second run only syncs (and pushes nothing here).
    again = _bench(tmp_path, postgres_url, "--ops", "0", "--syncs", "3")
    assert again["registry_load"]["reused"] is True
    assert "push_operations" not in again and again["sync_idle"]["n"] == 3
