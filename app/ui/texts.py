"""How the screens write a record's values: one place for each (addresses, birth dates)."""
from __future__ import annotations

from domain.residents import Address, Resident


def address_text(a: Address | None) -> str:
    """住所 with 方書; 「国外（国名）」 for an address abroad."""
    if a is None:
        return ""
    if a.is_abroad:
        return f"国外（{a.municipality}）" + (f"　{a.town}" if a.town else "") + (f"　{a.building}" if a.building else "")
    return a.full_text


def birth_text(r: Resident) -> str:
    """和暦 for Japanese residents; 西暦 for foreign residents, as the records show them."""
    if r.kind.value == "foreign":
        return r.birth_date.format_seireki()
    return r.birth_date.format_wareki()
