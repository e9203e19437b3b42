"""The kiosk's settings: the "kiosk" section of `settings.json` in the terminal's folder (written by
the city's IT staff), typed, with the defaults here (the card reader, trust anchor and CRL are the
"card" section's, as at a counter).

    {"kiosk": {"max_sync_age_minutes": 15, "online_only": true, "inactivity_seconds": 60,
               "card_reminder_seconds": 8, "sync_interval_seconds": 60,
               "printer": "cups:KIOSK1", "payment": "cashier", "language": "ja",
               "admin_pin_hash": "scrypt$…"}}

- `max_sync_age_minutes`: the kiosk issues only when its last successful sync is at most this old;
- `online_only`: the registry's own check must answer at every issuance (otherwise the cache
  decides within `max_sync_age_minutes`); identifying a card always needs the registry;
- `inactivity_seconds`: every screen goes back to the start after this long without a touch;
- `card_reminder_seconds`: a card left on the reader after printing is reminded of (sound and
  picture) after this long, and again every as long;
- `printer`: `cups:QUEUE` (lp), `qt:NAME` (the system's print dialog printers) or `folder:PATH`
  (PDF files, for trials; relative to the terminal folder);
- `payment`: `cashier` (a receipt number to pay at the cashier's window) — the one built in;
- `language`: the screens' language at the start of each resident's turn (`ja` or `en`);
- `admin_pin_hash`: the administrator's exit PIN, hashed (`madoguchi kiosk set-admin-pin`); no
  PIN set means the kiosk cannot be left from its screen at all.
Unknown keys are logged and ignored; a value of the wrong type keeps the default, with a warning.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass, fields, replace
from pathlib import Path

from app.services.settings import FILE
from app.store.files import atomic_write_bytes

log = logging.getLogger(__name__)

SECTION = "kiosk"
LANGUAGES = ("ja", "en")
ADMIN_PIN = re.compile(r"[0-9]{6,12}")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


class KioskSettingsError(Exception):
    def __init__(self, log_message: str, message: str):
        super().__init__(log_message)
        self.message = message


@dataclass(frozen=True)
class KioskSettings:
    max_sync_age_minutes: float = 15.0
    online_only: bool = True
    inactivity_seconds: float = 60.0
    card_reminder_seconds: float = 8.0
    sync_interval_seconds: float = 60.0
    printer: str = "cups:kiosk"
    payment: str = "cashier"
    language: str = "ja"
    admin_pin_hash: str = ""
    directory: str = ""  # the terminal folder (relative paths start there); not a setting

    @classmethod
    def load(cls, directory: Path | None) -> "KioskSettings":
        base = cls(directory=str(directory or ""))
        path = Path(directory) / FILE if directory else None
        if path is None or not path.exists():
            return base
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            log.warning("settings file %s unreadable (%s): kiosk defaults", path, e)
            return base
        section = raw.get(SECTION) if isinstance(raw, dict) else None
        values = {}
        known = {f.name: f for f in fields(cls) if f.name != "directory"}
        for key, value in (section if isinstance(section, dict) else {}).items():
            default = getattr(base, key, None)
            if key not in known:
                log.warning("settings: unknown kiosk key %r ignored", key)
            elif isinstance(default, bool):
                if isinstance(value, bool):
                    values[key] = value
                else:
                    log.warning("settings: kiosk.%s=%r is not true/false; default kept", key, value)
            elif isinstance(default, float):
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                    values[key] = float(value)
                else:
                    log.warning("settings: kiosk.%s=%r is not a positive number; default kept", key, value)
            elif isinstance(value, str):
                values[key] = value
            else:
                log.warning("settings: kiosk.%s=%r is not text; default kept", key, value)
        if values.get("language", "ja") not in LANGUAGES:
            log.warning("settings: kiosk.language=%r is not ja|en; ja kept", values["language"])
            values["language"] = "ja"
        return replace(base, **values)

    def printer_path(self) -> Path:
        """The folder of a `folder:PATH` printer, relative paths from the terminal folder."""
        p = Path(self.printer.partition(":")[2])
        return p if p.is_absolute() or not self.directory else Path(self.directory) / p

    # -- the administrator's exit PIN ----------------------------------------------------------------
    def admin_pin_matches(self, pin: str) -> bool:
        return check_admin_pin(self.admin_pin_hash, pin)


def hash_admin_pin(pin: str, *, n: int = SCRYPT_N) -> str:
    """scrypt of the administrator's PIN with a random salt: `scrypt$n$r$p$salt$hash` (hex)."""
    if not ADMIN_PIN.fullmatch(pin or ""):
        raise KioskSettingsError("admin PIN not 6-12 digits", "管理者の暗証番号は数字6〜12桁にしてください。")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, maxmem=2**26, dklen=32)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_admin_pin(stored: str, pin: str) -> bool:
    """Whether `pin` matches the stored hash (False for no hash, a malformed one, or wrong digits)."""
    if not stored or not ADMIN_PIN.fullmatch(pin or ""):
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=2**26, dklen=32)
    except (ValueError, TypeError) as e:
        log.warning("kiosk admin PIN hash unreadable: %s", e)
        return False
    return hmac.compare_digest(got.hex(), digest)


def write_section(directory: Path, **values) -> None:
    """Sets keys of the kiosk section of settings.json, keeping every other key and section."""
    path = Path(directory) / FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError as e:
        raise KioskSettingsError(f"{path}: {e}", f"設定ファイル（{path}）の形式が正しくないため、書き換えられません。") from None
    if not isinstance(raw, dict):
        raw = {}
    section = raw.get(SECTION) if isinstance(raw.get(SECTION), dict) else {}
    section.update(values)
    raw[SECTION] = section
    atomic_write_bytes(path, (json.dumps(raw, ensure_ascii=False, indent=2) + "\n").encode(), mode=0o600)


def set_admin_pin(directory: Path, pin: str, *, n: int = SCRYPT_N) -> None:
    write_section(directory, admin_pin_hash=hash_admin_pin(pin, n=n))
    log.info("kiosk admin PIN set in %s", Path(directory) / FILE)
