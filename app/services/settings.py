"""The terminal's screen settings, typed, with their defaults in one place. Read from
`settings.json` in the terminal's folder (written by the city's IT staff); unknown keys are
logged and ignored, wrong types fall back to the default with a warning — a typo never stops
a counter from opening."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, fields
from pathlib import Path

log = logging.getLogger(__name__)

FILE = "settings.json"
SECTIONS = ("card", "kiosk")  # sections other modules read (card_settings.py, kiosk_settings.py)


@dataclass(frozen=True)
class ScreenSettings:
    idle_lock_minutes: float = 10.0  # the screen locks after this long without input (0: never)
    sync_interval_seconds: float = 60.0  # background sync while logged in
    search_delay_ms: int = 200  # the search bar searches this long after the last keystroke
    status_refresh_seconds: float = 15.0

    @classmethod
    def load(cls, directory: Path | None) -> "ScreenSettings":
        path = Path(directory) / FILE if directory else None
        if path is None or not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            log.warning("settings file %s unreadable (%s): using defaults", path, e)
            return cls()
        values = {}
        known = {f.name: f for f in fields(cls)}
        for key, value in (raw if isinstance(raw, dict) else {}).items():
            f = known.get(key)
            if key in SECTIONS:
                continue  # read by its own module
            if f is None:
                log.warning("settings: unknown key %r ignored", key)
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                values[key] = type(getattr(cls, key))(value)
            else:
                log.warning("settings: %s=%r is not a non-negative number; default kept", key, value)
        return cls(**values)
