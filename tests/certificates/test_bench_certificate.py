"""bench/bench_certificate.py yields the figures the README quotes (a few samples here)."""
from __future__ import annotations

from pathlib import Path

from bench import bench_certificate
from bench.run import BenchContext
from tests.certificates.conftest import need_poppler


@need_poppler
def test_bench_reports_both_certificates_the_floor_and_verification():
    records = {r["metric"]: r for r in bench_certificate.run(BenchContext(0, Path("unused"), samples=20))}
    assert set(records) == {"certificate_fonts_registered", "certificate_one_page", "certificate_household_9",
                            "certificate_verify_3_pages"}
    one, nine = records["certificate_one_page"], records["certificate_household_9"]
    assert (one["pages"], one["persons"]) == (1, 1) and (nine["pages"], nine["persons"]) == (3, 9)
    for r in (one, nine):
        assert 0 < r["floor_median_ms"] < r["median_ms"] and r["ratio_to_floor"] > 1
        assert r["median_ms"] < 20 * r["target_ms"]  # a loose bound: other tests share the two cores
