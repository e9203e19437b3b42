"""Which search keys a resident record is found by (j340): names past and present, addresses.

Both the terminal cache and the registry index these; the same functions key what a clerk types.
"""
from __future__ import annotations

from dataclasses import dataclass

from datetime import date

from domain.residents import Address, Resident
from domain.search_keys import kana_key, kanji_key, latin_key


@dataclass(frozen=True)
class NameEntry:
    """One way to find a person by name: `source` is current | old_surname | alias | alphabet | history."""

    source: str
    kana_key: str
    given_kana_key: str
    kanji_key: str
    given_kanji_key: str


@dataclass(frozen=True)
class AddressEntry:
    source: str  # current | history
    address_key: str
    ward_code: str


PARTIAL_BIRTH_PREFIX = "P"
UNKNOWN_BIRTH_KEY = "P0000"


def birth_key(resident: Resident) -> str:
    """The indexed form of a birth date.

    An exact calendar date is "YYYYMMDD". A date the register keeps only partly or vaguely
    (j80: 「昭和20年頃」, 「令和3年4月上旬」, 2月29日 of a common year) is "P" + the first year it
    could be ("P0000" for 年月日不詳), so that a search for a day also finds the few records that
    could be that day (the plan asks for the P-keys of the neighbouring years; RecordDate.could_be
    decides).
    """
    d = resident.birth_date
    if d.is_calendar_date:
        return _day_key(d.year, d.month, d.day)
    span = d.plausible_range()
    return UNKNOWN_BIRTH_KEY if span is None else f"{PARTIAL_BIRTH_PREFIX}{span[0].year:04d}"


def _day_key(year: int, month: int, day: int) -> str:
    return f"{year:04d}{month:02d}{day:02d}"


@dataclass(frozen=True)
class BirthKeyRanges:
    """The birth keys a search from `first` to `last` (a day, a month, a year) looks at: the
    exact days in between, the partly known dates that could fall in those years (a 頃 reaches a
    year either way), and 年月日不詳. RecordDate.overlaps then decides for the partly known ones."""

    exact: tuple[str, str]
    partial: tuple[str, str]
    unknown: str = UNKNOWN_BIRTH_KEY


def birth_key_ranges(first: date, last: date) -> BirthKeyRanges:
    return BirthKeyRanges(
        exact=(_day_key(first.year, first.month, first.day), _day_key(last.year, last.month, last.day)),
        partial=(f"{PARTIAL_BIRTH_PREFIX}{first.year - 2:04d}", f"{PARTIAL_BIRTH_PREFIX}{last.year:04d}"),
    )


def name_entries(r: Resident, source: str = "current") -> list[NameEntry]:
    n = r.name
    given_kana = kana_key(n.given_kana)
    given_kanji = kanji_key(n.given)
    entries = [
        NameEntry(source, kana_key(n.family_kana) + given_kana, given_kana, kanji_key(n.family) + given_kanji, given_kanji)
    ]
    if r.old_surname:
        entries.append(
            NameEntry(
                "old_surname" if source == "current" else source,
                kana_key(r.old_surname_kana) + given_kana,
                given_kana,
                kanji_key(r.old_surname) + given_kanji,
                given_kanji,
            )
        )
    if r.alias:
        alias_family, _, alias_given = r.alias.replace("\u3000", " ").partition(" ")
        kana_family, _, kana_given = r.alias_kana.replace("\u3000", " ").partition(" ")
        entries.append(
            NameEntry(
                "alias" if source == "current" else source,
                kana_key(kana_family) + kana_key(kana_given),
                kana_key(kana_given),
                kanji_key(alias_family) + kanji_key(alias_given),
                kanji_key(alias_given),
            )
        )
    if r.foreign is not None and r.foreign.alphabet_name:
        key = latin_key(r.foreign.alphabet_name)
        entries.append(NameEntry("alphabet" if source == "current" else source, "", "", key, ""))
    return entries


def address_key(address: Address) -> str:
    """The searchable form of an address below the municipality: 町丁目, 番地 and 方書."""
    return kanji_key(f"{address.town}{address.block}{address.building}")


def address_entries(r: Resident, source: str = "current") -> list[AddressEntry]:
    return [AddressEntry(source, address_key(r.address), r.address.lg_code)]
