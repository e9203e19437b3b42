"""The terminal's card settings: the "card" section of `settings.json` in the terminal's folder
(written by the city's IT staff), typed, with the defaults here.

    {"card": {"reader": "", "trust_anchor": "jpki/auth-ca.pem", "crl": "jpki/auth-ca.crl"}}

- `reader`: the PC/SC name of the reader to use ("" = whichever reader holds a My Number card);
- `trust_anchor`: the J-LIS 利用者証明用 CA certificate(s), PEM or DER, for JPKI authentication;
- `crl`: that CA's certificate revocation list (kept current by the city's update job).
Relative paths are relative to the terminal's folder. A missing or unreadable anchor or CRL is
reported (in Japanese, naming the file) when authentication is attempted, not at start-up: a
counter that only reads cards works without them.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from app.services.settings import FILE

log = logging.getLogger(__name__)

SECTION = "card"


@dataclass(frozen=True)
class CardSettings:
    reader: str = ""
    trust_anchor: str = ""
    crl: str = ""
    directory: str = ""  # the terminal folder relative paths start from

    @classmethod
    def load(cls, directory: Path | None) -> "CardSettings":
        path = Path(directory) / FILE if directory else None
        if path is None or not path.exists():
            return cls(directory=str(directory or ""))
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            log.warning("settings file %s unreadable (%s): card defaults", path, e)
            return cls(directory=str(directory))
        section = raw.get(SECTION) if isinstance(raw, dict) else None
        values = {}
        for key, value in (section if isinstance(section, dict) else {}).items():
            if key not in ("reader", "trust_anchor", "crl"):
                log.warning("settings: unknown card key %r ignored", key)
            elif isinstance(value, str):
                values[key] = value
            else:
                log.warning("settings: card.%s=%r is not text; default kept", key, value)
        return cls(**values, directory=str(directory))

    def _path(self, value: str) -> str:
        if not value:
            return ""
        p = Path(value)
        return str(p if p.is_absolute() or not self.directory else Path(self.directory) / p)

    def trust_anchor_path(self) -> str:
        return self._path(self.trust_anchor)

    def crl_path(self) -> str:
        return self._path(self.crl)

    def trust(self):
        """The JPKI trust configuration; TrustConfigError (Japanese) when it cannot be loaded."""
        from hardware.jpki import TrustConfig

        return TrustConfig.from_files(self.trust_anchor_path() or None, self.crl_path() or None)
