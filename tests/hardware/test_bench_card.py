"""`madoguchi bench --only card` prints its two figures (small sample; through this run's pcscd)."""
from __future__ import annotations

import json
import subprocess
import sys


def test_card_bench_prints_its_figures(pcsc_stack):
    result = subprocess.run([sys.executable, "-m", "app.cli", "bench", "--only", "card", "--samples", "20"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    records = {r["metric"]: r for r in map(json.loads, result.stdout.splitlines())}
    read, auth = records["card_read_mynumber_basic_info"], records["card_jpki_authentication"]
    for r in (read, auth):
        assert r["bench"] == "card" and r["n"] == 20 and 0 < r["p50_ms"] <= r["p95_ms"] <= r["max_ms"]
        assert 0 < r["transmit_share"] < 1 and 0 < r["card_p50_ms"] < r["transmit_p50_ms"]
    assert read["apdus"] == 10 and auth["apdus"] >= 10
    assert read["p50_ms"] < read["target_ms"] and auth["p50_ms"] < auth["target_ms"]
