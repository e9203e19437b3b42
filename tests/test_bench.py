"""`madoguchi bench` runs every benchmark and prints one JSON object per line (small city here)."""
from __future__ import annotations

import json
import subprocess
import sys


def test_bench_prints_json_lines(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "bench", "--residents", "3000", "--samples", "40", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    metrics = {(r["bench"], r["metric"], r.get("store")) for r in records}
    assert ("a_city", "demo_city_build", None) in metrics
    assert ("open", "cache_open_operator", None) in metrics and ("open", "cache_open_device", None) in metrics
    for metric in ("kana_prefix_birth", "resident_code", "my_number", "fuzzy_name_variants"):
        assert ("search", metric, "sqlcipher+service") in metrics
        assert ("search", metric, "plain-sqlite-index-only") in metrics
    for r in records:
        if "p95_ms" in r:
            assert r["n"] > 0 and 0 <= r["p50_ms"] <= r["p95_ms"] <= r["p99_ms"]
    desktop = {r["metric"]: r for r in records if r["bench"] == "desktop"}
    assert set(desktop) >= {
        "desktop_start_to_login", "desktop_login_to_main_window", "desktop_keystroke_during_search",
        "desktop_event_loop_lateness_during_search", "desktop_resident_view_open", "desktop_peak_memory",
    }
    assert desktop["desktop_keystroke_during_search"]["during_search"] > 0  # typed while a search ran
    assert 50 < desktop["desktop_peak_memory"]["peak_rss_mb"] < 4000
    kiosk = {r["metric"]: r for r in records if r["bench"] == "kiosk"}
    assert set(kiosk) == {"kiosk_card_to_pin_pad", "kiosk_pin_to_choice", "kiosk_confirm_to_printer"}
    assert all(r["n"] > 0 and 0 < r["p50_ms"] <= r["max_ms"] for r in kiosk.values())
    searches = [r for r in records if r["bench"] == "search" and r["store"] == "sqlcipher+service"]
    assert all(r["found"] == r["n"] for r in searches if r["metric"] != "fuzzy_name_variants")
    # the bench city is reused on a second run
    again = subprocess.run(
        [sys.executable, "-m", "app.cli", "bench", "--residents", "3000", "--samples", "10", "--dir", str(tmp_path), "--only", "a_city"],
        capture_output=True, text=True, timeout=120,
    )
    assert json.loads(again.stdout.splitlines()[0])["reused"] is True
