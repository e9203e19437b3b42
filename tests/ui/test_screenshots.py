"""`madoguchi screenshots` renders every main screen with the demo city (small city, one size)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_every_main_screen_is_rendered(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    out = tmp_path / "shots"
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "screenshots", "--out", str(out), "--dir", str(tmp_path / "demo"), "--residents", "300", "--size", "1366x768"],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    names = sorted(p.name for p in out.glob("*.png"))
    for screen in ("01-login", "02-search", "03-resident", "04-form-01-MoveIn", "04-form-09-Cancellation",
                   "04-form-10-MoveIn-errors", "04-form-11-Death-confirm", "05-outbox", "06-review", "07-drafts", "08-lock"):
        assert f"{screen}-1366x768.png" in names
    for p in out.glob("*.png"):
        assert p.stat().st_size > 5000  # a drawn screen, not an empty image
        assert p.read_bytes()[16:24] == (1366).to_bytes(4, "big") + (768).to_bytes(4, "big")  # PNG IHDR size
