"""住所辞書 (address master): Chiba City's wards and 町丁目, and every municipality of Japan.

Data from geolonia/japanese-addresses (CC BY 4.0), see resources/addresses/ATTRIBUTION.md.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from domain.search_keys import kanji_key

ADDRESS_DIR = Path(__file__).resolve().parent.parent / "resources" / "addresses"

PREFECTURE = "千葉県"
CITY = "千葉市"
CITY_LG_CODE = "121002"


@dataclass(frozen=True)
class Ward:
    """区 of a 指定都市: its name, local government code and population share."""

    name: str  # "中央区"
    lg_code: str  # "121011"
    population: int  # 2024-09-01

    @property
    def municipality(self) -> str:
        return f"{CITY}{self.name}"


WARDS: tuple[Ward, ...] = (
    Ward("中央区", "121011", 218_125),
    Ward("花見川区", "121029", 177_234),
    Ward("稲毛区", "121037", 160_319),
    Ward("若葉区", "121045", 144_683),
    Ward("緑区", "121053", 128_905),
    Ward("美浜区", "121061", 155_019),
)


@dataclass(frozen=True)
class Town:
    """町丁目 of a ward."""

    ward: Ward
    name: str  # "稲荷町一丁目"
    lat: float
    lng: float


def load_json(name: str):
    """One of the shipped address files, parsed."""
    with open(ADDRESS_DIR / name, encoding="utf-8") as f:
        return json.load(f)


def is_ward_code(lg_code: str) -> bool:
    """Whether `lg_code` is the 地方公共団体コード of one of the city's wards."""
    return any(ward.lg_code == lg_code for ward in WARDS)


def ward_by_code(lg_code: str) -> Ward:
    for ward in WARDS:
        if ward.lg_code == lg_code:
            return ward
    raise KeyError(lg_code)


def ward_by_name(name: str) -> Ward | None:
    """A ward from 「中央区」 or 「千葉市中央区」."""
    short = name.removeprefix(CITY)
    return next((w for w in WARDS if w.name == short), None)


@cache
def towns(ward: Ward) -> tuple[Town, ...]:
    rows = load_json(f"{ward.municipality}.json")
    return tuple(Town(ward, r["town"] + r.get("koaza", ""), r["lat"], r["lng"]) for r in rows)


@cache
def all_towns() -> tuple[Town, ...]:
    return tuple(t for ward in WARDS for t in towns(ward))


@cache
def municipalities() -> dict[str, tuple[str, ...]]:
    """Every municipality of Japan by prefecture (for 転入前住所 and 転出先)."""
    return {pref: tuple(names) for pref, names in load_json("municipalities.json").items()}


def is_known_municipality(prefecture: str, municipality: str) -> bool:
    return municipality in municipalities().get(prefecture, ())


def complete_town(ward: Ward | None, prefix: str, limit: int = 20) -> list[Town]:
    """町丁目 completion: towns whose name starts with what was typed (異体字 folded)."""
    key = kanji_key(prefix)
    pool = towns(ward) if ward else all_towns()
    return [t for t in pool if kanji_key(t.name).startswith(key)][:limit]


def is_city_address(prefecture: str, municipality: str) -> bool:
    return prefecture == PREFECTURE and ward_by_name(municipality) is not None
