"""Who certifies (j1050): the mayor or a ward mayor, with the prefecture's name in the title, and the seal.

The city keeps a list of certifiers in a JSON file, each valid from a day on (a new mayor, an acting
mayor 職務代理者, a ward mayor), and `certifier_on(day, office)` picks the one in office that day:

    {"certifiers": [
      {"office": "city", "valid_from": "2021-04-01", "title": "千葉県千葉市長", "name": "稲毛　誠一",
       "seal": "seal-city.png"},
      {"office": "121011", "valid_from": "2024-04-01", "title": "千葉県千葉市中央区長", "name": "…",
       "seal": "seal-121011.png"}
    ]}

`office` is "city" or a ward's 地方公共団体コード; `seal` is a file name relative to the JSON file's
folder (or absolute), or null for no seal. The shipped default (`DEFAULT_SETTINGS`) is for Chiba,
with fictional names.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent.parent / "resources" / "certificates"
DEFAULT_SETTINGS = RESOURCES / "certifiers.json"
CITY_OFFICE = "city"


@dataclass(frozen=True)
class Certifier:
    """証明者: the title as printed (with the prefecture: 「千葉県千葉市長」), the name, the 電子公印 image."""

    title: str
    name: str
    seal: Path | None = None

    @property
    def text(self) -> str:
        return f"{self.title}\u3000{self.name}" if self.name else self.title


@dataclass(frozen=True)
class CertifierEntry:
    office: str
    valid_from: dt.date
    certifier: Certifier


class CertifierSettings:
    """The certifiers a city has had, by office and date."""

    def __init__(self, entries: list[CertifierEntry]):
        self.entries = sorted(entries, key=lambda e: (e.office, e.valid_from))

    @classmethod
    def load(cls, path: Path | str = DEFAULT_SETTINGS) -> "CertifierSettings":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = []
            for item in data["certifiers"]:
                seal = item.get("seal")
                entries.append(CertifierEntry(
                    office=str(item.get("office", CITY_OFFICE)),
                    valid_from=dt.date.fromisoformat(item["valid_from"]),
                    certifier=Certifier(
                        title=str(item["title"]),
                        name=str(item.get("name", "")),
                        seal=None if not seal else (path.parent / seal),
                    ),
                ))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"certifier settings {path} unreadable: {exc}") from None
        if not entries:
            raise ValueError(f"certifier settings {path} list no certifier")
        return cls(entries)

    def certifier_on(self, day: dt.date, office: str = CITY_OFFICE) -> Certifier:
        """The certifier of `office` on `day` (the latest entry valid from that day or before)."""
        found = [e for e in self.entries if e.office == office and e.valid_from <= day]
        if not found:
            raise LookupError(f"no certifier for office {office!r} on {day.isoformat()}")
        return found[-1].certifier


def certifier_on(day: dt.date, office: str = CITY_OFFICE, settings: Path | str = DEFAULT_SETTINGS) -> Certifier:
    """The certifier in office on `day`, from the settings file (default: the shipped Chiba list)."""
    return CertifierSettings.load(settings).certifier_on(day, office)
