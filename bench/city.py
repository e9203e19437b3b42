"""The benchmark city: built once per size with the demo-city builder, then reused."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.cli import DEMO_OPERATOR, DEMO_PASSWORD
from app.demo.build import ensure_demo_city

BUILD_DATE = dt.date(2026, 11, 1)


def ensure_city(directory: Path, residents: int, seed: int = 1) -> dict | None:
    """Builds the city if missing or cut off (returns the build report), else None."""
    return ensure_demo_city(
        directory, residents=residents, seed=seed, today=BUILD_DATE, operator_id=DEMO_OPERATOR, password=DEMO_PASSWORD
    )
