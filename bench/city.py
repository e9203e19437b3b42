"""The benchmark city: built once per size with the demo-city builder, then reused."""
from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

from app.cli import DEMO_OPERATOR, DEMO_PASSWORD
from app.demo.build import build_demo_city

BUILD_DATE = dt.date(2026, 11, 1)


def ensure_city(directory: Path, residents: int, seed: int = 1) -> dict | None:
    """Builds the city if missing (returns the build report), else None."""
    done = directory / ".complete"
    if done.exists():
        return None
    if directory.exists():
        shutil.rmtree(directory)
    report = build_demo_city(
        directory, residents=residents, seed=seed, operator_id=DEMO_OPERATOR, password=DEMO_PASSWORD,
        dataset=False, cache=True, today=BUILD_DATE,
    )
    done.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
    return report
